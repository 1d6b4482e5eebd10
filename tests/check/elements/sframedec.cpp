// SPDX-License-Identifier: LGPL-2.1-or-later
// sframedec with GstHarness, against docs/elements/sframedec.md: round trips
// with the core's and sframeenc's ciphertexts, caps restoration, packet mode,
// clear prefix, and every failure path (dropped, counted, reported).
#include <string>

#include "sframe-test-util.h"

using namespace testutil;

static GstHarness* new_dec(const char* props = "", bool capsless = true)
{
  gchar* all = g_strdup_printf("key=%s %s", kKeyHex, props);
  GstHarness* h = harness_for("sframedec", all, capsless);
  g_free(all);
  return h;
}

// "sframeenc <enc_props> ! sframedec <dec_props>", both with kKeyHex.
static GstHarness* new_enc_dec(const char* enc_props = "", const char* dec_props = "")
{
  gchar* desc = g_strdup_printf("sframeenc key=%s %s ! sframedec key=%s %s", kKeyHex, enc_props, kKeyHex, dec_props);
  GstHarness* h = gst_harness_new_parse(desc);
  g_free(desc);
  return h;
}

static const char kRtpCaps[] =
  "application/x-rtp, media=(string)video, clock-rate=(int)90000, encoding-name=(string)VP8, payload=(int)96";

static guint64 total_dropped(GstElement* dec)
{
  return stat(dec, "dropped-unknown-kid") + stat(dec, "dropped-authentication") + stat(dec, "dropped-syntax") +
         stat(dec, "dropped-replay");
}

GST_START_TEST(test_capsless_round_trip_all_suites)
{
  for (int suite = 1; suite <= 8; suite++) {
    gchar* props = g_strdup_printf("key-id=300 cipher-suite=%s", suite_nick(suite));
    GstHarness* h = new_dec(props);
    g_free(props);
    Sender tx(300, static_cast<sf::CipherSuite>(suite));
    for (int i = 0; i < 10; i++) {
      const Bytes pt = pattern(64 + static_cast<size_t>(i), static_cast<uint8_t>(i));
      gst_harness_push(h, to_buffer(tx.frame(pt)));
      GstBuffer* out = gst_harness_pull(h);
      fail_unless(buffer_equals(out, pt), "suite %d frame %d", suite, i);
      gst_buffer_unref(out);
    }
    fail_unless_equals_uint64(stat(h->element, "frames-decrypted"), 10);
    KidStats k;
    fail_unless(kid_stats(h->element, 300, &k));
    fail_unless_equals_uint64(k.decrypted, 10);
    fail_unless_equals_uint64(k.failed, 0);
    fail_unless(gst_pad_get_current_caps(h->sinkpad) == nullptr, "caps-less input got output caps");
    gst_harness_teardown(h);
  }
}
GST_END_TEST;

// sframeenc ! sframedec without caps (filesrc ! ... ! filesink): byte-exact
// for every suite, KID 7, counters 0, 1, 2, ...
GST_START_TEST(test_capsless_enc_dec_all_suites)
{
  for (int suite = 1; suite <= 8; suite++) {
    gchar* props = g_strdup_printf("key-id=7 cipher-suite=%s", suite_nick(suite));
    GstHarness* h = new_enc_dec(props, props);
    g_free(props);
    start_capsless(h);
    for (size_t i = 0; i < 12; i++) {
      const Bytes pt = pattern(1 + i * 37, static_cast<uint8_t>(suite + i));
      gst_harness_push(h, to_buffer(pt));
      GstBuffer* out = gst_harness_pull(h);
      fail_unless(buffer_equals(out, pt), "suite %d frame %" G_GSIZE_FORMAT, suite, i);
      gst_buffer_unref(out);
    }
    gst_harness_teardown(h);
  }
}
GST_END_TEST;

