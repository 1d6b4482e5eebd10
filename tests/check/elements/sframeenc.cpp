// SPDX-License-Identifier: LGPL-2.1-or-later
// sframeenc with GstHarness: known-answer bytes against the SFrame core, caps,
// packet mode, clear prefix, key handling and counters.
#include "sframe-test-util.h"

using namespace testutil;
namespace sf = gste2ee::sframe;

static GstHarness* new_enc(const char* props = "", bool capsless = true)
{
  gchar* all = g_strdup_printf("key=%s %s", kKeyHex, props);
  GstHarness* h = harness_for("sframeenc", all, capsless);
  g_free(all);
  return h;
}

// Caps-less input is frame mode: one buffer -> one RFC 9605 ciphertext, with
// the counter going 0, 1, 2, ... (the header grows at 8), for every suite.
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
      fail_unless(to_bytes(out) == want, "suite %d counter %" G_GUINT64_FORMAT " differs", suite, ctr);
      gst_buffer_unref(out);
    }
    fail_unless_equals_uint64(stat(h->element, "frames-encrypted"), 10);
    fail_unless_equals_uint64(stat(h->element, "kid"), 7);
    gst_harness_teardown(h);
  }
}
GST_END_TEST;

GST_START_TEST(test_frame_mode_caps)
{
  GstHarness* h = new_enc("", false);
  gst_harness_set_src_caps_str(h, "video/x-vp8, width=(int)320, height=(int)240, framerate=(fraction)30/1");
  gst_harness_push(h, to_buffer(pattern(50)));
  GstBuffer* out = gst_harness_pull(h);
  gst_buffer_unref(out);
  GstCaps* caps = gst_pad_get_current_caps(h->sinkpad);
  fail_unless(caps != nullptr);
  const GstStructure* s = gst_caps_get_structure(caps, 0);
  fail_unless(gst_structure_has_name(s, "application/x-sframe"));
  GstCaps* orig = gst_caps_from_string(gst_structure_get_string(s, "original-caps"));
  GstCaps* in = gst_caps_from_string("video/x-vp8, width=(int)320, height=(int)240, framerate=(fraction)30/1");
  fail_unless(gst_caps_is_equal(orig, in));
  gst_caps_unref(in);
  gst_caps_unref(orig);
  gst_caps_unref(caps);
  gst_harness_teardown(h);
}
GST_END_TEST;

// Packet mode: header, CSRCs and extension unchanged (padding bit cleared),
// payload replaced by the SFrame ciphertext of the unpadded payload.
GST_START_TEST(test_packet_mode)
{
  GstHarness* h = new_enc("key-id=3", false);
  gst_harness_set_src_caps_str(h, "application/x-rtp, media=(string)video, clock-rate=(int)90000, encoding-name=(string)VP8, payload=(int)96");
  for (guint16 seq = 100; seq < 103; seq++) {
    const bool padding = seq == 101;
    const Bytes payload = pattern(300, static_cast<uint8_t>(seq));
    GstBuffer* in = make_rtp(payload, seq, padding);
    const Bytes in_bytes = to_bytes(in);
    const size_t hlen = rtp_header_len(in);
    gst_harness_push(h, in);
    GstBuffer* out = gst_harness_pull(h);
    const Bytes out_bytes = to_bytes(out);

    Bytes want_header(in_bytes.begin(), in_bytes.begin() + static_cast<long>(hlen));
    want_header[0] &= ~0x20;
    fail_unless(Bytes(out_bytes.begin(), out_bytes.begin() + static_cast<long>(hlen)) == want_header);
    GstRTPBuffer rtp = GST_RTP_BUFFER_INIT;
    fail_unless(gst_rtp_buffer_map(out, GST_MAP_READ, &rtp));
    fail_unless_equals_int(gst_rtp_buffer_get_seq(&rtp), seq);
    fail_unless(gst_rtp_buffer_get_marker(&rtp));
    fail_unless_equals_uint64(gst_rtp_buffer_get_ssrc(&rtp), 0x11223344);
    fail_unless_equals_int(gst_rtp_buffer_get_csrc_count(&rtp), 2);
    gst_rtp_buffer_unmap(&rtp);
    const Bytes ct(out_bytes.begin() + static_cast<long>(hlen), out_bytes.end());
    fail_unless(ct == core_protect(sf::CipherSuite::AES_128_GCM_SHA256_128, 3, seq - 100u, payload));
    gst_buffer_unref(out);
  }
  // Not RTP at all: dropped and counted, nothing pushed.
  gst_harness_push(h, to_buffer(pattern(5)));
  fail_unless(gst_harness_try_pull(h) == nullptr);
  fail_unless_equals_uint64(stat(h->element, "dropped-invalid"), 1);
  gst_harness_teardown(h);
}
GST_END_TEST;

