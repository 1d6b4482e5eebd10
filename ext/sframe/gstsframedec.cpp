/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * SECTION:element-sframedec
 * @title: sframedec
 * @see_also: sframeenc, mlskeyer
 *
 * End-to-end layer: decrypts SFrame (RFC 9605) frames or RTP payloads. Only
 * authenticated plaintext leaves the element; anything else is dropped,
 * counted by reason in #GstSFrameDec:stats and reported by a rate-limited
 * `sframe-dec-drop` element message. After a loss, the first frame that
 * decrypts again triggers one upstream force-key-unit event. Keys come from the
 * write-only `key` property and from the shared keyring (GstContext
 * "gst.e2ee.keyring"); keys that leave the keyring stay usable for
 * #GstSFrameDec:key-overlap milliseconds.
 *
 * ## Example launch line
 * |[
 * gst-launch-1.0 filesrc location=out.sframe blocksize=65536 ! sframedec key=000102030405060708090a0b0c0d0e0f key-id=7 ! filesink location=back.bin
 * gst-launch-1.0 udpsrc port=5004 caps=application/x-rtp,media=video,clock-rate=90000,encoding-name=VP8 ! sframedec key=000102030405060708090a0b0c0d0e0f ! rtpjitterbuffer ! rtpvp8depay ! vp8dec ! fakesink
 * ]|
 *
 * Since: 0.1
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstsframedec.h"

#include <cstring>
#include <map>
#include <memory>
#include <mutex>

#include <openssl/crypto.h>

#include <gst/e2ee/e2ee.h>
#include <gst/video/video-event.h>

#include "gstsframecaps.h"
#include "gstsframecommon.h"
#include "gstsframeelements.h"
#include "gstsframekeys.h"

GST_DEBUG_CATEGORY_STATIC (gst_sframe_dec_debug);
#define GST_CAT_DEFAULT gst_sframe_dec_debug

using namespace gste2ee;

namespace {

enum Reason { kUnknownKid, kAuthentication, kSyntax, kReplay, kReasons };
const char *const kReasonNames[kReasons] = { "unknown-kid", "authentication", "syntax", "replay" };

Reason
reason_for (sframe::Error e)
{
  switch (e) {
    case sframe::Error::UnknownKeyId:
      return kUnknownKid;
    case sframe::Error::AuthenticationFailed:
      return kAuthentication;
    case sframe::Error::Replay:
      return kReplay;
    default:
      return kSyntax;
  }
}

struct KidStats {
  guint64 decrypted = 0;
  guint64 failed = 0;
};

struct Stats {
  guint64 frames_in = 0;
  guint64 frames_decrypted = 0;
  guint64 frames_passed_empty = 0;
  guint64 dropped[kReasons] = {};
  guint64 key_frame_requests = 0;
  std::map<guint64, KidStats> kids;
};

constexpr guint kDefaultReplayWindow = 128;
constexpr guint kDefaultKeyOverlapMs = 2000;

struct State : glue::CommonState {
  guint replay_window = kDefaultReplayWindow;
  guint key_overlap_ms = kDefaultKeyOverlapMs;
  std::unique_ptr<glue::DecryptKeys> keys;  /* per stream: start to stop */
  bool lost = false;  /* a frame was dropped since the last good one */
  gint64 last_message_us[kReasons] = {};
  Stats stats;
};

/* What to do once the lock is released. */
struct AfterFrame {
  bool request_key_frame = false;
  GstStructure *message = nullptr;
};

}  // namespace

struct _GstSFrameDec {
  GstBaseTransform parent;
  State *state;
  GstE2eeKeyring *keyring;  /* the property / context slot, object lock */
};

enum {
  PROP_REPLAY_WINDOW = glue::PROP_COMMON_LAST,
  PROP_KEY_OVERLAP,
  PROP_STATS,
};

static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE ("sink",
    GST_PAD_SINK, GST_PAD_ALWAYS, GST_STATIC_CAPS_ANY);
