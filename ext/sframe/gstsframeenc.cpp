/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * SECTION:element-sframeenc
 * @title: sframeenc
 * @see_also: sframedec, mlskeyer
 *
 * End-to-end layer: encrypts each frame (or RTP payload) with SFrame
 * (RFC 9605), so that an SFU forwards ciphertext it cannot read. Frame mode for
 * encoded media and caps-less input (output caps application/x-sframe with the
 * input caps in original-caps); packet mode for application/x-rtp (RTP header
 * and extensions untouched, payload encrypted). Keys come from the write-only
 * `key` property or from the shared keyring (GstContext "gst.e2ee.keyring").
 * No buffer leaves unencrypted: without a usable key it is dropped and counted.
 *
 * ## Example launch line
 * |[
 * gst-launch-1.0 filesrc location=in.bin blocksize=1000 ! sframeenc key=000102030405060708090a0b0c0d0e0f key-id=7 ! filesink location=out.sframe
 * gst-launch-1.0 videotestsrc num-buffers=100 ! vp8enc ! rtpvp8pay ! sframeenc key=000102030405060708090a0b0c0d0e0f ! udpsink host=127.0.0.1 port=5004
 * ]|
 *
 * Since: 0.1
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstsframeenc.h"

#include <cstring>
#include <mutex>

#include <gst/e2ee/e2ee.h>
#include <gst/video/video-event.h>

#include "gstsframecaps.h"
#include "gstsframecommon.h"
#include "gstsframeelements.h"
#include "gstsframekeys.h"

GST_DEBUG_CATEGORY_STATIC (gst_sframe_enc_debug);
#define GST_CAT_DEFAULT gst_sframe_enc_debug

using namespace gste2ee;

namespace {

struct Stats {
  guint64 frames_in = 0;
  guint64 frames_encrypted = 0;
  guint64 frames_passed_empty = 0;
  guint64 dropped_no_key = 0;
  guint64 dropped_counter_exhausted = 0;
  guint64 dropped_invalid = 0;
  guint64 key_frame_requests = 0;
  guint64 kid = 0;
};

struct State : glue::CommonState {
  glue::EncryptKeys keys;  /* lives as long as the element: counters never restart */
  bool have_last_kid = false;
  uint64_t last_kid = 0;
  bool dropped_for_key = false;  /* frames went missing: the next one needs a key frame */
  gint64 last_warning_us = 0;
  Stats stats;
};

/* What the streaming thread does once the lock is released. */
struct AfterFrame {
  bool request_key_frame = false;
  const char *warning = nullptr;  /* static text */
  const char *fatal = nullptr;
};

}  // namespace

struct _GstSFrameEnc {
  GstBaseTransform parent;
  State *state;
  GstE2eeKeyring *keyring;  /* the property / context slot, object lock */
};

enum {
  PROP_STATS = glue::PROP_COMMON_LAST,
  PROP_KEY_CONTEXT,
};

/* RFC 9605 overhead at most: 17 header bytes and a 16-byte tag. */
static const gsize kMaxOverhead = 17 + 16;

static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE ("sink",
    GST_PAD_SINK, GST_PAD_ALWAYS, GST_STATIC_CAPS_ANY);
static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE ("src",
    GST_PAD_SRC, GST_PAD_ALWAYS,
    GST_STATIC_CAPS ("application/x-sframe; application/x-rtp"));

#define gst_sframe_enc_parent_class parent_class
G_DEFINE_TYPE (GstSFrameEnc, gst_sframe_enc, GST_TYPE_BASE_TRANSFORM);
GST_ELEMENT_REGISTER_DEFINE_WITH_CODE (sframeenc, "sframeenc", GST_RANK_NONE,
    GST_TYPE_SFRAME_ENC, sframe_element_init (plugin));

static GstStructure *
stats_structure (const Stats & s)
{
  return gst_structure_new ("application/x-sframe-enc-stats",
      "frames-in", G_TYPE_UINT64, s.frames_in,
      "frames-encrypted", G_TYPE_UINT64, s.frames_encrypted,
      "frames-passed-empty", G_TYPE_UINT64, s.frames_passed_empty,
      "dropped-no-key", G_TYPE_UINT64, s.dropped_no_key,
      "dropped-counter-exhausted", G_TYPE_UINT64, s.dropped_counter_exhausted,
      "dropped-invalid", G_TYPE_UINT64, s.dropped_invalid,
      "key-frame-requests", G_TYPE_UINT64, s.key_frame_requests,
      "kid", G_TYPE_UINT64, s.kid, nullptr);
}