// clear-prefix=vp8: 10 bytes of key frames and 3 of delta frames stay in
// front, in clear, and are the SFrame metadata.
GST_START_TEST(test_clear_prefix)
{
  GstHarness* h = new_enc("clear-prefix=vp8");
  Bytes key_frame = pattern(40);
  key_frame[0] = 0x10;  // bit 0 clear: key frame
  Bytes delta = pattern(40, 9);
  delta[0] = 0x11;
  gst_harness_push(h, to_buffer(key_frame));
  gst_harness_push(h, to_buffer(delta));
  const struct {
    const Bytes* frame;
    size_t prefix;
  } cases[] = { { &key_frame, 10 }, { &delta, 3 } };
  for (uint64_t i = 0; i < 2; i++) {
    GstBuffer* out = gst_harness_pull(h);
    const Bytes& f = *cases[i].frame;
    const size_t p = cases[i].prefix;
    const Bytes meta(f.begin(), f.begin() + static_cast<long>(p));
    Bytes want = meta;
    const Bytes ct = core_protect(sf::CipherSuite::AES_128_GCM_SHA256_128, 0, i, Bytes(f.begin() + static_cast<long>(p), f.end()), meta);
    want.insert(want.end(), ct.begin(), ct.end());
    fail_unless(to_bytes(out) == want, "frame %" G_GUINT64_FORMAT, i);
    gst_buffer_unref(out);
  }
  // A frame shorter than its prefix cannot be protected as configured.
  gst_harness_push(h, to_buffer({ 0x01, 0x02 }));
  fail_unless(gst_harness_try_pull(h) == nullptr);
  fail_unless_equals_uint64(stat(h->element, "dropped-invalid"), 1);
  gst_harness_teardown(h);

  h = new_enc("clear-prefix=opus");
  const Bytes opus = pattern(20);
  gst_harness_push(h, to_buffer(opus));
  GstBuffer* out = gst_harness_pull(h);
  Bytes want = { opus[0] };
  const Bytes ct = core_protect(sf::CipherSuite::AES_128_GCM_SHA256_128, 0, 0, Bytes(opus.begin() + 1, opus.end()), want);
  want.insert(want.end(), ct.begin(), ct.end());
  fail_unless(to_bytes(out) == want);
  gst_buffer_unref(out);
  gst_harness_teardown(h);
}
GST_END_TEST;

