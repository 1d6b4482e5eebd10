/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "room-receiver.h"

#include "room-element.h"

#include <gst/video/video.h>

#include <cstdio>

GST_DEBUG_CATEGORY_STATIC(room_receiver_debug);
#define GST_CAT_DEFAULT room_receiver_debug

namespace gste2ee::room {

namespace {

GstPadProbeReturn drop_until_announced(GstPad*, GstPadProbeInfo*, gpointer)
{
  return GST_PAD_PROBE_DROP;
}

struct KeyFrameAsk {
  RoomReceiver* receiver;
  guint32 ssrc;
};

// A decoder downstream that lost its reference asks upstream for a key
// frame; the transport cannot answer that, the publisher can: a PLI.
GstPadProbeReturn on_upstream_event(GstPad*, GstPadProbeInfo* info, gpointer data)
{
  auto* ask = static_cast<KeyFrameAsk*>(data);
  if (!gst_video_event_is_force_key_unit(GST_PAD_PROBE_INFO_EVENT(info)))
    return GST_PAD_PROBE_OK;
  ask->receiver->request_key_frame(ask->ssrc);
  return GST_PAD_PROBE_DROP;
}

} // namespace

RoomReceiver::RoomReceiver(GstBin* bin, GstElement* transport, OnStream on_stream)
    : bin_(bin), transport_(transport), on_stream_(std::move(on_stream))
{
  GST_DEBUG_CATEGORY_INIT(room_receiver_debug, "roomreceiver", 0, "Streams received from a gst-e2ee room");
  // Our own reference: the bin drops its children before we are destroyed.
  if (transport_) {
    gst_object_ref(transport_);
    pad_added_ = g_signal_connect(transport_, "pad-added", G_CALLBACK(on_transport_pad), this);
  }
}

RoomReceiver::~RoomReceiver()
{
  stop();
  if (transport_) {
    g_signal_handler_disconnect(transport_, pad_added_);
    gst_object_unref(transport_);
  }
}

// Each payload type the transport receives is split per SSRC.
void RoomReceiver::on_transport_pad(GstElement*, GstPad* pad, gpointer data)
{
  auto* self = static_cast<RoomReceiver*>(data);
  if (GST_PAD_DIRECTION(pad) != GST_PAD_SRC || !g_str_has_prefix(GST_PAD_NAME(pad), "src_"))
    return;
  GstElement* demux = gst_element_factory_make("rtpssrcdemux", nullptr);
  if (!demux)
    return;
  GST_INFO_OBJECT(self->bin_, "receiving %s", GST_PAD_NAME(pad));
  g_signal_connect(demux, "pad-added", G_CALLBACK(on_ssrc_pad), self);
  {
    std::lock_guard<std::mutex> g(self->lock_);
    self->demuxers_.push_back(GST_ELEMENT(gst_object_ref(demux)));
  }
  add_linked(self->bin_, demux, pad);
}

void RoomReceiver::on_ssrc_pad(GstElement*, GstPad* pad, gpointer data)
{
  auto* self = static_cast<RoomReceiver*>(data);
  guint32 ssrc = 0;
  if (std::sscanf(GST_PAD_NAME(pad), "src_%u", &ssrc) != 1)
    return;
  gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_EVENT_UPSTREAM, on_upstream_event, new KeyFrameAsk{ self, ssrc },
      [](gpointer ask) { delete static_cast<KeyFrameAsk*>(ask); });
  std::unique_lock<std::mutex> g(self->lock_);
  const auto it = self->tracks_.find(ssrc);
  if (it != self->tracks_.end()) {
    const ReceivedStream s = it->second;
    g.unlock();
    GST_INFO_OBJECT(self->bin_, "SSRC %08x: %s's %s", ssrc, s.identity.c_str(), s.kind.c_str());
    self->on_stream_(pad, s);
    return;
  }
  GST_INFO_OBJECT(self->bin_, "SSRC %08x: not announced yet, dropped until it is", ssrc);
  // Whose stream this is comes over signalling; until then it is dropped.
  const gulong probe = gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER, drop_until_announced, nullptr, nullptr);
  self->pending_[ssrc] = { GST_PAD(gst_object_ref(pad)), probe };
}

