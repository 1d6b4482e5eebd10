/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sfuforward's `subscriptions` and `stats` properties: the forwarding core's
 * state as GstStructures (docs/elements/sfuforward.md), and subscriptions
 * set from one. */
#pragma once

#include <gst/gst.h>

#include "sfu/forwarder.h"

namespace gste2ee::sfu {

/* Two different participants by name, created when new. */
bool participant_pair (Forwarder & forwarder, const char *sub, const char *pub, ParticipantId * s,
    ParticipantId * p);

GstStructure *subscriptions_structure (const Forwarder & forwarder);
/* Applies the pairs the structure names and leaves the others; false if any
 * entry was not understood (the understood ones still apply). */
bool apply_subscriptions (Forwarder & forwarder, const GstStructure * s);

GstStructure *stats_structure (const Forwarder & forwarder);

} // namespace gste2ee::sfu
