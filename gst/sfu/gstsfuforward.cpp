/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * SECTION:element-sfuforward
 * @title: sfuforward
 *
 * Selective forwarding of RTP between the participants of a room. Each
 * participant publishes on a `sink_%u` pad (all its RTP streams, multiplexed
 * by SSRC) and receives on a `src_%u` pad (the streams of every other
 * participant, never its own). RTCP from the participant enters on
 * `rtcp_sink_%u` and RTCP to it (key-frame requests, NACKs and receiver
 * reports about what it publishes, sender reports about what it receives)
 * leaves on `rtcp_src_%u`, so that srtpdec's `rtp_src` and
 * `rtcp_src` (or rtpbin's session pads) link directly, with or without
 * rtcp-mux upstream. Pads with the same number belong to the same
 * participant unless their `participant` property says otherwise.
 *
 * Decisions come from RTP headers, header extensions and RTCP only: payload
 * bytes are never read or changed, so an end-to-end room (SFrame) forwards
 * ciphertext. Simulcast encodings (by RID header extension, or an SSRC group
 * set with `set-simulcast-group`) reach each subscriber one at a time under
 * one stable SSRC, switching at key frames (frame marking header extension,
 * RFC 9626; or buffer flags inside one pipeline) with continuous sequence
 * numbers and timestamps. RFC 6464 audio levels in the senders' headers
 * name the dominant speaker (`dominant-speaker-changed`), and `last-n`
 * limits each subscriber's video to the most recent speakers. Bad input is
 * counted in `stats` and dropped.
 *
 * ## Example launch line
 * |[
 * gst-launch-1.0 sfuforward name=sfu \
 *   udpsrc port=5000 caps=application/x-rtp ! sfu.sink_0   sfu.src_0 ! udpsink host=127.0.0.1 port=6000 \
 *   udpsrc port=5002 caps=application/x-rtp ! sfu.sink_1   sfu.src_1 ! udpsink host=127.0.0.1 port=6002 \
 *   udpsrc port=5004 caps=application/x-rtp ! sfu.sink_2   sfu.src_2 ! udpsink host=127.0.0.1 port=6004
 * ]|
 *
 * Since: 0.1
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstsfuforward.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <cstring>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <gst/video/video-event.h>

#include "packet-history.h"
#include "sfu-structures.h"
#include "sfu/forwarder.h"

GST_DEBUG_CATEGORY_STATIC (gst_sfu_forward_debug);
#define GST_CAT_DEFAULT gst_sfu_forward_debug

using namespace gste2ee;

namespace {

enum class PadKind { RtpSink, RtpSrc, RtcpSink, RtcpSrc };

constexpr guint64 DEFAULT_KEYFRAME_REQUEST_INTERVAL = 500 * GST_MSECOND;
constexpr guint32 kSfuSsrc = 0x53465530;  /* "SFU0": sender SSRC of our RTCP */

} // namespace

struct Push {
  GstSfuForwardPad *pad;
  GstBuffer *buffer;
};

struct _GstSfuForwardPad {
  GstPad parent;
  PadKind kind;
  guint index;
  gchar *participant;           /* GST_OBJECT_LOCK */
  /* Src pads: stream-start, caps and segment sent (under the pad's stream
   * lock, see push_on; reset when the element stops). */
  std::atomic<bool> sent_sticky;
  bool eos;                     /* RTP sinks: EOS received (element's object lock) */
  /* A failed push was reported; publishers' threads test it concurrently. */
  std::atomic<bool> warned;
  bool removed = false;         /* its participant was removed (element lock) */
  /* Reused per packet by this pad's streaming thread: no allocation on the
   * hot path once they have grown. */
  std::vector<sfu::Delivery> deliveries;
  std::vector<sfu::KeyframeRequest> requests;
  std::vector<sfu::NackRequest> nacks;
  std::vector<sfu::Retransmission> retransmissions;
  std::vector<sfu::RtcpOut> reports;
  std::vector<Push> pushes;
  std::vector<GstPad *> key_unit_pads;
};

G_DEFINE_TYPE (GstSfuForwardPad, gst_sfu_forward_pad, GST_TYPE_PAD);

static void register_pad (GstSfuForward * self, GstSfuForwardPad * pad);

enum { PROP_PAD_0, PROP_PAD_PARTICIPANT };

struct _GstSfuForward {
  GstElement parent;
  std::mutex lock;              /* forwarder, pads_by_participant */
  sfu::Forwarder *forwarder;
  /* Pads per participant id, by kind; refs held. */
  std::map<sfu::ParticipantId, std::vector<GstSfuForwardPad *>> pads;
  guint64 keyframe_interval;
  sfu::PacketHistory *history;  /* what NACKs are answered from */
};

static void gst_sfu_forward_child_proxy_init (gpointer g_iface, gpointer iface_data);
G_DEFINE_TYPE_WITH_CODE (GstSfuForward, gst_sfu_forward, GST_TYPE_ELEMENT,
    G_IMPLEMENT_INTERFACE (GST_TYPE_CHILD_PROXY, gst_sfu_forward_child_proxy_init));
GST_ELEMENT_REGISTER_DEFINE (sfuforward, "sfuforward", GST_RANK_NONE, GST_TYPE_SFU_FORWARD);

enum {
  PROP_0,
  PROP_RID_EXTENSION_ID,
  PROP_FRAME_MARKING_EXTENSION_ID,
  PROP_AUDIO_LEVEL_EXTENSION_ID,
  PROP_LAST_N,
  PROP_DOMINANT_SPEAKER,
  PROP_KEYFRAME_REQUEST_INTERVAL,
  PROP_SUBSCRIPTIONS,
  PROP_STATS,
};

enum {
  SIGNAL_REMOVE_PARTICIPANT,
  SIGNAL_SUBSCRIBE,
  SIGNAL_UNSUBSCRIBE,
  SIGNAL_PAUSE,
  SIGNAL_RESUME,
  SIGNAL_SET_MAX_LAYER,
  SIGNAL_SET_SIMULCAST_GROUP,
  SIGNAL_SET_RTX,
  SIGNAL_DOMINANT_SPEAKER_CHANGED,
  LAST_SIGNAL,
};
static guint signals[LAST_SIGNAL];

static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE ("sink_%u",
    GST_PAD_SINK, GST_PAD_REQUEST, GST_STATIC_CAPS ("application/x-rtp"));
static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE ("src_%u",
    GST_PAD_SRC, GST_PAD_REQUEST, GST_STATIC_CAPS ("application/x-rtp"));
static GstStaticPadTemplate rtcp_sink_template = GST_STATIC_PAD_TEMPLATE ("rtcp_sink_%u",
    GST_PAD_SINK, GST_PAD_REQUEST, GST_STATIC_CAPS ("application/x-rtcp"));
static GstStaticPadTemplate rtcp_src_template = GST_STATIC_PAD_TEMPLATE ("rtcp_src_%u",
    GST_PAD_SRC, GST_PAD_REQUEST, GST_STATIC_CAPS ("application/x-rtcp"));

/* ---- pads ---- */

static void
gst_sfu_forward_pad_set_property (GObject * object, guint prop_id, const GValue * value, GParamSpec * pspec)
{
  GstSfuForwardPad *pad = GST_SFU_FORWARD_PAD (object);
  switch (prop_id) {
    case PROP_PAD_PARTICIPANT:{
      const gchar *name = g_value_get_string (value);
      if (!name || !*name) {
        g_warning ("sfuforward: a participant name cannot be empty");
        break;
      }
      GST_OBJECT_LOCK (pad);
      g_free (pad->participant);
      pad->participant = g_strdup (name);
      GST_OBJECT_UNLOCK (pad);
      GstObject *parent = gst_object_get_parent (GST_OBJECT (pad));
      if (parent) {
        register_pad (GST_SFU_FORWARD (parent), pad);
        gst_object_unref (parent);
      }
      break;
    }
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
gst_sfu_forward_pad_get_property (GObject * object, guint prop_id, GValue * value, GParamSpec * pspec)
{
  GstSfuForwardPad *pad = GST_SFU_FORWARD_PAD (object);
  switch (prop_id) {
    case PROP_PAD_PARTICIPANT:
      GST_OBJECT_LOCK (pad);
      g_value_set_string (value, pad->participant);
      GST_OBJECT_UNLOCK (pad);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
gst_sfu_forward_pad_finalize (GObject * object)
{
  GstSfuForwardPad *pad = GST_SFU_FORWARD_PAD (object);
  g_free (pad->participant);
  pad->deliveries.~vector ();
  pad->requests.~vector ();
  pad->nacks.~vector ();
  pad->retransmissions.~vector ();
  pad->reports.~vector ();
  pad->pushes.~vector ();
  pad->key_unit_pads.~vector ();
  G_OBJECT_CLASS (gst_sfu_forward_pad_parent_class)->finalize (object);
}

static void
gst_sfu_forward_pad_class_init (GstSfuForwardPadClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  gobject_class->set_property = gst_sfu_forward_pad_set_property;
  gobject_class->get_property = gst_sfu_forward_pad_get_property;
  gobject_class->finalize = gst_sfu_forward_pad_finalize;
  g_object_class_install_property (gobject_class, PROP_PAD_PARTICIPANT,
      g_param_spec_string ("participant", "Participant",
          "Name of the participant this pad belongs to (default: the pad's number, so sink_3, src_3, "
          "rtcp_sink_3 and rtcp_src_3 are participant \"3\"). Set it before linking.",
          NULL, (GParamFlags) (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS)));
}

static void
gst_sfu_forward_pad_init (GstSfuForwardPad * pad)
{
  new (&pad->deliveries) std::vector<sfu::Delivery> ();
  new (&pad->requests) std::vector<sfu::KeyframeRequest> ();
  new (&pad->nacks) std::vector<sfu::NackRequest> ();
  new (&pad->retransmissions) std::vector<sfu::Retransmission> ();
  new (&pad->reports) std::vector<sfu::RtcpOut> ();
  new (&pad->pushes) std::vector<Push> ();
  new (&pad->key_unit_pads) std::vector<GstPad *> ();
  new (&pad->sent_sticky) std::atomic<bool> (false);
  new (&pad->warned) std::atomic<bool> (false);
  pad->eos = false;
}

static std::string
pad_participant (GstSfuForwardPad * pad)
{
  GST_OBJECT_LOCK (pad);
  std::string name = pad->participant ? pad->participant : "";
  GST_OBJECT_UNLOCK (pad);
  return name;
}

/* ---- helpers ---- */

/* The participant a pad serves; called with the lock held. False for a pad
 * whose participant was removed: a packet already in its chain function when
 * remove-participant ran must not bring the participant back. */
static bool
participant_of (GstSfuForward * self, GstSfuForwardPad * pad, sfu::ParticipantId * id)
{
  if (pad->removed)
    return false;
  *id = self->forwarder->add_participant (pad_participant (pad));
  return true;
}

/* Files the pad under its participant (created if new), where routing finds
 * the pads of a subscriber or publisher; moves it when the name changes. */
static void
register_pad (GstSfuForward * self, GstSfuForwardPad * pad)
{
  std::lock_guard<std::mutex> guard (self->lock);
  for (auto & [id, list] : self->pads) {
    auto it = std::find (list.begin (), list.end (), pad);
    if (it != list.end ()) {
      list.erase (it);
      gst_object_unref (pad);
    }
  }
  sfu::ParticipantId id;
  if (participant_of (self, pad, &id))
    self->pads[id].push_back (GST_SFU_FORWARD_PAD (gst_object_ref (pad)));
}

/* Calls f on each pad of this kind that participant `id` has; lock held. */
template <typename F>
static void
for_each_pad (GstSfuForward * self, sfu::ParticipantId id, PadKind kind, F f)
{
  auto it = self->pads.find (id);
  if (it != self->pads.end ())
    for (GstSfuForwardPad * p : it->second)
      if (p->kind == kind)
        f (p);
}

/* What a subscriber's src pad announces: the publishers' caps when they all
 * agree once the per-stream fields are dropped (the usual room: one codec per
 * media, so a depayloader links directly), plain application/x-rtp
 * otherwise (rtpbin or rtpptdemux then map payload types). */
static GstCaps *
subscriber_caps (GstSfuForward * self, PadKind kind)
{
  if (kind == PadKind::RtcpSrc)
    return gst_caps_new_empty_simple ("application/x-rtcp");
  GstCaps *common = NULL;
  bool agree = true;
  GST_OBJECT_LOCK (self);
  for (GList * l = GST_ELEMENT (self)->sinkpads; l && agree; l = l->next) {
    GstSfuForwardPad *p = GST_SFU_FORWARD_PAD (l->data);
    if (p->kind != PadKind::RtpSink)
      continue;
    GstCaps *caps = gst_pad_get_current_caps (GST_PAD (p));
    if (!caps)
      continue;
    caps = gst_caps_make_writable (caps);
    gst_structure_remove_fields (gst_caps_get_structure (caps, 0), "ssrc", "seqnum-offset", "timestamp-offset",
        "clock-base", "seqnum-base", NULL);
    if (!common)
      common = caps;
    else {
      agree = gst_caps_is_equal (common, caps);
      gst_caps_unref (caps);
    }
  }
  GST_OBJECT_UNLOCK (self);
  if (!common || !agree) {
    if (common)
      gst_caps_unref (common);
    return gst_caps_new_empty_simple ("application/x-rtp");
  }
  return common;
}

/* The pad's stream lock held. */
static void
send_sticky (GstSfuForward * self, GstSfuForwardPad * pad)
{
  if (pad->sent_sticky.load (std::memory_order_relaxed))
    return;
  gchar *id = g_strdup_printf ("sfuforward-%p-%s", (void *) self, GST_PAD_NAME (pad));
  gst_pad_push_event (GST_PAD (pad), gst_event_new_stream_start (id));
  g_free (id);
  GstCaps *caps = subscriber_caps (self, pad->kind);
  gst_pad_push_event (GST_PAD (pad), gst_event_new_caps (caps));
  gst_caps_unref (caps);
  GstSegment segment;
  gst_segment_init (&segment, GST_FORMAT_TIME);
  gst_pad_push_event (GST_PAD (pad), gst_event_new_segment (&segment));
  pad->sent_sticky.store (true, std::memory_order_relaxed);
}

/* Every publisher's streaming thread pushes to each subscriber's src pad. A
 * GstPad expects one pushing thread at a time (its sticky events and flow
 * state are not guarded against two), so pushes to one pad take turns on
 * its stream lock, as funnel's do; the first sends stream-start, caps and
 * segment. The stream lock is recursive, so a handler downstream that makes
 * us push to the same pad from inside a push does not deadlock. `buffer` or
 * `event`, taken. */
static GstFlowReturn
push_on (GstSfuForward * self, GstSfuForwardPad * pad, GstBuffer * buffer, GstEvent * event)
{
  GST_PAD_STREAM_LOCK (pad);
  send_sticky (self, pad);
  GstFlowReturn ret = GST_FLOW_OK;
  if (buffer)
    ret = gst_pad_push (GST_PAD (pad), buffer);
  else
    gst_pad_push_event (GST_PAD (pad), event);
  GST_PAD_STREAM_UNLOCK (pad);
  return ret;
}

static GstBuffer *
rtcp_buffer (const std::vector<uint8_t> & bytes)
{
  return gst_buffer_new_memdup (bytes.data (), bytes.size ());
}

/* Builds what key-frame requests and NACKs send to publishers: RTCP on
 * their rtcp_src pads, and an upstream force-key-unit event on their sink
 * pads (how an encoder in the same pipeline hears it). Lock held. */
static void
collect_feedback (GstSfuForward * self, const std::vector<sfu::KeyframeRequest> & requests,
    const std::vector<sfu::NackRequest> & nacks, std::vector<Push> * pushes, std::vector<GstPad *> * key_unit_pads)
{
  for (const auto & r : requests) {
    GST_DEBUG_OBJECT (self, "key frame request for SSRC %08x", r.media_ssrc);
    for_each_pad (self, r.publisher, PadKind::RtcpSrc, [&](GstSfuForwardPad * p) {
      pushes->push_back ({ GST_SFU_FORWARD_PAD (gst_object_ref (p)), rtcp_buffer (sfu::build_pli (kSfuSsrc,
                      r.media_ssrc)) });
    });
    for_each_pad (self, r.publisher, PadKind::RtpSink, [&](GstSfuForwardPad * p) {
      key_unit_pads->push_back (GST_PAD (gst_object_ref (p)));
    });
  }
  for (const auto & n : nacks)
    for_each_pad (self, n.publisher, PadKind::RtcpSrc, [&](GstSfuForwardPad * p) {
      pushes->push_back ({ GST_SFU_FORWARD_PAD (gst_object_ref (p)), rtcp_buffer (sfu::build_nack (kSfuSsrc,
                      n.media_ssrc, n.lost)) });
    });
}

/* RTX packets for what subscribers lost, from the history, on their RTP src
 * pads. Lock held. */
static void
collect_retransmissions (GstSfuForward * self, const std::vector<sfu::Retransmission> & rtx,
    std::vector<Push> * pushes)
{
  for (const auto & r : rtx) {
    GstBuffer *original = self->history->find (r.publisher, r.in_ssrc, r.in_sequence);
    GstBuffer *packet = original ? sfu::make_rtx_packet (original, r) : NULL;
    if (!packet)
      continue;
    for_each_pad (self, r.subscriber, PadKind::RtpSrc, [&](GstSfuForwardPad * p) {
      pushes->push_back ({ GST_SFU_FORWARD_PAD (gst_object_ref (p)), gst_buffer_ref (packet) });
    });
    gst_buffer_unref (packet);
  }
}

/* Pushes outside the lock: a blocking downstream must not stall the other
 * participants' threads on our lock. */
static GstFlowReturn
push_all (GstSfuForward * self, std::vector<Push> & pushes, std::vector<GstPad *> & key_unit_pads)
{
  for (GstPad * p : key_unit_pads) {
    gst_pad_push_event (p, gst_video_event_new_upstream_force_key_unit (GST_CLOCK_TIME_NONE, TRUE, 0));
    gst_object_unref (p);
  }
  for (auto & push : pushes) {
    GstFlowReturn ret = push_on (self, push.pad, push.buffer, NULL);
    /* One subscriber that cannot take it is no reason to stop the
     * publisher or the others: said once, then counted by downstream. */
    if (ret != GST_FLOW_OK && ret != GST_FLOW_NOT_LINKED && ret != GST_FLOW_FLUSHING && ret != GST_FLOW_EOS
        && !push.pad->warned.exchange (true)) {
      GST_ELEMENT_WARNING (self, STREAM, FAILED, (NULL), ("%s: downstream returned %s", GST_PAD_NAME (push.pad),
              gst_flow_get_name (ret)));
    }
    gst_object_unref (push.pad);
  }
  key_unit_pads.clear ();
  pushes.clear ();
  return GST_FLOW_OK;
}

static GstBuffer *
rewritten (GstBuffer * in, const GstMapInfo & in_map, const sfu::Delivery & d)
{
  /* A fresh buffer filled from the mapped input: cheaper than copying the
   * buffer and then making its shared memory writable. */
  GstBuffer *out = gst_buffer_new_allocate (NULL, in_map.size, NULL);
  GstMapInfo map;
  if (!out || !gst_buffer_map (out, &map, GST_MAP_WRITE)) {
    if (out)
      gst_buffer_unref (out);
    return NULL;
  }
  memcpy (map.data, in_map.data, in_map.size);
  sfu::rtp_rewrite (map.data, d.ssrc, d.sequence, d.timestamp);
  gst_buffer_unmap (out, &map);
  gst_buffer_copy_into (out, in, (GstBufferCopyFlags) (GST_BUFFER_COPY_FLAGS | GST_BUFFER_COPY_TIMESTAMPS), 0, -1);
  return out;
}

/* ---- streaming ---- */

/* Outside the lock: a handler may call back into the element. */
static void
announce_speaker (GstSfuForward * self, const std::optional<std::string> & speaker)
{
  GST_INFO_OBJECT (self, "dominant speaker: %s", speaker ? speaker->c_str () : "(none)");
  g_signal_emit (self, signals[SIGNAL_DOMINANT_SPEAKER_CHANGED], 0, speaker ? speaker->c_str () : NULL);
}

static GstFlowReturn
gst_sfu_forward_chain_rtp (GstPad * pad, GstObject * parent, GstBuffer * buffer)
{
  GstSfuForward *self = GST_SFU_FORWARD (parent);
  GstSfuForwardPad *sp = GST_SFU_FORWARD_PAD (pad);
  /* This pad's streaming thread owns them: no allocation per packet. */
  std::vector<Push> & pushes = sp->pushes;
  std::vector<GstPad *> & key_unit_pads = sp->key_unit_pads;
  GstMapInfo map;
  if (!gst_buffer_map (buffer, &map, GST_MAP_READ)) {
    gst_buffer_unref (buffer);
    return GST_FLOW_OK;
  }
  const bool delta = GST_BUFFER_FLAG_IS_SET (buffer, GST_BUFFER_FLAG_DELTA_UNIT);
  bool speaker_changed = false;
  std::optional<std::string> speaker;
  GST_TRACE_OBJECT (pad, "packet of %" G_GSIZE_FORMAT " bytes", map.size);
  {
    std::lock_guard<std::mutex> guard (self->lock);
    sfu::ParticipantId id;
    if (!participant_of (self, sp, &id)) {
      gst_buffer_unmap (buffer, &map);
      gst_buffer_unref (buffer);
      return GST_FLOW_OK;
    }
    sfu::Drop drop = self->forwarder->route (id, map.data, map.size, g_get_monotonic_time (), !delta, delta,
        &sp->deliveries, &sp->requests);
    if (drop != sfu::Drop::None)
      GST_LOG_OBJECT (pad, "dropped a packet: %s", sfu::drop_name (drop));
    else                        /* a valid RTP header: SSRC and sequence number are there */
      self->history->store (id, GST_READ_UINT32_BE (map.data + 8), GST_READ_UINT16_BE (map.data + 2), buffer);
    if (self->forwarder->take_speaker_change ()) {
      speaker_changed = true;
      speaker = self->forwarder->dominant_speaker ();
    }
    /* Subscribers whose rewritten headers come out the same (they started
     * on the same key frame) share one copy, as tee's outputs share one
     * buffer: buffers are read-only once pushed. */
    struct Rewrite {
      guint32 ssrc, timestamp;
      guint16 sequence;
      GstBuffer *buffer;        /* borrowed from pushes */
    };
    std::array < Rewrite, 4 > made;
    size_t n_made = 0;
    for (const auto & d : sp->deliveries) {
      for_each_pad (self, d.subscriber, PadKind::RtpSrc, [&](GstSfuForwardPad * p) {
        GstBuffer *out = NULL;
        if (!d.rewrite) {
          out = gst_buffer_ref (buffer);
        } else {
          for (size_t i = 0; i < n_made && !out; i++)
            if (made[i].ssrc == d.ssrc && made[i].sequence == d.sequence && made[i].timestamp == d.timestamp)
              out = gst_buffer_ref (made[i].buffer);
          if (!out && (out = rewritten (buffer, map, d)) && n_made < made.size ())
            made[n_made++] = { d.ssrc, d.timestamp, d.sequence, out };
        }
        if (out)
          pushes.push_back ({ GST_SFU_FORWARD_PAD (gst_object_ref (p)), out });
      });
    }
    static const std::vector<sfu::NackRequest> no_nacks;
    collect_feedback (self, sp->requests, no_nacks, &pushes, &key_unit_pads);
  }
  gst_buffer_unmap (buffer, &map);
  gst_buffer_unref (buffer);
  if (speaker_changed)
    announce_speaker (self, speaker);
  return push_all (self, pushes, key_unit_pads);
}

static GstFlowReturn
gst_sfu_forward_chain_rtcp (GstPad * pad, GstObject * parent, GstBuffer * buffer)
{
  GstSfuForward *self = GST_SFU_FORWARD (parent);
  GstSfuForwardPad *sp = GST_SFU_FORWARD_PAD (pad);
  /* This pad's streaming thread owns them: no allocation per packet. */
  std::vector<Push> & pushes = sp->pushes;
  std::vector<GstPad *> & key_unit_pads = sp->key_unit_pads;
  GstMapInfo map;
  if (!gst_buffer_map (buffer, &map, GST_MAP_READ)) {
    gst_buffer_unref (buffer);
    return GST_FLOW_OK;
  }
  {
    std::lock_guard<std::mutex> guard (self->lock);
    sfu::ParticipantId id;
    if (!participant_of (self, sp, &id)) {
      gst_buffer_unmap (buffer, &map);
      gst_buffer_unref (buffer);
      return GST_FLOW_OK;
    }
    sfu::Drop drop = self->forwarder->handle_rtcp (id, map.data, map.size, g_get_monotonic_time (),
        &sp->requests, &sp->nacks, &sp->retransmissions, &sp->reports);
    if (drop != sfu::Drop::None)
      GST_LOG_OBJECT (pad, "RTCP refused: %s", sfu::drop_name (drop));
    collect_feedback (self, sp->requests, sp->nacks, &pushes, &key_unit_pads);
    collect_retransmissions (self, sp->retransmissions, &pushes);
    for (const auto & report : sp->reports)
      for_each_pad (self, report.to, PadKind::RtcpSrc, [&](GstSfuForwardPad * p) {
        pushes.push_back ({ GST_SFU_FORWARD_PAD (gst_object_ref (p)), rtcp_buffer (report.packet) });
      });
  }
  gst_buffer_unmap (buffer, &map);
  gst_buffer_unref (buffer);
  return push_all (self, pushes, key_unit_pads);
}

/* EOS leaves once every RTP sink pad has ended: one publisher leaving does
 * not end the others' streams. */
static gboolean
gst_sfu_forward_sink_event (GstPad * pad, GstObject * parent, GstEvent * event)
{
  GstSfuForward *self = GST_SFU_FORWARD (parent);
  switch (GST_EVENT_TYPE (event)) {
    case GST_EVENT_EOS:{
      bool all_done = true;
      std::vector<GstPad *> srcs;
      GST_OBJECT_LOCK (self);
      GST_SFU_FORWARD_PAD (pad)->eos = true;
      for (GList * l = GST_ELEMENT (self)->sinkpads; l; l = l->next) {
        GstSfuForwardPad *p = GST_SFU_FORWARD_PAD (l->data);
        if (p->kind == PadKind::RtpSink && !p->eos)
          all_done = false;
      }
      if (all_done)
        for (GList * l = GST_ELEMENT (self)->srcpads; l; l = l->next)
          srcs.push_back (GST_PAD (gst_object_ref (l->data)));
      GST_OBJECT_UNLOCK (self);
      for (GstPad * p : srcs) {
        push_on (self, GST_SFU_FORWARD_PAD (p), NULL, gst_event_new_eos ());
        gst_object_unref (p);
      }
      gst_event_unref (event);
      return TRUE;
    }
    case GST_EVENT_FLUSH_STOP:
      GST_OBJECT_LOCK (self);
      GST_SFU_FORWARD_PAD (pad)->eos = false;
      GST_OBJECT_UNLOCK (self);
      gst_event_unref (event);
      return TRUE;
    case GST_EVENT_CAPS:
    case GST_EVENT_SEGMENT:
    case GST_EVENT_STREAM_START:
    case GST_EVENT_FLUSH_START:
      /* Per-publisher: each subscriber's stream has its own. */
      gst_event_unref (event);
      return TRUE;
    default:
      return gst_pad_event_default (pad, parent, event);
  }
}

/* Key-frame requests from downstream of a subscriber (a decoder in the same
 * pipeline) go to every publisher it receives, throttled like PLIs. */
static gboolean
gst_sfu_forward_src_event (GstPad * pad, GstObject * parent, GstEvent * event)
{
  if (gst_video_event_is_force_key_unit (event)) {
    GstSfuForward *self = GST_SFU_FORWARD (parent);
    GstSfuForwardPad *sp = GST_SFU_FORWARD_PAD (pad);
    std::vector<Push> pushes;
    std::vector<GstPad *> key_unit_pads;
    {
      std::lock_guard<std::mutex> guard (self->lock);
      sfu::ParticipantId id;
      std::vector<sfu::KeyframeRequest> requests;
      if (participant_of (self, sp, &id))
        self->forwarder->request_keyframes (id, g_get_monotonic_time (), &requests);
      static const std::vector<sfu::NackRequest> no_nacks;
      collect_feedback (self, requests, no_nacks, &pushes, &key_unit_pads);
    }
    gst_event_unref (event);
    push_all (self, pushes, key_unit_pads);
    return TRUE;
  }
  return gst_pad_event_default (pad, parent, event);
}

/* Caps are answered here, not proxied: a publisher's pad accepts any RTP
 * whatever its subscribers are, and a subscriber's pad offers what
 * subscriber_caps() will announce. */
static gboolean
gst_sfu_forward_query (GstPad * pad, GstObject * parent, GstQuery * query)
{
  GstSfuForwardPad *sp = GST_SFU_FORWARD_PAD (pad);
  switch (GST_QUERY_TYPE (query)) {
    case GST_QUERY_CAPS:{
      GstCaps *filter, *caps;
      gst_query_parse_caps (query, &filter);
      caps = GST_PAD_IS_SRC (pad) ? subscriber_caps (GST_SFU_FORWARD (parent), sp->kind)
          : gst_pad_get_pad_template_caps (pad);
      if (filter) {
        GstCaps *both = gst_caps_intersect_full (filter, caps, GST_CAPS_INTERSECT_FIRST);
        gst_caps_unref (caps);
        caps = both;
      }
      gst_query_set_caps_result (query, caps);
      gst_caps_unref (caps);
      return TRUE;
    }
    case GST_QUERY_ACCEPT_CAPS:{
      GstCaps *caps;
      gst_query_parse_accept_caps (query, &caps);
      GstCaps *templ = gst_pad_get_pad_template_caps (pad);
      gst_query_set_accept_caps_result (query, gst_caps_can_intersect (caps, templ));
      gst_caps_unref (templ);
      return TRUE;
    }
    case GST_QUERY_ALLOCATION:
      return FALSE;             /* buffers are forwarded as they come */
    default:
      return gst_pad_query_default (pad, parent, query);
  }
}

/* No pad is internally linked to another: events and queries are handled
 * per pad above, never broadcast across participants. */
static GstIterator *
gst_sfu_forward_no_internal_links (GstPad *, GstObject *)
{
  return NULL;                  /* gst_pad_forward() then forwards to nobody */
}

/* ---- pad management ---- */

static GstPad *
gst_sfu_forward_request_new_pad (GstElement * element, GstPadTemplate * templ, const gchar * name, const GstCaps *)
{
  GstElementClass *klass = GST_ELEMENT_GET_CLASS (element);
  PadKind kind;
  const gchar *prefix;
  if (templ == gst_element_class_get_pad_template (klass, "sink_%u")) {
    kind = PadKind::RtpSink;
    prefix = "sink_";
  } else if (templ == gst_element_class_get_pad_template (klass, "src_%u")) {
    kind = PadKind::RtpSrc;
    prefix = "src_";
  } else if (templ == gst_element_class_get_pad_template (klass, "rtcp_sink_%u")) {
    kind = PadKind::RtcpSink;
    prefix = "rtcp_sink_";
  } else if (templ == gst_element_class_get_pad_template (klass, "rtcp_src_%u")) {
    kind = PadKind::RtcpSrc;
    prefix = "rtcp_src_";
  } else {
    return NULL;
  }
  guint index = 0;
  if (name && sscanf (name + strlen (prefix), "%u", &index) != 1)
    return NULL;
  if (!name) {
    /* The lowest number this kind does not use yet. */
    GST_OBJECT_LOCK (element);
    bool taken = true;
    while (taken) {
      taken = false;
      for (GList * l = element->pads; l; l = l->next) {
        GstSfuForwardPad *p = GST_SFU_FORWARD_PAD (l->data);
        if (p->kind == kind && p->index == index) {
          taken = true;
          index++;
          break;
        }
      }
    }
    GST_OBJECT_UNLOCK (element);
  }
  gchar *pad_name = g_strdup_printf ("%s%u", prefix, index);
  GstSfuForwardPad *pad = GST_SFU_FORWARD_PAD (g_object_new (GST_TYPE_SFU_FORWARD_PAD, "name", pad_name,
          "direction", templ->direction, "template", templ, NULL));
  g_free (pad_name);
  pad->kind = kind;
  pad->index = index;
  pad->participant = g_strdup_printf ("%u", index);
  if (kind == PadKind::RtpSink) {
    gst_pad_set_chain_function (GST_PAD (pad), gst_sfu_forward_chain_rtp);
    gst_pad_set_event_function (GST_PAD (pad), gst_sfu_forward_sink_event);
  } else if (kind == PadKind::RtcpSink) {
    gst_pad_set_chain_function (GST_PAD (pad), gst_sfu_forward_chain_rtcp);
    gst_pad_set_event_function (GST_PAD (pad), gst_sfu_forward_sink_event);
  } else {
    gst_pad_set_event_function (GST_PAD (pad), gst_sfu_forward_src_event);
    gst_pad_use_fixed_caps (GST_PAD (pad));
  }
  gst_pad_set_query_function (GST_PAD (pad), gst_sfu_forward_query);
  gst_pad_set_iterate_internal_links_function (GST_PAD (pad), gst_sfu_forward_no_internal_links);
  if (!gst_element_add_pad (element, GST_PAD (pad))) {
    gst_object_unref (pad);
    return NULL;
  }
  gst_pad_set_active (GST_PAD (pad), GST_STATE (element) > GST_STATE_READY);
  register_pad (GST_SFU_FORWARD (element), pad);
  gst_child_proxy_child_added (GST_CHILD_PROXY (element), G_OBJECT (pad), GST_OBJECT_NAME (pad));
  return GST_PAD (pad);
}

static void
forget_pad (GstSfuForward * self, GstSfuForwardPad * pad)
{
  std::lock_guard<std::mutex> guard (self->lock);
  for (auto & [id, list] : self->pads) {
    auto it = std::find (list.begin (), list.end (), pad);
    if (it != list.end ()) {
      list.erase (it);
      gst_object_unref (pad);
    }
  }
}

static void
gst_sfu_forward_release_pad (GstElement * element, GstPad * pad)
{
  GstSfuForward *self = GST_SFU_FORWARD (element);
  forget_pad (self, GST_SFU_FORWARD_PAD (pad));
  gst_child_proxy_child_removed (GST_CHILD_PROXY (element), G_OBJECT (pad), GST_OBJECT_NAME (pad));
  gst_pad_set_active (pad, FALSE);
  gst_element_remove_pad (element, pad);
}

/* ---- child proxy: pad properties from gst-launch ("sink_0::participant=alice") ---- */

static GObject *
gst_sfu_forward_child_by_name (GstChildProxy * proxy, const gchar * name)
{
  return G_OBJECT (gst_element_get_static_pad (GST_ELEMENT (proxy), name));
}

static GObject *
gst_sfu_forward_child_by_index (GstChildProxy * proxy, guint index)
{
  GST_OBJECT_LOCK (proxy);
  gpointer pad = g_list_nth_data (GST_ELEMENT (proxy)->pads, index);
  if (pad)
    gst_object_ref (pad);
  GST_OBJECT_UNLOCK (proxy);
  return G_OBJECT (pad);
}

static guint
gst_sfu_forward_children_count (GstChildProxy * proxy)
{
  GST_OBJECT_LOCK (proxy);
  const guint n = GST_ELEMENT (proxy)->numpads;
  GST_OBJECT_UNLOCK (proxy);
  return n;
}

static void
gst_sfu_forward_child_proxy_init (gpointer g_iface, gpointer)
{
  GstChildProxyInterface *iface = static_cast<GstChildProxyInterface *>(g_iface);
  iface->get_child_by_name = gst_sfu_forward_child_by_name;
  iface->get_child_by_index = gst_sfu_forward_child_by_index;
  iface->get_children_count = gst_sfu_forward_children_count;
}

/* ---- action signals ---- */

template <typename F>
static gboolean
change_subscription (GstSfuForward * self, const gchar * sub, const gchar * pub, F change)
{
  std::lock_guard<std::mutex> guard (self->lock);
  sfu::ParticipantId s, p;
  if (!sfu::participant_pair (*self->forwarder, sub, pub, &s, &p)) {
    GST_WARNING_OBJECT (self, "subscription change needs two different participants");
    return FALSE;
  }
  sfu::Subscription sn = self->forwarder->subscription (s, p);
  change (sn);
  return self->forwarder->set_subscription (s, p, sn);
}

static gboolean
gst_sfu_forward_subscribe (GstSfuForward * self, const gchar * sub, const gchar * pub)
{
  return change_subscription (self, sub, pub, [](sfu::Subscription & s) { s.subscribed = true; });
}

static gboolean
gst_sfu_forward_unsubscribe (GstSfuForward * self, const gchar * sub, const gchar * pub)
{
  return change_subscription (self, sub, pub, [](sfu::Subscription & s) { s.subscribed = false; });
}

static gboolean
gst_sfu_forward_pause (GstSfuForward * self, const gchar * sub, const gchar * pub)
{
  return change_subscription (self, sub, pub, [](sfu::Subscription & s) { s.paused = true; });
}

static gboolean
gst_sfu_forward_resume (GstSfuForward * self, const gchar * sub, const gchar * pub)
{
  return change_subscription (self, sub, pub, [](sfu::Subscription & s) { s.paused = false; });
}

static gboolean
gst_sfu_forward_set_max_layer (GstSfuForward * self, const gchar * sub, const gchar * pub, gint layer)
{
  if (layer < 0)
    return FALSE;
  return change_subscription (self, sub, pub, [layer](sfu::Subscription & s) { s.max_layer = layer; });
}

static gboolean
gst_sfu_forward_set_simulcast_group (GstSfuForward * self, const gchar * pub, const gchar * ssrcs)
{
  if (!pub || !ssrcs)
    return FALSE;
  std::vector<uint32_t> list;
  gchar **parts = g_strsplit (ssrcs, ",", -1);
  bool ok = true;
  for (gchar ** p = parts; *p && ok; p++) {
    gchar *end = NULL;
    guint64 v = g_ascii_strtoull (g_strstrip (*p), &end, 0);
    ok = end && *end == '\0' && end != *p && v > 0 && v <= G_MAXUINT32;
    list.push_back (static_cast<uint32_t>(v));
  }
  g_strfreev (parts);
  if (!ok) {
    GST_WARNING_OBJECT (self, "set-simulcast-group: \"%s\" is not a list of SSRCs", ssrcs);
    return FALSE;
  }
  std::lock_guard<std::mutex> guard (self->lock);
  return self->forwarder->set_simulcast_group (self->forwarder->add_participant (pub), list);
}

/* "96:97,111:112": media payload type : RTX payload type, as negotiated
 * with the subscriber (a=fmtp:97 apt=96); "" turns RTX off. */
static gboolean
gst_sfu_forward_set_rtx (GstSfuForward * self, const gchar * subscriber, const gchar * pairs)
{
  if (!subscriber || !pairs)
    return FALSE;
  std::map<uint8_t, uint8_t> rtx_for;
  gchar **parts = g_strsplit (pairs, ",", -1);
  bool ok = true;
  for (gchar ** p = parts; *p && ok; p++) {
    if (!*g_strstrip (*p))
      continue;
    guint pt = 0, rtx_pt = 0;
    gchar tail;
    ok = sscanf (*p, "%u:%u%c", &pt, &rtx_pt, &tail) == 2 && pt < 128 && rtx_pt < 128;
    rtx_for[static_cast<uint8_t>(pt)] = static_cast<uint8_t>(rtx_pt);
  }
  g_strfreev (parts);
  std::lock_guard<std::mutex> guard (self->lock);
  if (!ok || !self->forwarder->set_rtx_payload_types (self->forwarder->add_participant (subscriber), rtx_for)) {
    GST_WARNING_OBJECT (self, "set-rtx: \"%s\" is not a list of distinct payload type pairs PT:RTX-PT", pairs);
    return FALSE;
  }
  return TRUE;
}

static gboolean
gst_sfu_forward_remove_participant (GstSfuForward * self, const gchar * name)
{
  if (!name)
    return FALSE;
  std::vector<GstSfuForwardPad *> pads;
  bool speaker_changed = false;
  std::optional<std::string> speaker;
  {
    std::lock_guard<std::mutex> guard (self->lock);
    auto id = self->forwarder->find (name);
    if (!id)
      return FALSE;
    /* From here on nothing is forwarded to or from it. */
    self->forwarder->remove_participant (*id);
    self->history->forget (*id);
    pads = std::move (self->pads[*id]);
    self->pads.erase (*id);
    for (GstSfuForwardPad * p : pads)
      p->removed = true;
    if (self->forwarder->take_speaker_change ()) {
      speaker_changed = true;
      speaker = self->forwarder->dominant_speaker ();
    }
  }
  if (speaker_changed)
    announce_speaker (self, speaker);
  for (GstSfuForwardPad * p : pads) {
    GstPad *pad = GST_PAD (p);
    if (GST_OBJECT_PARENT (pad) == GST_OBJECT (self))
      gst_element_release_request_pad (GST_ELEMENT (self), pad);
    gst_object_unref (p);
  }
  GST_INFO_OBJECT (self, "removed a participant and its %zu pads", pads.size ());
  return TRUE;
}

/* ---- properties ---- */

static void
gst_sfu_forward_set_property (GObject * object, guint prop_id, const GValue * value, GParamSpec * pspec)
{
  GstSfuForward *self = GST_SFU_FORWARD (object);
  std::lock_guard<std::mutex> guard (self->lock);
  const auto & cfg = self->forwarder->config ();
  switch (prop_id) {
    case PROP_RID_EXTENSION_ID:
      self->forwarder->set_extension_ids (static_cast<uint8_t>(g_value_get_uint (value)),
          cfg.frame_marking_extension_id, cfg.audio_level_extension_id);
      break;
    case PROP_FRAME_MARKING_EXTENSION_ID:
      self->forwarder->set_extension_ids (cfg.rid_extension_id, static_cast<uint8_t>(g_value_get_uint (value)),
          cfg.audio_level_extension_id);
      break;
    case PROP_AUDIO_LEVEL_EXTENSION_ID:
      self->forwarder->set_extension_ids (cfg.rid_extension_id, cfg.frame_marking_extension_id,
          static_cast<uint8_t>(g_value_get_uint (value)));
      break;
    case PROP_LAST_N:
      self->forwarder->set_last_n (g_value_get_uint (value));
      break;
    case PROP_KEYFRAME_REQUEST_INTERVAL:
      self->keyframe_interval = g_value_get_uint64 (value);
      self->forwarder->set_keyframe_request_interval (self->keyframe_interval / GST_USECOND);
      break;
    case PROP_SUBSCRIPTIONS:{
      const GstStructure *s = gst_value_get_structure (value);
      if (!s)
        break;
      if (!sfu::apply_subscriptions (*self->forwarder, s))
        GST_WARNING_OBJECT (self, "some entries of \"subscriptions\" were not understood and were ignored");
      break;
    }
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
gst_sfu_forward_get_property (GObject * object, guint prop_id, GValue * value, GParamSpec * pspec)
{
  GstSfuForward *self = GST_SFU_FORWARD (object);
  std::lock_guard<std::mutex> guard (self->lock);
  switch (prop_id) {
    case PROP_RID_EXTENSION_ID:
      g_value_set_uint (value, self->forwarder->config ().rid_extension_id);
      break;
    case PROP_FRAME_MARKING_EXTENSION_ID:
      g_value_set_uint (value, self->forwarder->config ().frame_marking_extension_id);
      break;
    case PROP_AUDIO_LEVEL_EXTENSION_ID:
      g_value_set_uint (value, self->forwarder->config ().audio_level_extension_id);
      break;
    case PROP_LAST_N:
      g_value_set_uint (value, self->forwarder->config ().last_n);
      break;
    case PROP_DOMINANT_SPEAKER:{
      auto name = self->forwarder->dominant_speaker ();
      g_value_set_string (value, name ? name->c_str () : NULL);
      break;
    }
    case PROP_KEYFRAME_REQUEST_INTERVAL:
      g_value_set_uint64 (value, self->keyframe_interval);
      break;
    case PROP_SUBSCRIPTIONS:
      g_value_take_boxed (value, sfu::subscriptions_structure (*self->forwarder));
      break;
    case PROP_STATS:
      g_value_take_boxed (value, sfu::stats_structure (*self->forwarder));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
gst_sfu_forward_finalize (GObject * object)
{
  GstSfuForward *self = GST_SFU_FORWARD (object);
  for (auto & [id, list] : self->pads)
    for (GstSfuForwardPad * p : list)
      gst_object_unref (p);
  self->pads.~map ();
  delete self->history;
  delete self->forwarder;
  self->lock.~mutex ();
  G_OBJECT_CLASS (gst_sfu_forward_parent_class)->finalize (object);
}

/* A stream that starts again (READY to PAUSED) starts with new sticky
 * events and no EOS on every pad. */
static GstStateChangeReturn
gst_sfu_forward_change_state (GstElement * element, GstStateChange transition)
{
  GstStateChangeReturn ret = GST_ELEMENT_CLASS (gst_sfu_forward_parent_class)->change_state (element, transition);
  if (transition == GST_STATE_CHANGE_PAUSED_TO_READY) {
    GST_OBJECT_LOCK (element);
    for (GList * l = element->pads; l; l = l->next) {
      GstSfuForwardPad *p = GST_SFU_FORWARD_PAD (l->data);
      p->sent_sticky.store (false);
      p->eos = false;
      p->warned = false;
    }
    GST_OBJECT_UNLOCK (element);
  }
  return ret;
}

static void
gst_sfu_forward_class_init (GstSfuForwardClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GST_DEBUG_CATEGORY_INIT (gst_sfu_forward_debug, "sfuforward", 0, "Selective RTP forwarding");

  gobject_class->set_property = gst_sfu_forward_set_property;
  gobject_class->get_property = gst_sfu_forward_get_property;
  gobject_class->finalize = gst_sfu_forward_finalize;
  const GParamFlags rw = (GParamFlags) (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING);

  g_object_class_install_property (gobject_class, PROP_RID_EXTENSION_ID,
      g_param_spec_uint ("rid-extension-id", "RID extension ID",
          "Local ID of the RTP stream ID header extension (urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id) that "
          "names simulcast encodings (RIDs q, h, f from lowest to highest, others above them); 0: none",
          0, 255, 0, rw));
  g_object_class_install_property (gobject_class, PROP_FRAME_MARKING_EXTENSION_ID,
      g_param_spec_uint ("frame-marking-extension-id", "Frame marking extension ID",
          "Local ID of the frame marking header extension (urn:ietf:params:rtp-hdrext:framemarking, RFC 9626) "
          "that marks key frames; 0: none (buffer flags are used inside one pipeline)", 0, 255, 0, rw));
  g_object_class_install_property (gobject_class, PROP_AUDIO_LEVEL_EXTENSION_ID,
      g_param_spec_uint ("audio-level-extension-id", "Audio level extension ID",
          "Local ID of the client-to-mixer audio level header extension (urn:ietf:params:rtp-hdrext:ssrc-audio-level, "
          "RFC 6464) that drives dominant-speaker detection and last-n; streams carrying it are audio; 0: none",
          0, 255, 0, rw));
  g_object_class_install_property (gobject_class, PROP_LAST_N,
      g_param_spec_uint ("last-n", "Last N",
          "Forward video to each subscriber from the N most recent dominant speakers only (audio always goes); "
          "0: from everyone", 0, G_MAXUINT, 0, rw));
  g_object_class_install_property (gobject_class, PROP_DOMINANT_SPEAKER,
      g_param_spec_string ("dominant-speaker", "Dominant speaker",
          "The participant who has the floor, from audio levels; NULL before anyone spoke", NULL,
          (GParamFlags) (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS)));
  g_object_class_install_property (gobject_class, PROP_KEYFRAME_REQUEST_INTERVAL,
      g_param_spec_uint64 ("keyframe-request-interval", "Key frame request interval",
          "At most one key frame request (PLI) per publisher stream per this many nanoseconds, however many "
          "subscribers ask", 0, G_MAXUINT64, DEFAULT_KEYFRAME_REQUEST_INTERVAL, rw));
  g_object_class_install_property (gobject_class, PROP_SUBSCRIPTIONS,
      g_param_spec_boxed ("subscriptions", "Subscriptions",
          "Who receives whom: one field per subscriber, holding one field per publisher with a structure "
          "'subscription, subscribed=(boolean), paused=(boolean), max-layer=(int)'. Setting it changes the "
          "entries it names and leaves the others", GST_TYPE_STRUCTURE, rw));
  g_object_class_install_property (gobject_class, PROP_STATS,
      g_param_spec_boxed ("stats", "Statistics",
          "Per participant: packets-in, bytes-in, packets-out, bytes-out, keyframe-requests-received, "
          "nacks-received, nacks-served, drops (by reason: not-rtp, truncated, bad-header, unknown-participant, "
          "too-many-streams, sequence-jump, not-rtcp, rtcp-bad-length, unknown-ssrc), streams (per SSRC: "
          "layer, rid, packets, bytes, keyframe-requests) and current-layer (per simulcast publisher)",
          GST_TYPE_STRUCTURE, (GParamFlags) (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS)));

  signals[SIGNAL_REMOVE_PARTICIPANT] = g_signal_new_class_handler ("remove-participant",
      G_TYPE_FROM_CLASS (klass), (GSignalFlags) (G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION),
      G_CALLBACK (gst_sfu_forward_remove_participant), NULL, NULL, NULL, G_TYPE_BOOLEAN, 1, G_TYPE_STRING);
  signals[SIGNAL_SUBSCRIBE] = g_signal_new_class_handler ("subscribe", G_TYPE_FROM_CLASS (klass),
      (GSignalFlags) (G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION), G_CALLBACK (gst_sfu_forward_subscribe), NULL, NULL,
      NULL, G_TYPE_BOOLEAN, 2, G_TYPE_STRING, G_TYPE_STRING);
  signals[SIGNAL_UNSUBSCRIBE] = g_signal_new_class_handler ("unsubscribe", G_TYPE_FROM_CLASS (klass),
      (GSignalFlags) (G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION), G_CALLBACK (gst_sfu_forward_unsubscribe), NULL, NULL,
      NULL, G_TYPE_BOOLEAN, 2, G_TYPE_STRING, G_TYPE_STRING);
  signals[SIGNAL_PAUSE] = g_signal_new_class_handler ("pause", G_TYPE_FROM_CLASS (klass),
      (GSignalFlags) (G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION), G_CALLBACK (gst_sfu_forward_pause), NULL, NULL,
      NULL, G_TYPE_BOOLEAN, 2, G_TYPE_STRING, G_TYPE_STRING);
  signals[SIGNAL_RESUME] = g_signal_new_class_handler ("resume", G_TYPE_FROM_CLASS (klass),
      (GSignalFlags) (G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION), G_CALLBACK (gst_sfu_forward_resume), NULL, NULL,
      NULL, G_TYPE_BOOLEAN, 2, G_TYPE_STRING, G_TYPE_STRING);
  signals[SIGNAL_SET_MAX_LAYER] = g_signal_new_class_handler ("set-max-layer", G_TYPE_FROM_CLASS (klass),
      (GSignalFlags) (G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION), G_CALLBACK (gst_sfu_forward_set_max_layer), NULL,
      NULL, NULL, G_TYPE_BOOLEAN, 3, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_INT);
  signals[SIGNAL_SET_SIMULCAST_GROUP] = g_signal_new_class_handler ("set-simulcast-group",
      G_TYPE_FROM_CLASS (klass), (GSignalFlags) (G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION),
      G_CALLBACK (gst_sfu_forward_set_simulcast_group), NULL, NULL, NULL, G_TYPE_BOOLEAN, 2, G_TYPE_STRING,
      G_TYPE_STRING);

  signals[SIGNAL_SET_RTX] = g_signal_new_class_handler ("set-rtx", G_TYPE_FROM_CLASS (klass),
      (GSignalFlags) (G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION), G_CALLBACK (gst_sfu_forward_set_rtx), NULL, NULL, NULL,
      G_TYPE_BOOLEAN, 2, G_TYPE_STRING, G_TYPE_STRING);

  /**
   * GstSfuForward::dominant-speaker-changed:
   * @participant: (nullable): who has the floor now; NULL when the speaker left
   *
   * Emitted from a streaming thread, outside the element's lock.
   */
  signals[SIGNAL_DOMINANT_SPEAKER_CHANGED] = g_signal_new ("dominant-speaker-changed", G_TYPE_FROM_CLASS (klass),
      G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  gst_element_class_add_static_pad_template_with_gtype (element_class, &sink_template, GST_TYPE_SFU_FORWARD_PAD);
  gst_element_class_add_static_pad_template_with_gtype (element_class, &src_template, GST_TYPE_SFU_FORWARD_PAD);
  gst_element_class_add_static_pad_template_with_gtype (element_class, &rtcp_sink_template,
      GST_TYPE_SFU_FORWARD_PAD);
  gst_element_class_add_static_pad_template_with_gtype (element_class, &rtcp_src_template,
      GST_TYPE_SFU_FORWARD_PAD);
  element_class->request_new_pad = gst_sfu_forward_request_new_pad;
  element_class->release_pad = gst_sfu_forward_release_pad;
  element_class->change_state = gst_sfu_forward_change_state;
  gst_element_class_set_static_metadata (element_class, "SFU forwarder", "Filter/Network/RTP",
      "Forwards each participant's RTP streams to every other participant, selecting simulcast encodings, "
      "without reading payloads", "gst-e2ee developers");
  gst_type_mark_as_plugin_api (GST_TYPE_SFU_FORWARD_PAD, (GstPluginAPIFlags) 0);
}

static void
gst_sfu_forward_init (GstSfuForward * self)
{
  new (&self->lock) std::mutex ();
  new (&self->pads) std::map<sfu::ParticipantId, std::vector<GstSfuForwardPad *>> ();
  self->forwarder = new sfu::Forwarder ();
  self->history = new sfu::PacketHistory (self->forwarder->config ().rtx_history);
  self->keyframe_interval = DEFAULT_KEYFRAME_REQUEST_INTERVAL;
  self->forwarder->set_keyframe_request_interval (self->keyframe_interval / GST_USECOND);
}