// sframeenc ! sframedec restores the original caps exactly.
GST_START_TEST(test_caps_round_trip)
{
  const char* caps_list[] = {
    "video/x-vp8, width=(int)640, height=(int)480, framerate=(fraction)30/1",
    "audio/x-opus, channel-mapping-family=(int)0, rate=(int)48000, channels=(int)2",
    "video/x-h264, stream-format=(string)byte-stream, alignment=(string)au",
  };
  for (const char* c : caps_list) {
    GstHarness* h = new_enc_dec();
    gst_harness_set_src_caps_str(h, c);
    const Bytes pt = pattern(77);
    gst_harness_push(h, to_buffer(pt));
    GstBuffer* out = gst_harness_pull(h);
    fail_unless(buffer_equals(out, pt));
    gst_buffer_unref(out);
    GstCaps* got = gst_pad_get_current_caps(h->sinkpad);
    GstCaps* want = gst_caps_from_string(c);
    fail_unless(gst_caps_is_equal(got, want), "caps %s came back as %" GST_PTR_FORMAT, c, got);
    gst_caps_unref(got);
    gst_caps_unref(want);
    gst_harness_teardown(h);
  }
}
GST_END_TEST;

// The same from SFrame caps written by hand (as after rtpgstdepay).
GST_START_TEST(test_original_caps_restored)
{
  GstHarness* h = new_dec("", false);
  gst_harness_set_src_caps_str(
    h, "application/x-sframe, original-caps=(string)\"audio/x-opus, rate=(int)48000, channels=(int)1\"");
  Sender tx(0);
  const Bytes pt = pattern(30);
  gst_harness_push(h, to_buffer(tx.frame(pt)));
  GstBuffer* out = gst_harness_pull(h);
  fail_unless(buffer_equals(out, pt));
  gst_buffer_unref(out);
  GstCaps* got = gst_pad_get_current_caps(h->sinkpad);
  GstCaps* want = gst_caps_from_string("audio/x-opus, rate=(int)48000, channels=(int)1");
  fail_unless(gst_caps_is_equal(got, want), "got %" GST_PTR_FORMAT, got);
  gst_caps_unref(got);
  gst_caps_unref(want);
  gst_harness_teardown(h);
}
GST_END_TEST;

// A sender that does not carry the original caps: bytes come out.
GST_START_TEST(test_sframe_caps_without_original)
{
  GstHarness* h = new_dec("", false);
  gst_harness_set_src_caps_str(h, "application/x-sframe");
  Sender tx(0);
  const Bytes pt = pattern(30);
  gst_harness_push(h, to_buffer(tx.frame(pt)));
  GstBuffer* out = gst_harness_pull(h);
  fail_unless(buffer_equals(out, pt));
  gst_buffer_unref(out);
  GstCaps* got = gst_pad_get_current_caps(h->sinkpad);
  fail_unless(gst_structure_has_name(gst_caps_get_structure(got, 0), "application/octet-stream"));
  gst_caps_unref(got);
  gst_harness_teardown(h);
}
GST_END_TEST;

// Caps that say nothing about SFrame pass through (frame mode).
GST_START_TEST(test_other_caps_pass_through)
{
  const char caps[] = "video/x-vp8, width=(int)320, height=(int)240, framerate=(fraction)30/1";
  GstHarness* h = new_dec("", false);
  gst_harness_set_src_caps_str(h, caps);
  Sender tx(0);
  const Bytes pt = pattern(30);
  gst_harness_push(h, to_buffer(tx.frame(pt)));
  GstBuffer* out = gst_harness_pull(h);
  fail_unless(buffer_equals(out, pt));
  gst_buffer_unref(out);
  GstCaps* got = gst_pad_get_current_caps(h->sinkpad);
  GstCaps* want = gst_caps_from_string(caps);
  fail_unless(gst_caps_is_equal(got, want), "got %" GST_PTR_FORMAT, got);
  gst_caps_unref(got);
  gst_caps_unref(want);
  gst_harness_teardown(h);
}
GST_END_TEST;

