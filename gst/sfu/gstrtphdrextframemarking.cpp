/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * SECTION:element-rtphdrextframemarking
 * @title: rtphdrextframemarking
 *
 * The Video Frame Marking RTP header extension (RFC 9626,
 * `urn:ietf:params:rtp-hdrext:framemarking`), short form for non-scalable
 * streams: start of frame, end of frame, independent (a key frame). It lets
 * an SFU find key frames and frame boundaries without the payload, which in
 * an end-to-end room is SFrame ciphertext.
 *
 * Any RTP payloader adds it when the extension is in its downstream caps
 * (`auto-header-extension`, the default), for example
 * `rtpvp8pay ! application/x-rtp,extmap-5=urn:ietf:params:rtp-hdrext:framemarking`,
 * or through the payloader's `add-extension` action signal.
 *
 * Writing: a packet whose RTP timestamp differs from the previous one starts
 * a frame; a packet with the marker bit ends one (video payloaders set it on
 * the last packet of a frame); the frame is independent when the payloader's
 * input buffer has no DELTA_UNIT flag. Reading (depayloaders): a packet not
 * marked independent gets the DELTA_UNIT flag.
 *
 * Since: 0.1
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstrtphdrextframemarking.h"

#include "sfu/rtp_packet.h"

GST_DEBUG_CATEGORY_STATIC (frame_marking_debug);
#define GST_CAT_DEFAULT frame_marking_debug

#define FRAME_MARKING_URI "urn:ietf:params:rtp-hdrext:framemarking"

struct _GstRTPHeaderExtensionFrameMarking {
  GstRTPHeaderExtension parent;
  /* The payloader's streaming thread is the only writer. */
  gboolean have_timestamp;
  guint32 last_timestamp;
};

G_DEFINE_TYPE (GstRTPHeaderExtensionFrameMarking, gst_rtp_header_extension_frame_marking,
    GST_TYPE_RTP_HEADER_EXTENSION);
GST_ELEMENT_REGISTER_DEFINE (rtphdrextframemarking, "rtphdrextframemarking", GST_RANK_MARGINAL,
    GST_TYPE_RTP_HEADER_EXTENSION_FRAME_MARKING);

static GstRTPHeaderExtensionFlags
frame_marking_get_supported_flags (GstRTPHeaderExtension *)
{
  return (GstRTPHeaderExtensionFlags) (GST_RTP_HEADER_EXTENSION_ONE_BYTE | GST_RTP_HEADER_EXTENSION_TWO_BYTE);
}

static gsize
frame_marking_get_max_size (GstRTPHeaderExtension *, const GstBuffer *)
{
  return 1;                     /* the short form */
}

static gssize
frame_marking_write (GstRTPHeaderExtension * ext, const GstBuffer * input_meta, GstRTPHeaderExtensionFlags,
    GstBuffer * output, guint8 * data, gsize size)
{
  GstRTPHeaderExtensionFrameMarking *self = GST_RTP_HEADER_EXTENSION_FRAME_MARKING (ext);
  if (size < 1)
    return -1;
  /* The payloader has written the header (and holds it mapped for writing;
   * a read mapping nests inside that). */
  GstRTPBuffer rtp = GST_RTP_BUFFER_INIT;
  if (!gst_rtp_buffer_map (output, GST_MAP_READ, &rtp)) {
    GST_WARNING_OBJECT (ext, "output is not an RTP packet");
    return -1;
  }
  const guint32 timestamp = gst_rtp_buffer_get_timestamp (&rtp);
  const gboolean marker = gst_rtp_buffer_get_marker (&rtp);
  gst_rtp_buffer_unmap (&rtp);

  gste2ee::sfu::FrameMarking fm;
  fm.start = !self->have_timestamp || timestamp != self->last_timestamp;
  fm.end = marker;
  fm.independent = input_meta && !GST_BUFFER_FLAG_IS_SET (input_meta, GST_BUFFER_FLAG_DELTA_UNIT);
  self->have_timestamp = TRUE;
  self->last_timestamp = timestamp;
  data[0] = gste2ee::sfu::frame_marking_short_form (fm);
  return 1;
}

static gboolean
frame_marking_read (GstRTPHeaderExtension * ext, GstRTPHeaderExtensionFlags, const guint8 * data, gsize size,
    GstBuffer * buffer)
{
  gste2ee::sfu::FrameMarking fm;
  if (!gste2ee::sfu::parse_frame_marking ({ data, size }, &fm)) {
    GST_WARNING_OBJECT (ext, "frame marking of %" G_GSIZE_FORMAT " bytes (1 or 3 expected)", size);
    return FALSE;
  }
  if (!fm.independent)
    GST_BUFFER_FLAG_SET (buffer, GST_BUFFER_FLAG_DELTA_UNIT);
  return TRUE;
}

static GstStateChangeReturn
frame_marking_change_state (GstElement * element, GstStateChange transition)
{
  if (transition == GST_STATE_CHANGE_READY_TO_PAUSED)
    GST_RTP_HEADER_EXTENSION_FRAME_MARKING (element)->have_timestamp = FALSE;
  return GST_ELEMENT_CLASS (gst_rtp_header_extension_frame_marking_parent_class)->change_state (element, transition);
}

static void
gst_rtp_header_extension_frame_marking_class_init (GstRTPHeaderExtensionFrameMarkingClass * klass)
{
  GstRTPHeaderExtensionClass *ext_class = GST_RTP_HEADER_EXTENSION_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GST_DEBUG_CATEGORY_INIT (frame_marking_debug, "rtphdrextframemarking", 0, "RTP frame marking header extension");
  ext_class->get_supported_flags = frame_marking_get_supported_flags;
  ext_class->get_max_size = frame_marking_get_max_size;
  ext_class->write = frame_marking_write;
  ext_class->read = frame_marking_read;
  element_class->change_state = frame_marking_change_state;
  gst_element_class_set_static_metadata (element_class, "Frame Marking (RFC 9626) RTP Header Extension",
      GST_RTP_HDREXT_ELEMENT_CLASS, "Marks start and end of frames and key frames in the RTP header, for SFUs "
      "that cannot read payloads", "gst-e2ee developers");
  gst_rtp_header_extension_class_set_uri (ext_class, FRAME_MARKING_URI);
}

static void
gst_rtp_header_extension_frame_marking_init (GstRTPHeaderExtensionFrameMarking * self)
{
  self->have_timestamp = FALSE;
}
