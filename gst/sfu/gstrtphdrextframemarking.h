/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gst/rtp/rtp.h>

G_BEGIN_DECLS

#define GST_TYPE_RTP_HEADER_EXTENSION_FRAME_MARKING (gst_rtp_header_extension_frame_marking_get_type ())
G_DECLARE_FINAL_TYPE (GstRTPHeaderExtensionFrameMarking, gst_rtp_header_extension_frame_marking, GST,
    RTP_HEADER_EXTENSION_FRAME_MARKING, GstRTPHeaderExtension)

GST_ELEMENT_REGISTER_DECLARE (rtphdrextframemarking);

G_END_DECLS
