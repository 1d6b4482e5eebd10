/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gst/base/gstbasetransform.h>

G_BEGIN_DECLS

#define GST_TYPE_SFRAME_DEC (gst_sframe_dec_get_type ())
G_DECLARE_FINAL_TYPE (GstSFrameDec, gst_sframe_dec, GST, SFRAME_DEC, GstBaseTransform)

G_END_DECLS
