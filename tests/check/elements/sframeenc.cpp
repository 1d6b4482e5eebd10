// SPDX-License-Identifier: LGPL-2.1-or-later
// sframeenc with GstHarness, against docs/elements/sframeenc.md: known-answer
// bytes from the SFrame core, caps, packet mode, clear prefix, key handling and
// counters.
#include "sframe-test-util.h"

using namespace testutil;

static GstHarness* new_enc(const char* props = "", bool capsless = true)
{
  gchar* all = g_strdup_printf("key=%s %s", kKeyHex, props);
  GstHarness* h = harness_for("sframeenc", all, capsless);
  g_free(all);
  return h;
}

static const char kRtpCaps[] =
  "application/x-rtp, media=(string)video, clock-rate=(int)90000, encoding-name=(string)VP8, payload=(int)96";

// Caps-less input is frame mode: one buffer -> one RFC 9605 ciphertext, with
// the counter going 0, 1, 2, ... (the header grows at 8), for every suite, and
// the output has no caps either.
GST_START_TEST(test_capsless_known_answer_all_suites)
{
  for (int suite = 1; suite <= 8; suite++) {
    gchar* props = g_strdup_printf("key-id=7 cipher-suite=%s", suite_nick(suite));
    GstHarness* h = new_enc(props);
    g_free(props);
    for (uint64_t ctr = 0; ctr < 10; ctr++) {
      const Bytes pt = pattern(100 + ctr, static_cast<uint8_t>(suite));
      gst_harness_push(h, to_buffer(pt));
      GstBuffer* out = gst_harness_pull(h);
      const Bytes want = core_protect(static_cast<sf::CipherSuite>(suite), 7, ctr, pt);
      fail_unless(buffer_equals(out, want), "suite %d counter %" G_GUINT64_FORMAT " differs", suite, ctr);
      const sf::Header hdr = header_of(to_bytes(out));
      fail_unless_equals_uint64(hdr.kid, 7);
      fail_unless_equals_uint64(hdr.ctr, ctr);
      gst_buffer_unref(out);
    }
    fail_unless(gst_pad_get_current_caps(h->sinkpad) == nullptr, "caps-less input got output caps");
    fail_unless_equals_uint64(stat(h->element, "frames-in"), 10);
    fail_unless_equals_uint64(stat(h->element, "frames-encrypted"), 10);
    fail_unless_equals_uint64(stat(h->element, "kid"), 7);
    gst_harness_teardown(h);
  }
}
GST_END_TEST;

// Caps-less output buffers are allocated by sframeenc itself: timing must
// still be carried over as on the negotiated path.
GST_START_TEST(test_capsless_keeps_timestamps)
{
  GstHarness* h = new_enc();
  GstBuffer* in = to_buffer(pattern(40));
  GST_BUFFER_PTS(in) = 3 * GST_SECOND;
  GST_BUFFER_DTS(in) = 2 * GST_SECOND;
  GST_BUFFER_DURATION(in) = GST_SECOND / 30;
  gst_harness_push(h, in);
  GstBuffer* out = gst_harness_pull(h);
  fail_unless_equals_uint64(GST_BUFFER_PTS(out), 3 * GST_SECOND);
  fail_unless_equals_uint64(GST_BUFFER_DTS(out), 2 * GST_SECOND);
  fail_unless_equals_uint64(GST_BUFFER_DURATION(out), GST_SECOND / 30);
  gst_buffer_unref(out);
  gst_harness_teardown(h);
}
GST_END_TEST;