static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE ("src",
    GST_PAD_SRC, GST_PAD_ALWAYS, GST_STATIC_CAPS_ANY);

#define gst_sframe_dec_parent_class parent_class
G_DEFINE_TYPE (GstSFrameDec, gst_sframe_dec, GST_TYPE_BASE_TRANSFORM);
GST_ELEMENT_REGISTER_DEFINE_WITH_CODE (sframedec, "sframedec", GST_RANK_NONE,
    GST_TYPE_SFRAME_DEC, sframe_element_init (plugin));

static GstStructure *
stats_structure (const Stats & s)
{
  GValue kids = G_VALUE_INIT;
  gst_value_array_init (&kids, static_cast < guint > (s.kids.size ()));
  for (const auto & [kid, k] : s.kids) {
    GValue v = G_VALUE_INIT;
    g_value_init (&v, GST_TYPE_STRUCTURE);
    g_value_take_boxed (&v, gst_structure_new ("kid-stats", "kid", G_TYPE_UINT64, kid,
            "decrypted", G_TYPE_UINT64, k.decrypted, "failed", G_TYPE_UINT64, k.failed, nullptr));
    gst_value_array_append_and_take_value (&kids, &v);
  }
  GstStructure *st = gst_structure_new ("application/x-sframe-dec-stats",
      "frames-in", G_TYPE_UINT64, s.frames_in,
      "frames-decrypted", G_TYPE_UINT64, s.frames_decrypted,
      "frames-passed-empty", G_TYPE_UINT64, s.frames_passed_empty,
      "dropped-unknown-kid", G_TYPE_UINT64, s.dropped[kUnknownKid],
      "dropped-authentication", G_TYPE_UINT64, s.dropped[kAuthentication],
      "dropped-syntax", G_TYPE_UINT64, s.dropped[kSyntax],
      "dropped-replay", G_TYPE_UINT64, s.dropped[kReplay],
      "key-frame-requests", G_TYPE_UINT64, s.key_frame_requests, nullptr);
  gst_structure_take_value (st, "kids", &kids);
  return st;
}

