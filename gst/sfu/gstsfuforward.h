/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

#define GST_TYPE_SFU_FORWARD (gst_sfu_forward_get_type ())
G_DECLARE_FINAL_TYPE (GstSfuForward, gst_sfu_forward, GST, SFU_FORWARD, GstElement)

#define GST_TYPE_SFU_FORWARD_PAD (gst_sfu_forward_pad_get_type ())
G_DECLARE_FINAL_TYPE (GstSfuForwardPad, gst_sfu_forward_pad, GST, SFU_FORWARD_PAD, GstPad)

GST_ELEMENT_REGISTER_DECLARE (sfuforward);

G_END_DECLS
