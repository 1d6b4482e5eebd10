/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * SECTION:element-roomsink
 *
 * Publishes local media to a gst-e2ee room with one launch line: it joins
 * the room over signalling, encodes raw audio and video (Opus, VP8),
 * encrypts each frame with SFrame under keys from the room's MLS group in an
 * e2ee room, payloads it, and sends it over ICE + DTLS-SRTP to the server.
 * docs/elements/roomsink.md.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstroomsink.h"
#include "room-element.h"

#include "mls/primitives.h"

#include <gst/rtp/gstrtcpbuffer.h>
#include <gst/video/video.h>

#include <algorithm>
#include <memory>
#include <vector>

GST_DEBUG_CATEGORY_STATIC (room_sink_debug);
#define GST_CAT_DEFAULT room_sink_debug

namespace r = gste2ee::room;

namespace {

enum class Kind { Audio, Video, Screen };

struct Published {
  Kind kind;
  guint32 ssrc;
  GstPad *output;          /* the chain's src pad, into the transport */
  gint64 last_key_request;  /* monotonic us: key frames asked at most every 300 ms */
  bool eos;                 /* its stream ended (EOS came through) */
};

constexpr gint64 kKeyRequestInterval = 300 * 1000;

} // namespace

struct _GstRoomSink {
  GstBin parent;
  r::RoomElementSettings settings;
  GstElement *transport;
  std::unique_ptr<r::RoomSession> session;
  std::mutex lock;
  std::vector<Published> published;
  std::vector<GstElement *> drains;  /* fakesinks for what the server forwards to us, while playing */
  guint next_pad;
  bool eos_posted;
};

G_DEFINE_TYPE (GstRoomSink, gst_room_sink, GST_TYPE_BIN);
GST_ELEMENT_REGISTER_DEFINE (roomsink, "roomsink", GST_RANK_NONE, GST_TYPE_ROOM_SINK);

static GstStaticPadTemplate video_template = GST_STATIC_PAD_TEMPLATE ("video_%u", GST_PAD_SINK, GST_PAD_REQUEST,
    GST_STATIC_CAPS ("video/x-raw"));
static GstStaticPadTemplate audio_template = GST_STATIC_PAD_TEMPLATE ("audio_%u", GST_PAD_SINK, GST_PAD_REQUEST,
    GST_STATIC_CAPS ("audio/x-raw"));
static GstStaticPadTemplate screen_template = GST_STATIC_PAD_TEMPLATE ("screen_%u", GST_PAD_SINK, GST_PAD_REQUEST,
    GST_STATIC_CAPS ("video/x-raw"));

static const char *
track_of (Kind kind)
{
  return kind == Kind::Audio ? "audio" : kind == Kind::Video ? "video" : "screen";
}

/* The encode + (SFrame) + payload chain of one stream, ending in the
 * transport. Key contexts: video 0, audio 1, screen 2 (each stream its own
 * KID, never two counters under one key). */
static std::string
chain_of (Kind kind, bool e2ee, guint pt, guint32 ssrc)
{
  const std::string s = " ssrc=" + std::to_string (ssrc) + " pt=" + std::to_string (pt);
  if (kind == Kind::Audio)
    return std::string ("queue ! audioconvert ! audioresample ! opusenc ! ")
        + (e2ee ? "sframeenc key-context=1 ! rtpsframepay" : "rtpopuspay") + s;
  return std::string ("queue ! videoconvert ! vp8enc deadline=1 keyframe-max-dist=60 ! ")
      + (e2ee ? std::string ("sframeenc key-context=") + (kind == Kind::Screen ? "2" : "0") + " ! rtpsframepay"
              : std::string ("rtpvp8pay")) + " mtu=1200" + s;
}

/* The transport has no end of stream: roomsink ends (posts EOS, as a sink
 * does) once every stream it publishes has ended, so gst-launch-1.0 -e and
 * applications that wait for EOS finish. */
