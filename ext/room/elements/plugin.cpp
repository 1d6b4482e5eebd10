/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/e2ee/e2ee.h>

#include "gstroomrecorder.h"
#include "gstroomsink.h"
#include "gstroomsrc.h"

static gboolean
plugin_init (GstPlugin * plugin)
{
  if (!gst_e2ee_openssl_init ())
    return FALSE;
  gboolean ok = GST_ELEMENT_REGISTER (roomsink, plugin);
  ok &= GST_ELEMENT_REGISTER (roomsrc, plugin);
  ok &= GST_ELEMENT_REGISTER (roomrecorder, plugin);
  return ok;
}

GST_PLUGIN_DEFINE (GST_VERSION_MAJOR, GST_VERSION_MINOR, room,
    "Appliance elements of a gst-e2ee room: publish (roomsink), receive (roomsrc) and record (roomrecorder) with one launch line",
    plugin_init, VERSION, GST_LICENSE, GST_PACKAGE_NAME, GST_PACKAGE_ORIGIN)
