/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * SECTION:element-rtpsframedepay
 * @title: rtpsframedepay
 * @see_also: rtpsframepay, sframedec
 *
 * End-to-end layer, RTP depacketization: puts SFrame-protected frames back
 * together from RTP packets in the payload format of
 * draft-ietf-avtcore-rtp-sframe-02 (a descriptor byte S|E|T before each
 * fragment) and outputs each frame's ciphertext as application/x-sframe with
 * the codec's caps in original-caps (from encoding-name: VP8, VP9, H264,
 * H265, AV1, OPUS), so `sframedec` restores them for the decoder.
 *
 * Like every RTP depayloader it takes packets in order (put `rtpjitterbuffer`
 * before it on a network path; the RTP base class drops packets that arrive
 * older than the last one, and duplicates). A frame is made from the
 * smallest run of packets consecutive in sequence number from an S to an E
 * (the reassembly itself would accept any order); a run whose T bits
 * or payload types disagree is dropped, as are duplicates, packets more than
 * `reorder-window` behind the newest, and packets waiting for a lost part of
 * their frame once the window passes them (upstream is then asked for a key
 * unit). Frames of per-packet SFrame (T = 1, an encrypted RTP payload rather
 * than a frame) are dropped and counted: decrypted, they would need the
 * codec's own depayloader. Every drop is counted in `stats`.
 *
 * ## Example launch line
 * |[
 * gst-launch-1.0 udpsrc port=5004 caps="application/x-rtp, media=video, clock-rate=90000, encoding-name=H264, a-sframe=(string)\"\"" ! rtpjitterbuffer ! rtpsframedepay ! sframedec key=000102030405060708090a0b0c0d0e0f ! h264parse ! openh264dec ! videoconvert ! autovideosink
 * ]|
 *
 * Since: 0.1
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <memory>
#include <mutex>

#include <gst/rtp/rtp.h>
#include <gst/video/video-event.h>

#include "gstrtpsframecaps.h"
#include "gstsframeelements.h"
#include "sframe/rtp_payload.h"

GST_DEBUG_CATEGORY_STATIC (rtp_sframe_depay_debug);
#define GST_CAT_DEFAULT rtp_sframe_depay_debug

namespace rtp = gste2ee::sframe::rtp;

constexpr guint kDefaultReorderWindow = 1024;

#define GST_TYPE_RTP_SFRAME_DEPAY (gst_rtp_sframe_depay_get_type ())
G_DECLARE_FINAL_TYPE (GstRtpSFrameDepay, gst_rtp_sframe_depay, GST, RTP_SFRAME_DEPAY, GstRTPBaseDepayload);

struct DepayState {
  std::mutex lock;  /* the reassembler's counters are read by `stats` from any thread */
  guint reorder_window = kDefaultReorderWindow;
  std::unique_ptr<rtp::Reassembler> reassembler = std::make_unique<rtp::Reassembler> (kDefaultReorderWindow);
  guint64 frames_out = 0, dropped_packetized = 0, key_unit_requests = 0;
  uint64_t incomplete_seen = 0;
  bool warned_packetized = false;
};

struct _GstRtpSFrameDepay {
  GstRTPBaseDepayload parent;
  DepayState *state;
};

G_DEFINE_TYPE (GstRtpSFrameDepay, gst_rtp_sframe_depay, GST_TYPE_RTP_BASE_DEPAYLOAD);
GST_ELEMENT_REGISTER_DEFINE_WITH_CODE (rtpsframedepay, "rtpsframedepay", GST_RANK_NONE, GST_TYPE_RTP_SFRAME_DEPAY,
    sframe_element_init (plugin));

enum {
  PROP_0,
  PROP_REORDER_WINDOW,
  PROP_STATS,
};

static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE ("sink", GST_PAD_SINK, GST_PAD_ALWAYS,
    GST_STATIC_CAPS ("application/x-rtp, clock-rate=(int)[1, MAX], encoding-name=(string){ VP8, VP9, H264, H265, "
        "AV1, OPUS }"));
static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE ("src", GST_PAD_SRC, GST_PAD_ALWAYS,
    GST_STATIC_CAPS ("application/x-sframe"));