static void
gst_sframe_dec_set_property (GObject * object, guint prop_id, const GValue * value,
    GParamSpec * pspec) noexcept
{
  GstSFrameDec *self = GST_SFRAME_DEC (object);
  State & st = *self->state;
  if (glue::set_common_property (GST_ELEMENT (self), &self->keyring, st, prop_id, value))
    return;
  std::lock_guard < std::mutex > guard (st.lock);
  switch (prop_id) {
    case PROP_REPLAY_WINDOW:
      st.replay_window = g_value_get_uint (value);
      break;
    case PROP_KEY_OVERLAP:
      st.key_overlap_ms = g_value_get_uint (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
}

static void
gst_sframe_dec_get_property (GObject * object, guint prop_id, GValue * value,
    GParamSpec * pspec) noexcept
{
  GstSFrameDec *self = GST_SFRAME_DEC (object);
  State & st = *self->state;
  if (glue::get_common_property (GST_ELEMENT (self), &self->keyring, st, prop_id, value))
    return;
  std::lock_guard < std::mutex > guard (st.lock);
  switch (prop_id) {
    case PROP_REPLAY_WINDOW:
      g_value_set_uint (value, st.replay_window);
      break;
    case PROP_KEY_OVERLAP:
      g_value_set_uint (value, st.key_overlap_ms);
      break;
    case PROP_STATS:
      g_value_take_boxed (value, stats_structure (st.stats));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
}

static gboolean
gst_sframe_dec_start (GstBaseTransform * trans) noexcept
{
  GstSFrameDec *self = GST_SFRAME_DEC (trans);
  State & st = *self->state;
  if (!glue::start_common (GST_ELEMENT (self), &self->keyring, st))
    return FALSE;
  std::lock_guard < std::mutex > guard (st.lock);
  st.keys = std::make_unique < glue::DecryptKeys > (st.replay_window);
  st.lost = false;
  return TRUE;
}

static gboolean
gst_sframe_dec_stop (GstBaseTransform * trans) noexcept
{
  State & st = *GST_SFRAME_DEC (trans)->state;
  {
    std::lock_guard < std::mutex > guard (st.lock);
    st.keys.reset ();  /* wipes every key */
  }
  glue::stop_common (st);
  return TRUE;
}

static gboolean
gst_sframe_dec_sink_event (GstBaseTransform * trans, GstEvent * event) noexcept
{
  if (GST_EVENT_TYPE (event) == GST_EVENT_CAPS)
    glue::update_mode (*GST_SFRAME_DEC (trans)->state, event);
  return GST_BASE_TRANSFORM_CLASS (parent_class)->sink_event (trans, event);
}

static GstCaps *
gst_sframe_dec_transform_caps (GstBaseTransform * trans, GstPadDirection direction,
    GstCaps * caps, GstCaps * filter) noexcept
{
  (void) trans;
  GstCaps *out;
  if (direction == GST_PAD_SINK) {
    out = glue::plain_caps_from_encrypted (caps);
  } else {
    /* Plain caps come from SFrame caps carrying them, or pass through. */
    out = glue::encrypted_caps_from_plain (caps);
    out = gst_caps_merge (out, gst_caps_copy (caps));
  }
  if (filter) {
    GstCaps *tmp = gst_caps_intersect_full (filter, out, GST_CAPS_INTERSECT_FIRST);
    gst_caps_unref (out);
    out = tmp;
  }
  return out;
}

/* SFrame caps without original-caps (a sender that does not carry them) give
 * "anything" downstream; if nothing downstream narrows that, say bytes. */
static GstCaps *
gst_sframe_dec_fixate_caps (GstBaseTransform * trans, GstPadDirection direction, GstCaps * caps,
    GstCaps * othercaps) noexcept
{
  if (direction == GST_PAD_SINK && gst_caps_is_any (othercaps)) {
    gst_caps_unref (othercaps);
    return gst_caps_new_empty_simple ("application/octet-stream");
  }
  return GST_BASE_TRANSFORM_CLASS (parent_class)->fixate_caps (trans, direction, caps, othercaps);
}

static gboolean
gst_sframe_dec_query (GstBaseTransform * trans, GstPadDirection direction, GstQuery * query) noexcept
{
  GstSFrameDec *self = GST_SFRAME_DEC (trans);
  if (gst_e2ee_keyring_element_handle_query (GST_ELEMENT (self), &self->keyring, query))
    return TRUE;
  return GST_BASE_TRANSFORM_CLASS (parent_class)->query (trans, direction, query);
}

static void
gst_sframe_dec_set_context (GstElement * element, GstContext * context) noexcept
{
  GstSFrameDec *self = GST_SFRAME_DEC (element);
  gst_e2ee_keyring_element_set_context (element, &self->keyring, context);
  GST_ELEMENT_CLASS (parent_class)->set_context (element, context);
}

/* Counts a drop and, at most once a second per reason, prepares a message. */
static void
record_drop (State & st, Reason reason, bool have_kid, guint64 kid, AfterFrame & after)
{
  st.stats.dropped[reason]++;
  st.lost = true;
  if (have_kid && (reason == kAuthentication || reason == kReplay))
    st.stats.kids[kid].failed++;
  const gint64 now = g_get_monotonic_time ();
  if (now - st.last_message_us[reason] < G_USEC_PER_SEC && st.last_message_us[reason] != 0)
    return;
  st.last_message_us[reason] = now;
  after.message = gst_structure_new ("sframe-dec-drop",
      "reason", G_TYPE_STRING, kReasonNames[reason],
      "dropped", G_TYPE_UINT64, st.stats.dropped[reason], nullptr);
  if (have_kid)
    gst_structure_set (after.message, "kid", G_TYPE_UINT64, kid, nullptr);
}

/* Decrypts in place with the lock held. On success the plaintext frame is
 * data[*offset, *offset + *size). */
static bool
decrypt_locked (State & st, guint8 * data, gsize size, gsize * offset, gsize * out_size,
    AfterFrame & after)
{
  gsize clear_len = 0;  /* RTP header, unchanged */
  gsize body = size;
  if (st.mode == glue::Mode::Packet) {
    gsize payload_len = 0;
    if (!glue::rtp_layout (data, size, &clear_len, &payload_len)) {
      record_drop (st, kSyntax, false, 0, after);
      return false;
    }
    body = clear_len + payload_len;  /* padding is dropped with the frame */
  }
  guint8 *payload = data + clear_len;
  const gsize payload_size = body - clear_len;
  const gsize prefix = glue::clear_prefix_size (st.prefix, payload, payload_size);
  if (payload_size <= prefix) {
    record_drop (st, kSyntax, false, 0, after);
    return false;
  }

  st.keys->sync (st.static_key, st.keyring, g_get_monotonic_time (),
      static_cast < gint64 > (st.key_overlap_ms) * 1000);
  auto r = st.keys->decryptor ().unprotect_in_place (
      sframe::MutableByteView (payload + prefix, payload_size - prefix),
      sframe::ByteView (payload, prefix));
  if (!r) {
    auto header = sframe::decode_header (sframe::ByteView (payload + prefix, payload_size - prefix));
    record_drop (st, reason_for (r.error ()), header.ok (), header.ok () ? header.value ().kid : 0, after);
    return false;
  }
  const sframe::FrameInfo & info = r.value ();
  /* Slide the clear part over the SFrame header so the frame is contiguous:
   * at most an RTP header and a 10-byte prefix move, never the payload. */
  std::memmove (data + info.header_size, data, clear_len + prefix);
  if (st.mode == glue::Mode::Packet)
    data[info.header_size] &= ~0x20;  /* no padding any more */
  *offset = info.header_size;
  *out_size = clear_len + prefix + info.plaintext_size;

  st.stats.frames_decrypted++;
  st.stats.kids[info.kid].decrypted++;
  if (st.lost) {
    st.lost = false;
    after.request_key_frame = true;
    st.stats.key_frame_requests++;
  }
  return true;
}

static GstFlowReturn
gst_sframe_dec_transform_ip (GstBaseTransform * trans, GstBuffer * buf) noexcept
{
  GstSFrameDec *self = GST_SFRAME_DEC (trans);
  State & st = *self->state;
  GstMapInfo map;
  if (!gst_buffer_map (buf, &map, GST_MAP_READWRITE))
    return GST_FLOW_ERROR;

  AfterFrame after;
  bool ok = false, empty = map.size == 0;
  gsize offset = 0, out_size = 0;
  {
    std::lock_guard < std::mutex > guard (st.lock);
    st.stats.frames_in++;
    if (empty)
      st.stats.frames_passed_empty++;
    else if (st.keys)
      ok = decrypt_locked (st, map.data, map.size, &offset, &out_size, after);
  }
  if (!ok && !empty)
    OPENSSL_cleanse (map.data, map.size);  /* nothing unauthenticated lingers */
  gst_buffer_unmap (buf, &map);

  if (after.message) {
    GST_WARNING_OBJECT (self, "dropped a frame: %s", gst_structure_get_string (after.message, "reason"));
    gst_element_post_message (GST_ELEMENT (self),
        gst_message_new_element (GST_OBJECT (self), after.message));
  }
  if (after.request_key_frame) {
    GST_INFO_OBJECT (self, "decrypting again after a loss: requesting a key frame upstream");
    gst_pad_push_event (GST_BASE_TRANSFORM_SINK_PAD (trans),
        gst_video_event_new_upstream_force_key_unit (GST_CLOCK_TIME_NONE, TRUE, 0));
  }
  if (empty)
    return GST_FLOW_OK;
  if (!ok)
    return GST_BASE_TRANSFORM_FLOW_DROPPED;
  gst_buffer_resize (buf, static_cast < gssize > (offset), static_cast < gssize > (out_size));
  return GST_FLOW_OK;
}

static void
gst_sframe_dec_finalize (GObject * object)
{
  GstSFrameDec *self = GST_SFRAME_DEC (object);
  delete self->state;
  gst_clear_object (&self->keyring);
  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static void
gst_sframe_dec_init (GstSFrameDec * self)
{
  self->state = new State ();
}

static void
gst_sframe_dec_class_init (GstSFrameDecClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBaseTransformClass *trans_class = GST_BASE_TRANSFORM_CLASS (klass);

  GST_DEBUG_CATEGORY_INIT (gst_sframe_dec_debug, "sframedec", 0, "SFrame decryption");

  gobject_class->set_property = gst_sframe_dec_set_property;
  gobject_class->get_property = gst_sframe_dec_get_property;
  gobject_class->finalize = gst_sframe_dec_finalize;

  const auto rw = static_cast < GParamFlags > (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS
      | GST_PARAM_MUTABLE_PLAYING);

  /* cipher-suite, key (write-only), key-id, clear-prefix, keyring: see
   * docs/elements/sframedec.md. */
  glue::install_common_properties (gobject_class, false);

  /**
   * GstSFrameDec:replay-window:
   *
   * How many counters behind the newest accepted one are still accepted (once
   * each) per KID; older or repeated counters are dropped as replays. Applies
   * from the next start and to keys added afterwards.
   */
  g_object_class_install_property (gobject_class, PROP_REPLAY_WINDOW,
      g_param_spec_uint ("replay-window", "Replay window",
          "Counters remembered behind the newest per KID; repeated or older ones are dropped as replays",
          1, 65536, kDefaultReplayWindow, rw));
  /**
   * GstSFrameDec:key-overlap:
   *
   * Milliseconds a key removed from the keyring still decrypts, for frames
   * in flight across a key rotation; then it is wiped.
   */
  g_object_class_install_property (gobject_class, PROP_KEY_OVERLAP,
      g_param_spec_uint ("key-overlap", "Key overlap",
          "Milliseconds a key removed from the keyring still decrypts frames in flight",
          0, 600000, kDefaultKeyOverlapMs, rw));
  /**
   * GstSFrameDec:stats:
   *
   * An `application/x-sframe-dec-stats` structure: frames-in,
   * frames-decrypted, frames-passed-empty, dropped-unknown-kid,
   * dropped-authentication, dropped-syntax, dropped-replay,
   * key-frame-requests (all guint64) and kids, a GstValueArray of `kid-stats`
   * structures with kid, decrypted and failed (guint64).
   */
  g_object_class_install_property (gobject_class, PROP_STATS,
      g_param_spec_boxed ("stats", "Statistics",
          "Counters as application/x-sframe-dec-stats: frames-in, frames-decrypted, frames-passed-empty, dropped-unknown-kid, dropped-authentication, dropped-syntax, dropped-replay, key-frame-requests (guint64), kids (array of kid-stats: kid, decrypted, failed)",
          GST_TYPE_STRUCTURE, static_cast < GParamFlags > (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS)));

  gst_element_class_add_static_pad_template (element_class, &sink_template);
  gst_element_class_add_static_pad_template (element_class, &src_template);
  gst_element_class_set_static_metadata (element_class, "SFrame decryptor",
      "Filter/Network/Decryptor",
      "Decrypts SFrame (RFC 9605) frames or RTP payloads; drops what does not authenticate",
      "gst-e2ee developers");
  element_class->set_context = gst_sframe_dec_set_context;

  trans_class->start = gst_sframe_dec_start;
  trans_class->stop = gst_sframe_dec_stop;
  trans_class->sink_event = gst_sframe_dec_sink_event;
  trans_class->transform_caps = gst_sframe_dec_transform_caps;
  trans_class->fixate_caps = gst_sframe_dec_fixate_caps;
  trans_class->transform_ip = gst_sframe_dec_transform_ip;
  trans_class->query = gst_sframe_dec_query;
}
