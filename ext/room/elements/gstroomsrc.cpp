/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * SECTION:element-roomsrc
 *
 * Receives a gst-e2ee room with one launch line: it joins the room over
 * signalling, receives every participant's streams from the server over
 * ICE + DTLS-SRTP, decrypts them (SFrame, keys from the room's MLS group, in
 * an e2ee room) and decodes them, and exposes each as a sometimes pad named
 * after the participant: video_<identity>, audio_<identity>,
 * screen_<identity>. docs/elements/roomsrc.md.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstroomsrc.h"
#include "room-element.h"
#include "room-receiver.h"

#include <map>
#include <memory>

GST_DEBUG_CATEGORY_STATIC (room_src_debug);
#define GST_CAT_DEFAULT room_src_debug

namespace r = gste2ee::room;

struct _GstRoomSrc {
  GstBin parent;
  r::RoomElementSettings settings;
  GstElement *transport;
  std::unique_ptr<r::RoomSession> session;
  std::unique_ptr<r::RoomReceiver> receiver;
  std::mutex lock;
  std::vector<GstElement *> made;       // decode chains made while playing
  std::vector<GstPad *> exposed;        // their ghost pads
};

/* Made while playing: taken out again when the element stops, so a restart
 * starts clean. */
static void
remember (GstRoomSrc * self, GstElement * e)
{
  std::lock_guard < std::mutex > g (self->lock);
  self->made.push_back (GST_ELEMENT (gst_object_ref (e)));
}

G_DEFINE_TYPE (GstRoomSrc, gst_room_src, GST_TYPE_BIN);
GST_ELEMENT_REGISTER_DEFINE (roomsrc, "roomsrc", GST_RANK_NONE, GST_TYPE_ROOM_SRC);

static GstStaticPadTemplate video_template = GST_STATIC_PAD_TEMPLATE ("video_%s", GST_PAD_SRC, GST_PAD_SOMETIMES,
    GST_STATIC_CAPS ("video/x-raw"));
static GstStaticPadTemplate audio_template = GST_STATIC_PAD_TEMPLATE ("audio_%s", GST_PAD_SRC, GST_PAD_SOMETIMES,
    GST_STATIC_CAPS ("audio/x-raw"));
static GstStaticPadTemplate screen_template = GST_STATIC_PAD_TEMPLATE ("screen_%s", GST_PAD_SRC, GST_PAD_SOMETIMES,
    GST_STATIC_CAPS ("video/x-raw"));

/* Pad names from identities: letters, digits, '-' and '.'; the rest '_'. */
static std::string
pad_safe (const std::string & identity)
{
  std::string out;
  for (const char c : identity)
    out.push_back (g_ascii_isalnum (c) || c == '-' || c == '.' ? c : '_');
  return out;
}

/* Decrypt (e2ee) and decode one participant's stream, exposed as a pad. */
static void
expose (GstRoomSrc * self, GstPad * demux_pad, const r::ReceivedStream & track)
{
  const bool e2ee = self->settings.session ().mode == r::RoomMode::EndToEnd;
  const bool audio = track.kind == "audio";
  std::string desc = "rtpjitterbuffer latency=100 ! ";
  if (e2ee)
    desc += std::string ("rtpsframedepay ! sframedec ! ") + (audio ? "opusdec" : "vp8dec");
  else
    /* A viewer that joins mid-stream asks for a key frame (an RTCP PLI
     * through the server) and decodes from it, instead of feeding vp8dec
     * delta frames without their reference until the next periodic one. */
    desc += audio ? "rtpopusdepay ! opusdec" : "rtpvp8depay request-keyframe=true wait-for-keyframe=true ! vp8dec";
  GError *err = nullptr;
  GstElement *chain = gst_parse_bin_from_description (desc.c_str (), TRUE, &err);
  if (!chain) {
    GST_ELEMENT_WARNING (self, CORE, MISSING_PLUGIN, ("cannot decode %s's %s: %s", track.identity.c_str (),
            track.kind.c_str (), err ? err->message : "?"), (nullptr));
    g_clear_error (&err);
    return;
  }
  remember (self, chain);
  r::add_linked (GST_BIN (self), chain, demux_pad);
  GstPad *src = gst_element_get_static_pad (chain, "src");
  /* A participant's second stream of a kind gets a number: video_alice_2. */
  const std::string base = track.kind + "_" + pad_safe (track.identity);
  std::string name = base;
  for (int n = 2;; n++) {
    GstPad *taken = gst_element_get_static_pad (GST_ELEMENT (self), name.c_str ());
    if (!taken)
      break;
    gst_object_unref (taken);
    name = base + "_" + std::to_string (n);
  }
  GstPadTemplate *templ = gst_element_class_get_pad_template (GST_ELEMENT_GET_CLASS (self),
      audio ? "audio_%s" : track.kind == "screen" ? "screen_%s" : "video_%s");
  GstPad *ghost = gst_ghost_pad_new_from_template (name.c_str (), src, templ);
  gst_object_unref (src);
  gst_pad_set_active (ghost, TRUE);
  {
    std::lock_guard < std::mutex > g (self->lock);
    self->exposed.push_back (GST_PAD (gst_object_ref (ghost)));
  }
  gst_element_add_pad (GST_ELEMENT (self), ghost);
}

