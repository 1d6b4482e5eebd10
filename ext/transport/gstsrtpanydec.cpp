/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * SECTION:element-srtpanydec
 * @title: srtpanydec
 *
 * Decrypts SRTP and SRTCP (RFC 3711; AEAD GCM per RFC 7714) of every SSRC
 * with one master key per direction, as DTLS-SRTP gives it: streams that
 * appear later (simulcast, RTX, a new camera) need no caps, no signal and no
 * set-up, unlike `srtpdec`, which asks for each new SSRC's key. Replays,
 * packets that fail authentication and anything that is not SRTP are
 * dropped and counted in `stats`; nothing unauthenticated leaves.
 *
 * Pads as `srtpdec`: `rtp_sink` / `rtcp_sink` in, `rtp_src` / `rtcp_src`
 * out. With rtcp-mux (RFC 5761), SRTCP arriving on `rtp_sink` leaves on
 * `rtcp_src`.
 *
 * ## Example launch line
 * |[
 * gst-launch-1.0 udpsrc port=5004 caps=application/x-srtp,media=video,clock-rate=90000,encoding-name=VP8,payload=96 !
 *   srtpanydec profile=aead-aes-128-gcm key=<56 hex digits> ! rtpjitterbuffer ! rtpvp8depay ! vp8dec ! autovideosink
 * ]|
 *
 * Since: 0.1
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstsrtpanydec.h"

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <openssl/crypto.h>

#include "transport/demux.h"
#include "transport/srtp_session.h"

GST_DEBUG_CATEGORY_STATIC (srtp_any_dec_debug);
#define GST_CAT_DEFAULT srtp_any_dec_debug

using namespace gste2ee;

struct _GstSrtpAnyDec {
  GstElement parent;
  GstPad *rtp_sink, *rtcp_sink, *rtp_src, *rtcp_src;
  std::mutex lock;              /* session, profile, counters */
  transport::SrtpProfile profile;
  std::unique_ptr<transport::SrtpSession> session;
  guint64 no_key, not_srtp;
  bool warned_no_key;
  /* rtcp_src has its sticky events: from rtcp_sink's thread, or sent once
   * by rtp_sink's thread for muxed RTCP. */
  std::atomic<bool> rtcp_src_started;
};

G_DEFINE_TYPE (GstSrtpAnyDec, gst_srtp_any_dec, GST_TYPE_ELEMENT);
GST_ELEMENT_REGISTER_DEFINE (srtpanydec, "srtpanydec", GST_RANK_NONE, GST_TYPE_SRTP_ANY_DEC);

enum { PROP_0, PROP_PROFILE, PROP_KEY, PROP_STATS };

GType
gst_srtp_profile_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    { static_cast<gint>(transport::SrtpProfile::Aes128CmSha1_80), "SRTP_AES128_CM_SHA1_80", "aes-128-cm-sha1-80" },
    { static_cast<gint>(transport::SrtpProfile::Aes128CmSha1_32), "SRTP_AES128_CM_SHA1_32", "aes-128-cm-sha1-32" },
    { static_cast<gint>(transport::SrtpProfile::AeadAes128Gcm), "SRTP_AEAD_AES_128_GCM", "aead-aes-128-gcm" },
    { static_cast<gint>(transport::SrtpProfile::AeadAes256Gcm), "SRTP_AEAD_AES_256_GCM", "aead-aes-256-gcm" },
    { 0, NULL, NULL },
  };
  if (g_once_init_enter (&type))
    g_once_init_leave (&type, g_enum_register_static ("GstSrtpProfile", values));
  return type;
}

static GstStaticPadTemplate rtp_sink_template = GST_STATIC_PAD_TEMPLATE ("rtp_sink", GST_PAD_SINK,
    GST_PAD_ALWAYS, GST_STATIC_CAPS ("application/x-srtp; application/x-rtp"));
static GstStaticPadTemplate rtcp_sink_template = GST_STATIC_PAD_TEMPLATE ("rtcp_sink", GST_PAD_SINK,
    GST_PAD_ALWAYS, GST_STATIC_CAPS ("application/x-srtcp; application/x-rtcp"));
static GstStaticPadTemplate rtp_src_template = GST_STATIC_PAD_TEMPLATE ("rtp_src", GST_PAD_SRC,
    GST_PAD_ALWAYS, GST_STATIC_CAPS ("application/x-rtp"));
static GstStaticPadTemplate rtcp_src_template = GST_STATIC_PAD_TEMPLATE ("rtcp_src", GST_PAD_SRC,
    GST_PAD_ALWAYS, GST_STATIC_CAPS ("application/x-rtcp"));