void RoomReceiver::on_track(const Message& m)
{
  const guint32 ssrc = static_cast<guint32>(m.number("ssrc"));
  std::unique_lock<std::mutex> g(lock_);
  tracks_[ssrc] = { m.str("identity"), m.str("track"), ssrc };
  const auto it = pending_.find(ssrc);
  GST_INFO_OBJECT(bin_, "SSRC %08x is %s's %s%s", ssrc, m.str("identity").c_str(), m.str("track").c_str(),
      it == pending_.end() ? "" : " (already arriving)");
  if (it == pending_.end())
    return;
  const Pending p = it->second;
  const ReceivedStream s = tracks_[ssrc];
  pending_.erase(it);
  g.unlock();
  on_stream_(p.pad, s);
  gst_pad_remove_probe(p.pad, p.probe);  // linked now: its buffers may flow
  gst_object_unref(p.pad);
}

void RoomReceiver::describe_reception(RoomMode mode)
{
  const std::string sframe = mode == RoomMode::EndToEnd ? ", a-sframe=(string)\"\"" : "";
  // What we receive, and the RTCP feedback we send (key frame requests).
  const std::string caps[] = {
    "application/x-rtp, media=(string)video, payload=(int)96, clock-rate=(int)90000, encoding-name=(string)VP8"
        + sframe,
    "application/x-rtp, media=(string)audio, payload=(int)111, clock-rate=(int)48000, encoding-name=(string)OPUS"
        + sframe,
    "application/x-rtcp",
  };
  // Every pad first, then their caps: the transport asks for negotiation
  // once all its sink pads have caps, and an offer made between two pads
  // would leave the second kind out (its packets then dropped as an
  // unknown payload type).
  GstPad* pads[G_N_ELEMENTS(caps)];
  for (GstPad*& pad : pads)
    pad = gst_element_request_pad_simple(transport_, "sink_%u");
  for (size_t i = 0; i < G_N_ELEMENTS(caps); i++) {
    if (!pads[i])
      continue;
    dummy_pads_.push_back(pads[i]);
    gst_pad_send_event(pads[i], gst_event_new_stream_start("room-reception"));
    GstCaps* gc = gst_caps_from_string(caps[i].c_str());
    gst_pad_send_event(pads[i], gst_event_new_caps(gc));
    gst_caps_unref(gc);
  }
  if (GstPad* feedback = pads[G_N_ELEMENTS(caps) - 1]) {
    GstSegment segment;
    gst_segment_init(&segment, GST_FORMAT_TIME);
    gst_pad_send_event(feedback, gst_event_new_segment(&segment));
    std::lock_guard<std::mutex> g(lock_);
    feedback_ = feedback;
  }
}

void RoomReceiver::request_key_frame(guint32 ssrc)
{
  GstPad* pad;
  {
    std::lock_guard<std::mutex> g(lock_);
    if (!feedback_)
      return;
    pad = GST_PAD(gst_object_ref(feedback_));
  }
  // RTCP PSFB (RFC 4585 6.3.1): V=2, FMT=1 (PLI), PT=206, length 2; our
  // SSRC (none: we send no media), the media SSRC.
  const guint8 pli[12] = { 0x81, 206, 0, 2, 0, 0, 0, 1, guint8(ssrc >> 24), guint8(ssrc >> 16), guint8(ssrc >> 8),
    guint8(ssrc) };
  gst_pad_chain(pad, gst_buffer_new_memdup(pli, sizeof pli));  // the pad's stream lock serializes callers
  gst_object_unref(pad);
}

void RoomReceiver::stop()
{
  std::vector<GstElement*> demuxers;
  std::map<guint32, Pending> pending;
  {
    // Stopping a demuxer waits for its streaming thread, which may be
    // waiting for this lock: swap under it, stop outside.
    std::lock_guard<std::mutex> g(lock_);
    demuxers.swap(demuxers_);
    pending.swap(pending_);
    tracks_.clear();
    feedback_ = nullptr;
  }
  take_out_all(bin_, &demuxers);
  for (auto& [ssrc, p] : pending)
    gst_object_unref(p.pad);
  for (GstPad* pad : dummy_pads_) {
    gst_element_release_request_pad(transport_, pad);
    gst_object_unref(pad);
  }
  dummy_pads_.clear();
}

} // namespace gste2ee::room
