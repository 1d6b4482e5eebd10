/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What sframeenc and sframedec share as elements: the key, suite, KID,
 * clear-prefix and keyring properties, start/stop and the mode from caps.
 * Each element's state derives from CommonState. */
#pragma once

#include <mutex>

#include <gst/gst.h>
#include <gst/e2ee/e2ee.h>

#include "gstsframecaps.h"
#include "gstsframekeys.h"

namespace gste2ee::glue {

/* Property ids shared by both elements; element-specific ones follow. */
enum CommonProp {
  PROP_CIPHER_SUITE = 1,
  PROP_KEY,
  PROP_KEY_ID,
  PROP_CLEAR_PREFIX,
  PROP_KEYRING,
  PROP_COMMON_LAST,
};

struct CommonState {
  std::mutex lock;  /* guards this and the derived state */
  StaticKey static_key;
  GstSFrameClearPrefix prefix = GST_SFRAME_CLEAR_PREFIX_NONE;
  Mode mode = Mode::Frame;
  GstE2eeKeyring *keyring = nullptr;  /* the one in use while streaming */
  ~CommonState () { gst_clear_object (&keyring); }
};

/* `what` names the element's use of keys in the blurbs ("encrypt"/"decrypt"). */
void install_common_properties (GObjectClass * klass, bool encrypting);

/* `slot` is the element's keyring property/context slot (object lock). Return
 * false for ids that are not common. */
bool set_common_property (GstElement * element, GstE2eeKeyring ** slot, CommonState & st,
    guint prop_id, const GValue * value);
bool get_common_property (GstElement * element, GstE2eeKeyring ** slot, CommonState & st,
    guint prop_id, GValue * value);

/* READY -> PAUSED: refuses an invalid static key (LIBRARY/SETTINGS error) and,
 * without a static key, finds or creates the pipeline's keyring. */
bool start_common (GstElement * element, GstE2eeKeyring ** slot, CommonState & st);
void stop_common (CommonState & st);

/* Packet mode for RTP caps, frame mode otherwise. */
void update_mode (CommonState & st, GstEvent * caps_event);

} // namespace gste2ee::glue
