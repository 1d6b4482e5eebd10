/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

#define GST_TYPE_MLS_KEYER (gst_mls_keyer_get_type ())
G_DECLARE_FINAL_TYPE (GstMlsKeyer, gst_mls_keyer, GST, MLS_KEYER, GstElement)

/* Whether the member starts a group or waits for a Welcome. */
typedef enum {
  GST_MLS_KEYER_MODE_JOIN,
  GST_MLS_KEYER_MODE_CREATE,
} GstMlsKeyerMode;

GType gst_mls_keyer_mode_get_type (void);
#define GST_TYPE_MLS_KEYER_MODE (gst_mls_keyer_mode_get_type ())

GST_ELEMENT_REGISTER_DECLARE (mlskeyer);

G_END_DECLS