// sframeenc ! sframedec in packet mode gives back every packet minus its
// padding; header fields and caps unchanged.
GST_START_TEST(test_packet_mode_round_trip)
{
  GstHarness* h = new_enc_dec();
  gst_harness_set_src_caps_str(h, kRtpCaps);
  for (guint16 i = 0; i < 6; i++) {
    RtpSpec spec;
    spec.seq = static_cast<guint16>(65533 + i);
    spec.ts = 3000u * i;
    spec.marker = i % 2 == 0;
    spec.csrcs = static_cast<guint8>(i * 3);
    spec.extension = i != 1;
    spec.padding = static_cast<guint8>(i == 2 ? 4 : i == 4 ? 255 : 0);
    const Bytes payload = pattern(i == 5 ? 0 : 500, static_cast<uint8_t>(i));
    GstBuffer* in = make_rtp(payload, spec);
    const size_t hlen = rtp_header_len(in);
    Bytes in_header = to_bytes(in);
    in_header.resize(hlen);
    in_header[0] &= ~0x20;
    gst_harness_push(h, in);
    GstBuffer* out = gst_harness_pull(h);
    check_rtp_fields(out, spec);
    fail_unless(buffer_equals(out, concat(in_header, payload)), "packet %u not restored", i);
    gst_buffer_unref(out);
  }
  GstCaps* got = gst_pad_get_current_caps(h->sinkpad);
  GstCaps* want = gst_caps_from_string(kRtpCaps);
  fail_unless(gst_caps_is_equal(got, want), "got %" GST_PTR_FORMAT, got);
  gst_caps_unref(got);
  gst_caps_unref(want);
  gst_harness_teardown(h);
}
GST_END_TEST;

// Packet mode from the core's ciphertext in a packet that a sender padded
// after encryption: the padding is removed, the header kept.
GST_START_TEST(test_packet_mode_from_core)
{
  GstHarness* h = new_dec("key-id=77", false);
  gst_harness_set_src_caps_str(h, kRtpCaps);
  Sender tx(77);
  for (guint8 padding : { 0, 3, 0, 1 }) {
    RtpSpec spec;
    spec.seq = static_cast<guint16>(10 + padding);
    spec.padding = padding;
    const Bytes payload = pattern(400, padding);
    GstBuffer* in = make_rtp(tx.frame(payload), spec);
    const size_t hlen = rtp_header_len(in);
    Bytes in_header = to_bytes(in);
    in_header.resize(hlen);
    in_header[0] &= ~0x20;
    gst_harness_push(h, in);
    GstBuffer* out = gst_harness_pull(h);
    check_rtp_fields(out, spec);
    fail_unless(buffer_equals(out, concat(in_header, payload)));
    gst_buffer_unref(out);
  }
  gst_harness_teardown(h);
}
GST_END_TEST;

// What cannot be parsed as RTP is a syntax failure: dropped, counted, one
// message without a KID.
GST_START_TEST(test_invalid_rtp_dropped)
{
  GstHarness* h = new_dec("", false);
  GstBus* bus = attach_bus(h);
  gst_harness_set_src_caps_str(h, kRtpCaps);
  Bytes v2 = pattern(40);
  v2[0] = 0x80;
  Bytes pad_too_long = v2;
  pad_too_long[0] = 0xa0;
  pad_too_long.back() = 100;
  Bytes csrc_too_many = v2;
  csrc_too_many[0] = 0x8f;
  const Bytes bad[] = { Bytes{ 0x80, 0x60, 0x00 }, slice(v2, 0, 11), pad_too_long, csrc_too_many };
  guint64 n = 0;
  for (const Bytes& b : bad) {
    gst_harness_push(h, to_buffer(b));
    n++;
    fail_unless(gst_harness_try_pull(h) == nullptr);
    fail_unless_equals_uint64(stat(h->element, "dropped-syntax"), n);
  }
  // RTP, but the payload is no SFrame (a header that claims more bytes).
  gst_harness_push(h, make_rtp(Bytes{ 0xff }, 1, false));
  fail_unless(gst_harness_try_pull(h) == nullptr);
  fail_unless_equals_uint64(stat(h->element, "dropped-syntax"), n + 1);
  GstMessage* msg = gst_bus_pop_filtered(bus, GST_MESSAGE_ELEMENT);
  fail_unless(msg != nullptr);
  const GstStructure* s = gst_message_get_structure(msg);
  fail_unless(gst_structure_has_name(s, "sframe-dec-drop"));
  fail_unless_equals_string(gst_structure_get_string(s, "reason"), "syntax");
  fail_if(gst_structure_has_field(s, "kid"), "no header was parsed, yet a KID is reported");
  gst_message_unref(msg);
  fail_unless(gst_bus_pop_filtered(bus, GST_MESSAGE_ELEMENT) == nullptr);
  release_bus(bus);
  gst_harness_teardown(h);
}
GST_END_TEST;

