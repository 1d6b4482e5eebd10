/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Registration split of the sframe plugin (the shape of ext/srtp in
 * gst-plugins-bad): plugin.cpp only registers, one-time set-up lives in
 * gstsframeelement.cpp. */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

void sframe_element_init (GstPlugin * plugin);

GST_ELEMENT_REGISTER_DECLARE (sframeenc);
GST_ELEMENT_REGISTER_DECLARE (sframedec);
GST_ELEMENT_REGISTER_DECLARE (rtpsframepay);
GST_ELEMENT_REGISTER_DECLARE (rtpsframedepay);

G_END_DECLS
