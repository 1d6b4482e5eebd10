// SPDX-License-Identifier: LGPL-2.1-or-later
// Helpers shared by the sframeenc/sframedec element tests: buffers from and to
// byte vectors, RTP packets, bus messages. The expected ciphertexts come from
// the SFrame core, which the vector tests check against RFC 9605.
#pragma once

#include <cstdint>
#include <vector>

#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
#include <gst/rtp/gstrtpbuffer.h>
#include <gst/video/video-event.h>

#include <gst/e2ee/e2ee.h>

#include "fatal-log-domains.h"
#include "sframe/sframe.h"

namespace testutil {

using Bytes = std::vector<uint8_t>;

inline const char kKeyHex[] = "000102030405060708090a0b0c0d0e0f";
inline const Bytes kKey = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 };

inline Bytes pattern(size_t n, uint8_t seed = 1)
{
  Bytes b(n);
  for (size_t i = 0; i < n; i++)
    b[i] = static_cast<uint8_t>(seed + i * 7);
  return b;
}

inline GstBuffer* to_buffer(const Bytes& b)
{
  GstBuffer* buf = gst_buffer_new_allocate(nullptr, b.size(), nullptr);
  gst_buffer_fill(buf, 0, b.data(), b.size());
  return buf;
}

inline Bytes to_bytes(GstBuffer* buf)
{
  Bytes b(gst_buffer_get_size(buf));
  gst_buffer_extract(buf, 0, b.data(), b.size());
  return b;
}

// What the core produces for `pt` as the frame's `counter`-th use of the key.
inline Bytes core_protect(gste2ee::sframe::CipherSuite suite, uint64_t kid, uint64_t counter, const Bytes& pt,
                          const Bytes& metadata = {}, const Bytes& key = kKey)
{
  gste2ee::sframe::Encryptor enc;
  fail_unless(enc.add_key(kid, suite, key, { counter, UINT64_MAX }).ok());
  Bytes out(pt.size() + gste2ee::sframe::kMaxOverhead);
  auto n = enc.protect(kid, metadata, pt, out);
  fail_unless(n.ok());
  out.resize(n.value());
  return out;
}

// An RTP packet with 2 CSRCs, a one-byte header extension, marker and,
// optionally, 4 bytes of padding.
inline GstBuffer* make_rtp(const Bytes& payload, guint16 seq, bool padding)
{
  GstBuffer* buf = gst_rtp_buffer_new_allocate(static_cast<guint>(payload.size()), padding ? 4 : 0, 2);
  GstRTPBuffer rtp = GST_RTP_BUFFER_INIT;
  fail_unless(gst_rtp_buffer_map(buf, GST_MAP_READWRITE, &rtp));
  gst_rtp_buffer_set_payload_type(&rtp, 96);
  gst_rtp_buffer_set_seq(&rtp, seq);
  gst_rtp_buffer_set_timestamp(&rtp, 90000u + seq);
  gst_rtp_buffer_set_ssrc(&rtp, 0x11223344);
  gst_rtp_buffer_set_marker(&rtp, TRUE);
  gst_rtp_buffer_set_csrc(&rtp, 0, 0xaaaa);
  gst_rtp_buffer_set_csrc(&rtp, 1, 0xbbbb);
  const guint8 level = 0x2a;
  fail_unless(gst_rtp_buffer_add_extension_onebyte_header(&rtp, 1, &level, 1));
  memcpy(gst_rtp_buffer_get_payload(&rtp), payload.data(), payload.size());
  gst_rtp_buffer_unmap(&rtp);
  return buf;
}

inline size_t rtp_header_len(GstBuffer* buf)
{
  GstRTPBuffer rtp = GST_RTP_BUFFER_INIT;
  fail_unless(gst_rtp_buffer_map(buf, GST_MAP_READ, &rtp));
  const size_t n = gst_rtp_buffer_get_header_len(&rtp);
  gst_rtp_buffer_unmap(&rtp);
  return n;
}

inline Bytes rtp_payload(GstBuffer* buf)
{
  GstRTPBuffer rtp = GST_RTP_BUFFER_INIT;
  fail_unless(gst_rtp_buffer_map(buf, GST_MAP_READ, &rtp));
  const auto* p = static_cast<const uint8_t*>(gst_rtp_buffer_get_payload(&rtp));
  Bytes b(p, p + gst_rtp_buffer_get_payload_len(&rtp));
  gst_rtp_buffer_unmap(&rtp);
  return b;
}

inline guint64 stat(GstElement* e, const char* field)
{
  GstStructure* s = nullptr;
  g_object_get(e, "stats", &s, nullptr);
  fail_unless(s != nullptr);
  guint64 v = G_MAXUINT64;
  fail_unless(gst_structure_get_uint64(s, field, &v), "stats lack %s", field);
  gst_structure_free(s);
  return v;
}

// Counts the upstream force-key-unit events the harness received.
inline int count_key_unit_requests(GstHarness* h)
{
  int n = 0;
  while (GstEvent* ev = gst_harness_try_pull_upstream_event(h)) {
    if (gst_video_event_is_force_key_unit(ev))
      n++;
    gst_event_unref(ev);
  }
  return n;
}

// Caps-less input (as from filesrc): a segment and no caps event.
inline void start_capsless(GstHarness* h)
{
  GstSegment seg;
  gst_segment_init(&seg, GST_FORMAT_BYTES);
  fail_unless(gst_harness_push_event(h, gst_event_new_segment(&seg)));
}

// A harness around one element (not a bin, so its properties are reachable),
// configured from "prop=value ..." the way gst-launch-1.0 would, playing
// and without caps unless `capsless` is false (the test then sets caps).
inline GstHarness* harness_for(const char* factory, const char* props = "", bool capsless = true)
{
  GstElement* e = gst_element_factory_make(factory, nullptr);
  fail_unless(e != nullptr, "no element %s", factory);
  gchar** kv = g_strsplit(props, " ", -1);
  for (gchar** p = kv; *p; p++) {
    if (!**p)
      continue;
    gchar** pair = g_strsplit(*p, "=", 2);
    fail_unless(pair[0] && pair[1], "bad property %s", *p);
    gst_util_set_object_arg(G_OBJECT(e), pair[0], pair[1]);
    g_strfreev(pair);
  }
  g_strfreev(kv);
  GstHarness* h = gst_harness_new_with_element(e, "sink", "src");
  gst_object_unref(e);
  if (capsless)
    start_capsless(h);
  return h;
}

inline const char* suite_nick(int suite)
{
  GEnumClass* klass = G_ENUM_CLASS(g_type_class_ref(gst_e2ee_cipher_suite_get_type()));
  const char* nick = g_enum_get_value(klass, suite)->value_nick;  // static string
  g_type_class_unref(klass);
  return nick;
}

// Gives a harnessed element a bus (it has none) so its messages can be read.
inline GstBus* attach_bus(GstHarness* h)
{
  GstBus* bus = gst_bus_new();
  gst_element_set_bus(h->element, bus);
  return bus;
}

} // namespace testutil