static gboolean
set_caps (GstRTPBaseDepayload * depay, GstCaps * caps)
{
  const GstStructure *s = gst_caps_get_structure (caps, 0);
  GstCaps *original = gst_rtp_sframe_original_caps (s);
  if (!original) {
    gchar *str = gst_caps_to_string (caps);
    GST_ELEMENT_ERROR (depay, STREAM, FORMAT, ("rtpsframedepay does not know the encoding of %s", str), (NULL));
    g_free (str);
    return FALSE;
  }
  gint clock_rate = 90000;
  gst_structure_get_int (s, "clock-rate", &clock_rate);
  depay->clock_rate = clock_rate;
  gchar *str = gst_caps_to_string (original);
  gst_caps_unref (original);
  GstCaps *out = gst_caps_new_simple ("application/x-sframe", "original-caps", G_TYPE_STRING, str, NULL);
  g_free (str);
  const gboolean ok = gst_pad_set_caps (GST_RTP_BASE_DEPAYLOAD_SRCPAD (depay), out);
  gst_caps_unref (out);
  return ok;
}

static GstBuffer *
process_rtp_packet (GstRTPBaseDepayload * depay, GstRTPBuffer * rtpbuf)
{
  GstRtpSFrameDepay *self = GST_RTP_SFRAME_DEPAY (depay);
  DepayState *st = self->state;
  rtp::Packet p;
  p.seq = gst_rtp_buffer_get_seq (rtpbuf);
  p.payload_type = gst_rtp_buffer_get_payload_type (rtpbuf);
  p.marker = gst_rtp_buffer_get_marker (rtpbuf);
  p.timestamp = gst_rtp_buffer_get_timestamp (rtpbuf);
  p.payload = static_cast<const uint8_t *> (gst_rtp_buffer_get_payload (rtpbuf));
  p.size = gst_rtp_buffer_get_payload_len (rtpbuf);
  std::optional<rtp::Frame> frame;
  bool ask_key_unit = false, warn_packetized = false;
  {
    std::lock_guard<std::mutex> g (st->lock);
    frame = st->reassembler->push (p);
    const uint64_t incomplete = st->reassembler->counters ().incomplete;
    if (incomplete != st->incomplete_seen) {
      /* A frame was lost for good: the decoder needs a new start. */
      st->incomplete_seen = incomplete;
      st->key_unit_requests++;
      ask_key_unit = true;
    }
    if (frame && frame->packetized) {
      st->dropped_packetized++;
      warn_packetized = !st->warned_packetized;
      st->warned_packetized = true;
      frame.reset ();
    }
    if (frame)
      st->frames_out++;
  }
  if (warn_packetized)
    GST_ELEMENT_WARNING (self, STREAM, NOT_IMPLEMENTED, ("dropping per-packet SFrame (T=1) frames"),
        ("they protect RTP payloads of the codec, not frames; rtpsframedepay outputs frames only"));
  if (ask_key_unit)
    gst_pad_push_event (GST_RTP_BASE_DEPAYLOAD_SINKPAD (depay),
        gst_video_event_new_upstream_force_key_unit (GST_CLOCK_TIME_NONE, TRUE, 0));
  if (!frame)
    return nullptr;
  const size_t size = frame->ciphertext.size ();
  GstBuffer *out = gst_buffer_new_allocate (nullptr, size, nullptr);
  gst_buffer_fill (out, 0, frame->ciphertext.data (), size);
  return out;
}

static gboolean
handle_event (GstRTPBaseDepayload * depay, GstEvent * event)
{
  if (GST_EVENT_TYPE (event) == GST_EVENT_FLUSH_STOP) {
    DepayState *st = GST_RTP_SFRAME_DEPAY (depay)->state;
    std::lock_guard<std::mutex> g (st->lock);
    st->reassembler->reset ();
    st->incomplete_seen = st->reassembler->counters ().incomplete;
  }
  return GST_RTP_BASE_DEPAYLOAD_CLASS (gst_rtp_sframe_depay_parent_class)->handle_event (depay, event);
}

static GstStateChangeReturn
change_state (GstElement * element, GstStateChange transition)
{
  if (transition == GST_STATE_CHANGE_READY_TO_PAUSED) {
    DepayState *st = GST_RTP_SFRAME_DEPAY (element)->state;
    std::lock_guard<std::mutex> g (st->lock);
    st->reassembler = std::make_unique<rtp::Reassembler> (st->reorder_window);
    st->incomplete_seen = 0;
    st->frames_out = st->dropped_packetized = st->key_unit_requests = 0;
    st->warned_packetized = false;
  }
  return GST_ELEMENT_CLASS (gst_rtp_sframe_depay_parent_class)->change_state (element, transition);
}

