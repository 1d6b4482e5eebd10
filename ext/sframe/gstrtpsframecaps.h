/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Which RTP caps an SFrame-protected frame of a codec travels under, and
 * back. draft-ietf-avtcore-rtp-sframe keeps the codec's payload type (the
 * media inside the ciphertext) and marks the media section with a=sframe;
 * in caps that is encoding-name=<codec> and a-sframe="" (the field
 * GStreamer's SDP helpers turn into a=sframe). */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

/* media, clock-rate and encoding-name for an encoded format (video/x-vp8,
 * video/x-vp9, video/x-h264, video/x-h265, video/x-av1, audio/x-opus);
 * FALSE for anything else. *stereo is set for Opus (-1 otherwise). */
gboolean gst_rtp_sframe_rtp_params (const GstStructure * original, const gchar ** media, gint * clock_rate,
    const gchar ** encoding_name, gint * stereo);

/* The encoded format back from RTP caps (a new reference), for the
 * application/x-sframe original-caps field; NULL for an unknown encoding. */
GstCaps *gst_rtp_sframe_original_caps (const GstStructure * rtp);

G_END_DECLS
