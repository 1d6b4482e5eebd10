/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstrtpsframecaps.h"

namespace {

struct Codec {
  const char *caps_name;
  const char *media;
  gint clock_rate;
  const char *encoding_name;
  /* What a decoder of this codec takes, as the codec's own depayloader
   * would produce it. */
  const char *decoder_caps;
};

const Codec kCodecs[] = {
  {"video/x-vp8", "video", 90000, "VP8", "video/x-vp8"},
  {"video/x-vp9", "video", 90000, "VP9", "video/x-vp9"},
  {"video/x-h264", "video", 90000, "H264", "video/x-h264, stream-format=(string)byte-stream, alignment=(string)au"},
  {"video/x-h265", "video", 90000, "H265", "video/x-h265, stream-format=(string)byte-stream, alignment=(string)au"},
  {"video/x-av1", "video", 90000, "AV1", "video/x-av1, stream-format=(string)obu-stream, alignment=(string)tu"},
  /* RFC 7587: Opus is always opus/48000/2 in SDP; sprop-stereo tells. */
  {"audio/x-opus", "audio", 48000, "OPUS", "audio/x-opus, channel-mapping-family=(int)0, rate=(int)48000"},
};

} // namespace

gboolean
gst_rtp_sframe_rtp_params (const GstStructure * original, const gchar ** media, gint * clock_rate,
    const gchar ** encoding_name, gint * stereo)
{
  *stereo = -1;
  for (const Codec & c : kCodecs) {
    if (!gst_structure_has_name (original, c.caps_name))
      continue;
    *media = c.media;
    *clock_rate = c.clock_rate;
    *encoding_name = c.encoding_name;
    if (g_str_equal (c.encoding_name, "OPUS")) {
      gint channels = 2;
      gst_structure_get_int (original, "channels", &channels);
      *stereo = channels == 2 ? 1 : 0;
    }
    return TRUE;
  }
  return FALSE;
}

GstCaps *
gst_rtp_sframe_original_caps (const GstStructure * rtp)
{
  const gchar *name = gst_structure_get_string (rtp, "encoding-name");
  if (!name)
    return nullptr;
  for (const Codec & c : kCodecs) {
    if (g_ascii_strcasecmp (name, c.encoding_name) != 0)
      continue;
    GstCaps *caps = gst_caps_from_string (c.decoder_caps);
    if (g_str_equal (c.encoding_name, "OPUS")) {
      const gchar *stereo = gst_structure_get_string (rtp, "sprop-stereo");
      gst_caps_set_simple (caps, "channels", G_TYPE_INT, stereo && g_str_equal (stereo, "0") ? 1 : 2, NULL);
    }
    return caps;
  }
  return nullptr;
}