static GstStateChangeReturn
gst_room_src_change_state (GstElement * element, GstStateChange transition)
{
  GstRoomSrc *self = GST_ROOM_SRC (element);
  if (r::room_element_before_change (element, self->transport, self->settings, transition, &self->session,
          [self] (const r::Message & m) {
            if (m.type () == "track")
              self->receiver->on_track (m);
          }, nullptr) == GST_STATE_CHANGE_FAILURE)
    return GST_STATE_CHANGE_FAILURE;
  GstStateChangeReturn ret = GST_ELEMENT_CLASS (gst_room_src_parent_class)->change_state (element, transition);
  if (transition == GST_STATE_CHANGE_READY_TO_PAUSED && ret != GST_STATE_CHANGE_FAILURE) {
    self->receiver->describe_reception (self->settings.session ().mode);
    ret = GST_STATE_CHANGE_NO_PREROLL;
  }
  if (transition == GST_STATE_CHANGE_PAUSED_TO_READY) {
    self->session.reset ();
    std::lock_guard < std::mutex > g (self->lock);
    for (GstPad * pad : self->exposed) {
      gst_element_remove_pad (element, pad);
      gst_object_unref (pad);
    }
    self->exposed.clear ();
    r::take_out_all (GST_BIN (self), &self->made);
    self->receiver->stop ();
  }
  return ret;
}

/* EOS (gst-launch-1.0 -e, or the application's): into every decode chain,
 * so each pad ends its stream; roomsrc itself ends then (the transport and
 * the MLS member inside have no end of stream). */
static gboolean
gst_room_src_send_event (GstElement * element, GstEvent * event)
{
  GstRoomSrc *self = GST_ROOM_SRC (element);
  if (GST_EVENT_TYPE (event) != GST_EVENT_EOS)
    return GST_ELEMENT_CLASS (gst_room_src_parent_class)->send_event (element, event);
  std::vector<GstElement *> chains;
  {
    std::lock_guard < std::mutex > g (self->lock);
    for (GstElement * e : self->made)
      chains.push_back (GST_ELEMENT (gst_object_ref (e)));
  }
  for (GstElement * chain : chains) {
    GstPad *sink = gst_element_get_static_pad (chain, "sink");
    if (sink) {
      gst_pad_send_event (sink, gst_event_ref (event));
      gst_object_unref (sink);
    }
    gst_object_unref (chain);
  }
  GstMessage *eos = gst_message_new_eos (GST_OBJECT (self));
  gst_message_set_seqnum (eos, gst_event_get_seqnum (event));
  gst_event_unref (event);
  gst_element_post_message (element, eos);
  return TRUE;
}

/* What is inside never ends by itself; roomsrc's EOS is send_event's. */
static void
gst_room_src_handle_message (GstBin * bin, GstMessage * msg)
{
  if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_EOS) {
    gst_message_unref (msg);
    return;
  }
  GST_BIN_CLASS (gst_room_src_parent_class)->handle_message (bin, msg);
}

static void
gst_room_src_set_property (GObject * object, guint id, const GValue * value, GParamSpec * pspec)
{
  if (!GST_ROOM_SRC (object)->settings.set (id, value))
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, id, pspec);
}

static void
gst_room_src_get_property (GObject * object, guint id, GValue * value, GParamSpec * pspec)
{
  if (!GST_ROOM_SRC (object)->settings.get (id, value))
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, id, pspec);
}

static void
gst_room_src_finalize (GObject * object)
{
  GstRoomSrc *self = GST_ROOM_SRC (object);
  self->session.reset ();
  self->receiver.~unique_ptr ();
  self->made.~vector ();
  self->exposed.~vector ();
  self->lock.~mutex ();
  self->session.~unique_ptr ();
  self->settings.~RoomElementSettings ();
  G_OBJECT_CLASS (gst_room_src_parent_class)->finalize (object);
}

static void
gst_room_src_init (GstRoomSrc * self)
{
  new (&self->settings) r::RoomElementSettings ();
  new (&self->session) std::unique_ptr < r::RoomSession > ();
  new (&self->lock) std::mutex ();
  new (&self->made) std::vector < GstElement * >();
  new (&self->exposed) std::vector < GstPad * >();
  self->transport = gst_element_factory_make ("peertransport", "transport");
  if (self->transport)
    gst_bin_add (GST_BIN (self), self->transport);
  new (&self->receiver) std::unique_ptr < r::RoomReceiver > (new r::RoomReceiver (GST_BIN (self), self->transport,
          [self] (GstPad * rtp, const r::ReceivedStream & s) { expose (self, rtp, s); }));
  GST_OBJECT_FLAG_SET (self, GST_ELEMENT_FLAG_SOURCE);
}

static void
gst_room_src_class_init (GstRoomSrcClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GST_DEBUG_CATEGORY_INIT (room_src_debug, "roomsrc", 0, "Receive the media of a gst-e2ee room");
  gobject_class->set_property = gst_room_src_set_property;
  gobject_class->get_property = gst_room_src_get_property;
  gobject_class->finalize = gst_room_src_finalize;
  r::RoomElementSettings::install (gobject_class);
  element_class->change_state = GST_DEBUG_FUNCPTR (gst_room_src_change_state);
  element_class->send_event = GST_DEBUG_FUNCPTR (gst_room_src_send_event);
  GST_BIN_CLASS (klass)->handle_message = GST_DEBUG_FUNCPTR (gst_room_src_handle_message);
  gst_element_class_add_static_pad_template (element_class, &video_template);
  gst_element_class_add_static_pad_template (element_class, &audio_template);
  gst_element_class_add_static_pad_template (element_class, &screen_template);
  gst_element_class_set_static_metadata (element_class, "Room source (gst-e2ee)", "Source/Network",
      "Joins a gst-e2ee room and exposes each participant's audio, video and screen, decrypted (SFrame, in e2ee "
      "rooms) and decoded, as pads named after the participant", "gst-e2ee <gst-e2ee@example.org>");
}