/* Hex to bytes; false unless every character is a hex digit pair. */
static bool
parse_hex (const gchar * hex, std::vector<uint8_t> *out)
{
  const size_t n = hex ? strlen (hex) : 0;
  if (n == 0 || n % 2)
    return false;
  out->resize (n / 2);
  for (size_t i = 0; i < n; i += 2) {
    const int hi = g_ascii_xdigit_value (hex[i]), lo = g_ascii_xdigit_value (hex[i + 1]);
    if (hi < 0 || lo < 0) {
      OPENSSL_cleanse (out->data (), out->size ());
      return false;
    }
    (*out)[i / 2] = static_cast<uint8_t>(hi << 4 | lo);
  }
  return true;
}

/* Decrypts in place; the buffer for `out` is `buffer` made writable. */
static GstFlowReturn
decrypt_and_push (GstSrtpAnyDec * self, GstBuffer * buffer, bool from_rtcp_pad)
{
  buffer = gst_buffer_make_writable (buffer);
  GstMapInfo map;
  if (!gst_buffer_map (buffer, &map, GST_MAP_READWRITE)) {
    gst_buffer_unref (buffer);
    return GST_FLOW_OK;
  }
  const transport::PacketKind kind = transport::classify (map.data, map.size);
  size_t size = map.size;
  transport::SrtpDrop drop = transport::SrtpDrop::None;
  bool counted = false;
  {
    std::lock_guard<std::mutex> guard (self->lock);
    if (kind != transport::PacketKind::Rtp && kind != transport::PacketKind::Rtcp) {
      self->not_srtp++;
      counted = true;
    } else if (!self->session) {
      self->no_key++;
      counted = true;
      if (!self->warned_no_key) {
        self->warned_no_key = true;
        GST_ELEMENT_WARNING (self, STREAM, DECRYPT_NOKEY, ("SRTP arrives but no key is set"),
            ("set the `key` property (master key || salt for the profile); packets are dropped until then"));
      }
    } else if (kind == transport::PacketKind::Rtcp || from_rtcp_pad) {
      drop = self->session->unprotect_rtcp (map.data, &size);
    } else {
      drop = self->session->unprotect_rtp (map.data, &size);
    }
  }
  gst_buffer_unmap (buffer, &map);
  if (counted || drop != transport::SrtpDrop::None) {
    if (drop != transport::SrtpDrop::None)
      GST_LOG_OBJECT (self, "dropped a packet: %s", transport::srtp_drop_name (drop));
    gst_buffer_unref (buffer);
    return GST_FLOW_OK;
  }
  gst_buffer_resize (buffer, 0, static_cast<gssize>(size));
  const bool rtcp = kind == transport::PacketKind::Rtcp || from_rtcp_pad;
  GstPad *out = rtcp ? self->rtcp_src : self->rtp_src;
  if (rtcp && !from_rtcp_pad && !self->rtcp_src_started.exchange (true)) {
    /* Muxed RTCP: rtcp_src never saw the rtcp_sink's sticky events. */
    gchar *id = gst_pad_create_stream_id (out, GST_ELEMENT (self), "rtcp");
    gst_pad_push_event (out, gst_event_new_stream_start (id));
    g_free (id);
    GstCaps *caps = gst_static_pad_template_get_caps (&rtcp_src_template);
    gst_pad_push_event (out, gst_event_new_caps (caps));
    gst_caps_unref (caps);
    GstSegment segment;
    gst_segment_init (&segment, GST_FORMAT_TIME);
    gst_pad_push_event (out, gst_event_new_segment (&segment));
  }
  GstFlowReturn ret = gst_pad_push (out, buffer);
  /* A receiver without RTCP is fine. */
  return ret == GST_FLOW_NOT_LINKED && rtcp ? GST_FLOW_OK : ret;
}

static GstFlowReturn
gst_srtp_any_dec_chain_rtp (GstPad *, GstObject * parent, GstBuffer * buffer)
{
  return decrypt_and_push (GST_SRTP_ANY_DEC (parent), buffer, false);
}

static GstFlowReturn
gst_srtp_any_dec_chain_rtcp (GstPad *, GstObject * parent, GstBuffer * buffer)
{
  return decrypt_and_push (GST_SRTP_ANY_DEC (parent), buffer, true);
}

/* Caps out: the same media description as plain RTP, without the SRTP
 * key fields and per-stream SSRC. */