GST_START_TEST(test_clear_prefix_round_trip)
{
  GstHarness* h = new_enc_dec("clear-prefix=vp8", "clear-prefix=vp8");
  start_capsless(h);
  Bytes key_frame = pattern(50);
  key_frame[0] = 0x00;
  Bytes delta = pattern(50, 3);
  delta[0] = 0x01;
  for (const Bytes* f : { &key_frame, &delta, &delta, &key_frame }) {
    gst_harness_push(h, to_buffer(*f));
    GstBuffer* out = gst_harness_pull(h);
    fail_unless(buffer_equals(out, *f));
    gst_buffer_unref(out);
  }
  gst_harness_teardown(h);

  h = new_enc_dec("clear-prefix=opus", "clear-prefix=opus");
  start_capsless(h);
  for (size_t n : { 1, 2, 60 }) {
    const Bytes opus = pattern(n);
    gst_harness_push(h, to_buffer(opus));
    GstBuffer* out = gst_harness_pull(h);
    fail_unless(buffer_equals(out, opus), "opus frame of %" G_GSIZE_FORMAT " bytes", n);
    gst_buffer_unref(out);
  }
  gst_harness_teardown(h);
}
GST_END_TEST;

// The clear prefix is authenticated: any changed bit drops the frame.
GST_START_TEST(test_clear_prefix_authenticated)
{
  Bytes key_frame = pattern(50);
  key_frame[0] = 0x00;
  Bytes delta = pattern(50, 3);
  delta[0] = 0x01;
  const Bytes opus = pattern(30, 5);
  const struct {
    const char* setting;
    const Bytes* frame;
    size_t prefix;
    size_t flip_byte;
    uint8_t flip_mask;
  } cases[] = {
    { "vp8", &key_frame, 10, 9, 0x01 }, { "vp8", &key_frame, 10, 3, 0x80 }, { "vp8", &delta, 3, 1, 0x80 },
    { "vp8", &delta, 3, 2, 0x01 },      { "opus", &opus, 1, 0, 0x04 },
  };
  for (const auto& c : cases) {
    gchar* props = g_strdup_printf("clear-prefix=%s", c.setting);
    GstHarness* h = new_dec(props);
    g_free(props);
    Sender tx(0);
    const Bytes frame = tx.prefixed(*c.frame, c.prefix);
    Bytes tampered = frame;
    tampered[c.flip_byte] ^= c.flip_mask;
    gst_harness_push(h, to_buffer(tampered));
    fail_unless(gst_harness_try_pull(h) == nullptr,
                "%s: tampered prefix byte %" G_GSIZE_FORMAT " accepted",
                c.setting,
                c.flip_byte);
    fail_unless_equals_uint64(stat(h->element, "dropped-authentication"), 1);
    gst_harness_push(h, to_buffer(frame));
    GstBuffer* out = gst_harness_pull(h);
    fail_unless(buffer_equals(out, *c.frame));
    gst_buffer_unref(out);
    gst_harness_teardown(h);
  }

  // Flipping bit 0 of a VP8 frame tag changes the prefix length: still no
  // plaintext comes out.
  GstHarness* h = new_dec("clear-prefix=vp8");
  Sender tx(0);
  Bytes tampered = tx.prefixed(key_frame, 10);
  tampered[0] ^= 0x01;
  gst_harness_push(h, to_buffer(tampered));
  fail_unless(gst_harness_try_pull(h) == nullptr);
  fail_unless_equals_uint64(total_dropped(h->element), 1);
  gst_harness_teardown(h);
}
GST_END_TEST;

