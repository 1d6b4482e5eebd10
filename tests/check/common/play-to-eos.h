// SPDX-License-Identifier: LGPL-2.1-or-later
// Runs a whole pipeline the way gst-launch-1.0 does: PLAYING until EOS or an
// error, then NULL. Returns the error's text ("" on EOS), so a test says
// what went wrong instead of merely that it did.
#pragma once

#include <string>

#include <gst/gst.h>

namespace testutil {

inline std::string play_to_eos(GstElement* pipeline, GstClockTime timeout)
{
  gst_element_set_state(pipeline, GST_STATE_PLAYING);
  GstBus* bus = gst_element_get_bus(pipeline);
  GstMessage* msg =
    gst_bus_timed_pop_filtered(bus, timeout, static_cast<GstMessageType>(GST_MESSAGE_EOS | GST_MESSAGE_ERROR));
  std::string error;
  if (!msg) {
    error = "no EOS in time";
  } else if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ERROR) {
    GError* e = nullptr;
    gchar* debug = nullptr;
    gst_message_parse_error(msg, &e, &debug);
    error = std::string(e ? e->message : "error") + " (" + (debug ? debug : "") + ")";
    g_clear_error(&e);
    g_free(debug);
  }
  if (msg)
    gst_message_unref(msg);
  gst_object_unref(bus);
  gst_element_set_state(pipeline, GST_STATE_NULL);
  return error;
}

} // namespace testutil