static GstPadProbeReturn
on_stream_event (GstPad * pad, GstPadProbeInfo * info, gpointer data)
{
  if (GST_EVENT_TYPE (GST_PAD_PROBE_INFO_EVENT (info)) != GST_EVENT_EOS)
    return GST_PAD_PROBE_OK;
  GstRoomSink *self = GST_ROOM_SINK (data);
  bool all = true, post = false;
  {
    std::lock_guard < std::mutex > g (self->lock);
    for (auto & p : self->published) {
      if (p.output == pad)
        p.eos = true;
      all = all && p.eos;
    }
    post = all && !self->eos_posted;
    self->eos_posted = self->eos_posted || all;
  }
  if (post)
    gst_element_post_message (GST_ELEMENT (self), gst_message_new_eos (GST_OBJECT (self)));
  return GST_PAD_PROBE_DROP;
}

static GstPad *
gst_room_sink_request_new_pad (GstElement * element, GstPadTemplate * templ, const gchar *, const GstCaps *)
{
  GstRoomSink *self = GST_ROOM_SINK (element);
  if (GST_STATE (element) > GST_STATE_READY) {
    GST_ELEMENT_WARNING (element, CORE, PAD, ("streams are requested before the element starts"), (nullptr));
    return nullptr;
  }
  const std::string templ_name = GST_PAD_TEMPLATE_NAME_TEMPLATE (templ);
  const Kind kind = templ_name == "audio_%u" ? Kind::Audio : templ_name == "video_%u" ? Kind::Video : Kind::Screen;
  const bool e2ee = self->settings.session ().mode == r::RoomMode::EndToEnd;
  auto random = gste2ee::mls::prim::random_bytes (4);
  const guint32 ssrc = random ? (guint32 (random.value ()[0]) << 24 | guint32 (random.value ()[1]) << 16
                                 | guint32 (random.value ()[2]) << 8 | random.value ()[3]) : g_random_int ();
  std::lock_guard < std::mutex > g (self->lock);
  const guint n = self->next_pad++;
  const guint pt = kind == Kind::Audio ? 111 : kind == Kind::Video ? 96 : 97;
  GError *err = nullptr;
  GstElement *chain = gst_parse_bin_from_description (chain_of (kind, e2ee, pt, ssrc).c_str (), TRUE, &err);
  if (!chain) {
    GST_ELEMENT_ERROR (element, CORE, MISSING_PLUGIN, ("cannot build the %s chain: %s", track_of (kind),
            err ? err->message : "?"), (nullptr));
    g_clear_error (&err);
    return nullptr;
  }
  gst_bin_add (GST_BIN (self), chain);
  GstPad *out = gst_element_get_static_pad (chain, "src");
  GstPad *in = gst_element_request_pad_simple (self->transport, "sink_%u");
  gst_pad_link (out, in);
  gst_object_unref (in);
  GstPad *target = gst_element_get_static_pad (chain, "sink");
  const std::string name = std::string (track_of (kind)) + "_" + std::to_string (n);
  GstPad *ghost = gst_ghost_pad_new_from_template (name.c_str (), target, templ);
  gst_object_unref (target);
  gst_pad_set_active (ghost, TRUE);
  gst_element_add_pad (element, ghost);
  gst_element_sync_state_with_parent (chain);
  self->published.push_back ({ kind, ssrc, out, 0, false });
  gst_pad_add_probe (out, GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM, on_stream_event, self, nullptr);
  return ghost;
}

static void
gst_room_sink_release_pad (GstElement * element, GstPad * pad)
{
  gst_element_remove_pad (element, pad);
}

/* Tells the server what we publish, with the SSRCs, once admitted. */
static void
publish_all (GstRoomSink * self)
{
  std::lock_guard < std::mutex > g (self->lock);
  for (const auto & p : self->published)
    self->session->send (r::Message ("publish").set ("track", track_of (p.kind)).set ("ssrc", uint64_t (p.ssrc)));
}

static void
on_message (GstRoomSink * self, const r::Message & m)
{
  if (m.type () == "track-refused")
    GST_ELEMENT_WARNING (self, RESOURCE, WRITE, ("the room refused our %s: %s", m.str ("track").c_str (),
            m.str ("reason").c_str ()), (nullptr));
}

/* A PLI or FIR from the server (a new subscriber, a receiver that lost a
 * frame) asks our encoder for a key frame, as an upstream force-key-unit
 * from the stream's output: a new member decodes at once instead of
 * waiting for the next periodic key frame. */
