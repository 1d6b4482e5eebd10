// SPDX-License-Identifier: LGPL-2.1-or-later
// Two peertransport elements in one process, joined over loopback: the
// offerer takes packets from the benchmark's own pad on sink_0, the answerer
// hands what it decrypts on src_96 to a fakesink. SDP goes across as text
// (the host candidates are in it, so nothing needs trickling).
#pragma once

#include <atomic>
#include <cstdio>
#include <string>

#include <gst/gst.h>

#include "bench-pipeline.h"

namespace bench {

// Counts the buffers reaching a pad, and lets the measuring thread sleep (no
// CPU spent) until a count is reached.
class DeliveryCounter {
public:
  DeliveryCounter()
  {
    g_mutex_init(&lock_);
    g_cond_init(&cond_);
  }
  ~DeliveryCounter()
  {
    g_cond_clear(&cond_);
    g_mutex_clear(&lock_);
  }
  void attach(GstElement* sink)
  {
    GstPad* pad = gst_element_get_static_pad(sink, "sink");
    gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER, on_buffer, this, nullptr);
    gst_object_unref(pad);
  }
  guint64 count() const { return count_.load(); }
  // True if `n` arrived within `timeout_us`.
  bool wait_for(guint64 n, gint64 timeout_us)
  {
    const gint64 until = g_get_monotonic_time() + timeout_us;
    g_mutex_lock(&lock_);
    while (count_.load() < n && g_cond_wait_until(&cond_, &lock_, until)) {
    }
    g_mutex_unlock(&lock_);
    return count_.load() >= n;
  }

private:
  static GstPadProbeReturn on_buffer(GstPad*, GstPadProbeInfo*, gpointer data)
  {
    auto* self = static_cast<DeliveryCounter*>(data);
    g_mutex_lock(&self->lock_);
    self->count_++;
    g_cond_signal(&self->cond_);
    g_mutex_unlock(&self->lock_);
    return GST_PAD_PROBE_OK;
  }
  std::atomic<guint64> count_{ 0 };
  GMutex lock_;
  GCond cond_;
};

class PeerTransportPair {
public:
  // `profiles` for both sides' srtp-profiles.
  explicit PeerTransportPair(const char* profiles)
  {
    for (GstElement** side : { &sender_, &receiver_ }) {
      *side = gst_element_factory_make("peertransport", nullptr);
      g_object_set(*side, "local-address", "127.0.0.1", "srtp-profiles", profiles, nullptr);
    }
    send_pipeline_ = gst_pipeline_new("send");
    recv_pipeline_ = gst_pipeline_new("receive");
    gst_bin_add(GST_BIN(send_pipeline_), sender_);
    gst_bin_add(GST_BIN(recv_pipeline_), receiver_);
    sink_ = gst_element_factory_make("fakesink", nullptr);
    g_object_set(sink_, "sync", FALSE, "async", FALSE, "enable-last-sample", FALSE, nullptr);
    gst_bin_add(GST_BIN(recv_pipeline_), sink_);
    g_signal_connect(receiver_, "pad-added", G_CALLBACK(link_to_sink), sink_);
    delivered.attach(sink_);
    in_ = gst_element_request_pad_simple(sender_, "sink_%u");
  }
  ~PeerTransportPair()
  {
    if (feeder_) {
      gst_pad_unlink(feeder_, in_);
      gst_object_unref(feeder_);
    }
    gst_element_set_state(send_pipeline_, GST_STATE_NULL);
    gst_element_set_state(recv_pipeline_, GST_STATE_NULL);
    gst_element_release_request_pad(sender_, in_);
    gst_object_unref(in_);
    gst_object_unref(send_pipeline_);
    gst_object_unref(recv_pipeline_);
  }

  // PLAYING, offer/answer, then waits for both sides to be connected.
  // Milliseconds from the answer being set to both connected (ICE checks and
  // the DTLS handshake over real sockets), or < 0.
  double connect()
  {
    gst_element_set_state(send_pipeline_, GST_STATE_PLAYING);
    gst_element_set_state(recv_pipeline_, GST_STATE_PLAYING);
    feeder_ = feeder_for(in_, "application/x-rtp, media=video, payload=96, clock-rate=90000, encoding-name=VP8");
    gchar *offer = nullptr, *answer = nullptr;
    gboolean ok = FALSE;
    g_signal_emit_by_name(sender_, "create-offer", &offer);
    if (offer)
      g_signal_emit_by_name(receiver_, "set-remote-description", offer, &ok);
    if (ok)
      g_signal_emit_by_name(receiver_, "create-answer", &answer);
    const gint64 start = g_get_monotonic_time();
    ok = FALSE;
    if (answer)
      g_signal_emit_by_name(sender_, "set-remote-description", answer, &ok);
    g_free(offer);
    g_free(answer);
    if (!ok)
      return -1;
    const gint64 until = start + 10 * G_USEC_PER_SEC;
    while (g_get_monotonic_time() < until) {
      if (state(sender_) == 3 && state(receiver_) == 3)
        return static_cast<double>(g_get_monotonic_time() - start) / 1000.0;
      g_usleep(200);
    }
    return -1;
  }

  DeliveryCounter delivered;  // what reached the receiver's fakesink

  GstPad* feeder() const { return feeder_; }
  std::string profile()
  {
    GstStructure* s = nullptr;
    g_object_get(receiver_, "stats", &s, nullptr);
    std::string p = gst_structure_get_string(s, "srtp-profile");
    gst_structure_free(s);
    return p;
  }

private:
  static int state(GstElement* t)
  {
    int s = 0;
    g_object_get(t, "connection-state", &s, nullptr);
    return s;
  }
  static void link_to_sink(GstElement*, GstPad* pad, gpointer sink)
  {
    if (GST_PAD_DIRECTION(pad) != GST_PAD_SRC || g_strcmp0(GST_PAD_NAME(pad), "src_96") != 0)
      return;
    GstPad* s = gst_element_get_static_pad(GST_ELEMENT(sink), "sink");
    gst_pad_link(pad, s);
    gst_object_unref(s);
  }

  GstElement *send_pipeline_, *recv_pipeline_, *sender_, *receiver_, *sink_;
  GstPad* in_ = nullptr;
  GstPad* feeder_ = nullptr;
};

} // namespace bench
