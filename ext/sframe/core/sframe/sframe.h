// SPDX-License-Identifier: LGPL-2.1-or-later
// The GStreamer-free SFrame core (RFC 9605): include this for the whole API.
#pragma once

#include "sframe/aead.h"
#include "sframe/bytes.h"
#include "sframe/context.h"
#include "sframe/header.h"
#include "sframe/kdf.h"
#include "sframe/replay_window.h"
#include "sframe/result.h"
#include "sframe/suite.h"
