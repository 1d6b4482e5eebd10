// SPDX-License-Identifier: LGPL-2.1-or-later
// A participant's media side for tests and room-bench, without the appliance
// elements: a peertransport pipeline whose offer, answer and candidates go
// through a signalling client, counting the packets it receives.
#pragma once

#include "server-process.h"

#include <gst/gst.h>

#include <atomic>
#include <mutex>
#include <set>

namespace media_client {

struct Client {
  std::string name;
  r::SignallingClient signalling;
  GstElement* pipeline = nullptr;
  GstElement* transport = nullptr;
  std::mutex lock;
  std::vector<std::pair<guint, std::string>> candidates;  // ours, to send
  bool negotiation_needed = false;
  bool offered = false;
  std::atomic<int> received{ 0 };
  std::set<guint32> ssrcs_received;  // under lock

  ~Client()
  {
    if (pipeline) {
      gst_element_set_state(pipeline, GST_STATE_NULL);
      gst_object_unref(transport);
      gst_object_unref(pipeline);
    }
  }
};

inline void on_candidate(GstElement*, guint mline, const gchar* line, gpointer data)
{
  auto* c = static_cast<Client*>(data);
  std::lock_guard<std::mutex> g(c->lock);
  c->candidates.emplace_back(mline, line ? line : "");
}

inline void on_negotiation_needed(GstElement*, gpointer data)
{
  auto* c = static_cast<Client*>(data);
  std::lock_guard<std::mutex> g(c->lock);
  c->negotiation_needed = true;
}

inline GstPadProbeReturn count(GstPad*, GstPadProbeInfo* info, gpointer data)
{
  auto* c = static_cast<Client*>(data);
  c->received++;
  guint8 h[12];
  if (gst_buffer_extract(GST_PAD_PROBE_INFO_BUFFER(info), 0, h, sizeof h) == sizeof h) {
    std::lock_guard<std::mutex> g(c->lock);
    c->ssrcs_received.insert(guint32(h[8]) << 24 | guint32(h[9]) << 16 | guint32(h[10]) << 8 | h[11]);
  }
  return GST_PAD_PROBE_OK;
}

// Tells the server what it publishes: the server forwards no stream it was
// not told of.
inline void publish(Client& c, const char* track, guint32 ssrc)
{
  std::string error;
  ck_assert(c.signalling.send(r::Message("publish").set("track", track).set("ssrc", static_cast<uint64_t>(ssrc)),
      &error));
}

inline void on_pad(GstElement*, GstPad* pad, gpointer data)
{
  if (!g_str_has_prefix(GST_PAD_NAME(pad), "src_"))
    return;
  auto* c = static_cast<Client*>(data);
  GstElement* sink = gst_bin_get_by_name(GST_BIN(c->pipeline), "received");
  GstPad* sinkpad = gst_element_get_static_pad(sink, "sink");
  gst_pad_link(pad, sinkpad);
  gst_pad_add_probe(sinkpad, GST_PAD_PROBE_TYPE_BUFFER, count, c, nullptr);
  gst_object_unref(sinkpad);
  gst_object_unref(sink);
}

// A participant that publishes VP8 video under `ssrc` and counts what it
// receives.
// With `second`, a second video stream under that SSRC (the same payload
// type: the transport's offer stays the same).
inline std::string publishing(unsigned ssrc, unsigned second = 0)
{
  std::string d = "peertransport name=t local-address=127.0.0.1 "
      "videotestsrc is-live=true ! video/x-raw,width=160,height=120,framerate=30/1 ! vp8enc deadline=1 "
      "! rtpvp8pay pt=96 ssrc=" + std::to_string(ssrc) + " ! t. fakesink name=received sync=false async=false";
  if (second)
    d += " videotestsrc is-live=true pattern=ball ! video/x-raw,width=160,height=120,framerate=30/1 ! vp8enc "
         "deadline=1 ! rtpvp8pay pt=96 ssrc=" + std::to_string(second) + " ! t.";
  return d;
}

// A participant that only receives (call describe_reception() once it
// runs).
inline std::string receiving()
{
  return "peertransport name=t local-address=127.0.0.1 fakesink name=received sync=false async=false";
}

// Its offer describes VP8 video through a sink pad that has caps and never
// gets data (as roomsrc does).
inline void describe_reception(Client& c)
{
  GstPad* pad = gst_element_request_pad_simple(c.transport, "sink_%u");
  gst_pad_send_event(pad, gst_event_new_stream_start("receive-only"));
  GstCaps* caps = gst_caps_from_string("application/x-rtp,media=video,payload=96,clock-rate=90000,"
                                       "encoding-name=VP8,a-sframe=(string)\"\"");
  gst_pad_send_event(pad, gst_event_new_caps(caps));
  gst_caps_unref(caps);
  gst_object_unref(pad);
}

inline void start_pipeline(Client& c, const std::string& desc)
{
  GError* err = nullptr;
  c.pipeline = gst_parse_launch(desc.c_str(), &err);
  ck_assert_msg(c.pipeline != nullptr, "%s", err ? err->message : "?");
  c.transport = gst_bin_get_by_name(GST_BIN(c.pipeline), "t");
  g_signal_connect(c.transport, "on-local-candidate", G_CALLBACK(on_candidate), &c);
  g_signal_connect(c.transport, "on-negotiation-needed", G_CALLBACK(on_negotiation_needed), &c);
  g_signal_connect(c.transport, "pad-added", G_CALLBACK(on_pad), &c);
  ck_assert(gst_element_set_state(c.pipeline, GST_STATE_PLAYING) != GST_STATE_CHANGE_FAILURE);
}

// One round of signalling for a client: its offer and candidates out, the
// server's answer and candidates in. Returns the messages it did not use.
inline std::vector<r::Message> pump(Client& c, int wait_ms = 20)
{
  std::string error;
  std::vector<r::Message> other;
  bool offer_now = false;
  std::vector<std::pair<guint, std::string>> out;
  {
    std::lock_guard<std::mutex> g(c.lock);
    offer_now = c.negotiation_needed && !c.offered;
    if (offer_now)
      c.offered = true;
    if (c.offered && !offer_now)
      out.swap(c.candidates);
  }
  if (offer_now) {
    gchar* offer = nullptr;
    g_signal_emit_by_name(c.transport, "create-offer", &offer);
    ck_assert(offer != nullptr);
    ck_assert(c.signalling.send(r::Message("sdp").set("kind", "offer").set("sdp", offer), &error));
    g_free(offer);
  }
  for (const auto& [mline, line] : out)
    c.signalling.send(r::Message("candidate").set("mline", static_cast<uint64_t>(mline)).set("candidate", line), &error);
  while (auto m = c.signalling.receive(wait_ms, &error)) {
    gboolean ok = FALSE;
    if (m->type() == "sdp") {
      ck_assert(m->str("kind") == "answer");
      g_signal_emit_by_name(c.transport, "set-remote-description", m->str("sdp").c_str(), &ok);
      ck_assert_msg(ok, "%s: the server's answer was refused", c.name.c_str());
    } else if (m->type() == "candidate") {
      g_signal_emit_by_name(c.transport, "add-remote-candidate", static_cast<guint>(m->number("mline")),
          m->str("candidate").c_str(), &ok);
    } else {
      other.push_back(*m);
    }
  }
  return other;
}

} // namespace media_client