GST_START_TEST(test_empty_buffer_passes)
{
  GstHarness* h = new_enc();
  gst_harness_push(h, gst_buffer_new());
  GstBuffer* out = gst_harness_pull(h);
  fail_unless_equals_uint64(gst_buffer_get_size(out), 0);
  gst_buffer_unref(out);
  fail_unless_equals_uint64(stat(h->element, "frames-passed-empty"), 1);
  fail_unless_equals_uint64(stat(h->element, "frames-encrypted"), 0);
  gst_harness_teardown(h);
}
GST_END_TEST;

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
  const char* bad[] = { "zz", "abc", "00112233445566778899aabbccddeeXX" };
  for (const char* key : bad) {
    GstElement* e = gst_element_factory_make("sframeenc", nullptr);
    GstBus* bus = gst_bus_new();
    gst_element_set_bus(e, bus);
    g_object_set(e, "key", key, nullptr);
    fail_unless_equals_int(gst_element_set_state(e, GST_STATE_PAUSED), GST_STATE_CHANGE_FAILURE);
    GstMessage* msg = gst_bus_pop_filtered(bus, GST_MESSAGE_ERROR);
    fail_unless(msg != nullptr, "no error for key %s", key);
    GError* err = nullptr;
    gchar* dbg = nullptr;
    gst_message_parse_error(msg, &err, &dbg);
    fail_unless(g_error_matches(err, GST_LIBRARY_ERROR, GST_LIBRARY_ERROR_SETTINGS));
    // The rejected value never shows up in what is reported.
    fail_if(strstr(err->message, key) != nullptr || (dbg && strstr(dbg, key) != nullptr));
    g_clear_error(&err);
    g_free(dbg);
    gst_message_unref(msg);
    gst_element_set_state(e, GST_STATE_NULL);
    gst_bus_set_flushing(bus, TRUE);  // queued messages hold the element
    gst_object_unref(bus);
    gst_object_unref(e);
  }
}
GST_END_TEST;

// Stopping and playing again must not restart the counter: the same key and
// counter would repeat a nonce.
GST_START_TEST(test_counter_survives_restart)
{
  GstHarness* h = new_enc("key-id=5");
  const Bytes pt = pattern(30);
  gst_harness_push(h, to_buffer(pt));
  gst_buffer_unref(gst_harness_pull(h));
  gst_element_set_state(h->element, GST_STATE_NULL);
  gst_harness_play(h);
  gst_harness_push(h, to_buffer(pt));
  GstBuffer* out = gst_harness_pull(h);
  auto hdr = sf::decode_header(to_bytes(out));
  fail_unless(hdr.ok());
  fail_unless_equals_uint64(hdr.value().ctr, 1);
  fail_unless(to_bytes(out) == core_protect(sf::CipherSuite::AES_128_GCM_SHA256_128, 5, 1, pt));
  gst_buffer_unref(out);

  // A new key under the same KID continues the KID's counter too.
  g_object_set(h->element, "key", "ffeeddccbbaa99887766554433221100", nullptr);
  gst_harness_push(h, to_buffer(pt));
  out = gst_harness_pull(h);
  fail_unless_equals_uint64(sf::decode_header(to_bytes(out)).value().ctr, 2);
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
  GstMessage* msg = gst_bus_pop_filtered(bus, GST_MESSAGE_WARNING);
  fail_unless(msg != nullptr);
  gst_message_unref(msg);
  // Rate-limited: the second drop within a second posts nothing.
  fail_unless(gst_bus_pop_filtered(bus, GST_MESSAGE_WARNING) == nullptr);
  gst_bus_set_flushing(bus, TRUE);  // queued messages hold the element
  gst_object_unref(bus);
  gst_harness_teardown(h);
}
GST_END_TEST;

static Suite* sframeenc_suite()
{
  Suite* s = suite_create("sframeenc");
  TCase* tc = tcase_create("general");
  suite_add_tcase(s, tc);
  tcase_add_test(tc, test_capsless_known_answer_all_suites);
  tcase_add_test(tc, test_frame_mode_caps);
  tcase_add_test(tc, test_packet_mode);
  tcase_add_test(tc, test_clear_prefix);
  tcase_add_test(tc, test_empty_buffer_passes);
  tcase_add_test(tc, test_key_is_write_only);
  tcase_add_test(tc, test_invalid_key_fails_start);
  tcase_add_test(tc, test_counter_survives_restart);
  tcase_add_test(tc, test_no_key_drops);
  return s;
}

GST_CHECK_MAIN(sframeenc);