// Sender and receiver must agree on clear-prefix; when they do not, nothing
// is decrypted (and nothing unauthenticated leaves).
GST_START_TEST(test_clear_prefix_mismatch_dropped)
{
  const char* pairs[][2] = { { "vp8", "none" },  { "none", "vp8" }, { "opus", "none" },
                             { "none", "opus" }, { "vp8", "opus" }, { "opus", "vp8" } };
  Bytes key_frame = pattern(50);
  key_frame[0] = 0x00;
  Bytes delta = pattern(50, 3);
  delta[0] = 0x01;
  for (const auto& p : pairs) {
    gchar* enc_props = g_strdup_printf("clear-prefix=%s", p[0]);
    gchar* dec_props = g_strdup_printf("clear-prefix=%s", p[1]);
    GstHarness* h = new_enc_dec(enc_props, dec_props);
    g_free(enc_props);
    g_free(dec_props);
    start_capsless(h);
    GstElement* dec = gst_harness_find_element(h, "sframedec");
    for (const Bytes* f : { &key_frame, &delta }) {
      gst_harness_push(h, to_buffer(*f));
      fail_unless(gst_harness_try_pull(h) == nullptr, "enc %s, dec %s: a frame came out", p[0], p[1]);
    }
    fail_unless_equals_uint64(stat(dec, "frames-decrypted"), 0);
    fail_unless_equals_uint64(total_dropped(dec), 2);
    gst_object_unref(dec);
    gst_harness_teardown(h);
  }
}
GST_END_TEST;

GST_START_TEST(test_empty_buffer_passes)
{
  for (bool packet : { false, true }) {
    GstHarness* h = new_dec("", !packet);
    if (packet)
      gst_harness_set_src_caps_str(h, kRtpCaps);
    GstBuffer* in = gst_buffer_new();
    GST_BUFFER_PTS(in) = GST_SECOND;
    gst_harness_push(h, in);
    GstBuffer* out = gst_harness_pull(h);
    fail_unless_equals_uint64(gst_buffer_get_size(out), 0);
    fail_unless_equals_uint64(GST_BUFFER_PTS(out), GST_SECOND);
    gst_buffer_unref(out);
    fail_unless_equals_uint64(stat(h->element, "frames-passed-empty"), 1);
    fail_unless_equals_uint64(stat(h->element, "frames-decrypted"), 0);
    fail_unless_equals_uint64(total_dropped(h->element), 0);
    gst_harness_teardown(h);
  }
}
GST_END_TEST;

// One sframe-dec-drop message, checked and freed.
struct DropMessage {
  std::string reason;
  bool has_kid = false;
  guint64 kid = 0;
  guint64 dropped = 0;
};

static bool pop_drop_message(GstBus* bus, DropMessage* out)
{
  GstMessage* msg = gst_bus_pop_filtered(bus, GST_MESSAGE_ELEMENT);
  if (!msg)
    return false;
  const GstStructure* s = gst_message_get_structure(msg);
  fail_unless(gst_structure_has_name(s, "sframe-dec-drop"), "unexpected message %" GST_PTR_FORMAT, s);
  const gchar* reason = gst_structure_get_string(s, "reason");
  fail_unless(reason != nullptr);
  out->reason = reason;
  out->has_kid = gst_structure_get_uint64(s, "kid", &out->kid);
  fail_unless(gst_structure_get_uint64(s, "dropped", &out->dropped), "message lacks dropped");
  gst_message_unref(msg);
  return true;
}

