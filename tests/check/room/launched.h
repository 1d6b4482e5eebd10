// SPDX-License-Identifier: LGPL-2.1-or-later
// A launch line run the way gst-launch-1.0 runs it, watched from the test:
// its first error, the members an `mlskeyer-epoch` message said left, and
// the buffers reaching its sink named "out" (how many, the first and last
// arrival).
#pragma once

#include <gst/gst.h>

#include <algorithm>
#include <atomic>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include <check.h>

namespace launched {

struct Pipeline {
  GstElement* pipeline = nullptr;
  std::atomic<int> decoded{ 0 };
  std::mutex lock;
  std::string error;
  std::vector<std::string> left;
  std::vector<std::string> recorders;
  std::vector<std::string> files_closed;
  bool eos = false;
  gint64 first_decoded_us = 0, last_decoded_us = 0;

  Pipeline() = default;
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;
  ~Pipeline()
  {
    if (pipeline) {
      gst_element_set_state(pipeline, GST_STATE_NULL);
      gst_object_unref(pipeline);
    }
  }
  bool saw_leave(const std::string& identity)
  {
    std::lock_guard<std::mutex> g(lock);
    return std::find(left.begin(), left.end(), identity) != left.end();
  }
  bool saw_recorder(const std::string& identity)
  {
    std::lock_guard<std::mutex> g(lock);
    return std::find(recorders.begin(), recorders.end(), identity) != recorders.end();
  }
  bool saw_file_closed(const std::string& path)
  {
    std::lock_guard<std::mutex> g(lock);
    return std::find(files_closed.begin(), files_closed.end(), path) != files_closed.end();
  }
  std::string first_error()
  {
    std::lock_guard<std::mutex> g(lock);
    return error;
  }
};

inline GstBusSyncReply on_bus(GstBus*, GstMessage* msg, gpointer data)
{
  auto* p = static_cast<Pipeline*>(data);
  std::lock_guard<std::mutex> g(p->lock);
  if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ERROR && p->error.empty()) {
    GError* err = nullptr;
    gst_message_parse_error(msg, &err, nullptr);
    p->error = err ? err->message : "?";
    g_clear_error(&err);
  } else if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_EOS) {
    p->eos = true;
  } else if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ELEMENT) {
    const GstStructure* s = gst_message_get_structure(msg);
    if (gst_structure_has_name(s, "mlskeyer-epoch")) {
      const GValue* left = gst_structure_get_value(s, "left");
      for (guint i = 0; left && i < gst_value_array_get_size(left); i++)
        p->left.push_back(g_value_get_string(gst_value_array_get_value(left, i)));
    } else if (gst_structure_has_name(s, "room-participant")
        && g_strcmp0(gst_structure_get_string(s, "role"), "recorder") == 0) {
      // "identity", or "identity:ciphertext" for a recorder outside the MLS group.
      const gchar* recording = gst_structure_get_string(s, "recording");
      p->recorders.push_back(std::string(gst_structure_get_string(s, "identity")) + (recording ? ":" : "")
          + (recording ? recording : ""));
    } else if (gst_structure_has_name(s, "splitmuxsink-fragment-closed")) {
      p->files_closed.push_back(gst_structure_get_string(s, "location"));
    }
  }
  return GST_BUS_PASS;
}

inline void on_handoff(GstElement*, GstBuffer*, GstPad*, gpointer data)
{
  auto* p = static_cast<Pipeline*>(data);
  p->decoded++;
  std::lock_guard<std::mutex> g(p->lock);
  p->last_decoded_us = g_get_monotonic_time();
  if (!p->first_decoded_us)
    p->first_decoded_us = p->last_decoded_us;
}

// Starts the launch line; false (the element's error in `error`) if it does
// not start.
inline bool launch(Pipeline& p, const std::string& desc)
{
  GError* err = nullptr;
  p.pipeline = gst_parse_launch(desc.c_str(), &err);
  ck_assert_msg(p.pipeline != nullptr, "%s", err ? err->message : "?");
  if (!GST_IS_PIPELINE(p.pipeline)) {
    // A line of one element: in a pipeline, as gst-launch-1.0 puts it.
    GstElement* pipeline = gst_pipeline_new(nullptr);
    gst_bin_add(GST_BIN(pipeline), p.pipeline);
    p.pipeline = pipeline;
  }
  GstBus* bus = gst_element_get_bus(p.pipeline);
  gst_bus_set_sync_handler(bus, on_bus, &p, nullptr);
  gst_object_unref(bus);
  if (GstElement* out = gst_bin_get_by_name(GST_BIN(p.pipeline), "out")) {
    g_object_set(out, "signal-handoffs", TRUE, nullptr);
    g_signal_connect(out, "handoff", G_CALLBACK(on_handoff), &p);
    gst_object_unref(out);
  }
  return gst_element_set_state(p.pipeline, GST_STATE_PLAYING) != GST_STATE_CHANGE_FAILURE;
}

// Waits until `done`, doing `meanwhile` (or sleeping) between checks.
inline bool wait_for(const std::function<bool()>& done, int seconds, const std::function<void()>& meanwhile = nullptr)
{
  const gint64 until = g_get_monotonic_time() + gint64(seconds) * G_USEC_PER_SEC;
  while (!done() && g_get_monotonic_time() < until) {
    if (meanwhile)
      meanwhile();
    else
      g_usleep(5000);
  }
  return done();
}

} // namespace launched