static GstPadProbeReturn
on_rtcp (GstPad *, GstPadProbeInfo * info, gpointer data)
{
  GstRoomSink *self = GST_ROOM_SINK (data);
  GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER (info);
  GstRTCPBuffer rtcp = GST_RTCP_BUFFER_INIT;
  std::vector < guint32 > wanted;
  if (!gst_rtcp_buffer_validate_reduced (buf) || !gst_rtcp_buffer_map (buf, GST_MAP_READ, &rtcp))
    return GST_PAD_PROBE_DROP;
  GstRTCPPacket packet;
  for (gboolean more = gst_rtcp_buffer_get_first_packet (&rtcp, &packet); more;
      more = gst_rtcp_packet_move_to_next (&packet)) {
    if (gst_rtcp_packet_get_type (&packet) != GST_RTCP_TYPE_PSFB)
      continue;
    const GstRTCPFBType fb = gst_rtcp_packet_fb_get_type (&packet);
    if (fb == GST_RTCP_PSFB_TYPE_PLI || fb == GST_RTCP_PSFB_TYPE_FIR)
      wanted.push_back (gst_rtcp_packet_fb_get_media_ssrc (&packet));
  }
  gst_rtcp_buffer_unmap (&rtcp);
  std::vector < GstPad * >ask;
  if (wanted.empty ())
    return GST_PAD_PROBE_DROP;
  {
    std::lock_guard < std::mutex > g (self->lock);
    /* The streams the feedback names; if it names none of ours (an SFU that
     * translated SSRCs, a PLI with media SSRC 0), every video stream. */
    bool any_named = false;
    for (const auto & p : self->published)
      any_named = any_named || std::find (wanted.begin (), wanted.end (), p.ssrc) != wanted.end ();
    const gint64 now = g_get_monotonic_time ();
    for (auto & p : self->published) {
      if (p.kind == Kind::Audio || now - p.last_key_request < kKeyRequestInterval)
        continue;
      if (any_named && std::find (wanted.begin (), wanted.end (), p.ssrc) == wanted.end ())
        continue;
      p.last_key_request = now;
      ask.push_back (GST_PAD (gst_object_ref (p.output)));
    }
  }
  for (GstPad * pad : ask) {
    gst_pad_send_event (pad, gst_video_event_new_upstream_force_key_unit (GST_CLOCK_TIME_NONE, TRUE, 0));
    gst_object_unref (pad);
  }
  return GST_PAD_PROBE_DROP;
}

/* What the server forwards to us (the others' media) is not wanted here. */
static void
on_transport_pad (GstElement *, GstPad * pad, gpointer data)
{
  GstRoomSink *self = GST_ROOM_SINK (data);
  if (GST_PAD_DIRECTION (pad) != GST_PAD_SRC)
    return;
  GstElement *sink = gst_element_factory_make ("fakesink", nullptr);
  g_object_set (sink, "sync", FALSE, "async", FALSE, nullptr);
  gst_bin_add (GST_BIN (self), sink);
  {
    std::lock_guard < std::mutex > g (self->lock);
    self->drains.push_back (GST_ELEMENT (gst_object_ref (sink)));
  }
  gst_element_sync_state_with_parent (sink);
  GstPad *s = gst_element_get_static_pad (sink, "sink");
  gst_pad_link (pad, s);
  gst_object_unref (s);
}

static GstStateChangeReturn
gst_room_sink_change_state (GstElement * element, GstStateChange transition)
{
  GstRoomSink *self = GST_ROOM_SINK (element);
  if (r::room_element_before_change (element, self->transport, self->settings, transition, &self->session,
          [self] (const r::Message & m) { on_message (self, m); }, [self] { publish_all (self); }) == GST_STATE_CHANGE_FAILURE)
    return GST_STATE_CHANGE_FAILURE;
  if (transition == GST_STATE_CHANGE_READY_TO_PAUSED) {
    std::lock_guard < std::mutex > g (self->lock);
    for (auto & p : self->published)
      p.eos = false;
    self->eos_posted = false;
  }
  GstStateChangeReturn ret = GST_ELEMENT_CLASS (gst_room_sink_parent_class)->change_state (element, transition);
  if (transition == GST_STATE_CHANGE_PAUSED_TO_READY) {
    self->session.reset ();
    std::lock_guard < std::mutex > g (self->lock);
    r::take_out_all (GST_BIN (self), &self->drains);
  }
  /* Live: nothing to preroll. */
  if (ret == GST_STATE_CHANGE_SUCCESS && transition == GST_STATE_CHANGE_READY_TO_PAUSED)
    ret = GST_STATE_CHANGE_NO_PREROLL;
  return ret;
}

