// SPDX-License-Identifier: LGPL-2.1-or-later
// Helpers shared by the sframeenc/sframedec element tests: buffers from and to
// byte vectors, RTP packets, stats and bus messages. The expected ciphertexts
// come from the SFrame core, which the vector tests check against RFC 9605, so
// the elements are compared with an independent reference, not with
// themselves.
#pragma once

#include <cstdint>
#include <cstring>
#include <vector>

#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
#include <gst/rtp/gstrtpbuffer.h>
#include <gst/video/video-event.h>

#include <gst/e2ee/e2ee.h>

#include "element-stats.h"
#include "fatal-log-domains.h"
#include "sframe/sframe.h"

namespace testutil {

namespace sf = gste2ee::sframe;
using Bytes = std::vector<uint8_t>;

inline const char kKeyHex[] = "000102030405060708090a0b0c0d0e0f";
inline const Bytes kKey = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 };
inline constexpr auto kDefaultSuite = sf::CipherSuite::AES_128_GCM_SHA256_128;

inline Bytes pattern(size_t n, uint8_t seed = 1)
{
  Bytes b(n);
  for (size_t i = 0; i < n; i++)
    b[i] = static_cast<uint8_t>(seed + i * 7);
  return b;
}

inline Bytes concat(const Bytes& a, const Bytes& b)
{
  Bytes out = a;
  out.insert(out.end(), b.begin(), b.end());
  return out;
}