static void
gst_sframe_enc_set_property (GObject * object, guint prop_id, const GValue * value,
    GParamSpec * pspec) noexcept
{
  GstSFrameEnc *self = GST_SFRAME_ENC (object);
  if (prop_id == PROP_KEY_CONTEXT) {
    std::lock_guard < std::mutex > guard (self->state->lock);
    self->state->keys.set_context (g_value_get_uint (value));
    return;
  }
  if (!glue::set_common_property (GST_ELEMENT (self), &self->keyring, *self->state, prop_id, value))
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
gst_sframe_enc_get_property (GObject * object, guint prop_id, GValue * value,
    GParamSpec * pspec) noexcept
{
  GstSFrameEnc *self = GST_SFRAME_ENC (object);
  State & st = *self->state;
  if (glue::get_common_property (GST_ELEMENT (self), &self->keyring, st, prop_id, value))
    return;
  if (prop_id == PROP_STATS) {
    std::lock_guard < std::mutex > guard (st.lock);
    g_value_take_boxed (value, stats_structure (st.stats));
    return;
  }
  if (prop_id == PROP_KEY_CONTEXT) {
    std::lock_guard < std::mutex > guard (st.lock);
    g_value_set_uint (value, st.keys.context ());
    return;
  }
  G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static gboolean
gst_sframe_enc_start (GstBaseTransform * trans) noexcept
{
  GstSFrameEnc *self = GST_SFRAME_ENC (trans);
  return glue::start_common (GST_ELEMENT (self), &self->keyring, *self->state);
}

static gboolean
gst_sframe_enc_stop (GstBaseTransform * trans) noexcept
{
  glue::stop_common (*GST_SFRAME_ENC (trans)->state);
  return TRUE;
}

static gboolean
gst_sframe_enc_sink_event (GstBaseTransform * trans, GstEvent * event) noexcept
{
  if (GST_EVENT_TYPE (event) == GST_EVENT_CAPS)
    glue::update_mode (*GST_SFRAME_ENC (trans)->state, event);
  return GST_BASE_TRANSFORM_CLASS (parent_class)->sink_event (trans, event);
}

static GstCaps *
gst_sframe_enc_transform_caps (GstBaseTransform * trans, GstPadDirection direction,
    GstCaps * caps, GstCaps * filter) noexcept
{
  (void) trans;
  GstCaps *out = direction == GST_PAD_SINK ? glue::encrypted_caps_from_plain (caps)
      : glue::plain_caps_from_encrypted (caps);
  if (filter) {
    GstCaps *tmp = gst_caps_intersect_full (filter, out, GST_CAPS_INTERSECT_FIRST);
    gst_caps_unref (out);
    out = tmp;
  }
  return out;
}

static gboolean
gst_sframe_enc_transform_size (GstBaseTransform * trans, GstPadDirection direction,
    GstCaps * caps, gsize size, GstCaps * othercaps, gsize * othersize) noexcept
{
  (void) trans;
  (void) caps;
  (void) othercaps;
  /* The exact size depends on the counter; the buffer is trimmed after. */
  *othersize = direction == GST_PAD_SINK ? size + kMaxOverhead : size;
  return TRUE;
}

static gboolean
gst_sframe_enc_query (GstBaseTransform * trans, GstPadDirection direction, GstQuery * query) noexcept
{
  GstSFrameEnc *self = GST_SFRAME_ENC (trans);
  if (gst_e2ee_keyring_element_handle_query (GST_ELEMENT (self), &self->keyring, query))
    return TRUE;
  return GST_BASE_TRANSFORM_CLASS (parent_class)->query (trans, direction, query);
}

static void
gst_sframe_enc_set_context (GstElement * element, GstContext * context) noexcept
{
  GstSFrameEnc *self = GST_SFRAME_ENC (element);
  gst_e2ee_keyring_element_set_context (element, &self->keyring, context);
  GST_ELEMENT_CLASS (parent_class)->set_context (element, context);
}

/* Caps-less input (filesrc) never negotiates, and GstBaseTransform's default
 * allocation needs output caps: allocate the worst-case size ourselves then. */
static GstFlowReturn
gst_sframe_enc_prepare_output_buffer (GstBaseTransform * trans, GstBuffer * inbuf,
    GstBuffer ** outbuf) noexcept
{
  if (gst_pad_has_current_caps (GST_BASE_TRANSFORM_SRC_PAD (trans)))
    return GST_BASE_TRANSFORM_CLASS (parent_class)->prepare_output_buffer (trans, inbuf, outbuf);
  *outbuf = gst_buffer_new_allocate (nullptr, gst_buffer_get_size (inbuf) + kMaxOverhead, nullptr);
  if (!*outbuf)
    return GST_FLOW_ERROR;
  GstBaseTransformClass *klass = GST_BASE_TRANSFORM_GET_CLASS (trans);
  if (klass->copy_metadata && !klass->copy_metadata (trans, inbuf, *outbuf))
    GST_DEBUG_OBJECT (trans, "could not copy all metadata");
  return GST_FLOW_OK;
}

/* Encrypts one frame with the lock held; returns the output size or 0 with
 * `after` saying why it was dropped. */
static gsize
encrypt_locked (State & st, const guint8 * in, gsize in_size, guint8 * out, gsize out_cap,
    AfterFrame & after)
{
  gsize clear_len = 0;  /* bytes copied unchanged: RTP header */
  if (st.mode == glue::Mode::Packet) {
    gsize payload_len = 0;
    if (!glue::rtp_layout (in, in_size, &clear_len, &payload_len)) {
      st.stats.dropped_invalid++;
      after.warning = "dropping a buffer that is not a valid RTP packet";
      return 0;
    }
    in_size = clear_len + payload_len;  /* padding is not carried over */
  }
  const guint8 *payload = in + clear_len;
  const gsize payload_size = in_size - clear_len;
  const gsize prefix = glue::clear_prefix_size (st.prefix, payload, payload_size);
  if (payload_size < prefix) {
    st.stats.dropped_invalid++;
    after.warning = "dropping a frame shorter than its clear prefix";
    return 0;
  }

  auto kid = st.keys.select (st.static_key, st.keyring);
  if (!kid) {
    st.stats.dropped_no_key++;
    st.dropped_for_key = true;
    after.warning = kid.message ();
    return 0;
  }
  /* Receivers with only the new key, or that missed the frames dropped
   * while there was none (a member's first frames before its Welcome), need
   * a key frame they can decrypt. */
  if ((st.have_last_kid && st.last_kid != kid.value ()) || st.dropped_for_key)
    after.request_key_frame = true;
  st.dropped_for_key = false;
  st.have_last_kid = true;
  st.last_kid = kid.value ();

  std::memcpy (out, in, clear_len + prefix);
  if (st.mode == glue::Mode::Packet)
    out[0] &= ~0x20;  /* padding removed */
  sframe::MutableByteView dst (out + clear_len + prefix, out_cap - clear_len - prefix);
  const sframe::ByteView metadata (payload, prefix);
  const sframe::ByteView plaintext (payload + prefix, payload_size - prefix);
  auto n = st.keys.encryptor ().protect (kid.value (), metadata, plaintext, dst);
  for (int tries = 0; !n && n.error () == sframe::Error::CounterExhausted && tries < 4; tries++) {
    if (!st.keys.refill (st.keyring, kid.value ()))
      break;
    n = st.keys.encryptor ().protect (kid.value (), metadata, plaintext, dst);
  }
  if (!n) {
    if (n.error () == sframe::Error::CounterExhausted) {
      st.stats.dropped_counter_exhausted++;
      if (!st.keys.is_keyring_key (kid.value ()))
        after.fatal = "the static key has used all its counters: configure a new key";
      else
        after.warning = "the keyring key has used all its counters";
    } else {
      after.fatal = n.message ();
    }
    return 0;
  }
  st.stats.kid = kid.value ();
  st.stats.frames_encrypted++;
  return clear_len + prefix + n.value ();
}

static GstFlowReturn
gst_sframe_enc_transform (GstBaseTransform * trans, GstBuffer * inbuf, GstBuffer * outbuf) noexcept
{
  GstSFrameEnc *self = GST_SFRAME_ENC (trans);
  State & st = *self->state;
  GstMapInfo in, out;
  if (!gst_buffer_map (inbuf, &in, GST_MAP_READ))
    return GST_FLOW_ERROR;
  if (!gst_buffer_map (outbuf, &out, GST_MAP_WRITE)) {
    gst_buffer_unmap (inbuf, &in);
    return GST_FLOW_ERROR;
  }

  AfterFrame after;
  gsize written = 0;
  bool empty = in.size == 0;
  bool warn_now = false;
  {
    std::lock_guard < std::mutex > guard (st.lock);
    st.stats.frames_in++;
    if (empty) {
      st.stats.frames_passed_empty++;  /* e.g. Opus DTX: nothing to hide */
    } else {
      written = encrypt_locked (st, in.data, in.size, out.data, out.size, after);
      if (after.request_key_frame)
        st.stats.key_frame_requests++;
    }
    if (after.warning) {
      const gint64 now = g_get_monotonic_time ();  /* only on the rare drop path */
      warn_now = now - st.last_warning_us >= G_USEC_PER_SEC;
      if (warn_now)
        st.last_warning_us = now;
    }
  }
  gst_buffer_unmap (outbuf, &out);
  gst_buffer_unmap (inbuf, &in);

  if (after.request_key_frame) {
    GST_INFO_OBJECT (self, "new encrypt key, or frames dropped before it: requesting a key frame upstream");
    gst_pad_push_event (GST_BASE_TRANSFORM_SINK_PAD (trans),
        gst_video_event_new_upstream_force_key_unit (GST_CLOCK_TIME_NONE, TRUE, 0));
  }
  if (after.fatal) {
    GST_ELEMENT_ERROR (self, STREAM, ENCODE, ("SFrame encryption failed"), ("%s", after.fatal));
    return GST_FLOW_ERROR;
  }
  if (!empty && written == 0) {
    if (warn_now)
      GST_ELEMENT_WARNING (self, STREAM, ENCODE, ("Dropping frames that cannot be encrypted"),
          ("%s", after.warning));
    return GST_BASE_TRANSFORM_FLOW_DROPPED;
  }
  gst_buffer_set_size (outbuf, written);
  return GST_FLOW_OK;
}

static void
gst_sframe_enc_finalize (GObject * object)
{
  GstSFrameEnc *self = GST_SFRAME_ENC (object);
  delete self->state;  /* keys wipe themselves */
  gst_clear_object (&self->keyring);
  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static void
gst_sframe_enc_init (GstSFrameEnc * self)
{
  self->state = new State ();
}

static void
gst_sframe_enc_class_init (GstSFrameEncClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBaseTransformClass *trans_class = GST_BASE_TRANSFORM_CLASS (klass);

  GST_DEBUG_CATEGORY_INIT (gst_sframe_enc_debug, "sframeenc", 0, "SFrame encryption");

  gobject_class->set_property = gst_sframe_enc_set_property;
  gobject_class->get_property = gst_sframe_enc_get_property;
  gobject_class->finalize = gst_sframe_enc_finalize;

  /* cipher-suite, key (write-only), key-id, clear-prefix, keyring: see
   * docs/elements/sframeenc.md. */
  glue::install_common_properties (gobject_class, true);
  /**
   * GstSFrameEnc:stats:
   *
   * An `application/x-sframe-enc-stats` structure: frames-in,
   * frames-encrypted, frames-passed-empty, dropped-no-key,
   * dropped-counter-exhausted, dropped-invalid, key-frame-requests (all
   * guint64) and kid (guint64, KID of the last frame).
   */
  /**
   * GstSFrameEnc:key-context:
   *
   * Which stream of its sender this encoder is: it encrypts with the
   * keyring's encrypt KID for this context (mlskeyer sets one per context,
   * so a sender's audio, video and screen never share a key and counter).
   */
  g_object_class_install_property (gobject_class, PROP_KEY_CONTEXT,
      g_param_spec_uint ("key-context", "Key context",
          "Stream context whose keyring encrypt KID this encoder uses (each stream of a sender its own; 0 unless "
          "the sender has several)", 0, 255, 0,
          static_cast < GParamFlags > (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING)));
  g_object_class_install_property (gobject_class, PROP_STATS,
      g_param_spec_boxed ("stats", "Statistics",
          "Counters as application/x-sframe-enc-stats: frames-in, frames-encrypted, frames-passed-empty, dropped-no-key, dropped-counter-exhausted, dropped-invalid, key-frame-requests, kid (all guint64)",
          GST_TYPE_STRUCTURE, static_cast < GParamFlags > (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS)));

  gst_element_class_add_static_pad_template (element_class, &sink_template);
  gst_element_class_add_static_pad_template (element_class, &src_template);
  gst_element_class_set_static_metadata (element_class, "SFrame encryptor",
      "Filter/Network/Encryptor",
      "End-to-end encrypts frames or RTP payloads with SFrame (RFC 9605)",
      "gst-e2ee developers");
  element_class->set_context = gst_sframe_enc_set_context;

  trans_class->start = gst_sframe_enc_start;
  trans_class->stop = gst_sframe_enc_stop;
  trans_class->sink_event = gst_sframe_enc_sink_event;
  trans_class->transform_caps = gst_sframe_enc_transform_caps;
  trans_class->transform_size = gst_sframe_enc_transform_size;
  trans_class->prepare_output_buffer = gst_sframe_enc_prepare_output_buffer;
  trans_class->transform = gst_sframe_enc_transform;
  trans_class->query = gst_sframe_enc_query;
}
