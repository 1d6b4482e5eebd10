/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "sdp-offer-answer.h"

#include <cstring>
#include <memory>

#include <gst/sdp/sdp.h>

namespace gste2ee::transport_sdp {

namespace {

struct SdpFree {
  void operator() (GstSDPMessage * m) const { gst_sdp_message_free (m); }
};
using SdpMessage = std::unique_ptr<GstSDPMessage, SdpFree>;

struct CharsFree {
  void operator() (gchar * s) const { g_free (s); }
};
using Chars = std::unique_ptr<gchar, CharsFree>;

const char kProto[] = "UDP/TLS/RTP/SAVPF";

SdpMessage
new_session (const LocalDescription & local)
{
  GstSDPMessage *raw = nullptr;
  gst_sdp_message_new (&raw);
  SdpMessage msg (raw);
  gst_sdp_message_set_version (raw, "0");
  Chars id (g_strdup_printf ("%" G_GUINT64_FORMAT,
          ((static_cast<guint64> (g_random_int ()) << 32) | g_random_int ()) & G_GUINT64_CONSTANT (0x7fffffffffffffff)));
  gst_sdp_message_set_origin (raw, "-", id.get (), "2", "IN", "IP4", "127.0.0.1");
  gst_sdp_message_set_session_name (raw, "-");
  gst_sdp_message_add_time (raw, "0", "0", nullptr);
  gst_sdp_message_add_attribute (raw, "ice-options", "trickle");
  if (local.ice_lite)
    gst_sdp_message_add_attribute (raw, "ice-lite", nullptr);
  return msg;
}

/* The transport attributes every m-line of the bundle repeats, as webrtcbin
 * and browsers write them; candidates on the first m-line only (all m-lines
 * share its 5-tuple). */
void
add_transport (GstSDPMedia * media, const LocalDescription & local, bool first)
{
  gst_sdp_media_set_port_info (media, 9, 1);
  gst_sdp_media_set_proto (media, kProto);
  gst_sdp_media_add_connection (media, "IN", "IP4", "0.0.0.0", 0, 0);
  gst_sdp_media_add_attribute (media, "ice-ufrag", local.ufrag.c_str ());
  gst_sdp_media_add_attribute (media, "ice-pwd", local.pwd.c_str ());
  std::string fp = "sha-256 " + local.fingerprint;
  gst_sdp_media_add_attribute (media, "fingerprint", fp.c_str ());
  gst_sdp_media_add_attribute (media, "setup", local.setup.c_str ());
  gst_sdp_media_add_attribute (media, "rtcp-mux", nullptr);
  if (first)
    for (const auto &c : local.candidates)
      gst_sdp_media_add_attribute (media, "candidate", c.c_str () + strlen ("candidate:"));
}

void
add_ssrcs (GstSDPMedia * media, const std::vector<GstCaps *> &caps_list, const char *media_type, const std::string & cname)
{
  for (GstCaps *caps : caps_list) {
    const GstStructure *s = gst_caps_get_structure (caps, 0);
    guint ssrc;
    if (g_strcmp0 (gst_structure_get_string (s, "media"), media_type) != 0 || !gst_structure_get_uint (s, "ssrc", &ssrc))
      continue;
    std::string v = std::to_string (ssrc) + " cname:" + cname;
    gst_sdp_media_add_attribute (media, "ssrc", v.c_str ());
  }
}

gchar *
finish (GstSDPMessage * msg, const std::vector<std::string> &mids)
{
  std::string group = "BUNDLE";
  for (const auto &m : mids)
    group += " " + m;
  gst_sdp_message_add_attribute (msg, "group", group.c_str ());
  return gst_sdp_message_as_text (msg);
}

const char *
attribute (const GstSDPMessage * msg, const GstSDPMedia * media, const char *key)
{
  const char *v = gst_sdp_media_get_attribute_val (media, key);
  return v ? v : gst_sdp_message_get_attribute_val (msg, key);
}

} /* namespace */

gchar *
make_offer (const LocalDescription & local, const std::vector<GstCaps *> &media_caps, std::string * error)
{
  if (media_caps.empty ()) {
    *error = "nothing to offer: no sink pad has caps yet";
    return nullptr;
  }
  SdpMessage msg = new_session (local);
  std::vector<std::string> mids;
  const std::string cname = "gst-e2ee-" + local.ufrag;
  for (size_t i = 0; i < media_caps.size (); i++) {
    GstSDPMedia *media;
    gst_sdp_media_new (&media);
    const GstStructure *s = gst_caps_get_structure (media_caps[i], 0);
    GstCaps *one = gst_caps_new_full (gst_structure_copy (s), nullptr);
    /* set_media_from_caps reads only what SDP can say: a caps field it does
     * not know is left out, not an error. */
    if (!gst_structure_has_field (s, "media") || !gst_structure_has_field (s, "payload")
        || gst_sdp_media_set_media_from_caps (one, media) != GST_SDP_OK) {
      gst_caps_unref (one);
      gst_sdp_media_free (media);
      Chars text (gst_caps_to_string (media_caps[i]));
      *error = std::string ("cannot describe caps in SDP: ") + text.get ();
      return nullptr;
    }
    gst_caps_unref (one);
    const std::string mid = std::to_string (i);
    mids.push_back (mid);
    gst_sdp_media_add_attribute (media, "mid", mid.c_str ());
    gst_sdp_media_add_attribute (media, "sendrecv", nullptr);
    add_transport (media, local, i == 0);
    add_ssrcs (media, { media_caps[i] }, gst_sdp_media_get_media (media), cname);
    gst_sdp_message_add_media (msg.get (), media);
    gst_sdp_media_free (media);
  }
  return finish (msg.get (), mids);
}

gchar *
make_answer (const LocalDescription & local, const RemoteDescription & offer_desc,
    const std::vector<GstCaps *> &media_caps, std::string * error)
{
  GstSDPMessage *raw = nullptr;
  if (gst_sdp_message_new_from_text (offer_desc.text.c_str (), &raw) != GST_SDP_OK) {
    *error = "the offer is not SDP";
    return nullptr;
  }
  SdpMessage offer (raw);
  SdpMessage msg = new_session (local);
  std::vector<std::string> mids;
  const std::string cname = "gst-e2ee-" + local.ufrag;
  for (guint i = 0; i < gst_sdp_message_medias_len (offer.get ()); i++) {
    const GstSDPMedia *o = gst_sdp_message_get_media (offer.get (), i);
    GstSDPMedia *media;
    gst_sdp_media_new (&media);
    gst_sdp_media_set_media (media, gst_sdp_media_get_media (o));
    for (guint f = 0; f < gst_sdp_media_formats_len (o); f++)
      gst_sdp_media_add_format (media, gst_sdp_media_get_format (o, f));
    const char *mid = gst_sdp_media_get_attribute_val (o, "mid");
    const std::string mid_s = mid ? mid : std::to_string (i);
    mids.push_back (mid_s);
    gst_sdp_media_add_attribute (media, "mid", mid_s.c_str ());
    const char *direction = "sendrecv";
    if (gst_sdp_media_get_attribute_val (o, "sendonly"))
      direction = "recvonly";
    else if (gst_sdp_media_get_attribute_val (o, "recvonly"))
      direction = "sendonly";
    else if (gst_sdp_media_get_attribute_val (o, "inactive"))
      direction = "inactive";
    gst_sdp_media_add_attribute (media, direction, nullptr);
    /* The codecs as the offer describes them: our pipeline sends with those
     * payload types, and the peer's packets are described by them. */
    for (guint a = 0; a < gst_sdp_media_attributes_len (o); a++) {
      const GstSDPAttribute *attr = gst_sdp_media_get_attribute (o, a);
      if (g_strcmp0 (attr->key, "rtpmap") == 0 || g_strcmp0 (attr->key, "fmtp") == 0
          || g_strcmp0 (attr->key, "rtcp-fb") == 0)
        gst_sdp_media_add_attribute (media, attr->key, attr->value);
    }
    add_transport (media, local, i == 0);
    add_ssrcs (media, media_caps, gst_sdp_media_get_media (o), cname);
    gst_sdp_message_add_media (msg.get (), media);
    gst_sdp_media_free (media);
  }
  if (mids.empty ()) {
    *error = "the offer has no media";
    return nullptr;
  }
  return finish (msg.get (), mids);
}

bool
parse_remote (const char *text, RemoteDescription * remote, std::string * error)
{
  GstSDPMessage *raw = nullptr;
  if (!text || gst_sdp_message_new_from_text (text, &raw) != GST_SDP_OK) {
    *error = "not an SDP description";
    return false;
  }
  SdpMessage msg (raw);
  const guint n = gst_sdp_message_medias_len (raw);
  if (n == 0) {
    *error = "the description has no media";
    return false;
  }
  RemoteDescription r;
  r.text = text;
  r.ice_lite = gst_sdp_message_get_attribute_val (raw, "ice-lite") != nullptr;
  for (guint i = 0; i < n; i++) {
    const GstSDPMedia *media = gst_sdp_message_get_media (raw, i);
    if (gst_sdp_media_get_port (media) == 0 && !gst_sdp_media_get_attribute_val (media, "bundle-only"))
      continue;  /* a rejected m-line (port 0 with bundle-only is RFC 8843's "in the BUNDLE group") */
    if (g_strcmp0 (gst_sdp_media_get_proto (media), kProto) != 0) {
      *error = std::string ("m-line ") + std::to_string (i) + " uses " +
          (gst_sdp_media_get_proto (media) ? gst_sdp_media_get_proto (media) : "no transport") +
          ", not " + kProto;
      return false;
    }
    const char *ufrag = attribute (raw, media, "ice-ufrag");
    const char *pwd = attribute (raw, media, "ice-pwd");
    const char *fp = attribute (raw, media, "fingerprint");
    const char *setup = attribute (raw, media, "setup");
    if (r.ufrag.empty ()) {
      if (!ufrag || !pwd) {
        *error = "no ICE credentials (a=ice-ufrag, a=ice-pwd)";
        return false;
      }
      if (!fp || g_ascii_strncasecmp (fp, "sha-256 ", 8) != 0) {
        *error = "no SHA-256 certificate fingerprint (a=fingerprint:sha-256)";
        return false;
      }
      r.ufrag = ufrag;
      r.pwd = pwd;
      r.fingerprint = fp + 8;
      r.setup = setup ? setup : "actpass";
      r.rtcp_mux = gst_sdp_media_get_attribute_val (media, "rtcp-mux") != nullptr;
    } else if ((ufrag && r.ufrag != ufrag) || (pwd && r.pwd != pwd)) {
      *error = "m-lines with different ICE credentials: only one BUNDLE transport is supported";
      return false;
    }
    for (guint a = 0; a < gst_sdp_media_attributes_len (media); a++) {
      const GstSDPAttribute *attr = gst_sdp_media_get_attribute (media, a);
      if (g_strcmp0 (attr->key, "candidate") == 0 && attr->value)
        r.candidates.push_back (std::string ("candidate:") + attr->value);
    }
    for (guint f = 0; f < gst_sdp_media_formats_len (media); f++) {
      const gint pt = atoi (gst_sdp_media_get_format (media, f));
      if (pt < 0 || pt > 127)
        continue;
      GstCaps *caps = gst_sdp_media_get_caps_from_media (media, pt);
      if (!caps)
        continue;
      GstStructure *s = gst_caps_get_structure (caps, 0);
      gst_structure_set_name (s, "application/x-rtp");
      Chars str (gst_caps_to_string (caps));
      gst_caps_unref (caps);
      r.caps_by_pt.emplace (static_cast<guint> (pt), str.get ());
    }
  }
  if (r.ufrag.empty ()) {
    *error = "every m-line is rejected";
    return false;
  }
  if (!r.rtcp_mux) {
    *error = "the peer does not accept rtcp-mux (RFC 5761), which this transport needs";
    return false;
  }
  *remote = std::move (r);
  return true;
}

std::string
candidate_attribute (const char *line)
{
  if (!line)
    return {};
  while (*line == ' ' || *line == '\t')
    line++;
  if (g_str_has_prefix (line, "a="))
    line += 2;
  if (!g_str_has_prefix (line, "candidate:"))
    return {};
  std::string s (line);
  while (!s.empty () && (s.back () == '\r' || s.back () == '\n' || s.back () == ' '))
    s.pop_back ();
  return s;
}

} /* namespace gste2ee::transport_sdp */