// Frame mode with caps: application/x-sframe carrying the input caps.
GST_START_TEST(test_frame_mode_caps)
{
  const char* caps_list[] = {
    "video/x-vp8, width=(int)320, height=(int)240, framerate=(fraction)30/1",
    "audio/x-opus, channel-mapping-family=(int)0, rate=(int)48000, channels=(int)2",
  };
  for (const char* c : caps_list) {
    GstHarness* h = new_enc("", false);
    gst_harness_set_src_caps_str(h, c);
    const Bytes pt = pattern(50);
    gst_harness_push(h, to_buffer(pt));
    GstBuffer* out = gst_harness_pull(h);
    fail_unless(buffer_equals(out, core_protect(kDefaultSuite, 0, 0, pt)));
    gst_buffer_unref(out);
    GstCaps* caps = gst_pad_get_current_caps(h->sinkpad);
    fail_unless(caps != nullptr);
    fail_unless_equals_int(gst_caps_get_size(caps), 1);
    const GstStructure* s = gst_caps_get_structure(caps, 0);
    fail_unless(gst_structure_has_name(s, "application/x-sframe"), "output caps %" GST_PTR_FORMAT, caps);
    const gchar* orig_str = gst_structure_get_string(s, "original-caps");
    fail_unless(orig_str != nullptr, "no original-caps in %" GST_PTR_FORMAT, caps);
    GstCaps* orig = gst_caps_from_string(orig_str);
    GstCaps* in = gst_caps_from_string(c);
    fail_unless(gst_caps_is_equal(orig, in), "original-caps %s for %s", orig_str, c);
    gst_caps_unref(in);
    gst_caps_unref(orig);
    gst_caps_unref(caps);
    gst_harness_teardown(h);
  }
}
GST_END_TEST;

// Packet mode: header, CSRCs and extension byte-identical (padding bit
// cleared), fields unchanged, payload replaced by the SFrame ciphertext of
// the unpadded payload; output caps equal input caps.
GST_START_TEST(test_packet_mode)
{
  GstHarness* h = new_enc("key-id=3", false);
  gst_harness_set_src_caps_str(h, kRtpCaps);
  struct Case {
    size_t payload;
    guint8 csrcs;
    bool extension;
    bool marker;
    guint8 padding;
  };
  const Case cases[] = {
    { 300, 2, true, true, 0 },    { 300, 2, true, true, 4 },   { 120, 0, false, false, 1 },
    { 50, 15, true, false, 255 }, { 1200, 1, false, true, 0 }, { 0, 0, false, false, 16 }, // padding only
  };
  uint64_t ctr = 0;
  for (const Case& c : cases) {
    RtpSpec spec;
    spec.seq = static_cast<guint16>(65534 + ctr); // wraps: the element must not care
    spec.ts = 0xfffffff0u + static_cast<guint32>(ctr);
    spec.pt = static_cast<guint8>(96 + ctr);
    spec.marker = c.marker;
    spec.csrcs = c.csrcs;
    spec.extension = c.extension;
    spec.padding = c.padding;
    const Bytes payload = pattern(c.payload, static_cast<uint8_t>(ctr));
    GstBuffer* in = make_rtp(payload, spec);
    const Bytes in_bytes = to_bytes(in);
    const size_t hlen = rtp_header_len(in);
    gst_harness_push(h, in);
    GstBuffer* out = gst_harness_pull(h);
    const Bytes out_bytes = to_bytes(out);

    Bytes want_header = slice(in_bytes, 0, hlen);
    want_header[0] &= ~0x20;
    fail_unless(out_bytes.size() > hlen);
    fail_unless(slice(out_bytes, 0, hlen) == want_header, "RTP header changed (case %" G_GUINT64_FORMAT ")", ctr);
    check_rtp_fields(out, spec);
    const Bytes ct = slice(out_bytes, hlen, out_bytes.size());
    fail_unless(ct == core_protect(kDefaultSuite, 3, ctr, payload), "case %" G_GUINT64_FORMAT, ctr);
    fail_unless(core_unprotect(kDefaultSuite, 3, ct) == payload);
    fail_unless_equals_uint64(header_of(ct).ctr, ctr);
    gst_buffer_unref(out);
    ctr++;
  }
  GstCaps* got = gst_pad_get_current_caps(h->sinkpad);
  GstCaps* want = gst_caps_from_string(kRtpCaps);
  fail_unless(gst_caps_is_equal(got, want), "packet mode output caps %" GST_PTR_FORMAT, got);
  gst_caps_unref(got);
  gst_caps_unref(want);
  gst_harness_teardown(h);
}
GST_END_TEST;

