/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * SECTION:element-rtpsframepay
 * @title: rtpsframepay
 * @see_also: rtpsframedepay, sframeenc
 *
 * End-to-end layer, RTP packetization: puts whole SFrame-protected frames
 * (sframeenc's frame mode, application/x-sframe) of any codec into RTP, in the
 * payload format of draft-ietf-avtcore-rtp-sframe-02: each payload starts with
 * the descriptor byte S|E|T (S on the frame's first packet, E on its last,
 * T = 0 for a frame encrypted whole), the frame's ciphertext split so that no
 * packet exceeds `mtu`. The RTP caps keep the codec's encoding-name (VP8, VP9,
 * H264, H265, AV1, OPUS, taken from the original caps sframeenc recorded) and
 * add a-sframe="" (a=sframe in SDP). For video the marker bit is set on the
 * frame's last packet. Header extensions in the src caps (extmap-N, e.g.
 * RFC 9626 frame marking) are written on every packet, so an SFU can still
 * find key frames.
 *
 * ## Example launch line
 * |[
 * gst-launch-1.0 videotestsrc ! openh264enc ! sframeenc key=000102030405060708090a0b0c0d0e0f ! rtpsframepay ! udpsink host=127.0.0.1 port=5004
 * ]|
 *
 * Since: 0.1
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <vector>

#include <gst/rtp/rtp.h>

#include "gstrtpsframecaps.h"
#include "gstsframeelements.h"
#include "sframe/rtp_payload.h"

GST_DEBUG_CATEGORY_STATIC (rtp_sframe_pay_debug);
#define GST_CAT_DEFAULT rtp_sframe_pay_debug

namespace rtp = gste2ee::sframe::rtp;

#define GST_TYPE_RTP_SFRAME_PAY (gst_rtp_sframe_pay_get_type ())
G_DECLARE_FINAL_TYPE (GstRtpSFramePay, gst_rtp_sframe_pay, GST, RTP_SFRAME_PAY, GstRTPBasePayload);

struct _GstRtpSFramePay {
  GstRTPBasePayload parent;
  gboolean marker_on_end;           /* video: the marker ends a frame */
  std::vector<rtp::Fragment> *fragments;  /* reused, so fragmenting allocates nothing */
};

G_DEFINE_TYPE (GstRtpSFramePay, gst_rtp_sframe_pay, GST_TYPE_RTP_BASE_PAYLOAD);
GST_ELEMENT_REGISTER_DEFINE_WITH_CODE (rtpsframepay, "rtpsframepay", GST_RANK_NONE, GST_TYPE_RTP_SFRAME_PAY,
    sframe_element_init (plugin));

static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE ("sink", GST_PAD_SINK, GST_PAD_ALWAYS,
    GST_STATIC_CAPS ("application/x-sframe"));
static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE ("src", GST_PAD_SRC, GST_PAD_ALWAYS,
    GST_STATIC_CAPS ("application/x-rtp, media=(string){ video, audio }, clock-rate=(int)[1, MAX], "
        "encoding-name=(string){ VP8, VP9, H264, H265, AV1, OPUS }, a-sframe=(string)\"\""));

static gboolean
set_caps (GstRTPBasePayload * payload, GstCaps * caps)
{
  GstRtpSFramePay *self = GST_RTP_SFRAME_PAY (payload);
  const GstStructure *s = gst_caps_get_structure (caps, 0);
  const gchar *original = gst_structure_get_string (s, "original-caps");
  GstCaps *orig = original ? gst_caps_from_string (original) : nullptr;
  const gchar *media = nullptr, *encoding = nullptr;
  gint clock_rate = 0, stereo = -1;
  const gboolean known = orig && !gst_caps_is_empty (orig) &&
      gst_rtp_sframe_rtp_params (gst_caps_get_structure (orig, 0), &media, &clock_rate, &encoding, &stereo);
  if (!known) {
    gchar *str = gst_caps_to_string (caps);
    GST_ELEMENT_ERROR (self, STREAM, FORMAT, ("rtpsframepay needs to know the codec inside the SFrame frames"),
        ("caps %s carry no original-caps of VP8, VP9, H264, H265, AV1 or Opus (put sframeenc in frame mode "
            "right after the encoder)", str));
    g_free (str);
    if (orig)
      gst_caps_unref (orig);
    return FALSE;
  }
  gst_caps_unref (orig);
  self->marker_on_end = g_str_equal (media, "video");
  gst_rtp_base_payload_set_options (payload, media, TRUE, encoding, clock_rate);
  if (stereo >= 0)
    return gst_rtp_base_payload_set_outcaps (payload, "a-sframe", G_TYPE_STRING, "", "encoding-params",
        G_TYPE_STRING, "2", "sprop-stereo", G_TYPE_STRING, stereo ? "1" : "0", NULL);
  return gst_rtp_base_payload_set_outcaps (payload, "a-sframe", G_TYPE_STRING, "", NULL);
}

