/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "gstsframeelements.h"

#include <gst/e2ee/e2ee.h>

#include "gstsframecaps.h"

GST_DEBUG_CATEGORY (gst_sframe_debug);

/* Called by each element's registration; the types and the debug category
 * are set up once, whichever element registers first. */
void
sframe_element_init (GstPlugin * plugin)
{
  static gsize done = 0;
  (void) plugin;
  if (g_once_init_enter (&done)) {
    GST_DEBUG_CATEGORY_INIT (gst_sframe_debug, "sframe", 0, "SFrame plugin");
    gst_type_mark_as_plugin_api (GST_TYPE_E2EE_CIPHER_SUITE, (GstPluginAPIFlags) 0);
    gst_type_mark_as_plugin_api (GST_TYPE_SFRAME_CLEAR_PREFIX, (GstPluginAPIFlags) 0);
    gst_type_mark_as_plugin_api (GST_TYPE_E2EE_KEYRING, (GstPluginAPIFlags) 0);
    g_once_init_leave (&done, 1);
  }
}