static GstCaps *
clear_caps (GstCaps * in, bool rtcp)
{
  GstCaps *out = gst_caps_copy (in);
  for (guint i = 0; i < gst_caps_get_size (out); i++) {
    GstStructure *s = gst_caps_get_structure (out, i);
    gst_structure_set_name (s, rtcp ? "application/x-rtcp" : "application/x-rtp");
    gst_structure_remove_fields (s, "srtp-key", "srtp-cipher", "srtp-auth", "srtcp-cipher", "srtcp-auth", "roc",
        "mki", "ssrc", NULL);
  }
  return out;
}

static gboolean
gst_srtp_any_dec_sink_event (GstPad * pad, GstObject * parent, GstEvent * event)
{
  GstSrtpAnyDec *self = GST_SRTP_ANY_DEC (parent);
  const bool rtcp = pad == self->rtcp_sink;
  if (GST_EVENT_TYPE (event) == GST_EVENT_CAPS) {
    GstCaps *caps;
    gst_event_parse_caps (event, &caps);
    GstCaps *out = clear_caps (caps, rtcp);
    gst_event_unref (event);
    const gboolean ok = gst_pad_push_event (rtcp ? self->rtcp_src : self->rtp_src, gst_event_new_caps (out));
    gst_caps_unref (out);
    return rtcp ? TRUE : ok;    /* nobody needs to take our RTCP */
  }
  if (rtcp && GST_EVENT_TYPE (event) == GST_EVENT_STREAM_START)
    self->rtcp_src_started = true;
  return gst_pad_push_event (rtcp ? self->rtcp_src : self->rtp_src, event);
}

static GstIterator *
gst_srtp_any_dec_internal_links (GstPad * pad, GstObject * parent)
{
  GstSrtpAnyDec *self = GST_SRTP_ANY_DEC (parent);
  GstPad *other = pad == self->rtp_sink ? self->rtp_src : pad == self->rtp_src ? self->rtp_sink
      : pad == self->rtcp_sink ? self->rtcp_src : self->rtcp_sink;
  GValue v = G_VALUE_INIT;
  g_value_init (&v, GST_TYPE_PAD);
  g_value_set_object (&v, other);
  GstIterator *it = gst_iterator_new_single (GST_TYPE_PAD, &v);
  g_value_unset (&v);
  return it;
}

static GstStructure *
stats_structure (GstSrtpAnyDec * self)
{
  std::lock_guard<std::mutex> guard (self->lock);
  transport::SrtpStats st;
  if (self->session)
    st = self->session->stats ();
  return gst_structure_new ("application/x-srtpanydec-stats",
      "rtp-decrypted", G_TYPE_UINT64, st.unprotected_rtp, "rtcp-decrypted", G_TYPE_UINT64, st.unprotected_rtcp,
      "dropped-authentication", G_TYPE_UINT64, st.drops_authentication,
      "dropped-replay", G_TYPE_UINT64, st.drops_replay, "dropped-other", G_TYPE_UINT64, st.drops_other,
      "dropped-no-key", G_TYPE_UINT64, self->no_key, "dropped-not-srtp", G_TYPE_UINT64, self->not_srtp, NULL);
}