/* The drains inside never end; roomsink's own EOS is on_stream_event's. */
static void
gst_room_sink_handle_message (GstBin * bin, GstMessage * msg)
{
  if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_EOS) {
    gst_message_unref (msg);
    return;
  }
  GST_BIN_CLASS (gst_room_sink_parent_class)->handle_message (bin, msg);
}

static void
gst_room_sink_set_property (GObject * object, guint id, const GValue * value, GParamSpec * pspec)
{
  if (!GST_ROOM_SINK (object)->settings.set (id, value))
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, id, pspec);
}

static void
gst_room_sink_get_property (GObject * object, guint id, GValue * value, GParamSpec * pspec)
{
  if (!GST_ROOM_SINK (object)->settings.get (id, value))
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, id, pspec);
}

static void
gst_room_sink_finalize (GObject * object)
{
  GstRoomSink *self = GST_ROOM_SINK (object);
  self->session.reset ();
  for (auto & p : self->published)
    gst_object_unref (p.output);
  self->published.~vector ();
  self->drains.~vector ();
  self->lock.~mutex ();
  self->settings.~RoomElementSettings ();
  self->session.~unique_ptr ();
  G_OBJECT_CLASS (gst_room_sink_parent_class)->finalize (object);
}

static void
gst_room_sink_init (GstRoomSink * self)
{
  new (&self->settings) r::RoomElementSettings ();
  self->settings.set_publish_only (true);
  new (&self->session) std::unique_ptr < r::RoomSession > ();
  new (&self->lock) std::mutex ();
  new (&self->published) std::vector < Published > ();
  new (&self->drains) std::vector < GstElement * >();
  self->transport = gst_element_factory_make ("peertransport", "transport");
  if (self->transport) {
    g_signal_connect (self->transport, "pad-added", G_CALLBACK (on_transport_pad), self);
    gst_bin_add (GST_BIN (self), self->transport);
    GstElement *drain = gst_element_factory_make ("fakesink", "rtcp-drain");
    g_object_set (drain, "sync", FALSE, "async", FALSE, nullptr);
    gst_bin_add (GST_BIN (self), drain);
    GstPad *rtcp = gst_element_get_static_pad (self->transport, "rtcp_src");
    gst_pad_add_probe (rtcp, GST_PAD_PROBE_TYPE_BUFFER, on_rtcp, self, nullptr);
    GstPad *drain_pad = gst_element_get_static_pad (drain, "sink");
    gst_pad_link (rtcp, drain_pad);
    gst_object_unref (drain_pad);
    gst_object_unref (rtcp);
  }
  GST_OBJECT_FLAG_SET (self, GST_ELEMENT_FLAG_SINK);
}

static void
gst_room_sink_class_init (GstRoomSinkClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GST_DEBUG_CATEGORY_INIT (room_sink_debug, "roomsink", 0, "Publish media to a gst-e2ee room");
  gobject_class->set_property = gst_room_sink_set_property;
  gobject_class->get_property = gst_room_sink_get_property;
  gobject_class->finalize = gst_room_sink_finalize;
  r::RoomElementSettings::install (gobject_class);
  element_class->request_new_pad = GST_DEBUG_FUNCPTR (gst_room_sink_request_new_pad);
  element_class->release_pad = GST_DEBUG_FUNCPTR (gst_room_sink_release_pad);
  element_class->change_state = GST_DEBUG_FUNCPTR (gst_room_sink_change_state);
  GST_BIN_CLASS (klass)->handle_message = GST_DEBUG_FUNCPTR (gst_room_sink_handle_message);
  gst_element_class_add_static_pad_template (element_class, &video_template);
  gst_element_class_add_static_pad_template (element_class, &audio_template);
  gst_element_class_add_static_pad_template (element_class, &screen_template);
  gst_element_class_set_static_metadata (element_class, "Room sink (gst-e2ee)", "Sink/Network",
      "Joins a gst-e2ee room and publishes audio, video and screen: encoded, end-to-end encrypted with SFrame in "
      "e2ee rooms, sent over ICE + DTLS-SRTP", "gst-e2ee <gst-e2ee@example.org>");
  gst_type_mark_as_plugin_api (GST_TYPE_ROOM_MODE, (GstPluginAPIFlags) 0);
}