// Buffers that are not RTP packets cannot be split into header and payload:
// each is dropped, counted, and reported by a rate-limited warning.
GST_START_TEST(test_packet_mode_invalid_dropped)
{
  GstHarness* h = new_enc("", false);
  GstBus* bus = attach_bus(h);
  gst_harness_set_src_caps_str(h, kRtpCaps);
  Bytes v2 = pattern(40);
  v2[0] = 0x80;
  auto with_first = [&](uint8_t b0) {
    Bytes p = v2;
    p[0] = b0;
    return p;
  };
  Bytes ext_too_long = with_first(0x90); // X: extension header at byte 12
  ext_too_long[14] = 0x00;
  ext_too_long[15] = 0x20; // 32 words: beyond the packet
  Bytes pad_zero = with_first(0xa0);
  pad_zero.back() = 0; // RFC 3550: the count includes itself, so 0 is invalid
  Bytes pad_too_long = with_first(0xa0);
  pad_too_long.back() = 200;
  const Bytes bad[] = {
    pattern(5),                     // shorter than the fixed header
    slice(v2, 0, 11),               // one byte short of the fixed header
    with_first(0x40),               // version 1
    with_first(0x00),               // version 0
    with_first(0x8f),               // 15 CSRCs do not fit in 40 bytes
    slice(with_first(0x90), 0, 14), // extension header cut off
    ext_too_long,
    pad_zero,
    pad_too_long,
  };
  guint64 n = 0;
  for (const Bytes& b : bad) {
    gst_harness_push(h, to_buffer(b));
    n++;
    fail_unless(gst_harness_try_pull(h) == nullptr, "invalid packet %" G_GUINT64_FORMAT " was pushed", n);
    fail_unless_equals_uint64(stat(h->element, "dropped-invalid"), n);
  }
  fail_unless_equals_uint64(stat(h->element, "frames-encrypted"), 0);
  fail_unless_equals_uint64(stat(h->element, "frames-in"), n);
  GstMessage* msg = gst_bus_pop_filtered(bus, GST_MESSAGE_WARNING);
  fail_unless(msg != nullptr, "no warning for dropped packets");
  gst_message_unref(msg);
  fail_unless(gst_bus_pop_filtered(bus, GST_MESSAGE_WARNING) == nullptr, "warning not rate-limited");
  fail_unless(gst_bus_pop_filtered(bus, GST_MESSAGE_ERROR) == nullptr, "bad input is not an error");

  // The stream goes on.
  const Bytes payload = pattern(30);
  gst_harness_push(h, make_rtp(payload, 1, false));
  GstBuffer* out = gst_harness_pull(h);
  fail_unless(core_unprotect(kDefaultSuite, 0, rtp_payload(out)) == payload);
  gst_buffer_unref(out);
  release_bus(bus);
  gst_harness_teardown(h);
}
GST_END_TEST;