static void
gst_srtp_any_dec_set_property (GObject * object, guint prop_id, const GValue * value, GParamSpec * pspec)
{
  GstSrtpAnyDec *self = GST_SRTP_ANY_DEC (object);
  switch (prop_id) {
    case PROP_PROFILE:{
      std::lock_guard<std::mutex> guard (self->lock);
      self->profile = static_cast<transport::SrtpProfile>(g_value_get_enum (value));
      break;
    }
    case PROP_KEY:{
      /* A new key replaces the session (a rekey): what follows must use it. */
      std::vector<uint8_t> key;
      if (!parse_hex (g_value_get_string (value), &key)) {
        GST_ELEMENT_ERROR (self, LIBRARY, SETTINGS, ("the SRTP key is not a hex string"), (NULL));
        break;
      }
      std::lock_guard<std::mutex> guard (self->lock);
      std::string error;
      auto session = transport::SrtpSession::create (self->profile, transport::SrtpSession::Direction::Inbound,
          key.data (), key.size (), &error);
      if (!session) {
        GST_ELEMENT_ERROR (self, LIBRARY, SETTINGS, ("cannot use this SRTP key"), ("%s", error.c_str ()));
      } else {
        GST_INFO_OBJECT (self, "new %s key", transport::srtp_profile_name (self->profile));
        self->session = std::move (session);
      }
      break;
    }
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
gst_srtp_any_dec_get_property (GObject * object, guint prop_id, GValue * value, GParamSpec * pspec)
{
  GstSrtpAnyDec *self = GST_SRTP_ANY_DEC (object);
  switch (prop_id) {
    case PROP_PROFILE:{
      std::lock_guard<std::mutex> guard (self->lock);
      g_value_set_enum (value, static_cast<gint>(self->profile));
      break;
    }
    case PROP_STATS:
      g_value_take_boxed (value, stats_structure (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
gst_srtp_any_dec_finalize (GObject * object)
{
  GstSrtpAnyDec *self = GST_SRTP_ANY_DEC (object);
  self->session.~unique_ptr ();
  self->lock.~mutex ();
  G_OBJECT_CLASS (gst_srtp_any_dec_parent_class)->finalize (object);
}

static GstPad *
add_pad (GstSrtpAnyDec * self, GstStaticPadTemplate * templ)
{
  GstPad *pad = gst_pad_new_from_static_template (templ, templ->name_template);
  gst_pad_set_iterate_internal_links_function (pad, gst_srtp_any_dec_internal_links);
  gst_element_add_pad (GST_ELEMENT (self), pad);
  return pad;
}

static void
gst_srtp_any_dec_init (GstSrtpAnyDec * self)
{
  new (&self->lock) std::mutex ();
  new (&self->session) std::unique_ptr<transport::SrtpSession> ();
  new (&self->rtcp_src_started) std::atomic<bool> (false);
  self->profile = transport::SrtpProfile::AeadAes128Gcm;
  self->rtp_sink = add_pad (self, &rtp_sink_template);
  self->rtcp_sink = add_pad (self, &rtcp_sink_template);
  self->rtp_src = add_pad (self, &rtp_src_template);
  self->rtcp_src = add_pad (self, &rtcp_src_template);
  gst_pad_set_chain_function (self->rtp_sink, gst_srtp_any_dec_chain_rtp);
  gst_pad_set_chain_function (self->rtcp_sink, gst_srtp_any_dec_chain_rtcp);
  gst_pad_set_event_function (self->rtp_sink, gst_srtp_any_dec_sink_event);
  gst_pad_set_event_function (self->rtcp_sink, gst_srtp_any_dec_sink_event);
  GST_PAD_SET_PROXY_ALLOCATION (self->rtp_sink);
}

static void
gst_srtp_any_dec_class_init (GstSrtpAnyDecClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GST_DEBUG_CATEGORY_INIT (srtp_any_dec_debug, "srtpanydec", 0, "SRTP decryption for any SSRC");
  gobject_class->set_property = gst_srtp_any_dec_set_property;
  gobject_class->get_property = gst_srtp_any_dec_get_property;
  gobject_class->finalize = gst_srtp_any_dec_finalize;
  const GParamFlags rw = (GParamFlags) (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING);
  g_object_class_install_property (gobject_class, PROP_PROFILE,
      g_param_spec_enum ("profile", "SRTP profile",
          "DTLS-SRTP protection profile the key is for (set it before the key)", GST_TYPE_SRTP_PROFILE,
          static_cast<gint>(transport::SrtpProfile::AeadAes128Gcm), rw));
  g_object_class_install_property (gobject_class, PROP_KEY,
      g_param_spec_string ("key", "Master key and salt",
          "SRTP master key followed by the master salt, in hex (30 bytes for AES-CM, 28 for AEAD AES-128-GCM, 44 "
          "for AEAD AES-256-GCM); write-only, never logged. Setting it again rekeys", NULL,
          (GParamFlags) (G_PARAM_WRITABLE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING)));
  g_object_class_install_property (gobject_class, PROP_STATS,
      g_param_spec_boxed ("stats", "Statistics",
          "rtp-decrypted, rtcp-decrypted, dropped-authentication, dropped-replay, dropped-other, dropped-no-key, "
          "dropped-not-srtp", GST_TYPE_STRUCTURE, (GParamFlags) (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS)));
  gst_element_class_add_static_pad_template (element_class, &rtp_sink_template);
  gst_element_class_add_static_pad_template (element_class, &rtcp_sink_template);
  gst_element_class_add_static_pad_template (element_class, &rtp_src_template);
  gst_element_class_add_static_pad_template (element_class, &rtcp_src_template);
  gst_element_class_set_static_metadata (element_class, "SRTP decoder for any SSRC", "Filter/Network/SRTP",
      "Decrypts SRTP and SRTCP of every SSRC with one DTLS-SRTP key, counting what it refuses",
      "gst-e2ee developers");
  gst_type_mark_as_plugin_api (GST_TYPE_SRTP_PROFILE, (GstPluginAPIFlags) 0);
}
