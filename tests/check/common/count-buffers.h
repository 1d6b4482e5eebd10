// SPDX-License-Identifier: LGPL-2.1-or-later
// Counts the buffers that pass a pad, from any streaming thread.
#pragma once

#include <atomic>

#include <gst/gst.h>

namespace testutil {

// Adds to `*n` for every buffer through `element`'s static pad `pad_name`;
// `*n` must outlive the element's streaming.
inline void count_buffers(GstElement* element, const char* pad_name, std::atomic<int>* n)
{
  GstPad* pad = gst_element_get_static_pad(element, pad_name);
  gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER,
                    [](GstPad*, GstPadProbeInfo*, gpointer count) {
                      (*static_cast<std::atomic<int>*>(count))++;
                      return GST_PAD_PROBE_OK;
                    },
                    n, nullptr);
  gst_object_unref(pad);
}

} // namespace testutil
