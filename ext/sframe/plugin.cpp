/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/e2ee/e2ee.h>

#include "gstsframeelements.h"

static gboolean
plugin_init (GstPlugin * plugin)
{
  gboolean ret = FALSE;
  if (!gst_e2ee_openssl_init ())
    return FALSE;
  ret |= GST_ELEMENT_REGISTER (sframeenc, plugin);
  ret |= GST_ELEMENT_REGISTER (sframedec, plugin);
  ret |= GST_ELEMENT_REGISTER (rtpsframepay, plugin);
  ret |= GST_ELEMENT_REGISTER (rtpsframedepay, plugin);
  return ret;
}

GST_PLUGIN_DEFINE (GST_VERSION_MAJOR, GST_VERSION_MINOR, sframe,
    "SFrame (RFC 9605) end-to-end media encryption",
    plugin_init, VERSION, GST_LICENSE, GST_PACKAGE_NAME, GST_PACKAGE_ORIGIN)
