/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/e2ee/e2ee.h>

#include "gstmlskeyer.h"

static gboolean
plugin_init (GstPlugin * plugin)
{
  if (!gst_e2ee_openssl_init ())
    return FALSE;
  return GST_ELEMENT_REGISTER (mlskeyer, plugin);
}

GST_PLUGIN_DEFINE (GST_VERSION_MAJOR, GST_VERSION_MINOR, mls,
    "MLS (RFC 9420) group members that key SFrame (RFC 9605 section 5.2)",
    plugin_init, VERSION, GST_LICENSE, GST_PACKAGE_NAME, GST_PACKAGE_ORIGIN)
