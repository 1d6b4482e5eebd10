// SPDX-License-Identifier: LGPL-2.1-or-later
// What the pipeline benchmarks share: finding our uninstalled plugins
// (through the usual GStreamer variables, set by `meson test` and `meson
// devenv -C <builddir>`, else by scanning the plugin's build directory
// compiled into the binary, so running it straight from the build tree works
// too), and a pad of the benchmark's own that pushes into an element from the
// measuring thread.
#pragma once

#include <cstdio>

#include <gst/gst.h>

namespace bench {

inline bool have_factory(const char* factory)
{
  GstElementFactory* f = gst_element_factory_find(factory);
  if (f)
    gst_object_unref(f);
  return f != nullptr;
}

// `program` names the benchmark in the hint printed when all fails.
inline bool find_plugin(const char* factory, const char* build_dir, const char* program)
{
  if (have_factory(factory))
    return true;
  gst_registry_scan_path(gst_registry_get(), build_dir);
  if (have_factory(factory)) {
    std::fprintf(stderr, "note: %s not on the plugin path; loaded it from %s\n", factory, build_dir);
    return true;
  }
  std::fprintf(stderr,
               "%s not found. Run from the build tree with\n"
               "  meson devenv -C <builddir> tests/benchmarks/%s\n"
               "or point GStreamer at the plugin:\n"
               "  GST_PLUGIN_PATH=%s <builddir>/tests/benchmarks/%s\n"
               "(GST_PLUGIN_PATH_1_0, if set, takes precedence over GST_PLUGIN_PATH)\n",
               factory, program, build_dir, program);
  return false;
}

// A source pad linked to `sink`, with stream-start, `caps` and a TIME segment
// sent, ready for gst_pad_push() from this thread. Unlink and unref it after.
inline GstPad* feeder_for(GstPad* sink, const char* caps)
{
  GstPad* feeder = gst_pad_new("feeder", GST_PAD_SRC);
  gst_pad_set_active(feeder, TRUE);
  gst_pad_link(feeder, sink);
  gst_pad_push_event(feeder, gst_event_new_stream_start("bench"));
  GstCaps* c = gst_caps_from_string(caps);
  gst_pad_push_event(feeder, gst_event_new_caps(c));
  gst_caps_unref(c);
  GstSegment seg;
  gst_segment_init(&seg, GST_FORMAT_TIME);
  gst_pad_push_event(feeder, gst_event_new_segment(&seg));
  return feeder;
}

} // namespace bench
