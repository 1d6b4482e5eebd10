/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gst/base/gstbasetransform.h>

G_BEGIN_DECLS

#define GST_TYPE_SFRAME_ENC (gst_sframe_enc_get_type ())
G_DECLARE_FINAL_TYPE (GstSFrameEnc, gst_sframe_enc, GST, SFRAME_ENC, GstBaseTransform)

G_END_DECLS