static GstFlowReturn
handle_buffer (GstRTPBasePayload * payload, GstBuffer * buffer)
{
  GstRtpSFramePay *self = GST_RTP_SFRAME_PAY (payload);
  const gsize size = gst_buffer_get_size (buffer);
  const guint max_payload = gst_rtp_buffer_calc_payload_len (GST_RTP_BASE_PAYLOAD_MTU (payload), 0, 0);
  if (max_payload <= rtp::kDescriptorSize ||
      !rtp::fragment (size, max_payload - rtp::kDescriptorSize, false, self->fragments)) {
    GST_WARNING_OBJECT (self, "dropping a frame of %" G_GSIZE_FORMAT " bytes (mtu %u)", size,
        GST_RTP_BASE_PAYLOAD_MTU (payload));
    gst_buffer_unref (buffer);
    return GST_FLOW_OK;
  }
  GstBufferList *list = gst_buffer_list_new_sized (self->fragments->size ());
  for (const rtp::Fragment & f : *self->fragments) {
    GstBuffer *out = gst_rtp_base_payload_allocate_output_buffer (payload, rtp::kDescriptorSize, 0, 0);
    GstRTPBuffer rtpbuf = GST_RTP_BUFFER_INIT;
    gst_rtp_buffer_map (out, GST_MAP_WRITE, &rtpbuf);
    guint8 *descriptor = static_cast<guint8 *> (gst_rtp_buffer_get_payload (&rtpbuf));
    descriptor[0] = f.descriptor;
    gst_rtp_buffer_set_marker (&rtpbuf, self->marker_on_end && (f.descriptor & rtp::kEnd) != 0);
    gst_rtp_buffer_unmap (&rtpbuf);
    /* The ciphertext is shared, not copied. */
    out = gst_buffer_append (out, gst_buffer_copy_region (buffer, GST_BUFFER_COPY_MEMORY, f.offset, f.length));
    GST_BUFFER_PTS (out) = GST_BUFFER_PTS (buffer);
    GST_BUFFER_DTS (out) = GST_BUFFER_DTS (buffer);
    if (GST_BUFFER_FLAG_IS_SET (buffer, GST_BUFFER_FLAG_DELTA_UNIT))
      GST_BUFFER_FLAG_SET (out, GST_BUFFER_FLAG_DELTA_UNIT);
    gst_buffer_list_add (list, out);
  }
  gst_buffer_unref (buffer);
  return gst_rtp_base_payload_push_list (payload, list);
}

static void
finalize (GObject * object)
{
  delete GST_RTP_SFRAME_PAY (object)->fragments;
  G_OBJECT_CLASS (gst_rtp_sframe_pay_parent_class)->finalize (object);
}

static void
gst_rtp_sframe_pay_init (GstRtpSFramePay * self)
{
  self->fragments = new std::vector<rtp::Fragment> ();
}

static void
gst_rtp_sframe_pay_class_init (GstRtpSFramePayClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstRTPBasePayloadClass *pay_class = GST_RTP_BASE_PAYLOAD_CLASS (klass);
  GST_DEBUG_CATEGORY_INIT (rtp_sframe_pay_debug, "rtpsframepay", 0, "SFrame RTP payloader");
  gobject_class->finalize = finalize;
  pay_class->set_caps = set_caps;
  pay_class->handle_buffer = handle_buffer;
  gst_element_class_add_static_pad_template (element_class, &sink_template);
  gst_element_class_add_static_pad_template (element_class, &src_template);
  gst_element_class_set_static_metadata (element_class, "RTP SFrame payloader", "Codec/Payloader/Network/RTP",
      "Packetizes whole SFrame-protected frames of any codec into RTP (draft-ietf-avtcore-rtp-sframe)",
      "gst-e2ee developers");
}