// Every failure reason: dropped, counted, reported, and the next good frame
// asks upstream for a key frame exactly once.
GST_START_TEST(test_failures_dropped_counted_reported)
{
  GstHarness* h = new_dec("key-id=9");
  GstBus* bus = attach_bus(h);
  Sender tx(9);
  Sender stranger(10);
  const Bytes pt = pattern(40);

  const Bytes good0 = tx.frame(pt);
  gst_harness_push(h, to_buffer(good0));
  gst_buffer_unref(gst_harness_pull(h));
  fail_unless_equals_int(count_key_unit_requests(h), 0);

  Bytes flipped_tag = tx.frame(pt);
  flipped_tag.back() ^= 1;
  Bytes flipped_ct = tx.frame(pt);
  flipped_ct[5] ^= 0x10;
  const struct {
    Bytes frame;
    const char* field;
    const char* reason;
    bool has_kid;
    guint64 kid;
  } cases[] = {
    { stranger.frame(pt), "dropped-unknown-kid", "unknown-kid", true, 10 },
    { flipped_tag, "dropped-authentication", "authentication", true, 9 },
    { Bytes{ 0x9f }, "dropped-syntax", "syntax", false, 0 },      // header claims 10 more bytes
    { slice(good0, 0, 10), "dropped-syntax", "syntax", true, 9 }, // shorter than the tag
    { good0, "dropped-replay", "replay", true, 9 },
    { flipped_ct, "dropped-authentication", "authentication", true, 9 },
  };
  for (const auto& c : cases) {
    const guint64 before = stat(h->element, c.field);
    gst_harness_push(h, to_buffer(c.frame));
    fail_unless(gst_harness_try_pull(h) == nullptr, "%s frame was pushed", c.reason);
    fail_unless_equals_uint64(stat(h->element, c.field), before + 1);
    // A drop alone asks for nothing: there is no frame to recover with yet.
    fail_unless_equals_int(count_key_unit_requests(h), 0);
  }
  fail_unless_equals_uint64(stat(h->element, "frames-in"), 7);
  fail_unless_equals_uint64(stat(h->element, "frames-decrypted"), 1);

  // The first drop of each reason is reported; the repeats within the second
  // (syntax, authentication) are not.
  const char* want_reasons[] = { "unknown-kid", "authentication", "syntax", "replay" };
  for (const char* reason : want_reasons) {
    DropMessage m;
    fail_unless(pop_drop_message(bus, &m), "no message for %s", reason);
    fail_unless_equals_string(m.reason.c_str(), reason);
    fail_unless_equals_uint64(m.dropped, 1);
    if (g_str_equal(reason, "syntax")) {
      fail_if(m.has_kid, "the unparsed header's KID was reported");
    } else {
      fail_unless(m.has_kid, "%s without kid", reason);
      fail_unless_equals_uint64(m.kid, g_str_equal(reason, "unknown-kid") ? 10 : 9);
    }
  }
  DropMessage extra;
  fail_if(pop_drop_message(bus, &extra), "extra message for %s", extra.reason.c_str());

  // Per-KID tallies: 1 decrypted, 3 failures (2 authentication, 1 replay);
  // the unknown KID has no entry.
  KidStats k;
  fail_unless(kid_stats(h->element, 9, &k));
  fail_unless_equals_uint64(k.decrypted, 1);
  fail_unless_equals_uint64(k.failed, 3);
  fail_unless_equals_int(kid_count(h->element), 1);

  // Recovery: one key-frame request with the first good frame, none after.
  gst_harness_push(h, to_buffer(tx.frame(pt)));
  gst_buffer_unref(gst_harness_pull(h));
  fail_unless_equals_int(count_key_unit_requests(h), 1);
  for (int i = 0; i < 3; i++) {
    gst_harness_push(h, to_buffer(tx.frame(pt)));
    gst_buffer_unref(gst_harness_pull(h));
  }
  fail_unless_equals_int(count_key_unit_requests(h), 0);
  fail_unless_equals_uint64(stat(h->element, "key-frame-requests"), 1);
  fail_unless(kid_stats(h->element, 9, &k));
  fail_unless_equals_uint64(k.decrypted, 5);
  release_bus(bus);
  gst_harness_teardown(h);
}
GST_END_TEST;

// Many drops in a row: one message per reason per second, while the stats
// count all of them.
GST_START_TEST(test_drop_messages_rate_limited)
{
  GstHarness* h = new_dec("key-id=9");
  GstBus* bus = attach_bus(h);
  Sender tx(9);
  Sender stranger(10);
  const Bytes pt = pattern(40);
  const Bytes good = tx.frame(pt);
  gst_harness_push(h, to_buffer(good));
  gst_buffer_unref(gst_harness_pull(h));

  const int kRounds = 50;
  const gint64 start = g_get_monotonic_time();
  for (int i = 0; i < kRounds; i++) {
    Bytes bad_tag = tx.frame(pt);
    bad_tag.back() ^= 0x40;
    for (const Bytes& f : { stranger.frame(pt), bad_tag, Bytes{ 0x9f }, good }) {
      gst_harness_push(h, to_buffer(f));
      fail_unless(gst_harness_try_pull(h) == nullptr);
    }
  }
  const gint64 elapsed_us = g_get_monotonic_time() - start;
  for (const char* f : { "dropped-unknown-kid", "dropped-authentication", "dropped-syntax", "dropped-replay" })
    fail_unless_equals_uint64(stat(h->element, f), kRounds);

  int per_reason[4] = {};
  const char* reasons[] = { "unknown-kid", "authentication", "syntax", "replay" };
  DropMessage m;
  while (pop_drop_message(bus, &m)) {
    bool known = false;
    for (int r = 0; r < 4; r++) {
      if (m.reason == reasons[r]) {
        per_reason[r]++;
        known = true;
      }
    }
    fail_unless(known, "unknown reason %s", m.reason.c_str());
  }
  // One message per reason per started second; the loop normally takes
  // milliseconds, so that is exactly one (no sleeping to prove it).
  const int allowed = 1 + static_cast<int>(elapsed_us / G_USEC_PER_SEC);
  for (int r = 0; r < 4; r++) {
    fail_unless(per_reason[r] >= 1, "no message for %s", reasons[r]);
    fail_unless(
      per_reason[r] <= allowed, "%d messages for %s in %" G_GINT64_FORMAT " us", per_reason[r], reasons[r], elapsed_us);
  }
  release_bus(bus);
  gst_harness_teardown(h);
}
GST_END_TEST;

