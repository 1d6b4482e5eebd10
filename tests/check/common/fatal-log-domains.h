// SPDX-License-Identifier: LGPL-2.1-or-later
// gstcheck turns warnings and criticals into failures only for GLib's and
// GStreamer's own log domains; ours ("GStreamer-SFrame", "GStreamer-SFU",
// "GStreamer-Transport" and "GStreamer-MLS" for the plugins, "GStreamer-E2EE"
// for libgste2ee) would merely print. Including this header makes them abort
// the test, before main() runs. A crash prints its backtrace
// (crash-backtrace.h).
#pragma once

#include <glib.h>

#include "crash-backtrace.h"

namespace testutil {

inline const bool kOurDomainsFatal = [] {
  const auto levels = static_cast<GLogLevelFlags>(G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
  g_log_set_fatal_mask("GStreamer-SFrame", levels);
  g_log_set_fatal_mask("GStreamer-E2EE", levels);
  g_log_set_fatal_mask("GStreamer-SFU", levels);
  g_log_set_fatal_mask("GStreamer-Transport", levels);
  g_log_set_fatal_mask("GStreamer-MLS", levels);
  return true;
}();

} // namespace testutil
