/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

#define GST_TYPE_SRTP_ANY_DEC (gst_srtp_any_dec_get_type ())
G_DECLARE_FINAL_TYPE (GstSrtpAnyDec, gst_srtp_any_dec, GST, SRTP_ANY_DEC, GstElement)

#define GST_TYPE_SRTP_PROFILE (gst_srtp_profile_get_type ())
GType gst_srtp_profile_get_type (void);

GST_ELEMENT_REGISTER_DECLARE (srtpanydec);

G_END_DECLS