static void
set_property (GObject * object, guint prop_id, const GValue * value, GParamSpec * pspec)
{
  DepayState *st = GST_RTP_SFRAME_DEPAY (object)->state;
  switch (prop_id) {
    case PROP_REORDER_WINDOW: {
      std::lock_guard<std::mutex> g (st->lock);
      st->reorder_window = g_value_get_uint (value);
      break;
    }
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
}

static void
get_property (GObject * object, guint prop_id, GValue * value, GParamSpec * pspec)
{
  DepayState *st = GST_RTP_SFRAME_DEPAY (object)->state;
  std::lock_guard<std::mutex> g (st->lock);
  switch (prop_id) {
    case PROP_REORDER_WINDOW:
      g_value_set_uint (value, st->reorder_window);
      break;
    case PROP_STATS: {
      const auto &c = st->reassembler->counters ();
      g_value_take_boxed (value, gst_structure_new ("application/x-rtpsframedepay-stats",
              "packets-in", G_TYPE_UINT64, static_cast<guint64> (c.packets + c.malformed + c.duplicate + c.late),
              "frames-out", G_TYPE_UINT64, st->frames_out,
              "dropped-malformed", G_TYPE_UINT64, static_cast<guint64> (c.malformed),
              "dropped-duplicate", G_TYPE_UINT64, static_cast<guint64> (c.duplicate),
              "dropped-late", G_TYPE_UINT64, static_cast<guint64> (c.late),
              "dropped-inconsistent", G_TYPE_UINT64, static_cast<guint64> (c.inconsistent),
              "dropped-incomplete", G_TYPE_UINT64, static_cast<guint64> (c.incomplete),
              "dropped-packetized", G_TYPE_UINT64, st->dropped_packetized,
              "key-unit-requests", G_TYPE_UINT64, st->key_unit_requests, NULL));
      break;
    }
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
}

static void
finalize (GObject * object)
{
  delete GST_RTP_SFRAME_DEPAY (object)->state;
  G_OBJECT_CLASS (gst_rtp_sframe_depay_parent_class)->finalize (object);
}

static void
gst_rtp_sframe_depay_init (GstRtpSFrameDepay * self)
{
  self->state = new DepayState ();
}

static void
gst_rtp_sframe_depay_class_init (GstRtpSFrameDepayClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstRTPBaseDepayloadClass *depay_class = GST_RTP_BASE_DEPAYLOAD_CLASS (klass);
  GST_DEBUG_CATEGORY_INIT (rtp_sframe_depay_debug, "rtpsframedepay", 0, "SFrame RTP depayloader");
  gobject_class->set_property = set_property;
  gobject_class->get_property = get_property;
  gobject_class->finalize = finalize;
  g_object_class_install_property (gobject_class, PROP_REORDER_WINDOW,
      g_param_spec_uint ("reorder-window", "Reorder window",
          "Sequence numbers behind the newest packet that a packet may still arrive (and a frame wait for its "
          "parts); applies when the element next starts", 16, 32768, kDefaultReorderWindow,
          static_cast<GParamFlags> (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY)));
  g_object_class_install_property (gobject_class, PROP_STATS,
      g_param_spec_boxed ("stats", "Statistics",
          "Counters as application/x-rtpsframedepay-stats: packets-in, frames-out, dropped-malformed (no "
          "descriptor), dropped-duplicate, dropped-late, dropped-inconsistent (T bits or payload types differ), "
          "dropped-incomplete (packets of frames never completed), dropped-packetized (T=1 frames), "
          "key-unit-requests (all guint64)", GST_TYPE_STRUCTURE,
          static_cast<GParamFlags> (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS)));
  element_class->change_state = change_state;
  depay_class->set_caps = set_caps;
  depay_class->process_rtp_packet = process_rtp_packet;
  depay_class->handle_event = handle_event;
  gst_element_class_add_static_pad_template (element_class, &sink_template);
  gst_element_class_add_static_pad_template (element_class, &src_template);
  gst_element_class_set_static_metadata (element_class, "RTP SFrame depayloader", "Codec/Depayloader/Network/RTP",
      "Reassembles whole SFrame-protected frames of any codec from RTP (draft-ietf-avtcore-rtp-sframe)",
      "gst-e2ee developers");
}