GST_START_TEST(test_replay_window)
{
  GstHarness* h = new_dec("replay-window=4");
  GstBus* bus = attach_bus(h);
  Sender tx(0);
  std::vector<Bytes> frames;
  for (int i = 0; i < 10; i++)
    frames.push_back(tx.frame(pattern(20, static_cast<uint8_t>(i))));
  auto accepted = [&](int i) {
    gst_harness_push(h, to_buffer(frames[static_cast<size_t>(i)]));
    GstBuffer* out = gst_harness_try_pull(h);
    if (out)
      gst_buffer_unref(out);
    return out != nullptr;
  };
  fail_unless(accepted(9));
  fail_unless(accepted(7));  // reordered, within the window
  fail_unless(!accepted(7)); // duplicate
  fail_unless(!accepted(5)); // 9 - 5 >= 4: too old to tell from a replay
  fail_unless(!accepted(0));
  fail_unless(accepted(6));
  fail_unless(!accepted(9));
  fail_unless_equals_uint64(stat(h->element, "dropped-replay"), 4);
  fail_unless_equals_uint64(stat(h->element, "frames-decrypted"), 3);
  KidStats k;
  fail_unless(kid_stats(h->element, 0, &k));
  fail_unless_equals_uint64(k.decrypted, 3);
  fail_unless_equals_uint64(k.failed, 4);
  DropMessage m;
  fail_unless(pop_drop_message(bus, &m));
  fail_unless_equals_string(m.reason.c_str(), "replay");
  fail_unless(m.has_kid);
  fail_unless_equals_uint64(m.kid, 0);
  release_bus(bus);
  gst_harness_teardown(h);
}
GST_END_TEST;

// A frame that does not authenticate must not move the window: a forged
// counter far ahead would otherwise make every genuine frame a "replay".
GST_START_TEST(test_window_moves_only_when_authenticated)
{
  GstHarness* h = new_dec("replay-window=4");
  Sender forger(0, kDefaultSuite, pattern(16, 99), 1000000);
  Sender tx(0);
  gst_harness_push(h, to_buffer(forger.frame(pattern(20))));
  fail_unless(gst_harness_try_pull(h) == nullptr);
  fail_unless_equals_uint64(stat(h->element, "dropped-authentication"), 1);
  for (int i = 0; i < 3; i++) {
    const Bytes pt = pattern(20, static_cast<uint8_t>(i));
    gst_harness_push(h, to_buffer(tx.frame(pt)));
    GstBuffer* out = gst_harness_try_pull(h);
    fail_unless(out != nullptr, "genuine frame %d refused after a forged one", i);
    fail_unless(buffer_equals(out, pt));
    gst_buffer_unref(out);
  }
  fail_unless_equals_uint64(stat(h->element, "dropped-replay"), 0);
  gst_harness_teardown(h);
}
GST_END_TEST;

// "The windows start empty at each start (READY to PAUSED)."
GST_START_TEST(test_windows_restart_empty)
{
  GstHarness* h = new_dec();
  Sender tx(0);
  const Bytes pt = pattern(20);
  const Bytes f = tx.frame(pt);
  gst_harness_push(h, to_buffer(f));
  gst_buffer_unref(gst_harness_pull(h));
  gst_harness_push(h, to_buffer(f));
  fail_unless(gst_harness_try_pull(h) == nullptr);
  fail_unless(gst_element_set_state(h->element, GST_STATE_READY) == GST_STATE_CHANGE_SUCCESS);
  gst_harness_play(h);
  start_capsless(h);
  gst_harness_push(h, to_buffer(f));
  GstBuffer* out = gst_harness_try_pull(h);
  fail_unless(out != nullptr, "the window survived a restart");
  fail_unless(buffer_equals(out, pt));
  gst_buffer_unref(out);
  gst_harness_teardown(h);
}
GST_END_TEST;

