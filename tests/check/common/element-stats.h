// SPDX-License-Identifier: LGPL-2.1-or-later
// An element's `stats` property and its guint64 fields, failing the test
// when either is missing.
#pragma once

#include <gst/check/gstcheck.h>

namespace testutil {

inline GstStructure* stats_of(GstElement* e)
{
  GstStructure* s = nullptr;
  g_object_get(e, "stats", &s, nullptr);
  fail_unless(s != nullptr);
  return s;
}

inline guint64 stat(GstElement* e, const char* field)
{
  GstStructure* s = stats_of(e);
  guint64 v = G_MAXUINT64;
  fail_unless(gst_structure_get_uint64(s, field, &v), "stats lack %s", field);
  gst_structure_free(s);
  return v;
}

} // namespace testutil
