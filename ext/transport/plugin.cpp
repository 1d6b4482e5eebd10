/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/e2ee/e2ee.h>

#include "gstpeertransport.h"
#include "gstsrtpanydec.h"

static gboolean
plugin_init (GstPlugin * plugin)
{
  if (!gst_e2ee_openssl_init ())
    return FALSE;
  gboolean ok = GST_ELEMENT_REGISTER (srtpanydec, plugin);
  ok &= GST_ELEMENT_REGISTER (peertransport, plugin);
  return ok;
}

GST_PLUGIN_DEFINE (GST_VERSION_MAJOR, GST_VERSION_MINOR, transport,
    "Hop-by-hop transport: ICE, DTLS-SRTP keys and SRTP for any SSRC",
    plugin_init, VERSION, GST_LICENSE, GST_PACKAGE_NAME, GST_PACKAGE_ORIGIN)
