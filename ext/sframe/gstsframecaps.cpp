/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "gstsframecaps.h"

namespace gste2ee::glue {

GType
gst_sframe_clear_prefix_get_type_impl ()
{
  static const GEnumValue values[] = {
    {GST_SFRAME_CLEAR_PREFIX_NONE, "Encrypt the whole frame", "none"},
    {GST_SFRAME_CLEAR_PREFIX_VP8, "VP8: 10 bytes of key frames, 3 of delta frames", "vp8"},
    {GST_SFRAME_CLEAR_PREFIX_OPUS, "Opus: the TOC byte", "opus"},
    {0, nullptr, nullptr},
  };
  return g_enum_register_static ("GstSFrameClearPrefix", values);
}

Mode
mode_for_caps (const GstCaps * caps)
{
  if (caps && !gst_caps_is_any (caps) && !gst_caps_is_empty (caps)
      && gst_structure_has_name (gst_caps_get_structure (caps, 0), "application/x-rtp"))
    return Mode::Packet;
  return Mode::Frame;
}

size_t
clear_prefix_size (GstSFrameClearPrefix prefix, const uint8_t * data, size_t size)
{
  switch (prefix) {
    case GST_SFRAME_CLEAR_PREFIX_VP8:
      /* RFC 6386 section 9.1: the frame tag's bit 0 is 0 for key frames. */
      return size > 0 && (data[0] & 0x01) == 0 ? 10 : 3;
    case GST_SFRAME_CLEAR_PREFIX_OPUS:
      return 1;
    case GST_SFRAME_CLEAR_PREFIX_NONE:
      break;
  }
  return 0;
}

bool
rtp_layout (const uint8_t * data, size_t size, size_t * header_len, size_t * payload_len)
{
  if (size < 12 || (data[0] >> 6) != 2)
    return false;
  size_t len = 12 + 4 * (data[0] & 0x0f);
  if ((data[0] & 0x10) != 0) {
    if (len + 4 > size)
      return false;
    len += 4 + 4 * static_cast < size_t > ((data[len + 2] << 8) | data[len + 3]);
  }
  if (len > size)
    return false;
  size_t padding = 0;
  if ((data[0] & 0x20) != 0) {
    padding = data[size - 1];
    if (padding == 0 || len + padding > size)
      return false;
  }
  *header_len = len;
  *payload_len = size - len - padding;
  return true;
}

static const char kSFrameMedia[] = "application/x-sframe";
static const char kRtpMedia[] = "application/x-rtp";

GstCaps *
encrypted_caps_from_plain (const GstCaps * caps)
{
  if (gst_caps_is_any (caps))
    return gst_caps_from_string ("application/x-sframe; application/x-rtp");
  GstCaps *out = gst_caps_new_empty ();
  for (guint i = 0; i < gst_caps_get_size (caps); i++) {
    const GstStructure *s = gst_caps_get_structure (caps, i);
    if (gst_structure_has_name (s, kRtpMedia)) {
      out = gst_caps_merge_structure (out, gst_structure_copy (s));
      continue;
    }
    GstStructure *enc = gst_structure_new_empty (kSFrameMedia);
    /* Only fixed caps can be carried: unfixed ones (in caps queries) map to
     * any application/x-sframe. */
    GstCaps *one = gst_caps_new_full (gst_structure_copy (s), nullptr);
    if (gst_caps_is_fixed (one)) {
      gchar *str = gst_caps_to_string (one);
      gst_structure_set (enc, "original-caps", G_TYPE_STRING, str, nullptr);
      g_free (str);
    }
    gst_caps_unref (one);
    out = gst_caps_merge_structure (out, enc);
  }
  return out;
}

GstCaps *
plain_caps_from_encrypted (const GstCaps * caps)
{
  if (gst_caps_is_any (caps))
    return gst_caps_new_any ();
  GstCaps *out = gst_caps_new_empty ();
  for (guint i = 0; i < gst_caps_get_size (caps); i++) {
    const GstStructure *s = gst_caps_get_structure (caps, i);
    if (gst_structure_has_name (s, kRtpMedia)) {
      out = gst_caps_merge_structure (out, gst_structure_copy (s));
    } else if (gst_structure_has_name (s, kSFrameMedia)) {
      const gchar *orig = gst_structure_get_string (s, "original-caps");
      GstCaps *plain = orig ? gst_caps_from_string (orig) : nullptr;
      if (plain && gst_caps_is_fixed (plain) && !gst_caps_is_any (plain)) {
        out = gst_caps_merge (out, plain);
      } else {
        /* Unknown original media: anything may come out. */
        if (plain)
          gst_caps_unref (plain);
        gst_caps_unref (out);
        return gst_caps_new_any ();
      }
    } else {
      /* Frame mode over caps that say nothing about SFrame (e.g. a file): the
       * caps pass through unchanged. */
      out = gst_caps_merge_structure (out, gst_structure_copy (s));
    }
  }
  return out;
}

} // namespace gste2ee::glue

GType
gst_sframe_clear_prefix_get_type (void)
{
  static gsize type = 0;
  if (g_once_init_enter (&type))
    g_once_init_leave (&type, gste2ee::glue::gst_sframe_clear_prefix_get_type_impl ());
  return type;
}