// "A frame is decrypted in place ... no payload is copied": the output is the
// input memory, starting after the SFrame header.
GST_START_TEST(test_decrypts_in_place)
{
  for (bool packet : { false, true }) {
    GstHarness* h = new_dec("key-id=1000", !packet);
    if (packet)
      gst_harness_set_src_caps_str(h, kRtpCaps);
    Sender tx(1000);
    const Bytes pt = pattern(600);
    const Bytes ct = tx.frame(pt);
    const size_t header = header_of(ct).size;
    GstBuffer* in = packet ? make_rtp(ct, 5, false) : to_buffer(ct);
    const size_t clear = packet ? rtp_header_len(in) : 0;
    GstMapInfo map;
    fail_unless(gst_buffer_map(in, &map, GST_MAP_READ));
    const guint8* in_data = map.data;
    gst_buffer_unmap(in, &map);
    gst_harness_push(h, in);
    GstBuffer* out = gst_harness_pull(h);
    fail_unless(gst_buffer_map(out, &map, GST_MAP_READ));
    fail_unless(map.data == in_data + header, "plaintext was copied (packet mode: %d)", packet);
    fail_unless_equals_uint64(map.size, clear + pt.size());
    fail_unless(memcmp(map.data + clear, pt.data(), pt.size()) == 0);
    gst_buffer_unmap(out, &map);
    gst_buffer_unref(out);
    gst_harness_teardown(h);
  }
}
GST_END_TEST;

GST_START_TEST(test_key_is_write_only)
{
  GstElement* e = gst_element_factory_make("sframedec", nullptr);
  GParamSpec* pspec = g_object_class_find_property(G_OBJECT_GET_CLASS(e), "key");
  fail_unless(pspec != nullptr);
  fail_unless((pspec->flags & G_PARAM_READABLE) == 0);
  fail_unless((pspec->flags & G_PARAM_WRITABLE) != 0);
  gst_object_unref(e);
}
GST_END_TEST;

GST_START_TEST(test_invalid_key_fails_start)
{
  for (const char* key : { "zz", "abc", "00112233445566778899aabbccddeeXX" })
    check_key_refused("sframedec", key);
}
GST_END_TEST;

static Suite* sframedec_suite()
{
  Suite* s = suite_create("sframedec");
  TCase* tc = tcase_create("general");
  suite_add_tcase(s, tc);
  tcase_add_test(tc, test_capsless_round_trip_all_suites);
  tcase_add_test(tc, test_capsless_enc_dec_all_suites);
  tcase_add_test(tc, test_caps_round_trip);
  tcase_add_test(tc, test_original_caps_restored);
  tcase_add_test(tc, test_sframe_caps_without_original);
  tcase_add_test(tc, test_other_caps_pass_through);
  tcase_add_test(tc, test_packet_mode_round_trip);
  tcase_add_test(tc, test_packet_mode_from_core);
  tcase_add_test(tc, test_invalid_rtp_dropped);
  tcase_add_test(tc, test_clear_prefix_round_trip);
  tcase_add_test(tc, test_clear_prefix_authenticated);
  tcase_add_test(tc, test_clear_prefix_mismatch_dropped);
  tcase_add_test(tc, test_empty_buffer_passes);
  tcase_add_test(tc, test_failures_dropped_counted_reported);
  tcase_add_test(tc, test_drop_messages_rate_limited);
  tcase_add_test(tc, test_replay_window);
  tcase_add_test(tc, test_window_moves_only_when_authenticated);
  tcase_add_test(tc, test_windows_restart_empty);
  tcase_add_test(tc, test_decrypts_in_place);
  tcase_add_test(tc, test_key_is_write_only);
  tcase_add_test(tc, test_invalid_key_fails_start);
  return s;
}

GST_CHECK_MAIN(sframedec);