inline Bytes slice(const Bytes& b, size_t from, size_t to)
{
  return Bytes(b.begin() + static_cast<long>(from), b.begin() + static_cast<long>(to));
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

// Compares with gst_buffer_memcmp, as the GStreamer element tests do, after
// checking the size (memcmp alone would accept a longer buffer).
inline bool buffer_equals(GstBuffer* buf, const Bytes& want)
{
  return gst_buffer_get_size(buf) == want.size() && gst_buffer_memcmp(buf, 0, want.data(), want.size()) == 0;
}

// What the core produces for `pt` as the `counter`-th use of the key.
inline Bytes core_protect(sf::CipherSuite suite,
                          uint64_t kid,
                          uint64_t counter,
                          const Bytes& pt,
                          const Bytes& metadata = {},
                          const Bytes& key = kKey)
{
  sf::Encryptor enc;
  fail_unless(enc.add_key(kid, suite, key, { counter, UINT64_MAX }).ok());
  Bytes out(pt.size() + sf::kMaxOverhead);
  auto n = enc.protect(kid, metadata, pt, out);
  fail_unless(n.ok());
  out.resize(n.value());
  return out;
}

// The core's decryption of one SFrame ciphertext; fails the test if it does
// not authenticate.
inline Bytes core_unprotect(sf::CipherSuite suite,
                            uint64_t kid,
                            const Bytes& frame,
                            const Bytes& metadata = {},
                            const Bytes& key = kKey)
{
  sf::Decryptor dec;
  fail_unless(dec.add_key(kid, suite, key).ok());
  Bytes out(frame.size());
  auto r = dec.unprotect(frame, metadata, out);
  fail_unless(r.ok(), "the core cannot decrypt the element's output: %s", r.message());
  out.resize(r.value().plaintext_size);
  return out;
}

inline sf::Header header_of(const Bytes& frame)
{
  auto h = sf::decode_header(frame);
  fail_unless(h.ok(), "no SFrame header");
  return h.value();
}

// Ciphertexts from one sender, counters 0, 1, 2, ...
struct Sender {
  sf::Encryptor enc;
  uint64_t kid;
  explicit Sender(uint64_t k, sf::CipherSuite suite = kDefaultSuite, const Bytes& key = kKey, uint64_t first_ctr = 0)
    : kid(k)
  {
    fail_unless(enc.add_key(kid, suite, key, { first_ctr, UINT64_MAX }).ok());
  }
  Bytes frame(const Bytes& pt, const Bytes& meta = {})
  {
    Bytes out(pt.size() + sf::kMaxOverhead);
    auto n = enc.protect(kid, meta, pt, out);
    fail_unless(n.ok());
    out.resize(n.value());
    return out;
  }
  // `prefix` leading bytes of `f` in clear and authenticated, as clear-prefix does.
  Bytes prefixed(const Bytes& f, size_t prefix)
  {
    const Bytes meta = slice(f, 0, prefix);
    return concat(meta, frame(slice(f, prefix, f.size()), meta));
  }
};

// What an RTP packet carries besides its payload.
struct RtpSpec {
  guint16 seq = 1000;
  guint32 ts = 90000;
  guint8 pt = 96;
  bool marker = true;
  guint8 csrcs = 2;
  bool extension = true; // one-byte header extension (RFC 8285), id 1
  guint8 padding = 0;    // bytes of RTP padding
};

inline GstBuffer* make_rtp(const Bytes& payload, const RtpSpec& spec)
{
  GstBuffer* buf = gst_rtp_buffer_new_allocate(static_cast<guint>(payload.size()), spec.padding, spec.csrcs);
  GstRTPBuffer rtp = GST_RTP_BUFFER_INIT;
  fail_unless(gst_rtp_buffer_map(buf, GST_MAP_READWRITE, &rtp));
  gst_rtp_buffer_set_payload_type(&rtp, spec.pt);
  gst_rtp_buffer_set_seq(&rtp, spec.seq);
  gst_rtp_buffer_set_timestamp(&rtp, spec.ts);
  gst_rtp_buffer_set_ssrc(&rtp, 0x11223344);
  gst_rtp_buffer_set_marker(&rtp, spec.marker);
  for (guint8 i = 0; i < spec.csrcs; i++)
    gst_rtp_buffer_set_csrc(&rtp, i, 0xaaaa0000u + i);
  if (spec.extension) {
    const guint8 level = 0x2a;
    fail_unless(gst_rtp_buffer_add_extension_onebyte_header(&rtp, 1, &level, 1));
  }
  if (!payload.empty())
    memcpy(gst_rtp_buffer_get_payload(&rtp), payload.data(), payload.size());
  gst_rtp_buffer_unmap(&rtp);
  return buf;
}

// An RTP packet with 2 CSRCs, a one-byte header extension, marker and,
// optionally, 4 bytes of padding.
inline GstBuffer* make_rtp(const Bytes& payload, guint16 seq, bool padding)
{
  RtpSpec spec;
  spec.seq = seq;
  spec.ts = 90000u + seq;
  spec.padding = padding ? 4 : 0;
  return make_rtp(payload, spec);
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
  fail_unless(gst_rtp_buffer_map(buf, GST_MAP_READ, &rtp), "not an RTP packet");
  const auto* p = static_cast<const uint8_t*>(gst_rtp_buffer_get_payload(&rtp));
  Bytes b(p, p + gst_rtp_buffer_get_payload_len(&rtp));
  gst_rtp_buffer_unmap(&rtp);
  return b;
}

// Fails the test unless `out` has the fields of `spec` and no padding.
inline void check_rtp_fields(GstBuffer* out, const RtpSpec& spec)
{
  GstRTPBuffer rtp = GST_RTP_BUFFER_INIT;
  fail_unless(gst_rtp_buffer_map(out, GST_MAP_READ, &rtp), "output is not an RTP packet");
  fail_unless_equals_int(gst_rtp_buffer_get_seq(&rtp), spec.seq);
  fail_unless_equals_uint64(gst_rtp_buffer_get_timestamp(&rtp), spec.ts);
  fail_unless_equals_int(gst_rtp_buffer_get_payload_type(&rtp), spec.pt);
  fail_unless_equals_int(gst_rtp_buffer_get_marker(&rtp), spec.marker);
  fail_unless_equals_uint64(gst_rtp_buffer_get_ssrc(&rtp), 0x11223344);
  fail_unless_equals_int(gst_rtp_buffer_get_csrc_count(&rtp), spec.csrcs);
  fail_unless_equals_int(gst_rtp_buffer_get_extension(&rtp), spec.extension);
  fail_unless(!gst_rtp_buffer_get_padding(&rtp), "padding bit left set");
  gst_rtp_buffer_unmap(&rtp);
}

// sframedec's per-KID tallies; false if the KID has no entry.
struct KidStats {
  guint64 decrypted = 0;
  guint64 failed = 0;
};

inline bool kid_stats(GstElement* dec, guint64 kid, KidStats* out)
{
  GstStructure* s = stats_of(dec);
  const GValue* kids = gst_structure_get_value(s, "kids");
  fail_unless(kids && GST_VALUE_HOLDS_ARRAY(kids), "stats lack the kids array");
  bool found = false;
  for (guint i = 0; i < gst_value_array_get_size(kids); i++) {
    const GstStructure* k = gst_value_get_structure(gst_value_array_get_value(kids, i));
    fail_unless(gst_structure_has_name(k, "kid-stats"));
    guint64 v = 0;
    fail_unless(gst_structure_get_uint64(k, "kid", &v));
    if (v != kid)
      continue;
    fail_if(found, "KID %" G_GUINT64_FORMAT " listed twice", kid);
    found = true;
    fail_unless(gst_structure_get_uint64(k, "decrypted", &out->decrypted));
    fail_unless(gst_structure_get_uint64(k, "failed", &out->failed));
  }
  gst_structure_free(s);
  return found;
}

inline guint kid_count(GstElement* dec)
{
  GstStructure* s = stats_of(dec);
  const guint n = gst_value_array_get_size(gst_structure_get_value(s, "kids"));
  gst_structure_free(s);
  return n;
}

// Counts the upstream force-key-unit events the harness received (and
// consumes every upstream event).
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

// Sets "prop=value ..." the way gst-launch-1.0 would.
inline void set_props(GstElement* e, const char* props)
{
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
}

// A harness around one element (not a bin, so its properties are reachable).
// GstHarness plays an element with a sink pad at once, so `e` must be
// configured before. Without caps unless `capsless` is false (the test then
// sets caps).
inline GstHarness* harness_with(GstElement* e, bool capsless = true)
{
  GstHarness* h = gst_harness_new_with_element(e, "sink", "src");
  gst_object_unref(e);
  if (capsless)
    start_capsless(h);
  return h;
}

inline GstHarness* harness_for(const char* factory, const char* props = "", bool capsless = true)
{
  GstElement* e = gst_element_factory_make(factory, nullptr);
  fail_unless(e != nullptr, "no element %s", factory);
  set_props(e, props);
  return harness_with(e, capsless);
}

inline const char* suite_nick(int suite)
{
  GEnumClass* klass = G_ENUM_CLASS(g_type_class_ref(gst_e2ee_cipher_suite_get_type()));
  const GEnumValue* v = g_enum_get_value(klass, suite);
  fail_unless(v != nullptr, "no cipher suite %d", suite);
  const char* nick = v->value_nick; // static string
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

// Queued messages hold references to the element: flush before unref.
inline void release_bus(GstBus* bus)
{
  gst_bus_set_flushing(bus, TRUE);
  gst_object_unref(bus);
}

// Sets `key` and fails the test unless going to PAUSED fails with a
// LIBRARY/SETTINGS error that does not repeat the value.
inline void check_key_refused(const char* factory, const char* key)
{
  GstElement* e = gst_element_factory_make(factory, nullptr);
  GstBus* bus = gst_bus_new();
  gst_element_set_bus(e, bus);
  g_object_set(e, "key", key, nullptr);
  fail_unless(gst_element_set_state(e, GST_STATE_PAUSED) == GST_STATE_CHANGE_FAILURE,
              "%s: key '%s' accepted at start",
              factory,
              key);
  GstMessage* msg = gst_bus_pop_filtered(bus, GST_MESSAGE_ERROR);
  fail_unless(msg != nullptr, "%s: no error for key '%s'", factory, key);
  GError* err = nullptr;
  gchar* dbg = nullptr;
  gst_message_parse_error(msg, &err, &dbg);
  fail_unless(g_error_matches(err, GST_LIBRARY_ERROR, GST_LIBRARY_ERROR_SETTINGS), "%s: %s", factory, err->message);
  // The rejected value never shows up in what is reported.
  if (*key)
    fail_if(strstr(err->message, key) != nullptr || (dbg && strstr(dbg, key) != nullptr));
  g_clear_error(&err);
  g_free(dbg);
  gst_message_unref(msg);
  gst_element_set_state(e, GST_STATE_NULL);
  release_bus(bus);
  gst_object_unref(e);
}

} // namespace testutil