// clear-prefix=vp8: 10 bytes of key frames and 3 of delta frames stay in
// front, in clear, and are the SFrame metadata.
GST_START_TEST(test_clear_prefix_vp8)
{
  GstHarness* h = new_enc("clear-prefix=vp8");
  Bytes key_frame = pattern(40);
  key_frame[0] = 0x10; // bit 0 clear: key frame
  Bytes delta = pattern(40, 9);
  delta[0] = 0x11;
  const struct {
    const Bytes* frame;
    size_t prefix;
  } cases[] = { { &key_frame, 10 }, { &delta, 3 }, { &key_frame, 10 } };
  uint64_t ctr = 0;
  for (const auto& c : cases) {
    gst_harness_push(h, to_buffer(*c.frame));
    GstBuffer* out = gst_harness_pull(h);
    const Bytes& f = *c.frame;
    const Bytes meta = slice(f, 0, c.prefix);
    const Bytes want = concat(meta, core_protect(kDefaultSuite, 0, ctr, slice(f, c.prefix, f.size()), meta));
    fail_unless(buffer_equals(out, want), "frame %" G_GUINT64_FORMAT, ctr);
    const Bytes got = to_bytes(out);
    fail_unless(core_unprotect(kDefaultSuite, 0, slice(got, c.prefix, got.size()), meta) ==
                slice(f, c.prefix, f.size()));
    gst_buffer_unref(out);
    ctr++;
  }
  // A frame shorter than its prefix cannot be protected as configured.
  Bytes short_key = pattern(9);
  short_key[0] = 0x00;
  gst_harness_push(h, to_buffer(short_key));
  gst_harness_push(h, to_buffer({ 0x01, 0x02 }));
  fail_unless(gst_harness_try_pull(h) == nullptr);
  fail_unless_equals_uint64(stat(h->element, "dropped-invalid"), 2);
  gst_harness_teardown(h);
}
GST_END_TEST;

GST_START_TEST(test_clear_prefix_opus)
{
  GstHarness* h = new_enc("clear-prefix=opus");
  for (uint64_t ctr = 0; ctr < 3; ctr++) {
    const Bytes opus = pattern(20 + ctr, static_cast<uint8_t>(ctr));
    gst_harness_push(h, to_buffer(opus));
    GstBuffer* out = gst_harness_pull(h);
    const Bytes toc = { opus[0] };
    fail_unless(buffer_equals(out, concat(toc, core_protect(kDefaultSuite, 0, ctr, slice(opus, 1, opus.size()), toc))));
    gst_buffer_unref(out);
  }
  fail_unless_equals_uint64(stat(h->element, "dropped-invalid"), 0);
  gst_harness_teardown(h);
}
GST_END_TEST;

// Zero-length buffers (Opus DTX) have nothing to hide: passed through as
// they are, in frame and packet mode.
GST_START_TEST(test_empty_buffer_passes)
{
  for (bool packet : { false, true }) {
    GstHarness* h = new_enc("", !packet);
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
    fail_unless_equals_uint64(stat(h->element, "frames-encrypted"), 0);
    fail_unless_equals_uint64(stat(h->element, "dropped-invalid"), 0);
    // An empty buffer uses no counter.
    const Bytes pt = pattern(10);
    gst_harness_push(h, packet ? make_rtp(pt, 1, false) : to_buffer(pt));
    out = gst_harness_pull(h);
    fail_unless_equals_uint64(header_of(packet ? rtp_payload(out) : to_bytes(out)).ctr, 0);
    gst_buffer_unref(out);
    gst_harness_teardown(h);
  }
}
GST_END_TEST;

// The key is a secret: the property cannot be read back at all.
GST_START_TEST(test_key_is_write_only)
{
  GstElement* e = gst_element_factory_make("sframeenc", nullptr);
  GParamSpec* pspec = g_object_class_find_property(G_OBJECT_GET_CLASS(e), "key");
  fail_unless(pspec != nullptr);
  fail_unless((pspec->flags & G_PARAM_READABLE) == 0);
  fail_unless((pspec->flags & G_PARAM_WRITABLE) != 0);
  gst_object_unref(e);
}
GST_END_TEST;

GST_START_TEST(test_invalid_key_fails_start)
{
  for (const char* key : { "zz", "abc", "00112233445566778899aabbccddeeXX", "0x00112233445566778899aabbccddeeff" })
    check_key_refused("sframeenc", key);
}
GST_END_TEST;

// docs/elements/sframeenc.md, Errors: "Invalid key (not hex, empty)".
GST_START_TEST(test_empty_key_fails_start)
{
  check_key_refused("sframeenc", "");
}
GST_END_TEST;

// Stopping and playing again must not restart the counter: the same key and
// counter would repeat a nonce.
GST_START_TEST(test_counter_survives_restart)
{
  GstHarness* h = new_enc("key-id=5");
  const Bytes pt = pattern(30);
  const GstState down_to[] = { GST_STATE_NULL, GST_STATE_READY, GST_STATE_NULL };
  uint64_t ctr = 0;
  for (int round = 0; round <= 3; round++) {
    if (round > 0) {
      fail_unless(gst_element_set_state(h->element, down_to[round - 1]) == GST_STATE_CHANGE_SUCCESS);
      gst_harness_play(h);
      start_capsless(h);
    }
    for (int i = 0; i < 2; i++, ctr++) {
      gst_harness_push(h, to_buffer(pt));
      GstBuffer* out = gst_harness_pull(h);
      fail_unless_equals_uint64(header_of(to_bytes(out)).ctr, ctr);
      fail_unless(buffer_equals(out, core_protect(kDefaultSuite, 5, ctr, pt)));
      gst_buffer_unref(out);
    }
  }

  // A new key under the same KID continues the KID's counter too.
  g_object_set(h->element, "key", "ffeeddccbbaa99887766554433221100", nullptr);
  gst_harness_push(h, to_buffer(pt));
  GstBuffer* out = gst_harness_pull(h);
  fail_unless_equals_uint64(header_of(to_bytes(out)).ctr, ctr);
  gst_buffer_unref(out);
  gst_harness_teardown(h);
}
GST_END_TEST;

// Without a static key and with an empty keyring nothing leaves unencrypted.
GST_START_TEST(test_no_key_drops)
{
  GstHarness* h = harness_for("sframeenc");
  GstBus* bus = attach_bus(h);
  gst_harness_push(h, to_buffer(pattern(10)));
  gst_harness_push(h, to_buffer(pattern(10)));
  fail_unless(gst_harness_try_pull(h) == nullptr);
  fail_unless_equals_uint64(stat(h->element, "dropped-no-key"), 2);
  fail_unless_equals_uint64(stat(h->element, "frames-in"), 2);
  fail_unless_equals_uint64(stat(h->element, "frames-encrypted"), 0);
  GstMessage* msg = gst_bus_pop_filtered(bus, GST_MESSAGE_WARNING);
  fail_unless(msg != nullptr);
  gst_message_unref(msg);
  // Rate-limited: the second drop within a second posts nothing.
  fail_unless(gst_bus_pop_filtered(bus, GST_MESSAGE_WARNING) == nullptr);
  release_bus(bus);
  gst_harness_teardown(h);
}
GST_END_TEST;

static Suite* sframeenc_suite()
{
  Suite* s = suite_create("sframeenc");
  TCase* tc = tcase_create("general");
  suite_add_tcase(s, tc);
  tcase_add_test(tc, test_capsless_known_answer_all_suites);
  tcase_add_test(tc, test_capsless_keeps_timestamps);
  tcase_add_test(tc, test_frame_mode_caps);
  tcase_add_test(tc, test_packet_mode);
  tcase_add_test(tc, test_packet_mode_invalid_dropped);
  tcase_add_test(tc, test_clear_prefix_vp8);
  tcase_add_test(tc, test_clear_prefix_opus);
  tcase_add_test(tc, test_empty_buffer_passes);
  tcase_add_test(tc, test_key_is_write_only);
  tcase_add_test(tc, test_invalid_key_fails_start);
  tcase_add_test(tc, test_empty_key_fails_start);
  tcase_add_test(tc, test_counter_survives_restart);
  tcase_add_test(tc, test_no_key_drops);
  return s;
}

GST_CHECK_MAIN(sframeenc);
