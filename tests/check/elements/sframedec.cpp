// SPDX-License-Identifier: LGPL-2.1-or-later
// sframedec with GstHarness: round trips with the core's ciphertexts, caps
// restoration, and every failure path (dropped, counted, reported).
#include "sframe-test-util.h"

using namespace testutil;
namespace sf = gste2ee::sframe;

static GstHarness* new_dec(const char* props = "", bool capsless = true)
{
  gchar* all = g_strdup_printf("key=%s %s", kKeyHex, props);
  GstHarness* h = harness_for("sframedec", all, capsless);
  g_free(all);
  return h;
}

// Ciphertexts from one encryptor, counters 0, 1, 2, ...
struct Sender {
  sf::Encryptor enc;
  uint64_t kid;
  explicit Sender(uint64_t k, sf::CipherSuite suite = sf::CipherSuite::AES_128_GCM_SHA256_128, const Bytes& key = kKey) : kid(k)
  {
    fail_unless(enc.add_key(kid, suite, key).ok());
  }
  Bytes frame(const Bytes& pt, const Bytes& meta = {})
  {
    Bytes out(pt.size() + sf::kMaxOverhead);
    auto n = enc.protect(kid, meta, pt, out);
    fail_unless(n.ok());
    out.resize(n.value());
    return out;
  }
};

GST_START_TEST(test_capsless_round_trip_all_suites)
{
  for (int suite = 1; suite <= 8; suite++) {
    gchar* props = g_strdup_printf("key-id=300 cipher-suite=%s", suite_nick(suite));
    GstHarness* h = new_dec(props);
    g_free(props);
    Sender tx(300, static_cast<sf::CipherSuite>(suite));
    for (int i = 0; i < 10; i++) {
      const Bytes pt = pattern(64 + i, static_cast<uint8_t>(i));
      gst_harness_push(h, to_buffer(tx.frame(pt)));
      GstBuffer* out = gst_harness_pull(h);
      fail_unless(to_bytes(out) == pt, "suite %d frame %d", suite, i);
      gst_buffer_unref(out);
    }
    fail_unless_equals_uint64(stat(h->element, "frames-decrypted"), 10);
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
    gchar* desc = g_strdup_printf("sframeenc key=%s ! sframedec key=%s", kKeyHex, kKeyHex);
    GstHarness* h = gst_harness_new_parse(desc);
    g_free(desc);
    gst_harness_set_src_caps_str(h, c);
    const Bytes pt = pattern(77);
    gst_harness_push(h, to_buffer(pt));
    GstBuffer* out = gst_harness_pull(h);
    fail_unless(to_bytes(out) == pt);
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

// A sender that does not carry the original caps: bytes come out.
GST_START_TEST(test_sframe_caps_without_original)
{
  GstHarness* h = new_dec("", false);
  gst_harness_set_src_caps_str(h, "application/x-sframe");
  Sender tx(0);
  const Bytes pt = pattern(30);
  gst_harness_push(h, to_buffer(tx.frame(pt)));
  GstBuffer* out = gst_harness_pull(h);
  fail_unless(to_bytes(out) == pt);
  gst_buffer_unref(out);
  GstCaps* got = gst_pad_get_current_caps(h->sinkpad);
  fail_unless(gst_structure_has_name(gst_caps_get_structure(got, 0), "application/octet-stream"));
  gst_caps_unref(got);
  gst_harness_teardown(h);
}
GST_END_TEST;

GST_START_TEST(test_packet_mode_round_trip)
{
  gchar* desc = g_strdup_printf("sframeenc key=%s ! sframedec key=%s", kKeyHex, kKeyHex);
  GstHarness* h = gst_harness_new_parse(desc);
  g_free(desc);
  gst_harness_set_src_caps_str(h, "application/x-rtp, media=(string)video, clock-rate=(int)90000, encoding-name=(string)VP8, payload=(int)96");
  for (guint16 seq = 0; seq < 4; seq++) {
    const Bytes payload = pattern(500, static_cast<uint8_t>(seq));
    GstBuffer* in = make_rtp(payload, seq, seq == 2);
    const size_t hlen = rtp_header_len(in);
    Bytes in_header = to_bytes(in);
    in_header.resize(hlen);
    in_header[0] &= ~0x20;
    gst_harness_push(h, in);
    GstBuffer* out = gst_harness_pull(h);
    Bytes out_bytes = to_bytes(out);
    fail_unless(rtp_payload(out) == payload);
    out_bytes.resize(hlen);
    fail_unless(out_bytes == in_header, "RTP header changed");
    gst_buffer_unref(out);
  }
  GstCaps* got = gst_pad_get_current_caps(h->sinkpad);
  fail_unless(gst_structure_has_name(gst_caps_get_structure(got, 0), "application/x-rtp"));
  gst_caps_unref(got);
  gst_harness_teardown(h);
}
GST_END_TEST;

GST_START_TEST(test_clear_prefix_round_trip_and_tamper)
{
  gchar* desc = g_strdup_printf("sframeenc key=%s clear-prefix=vp8 ! sframedec key=%s clear-prefix=vp8", kKeyHex, kKeyHex);
  GstHarness* h = gst_harness_new_parse(desc);
  g_free(desc);
  start_capsless(h);
  Bytes key_frame = pattern(50);
  key_frame[0] = 0x00;
  gst_harness_push(h, to_buffer(key_frame));
  GstBuffer* out = gst_harness_pull(h);
  fail_unless(to_bytes(out) == key_frame);
  gst_buffer_unref(out);
  gst_harness_teardown(h);

  // The clear prefix is authenticated: change one bit and the frame is dropped.
  h = new_dec("clear-prefix=vp8");
  Sender tx(0);
  Bytes delta = pattern(50, 3);
  delta[0] = 0x01;
  const Bytes meta(delta.begin(), delta.begin() + 3);
  Bytes frame = meta;
  const Bytes ct = tx.frame(Bytes(delta.begin() + 3, delta.end()), meta);
  frame.insert(frame.end(), ct.begin(), ct.end());
  Bytes tampered = frame;
  tampered[1] ^= 0x80;
  gst_harness_push(h, to_buffer(tampered));
  fail_unless(gst_harness_try_pull(h) == nullptr);
  fail_unless_equals_uint64(stat(h->element, "dropped-authentication"), 1);
  gst_harness_push(h, to_buffer(frame));
  out = gst_harness_pull(h);
  fail_unless(to_bytes(out) == delta);
  gst_buffer_unref(out);
  gst_harness_teardown(h);
}
GST_END_TEST;

GST_START_TEST(test_empty_buffer_passes)
{
  GstHarness* h = new_dec();
  gst_harness_push(h, gst_buffer_new());
  GstBuffer* out = gst_harness_pull(h);
  fail_unless_equals_uint64(gst_buffer_get_size(out), 0);
  gst_buffer_unref(out);
  fail_unless_equals_uint64(stat(h->element, "frames-passed-empty"), 1);
  gst_harness_teardown(h);
}
GST_END_TEST;

static GstStructure* pop_drop_message(GstBus* bus)
{
  GstMessage* msg = gst_bus_pop_filtered(bus, GST_MESSAGE_ELEMENT);
  if (!msg)
    return nullptr;
  GstStructure* s = gst_structure_copy(gst_message_get_structure(msg));
  gst_message_unref(msg);
  fail_unless(gst_structure_has_name(s, "sframe-dec-drop"));
  return s;
}

// Every failure reason: dropped, counted, reported once per second, and the
// next good frame asks upstream for a key frame exactly once.
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

  struct Case {
    Bytes frame;
    const char* field;
    const char* reason;
    bool has_kid;
  };
  Bytes flipped_tag = tx.frame(pt);
  flipped_tag.back() ^= 1;
  Bytes flipped_ct = tx.frame(pt);
  flipped_ct[5] ^= 0x10;
  const Case cases[] = {
    { stranger.frame(pt), "dropped-unknown-kid", "unknown-kid", true },
    { flipped_tag, "dropped-authentication", "authentication", true },
    { Bytes{ 0x9f }, "dropped-syntax", "syntax", false },         // header claims 2+8 more bytes
    { Bytes(good0.begin(), good0.begin() + 10), "dropped-syntax", "syntax", true },  // shorter than the tag
    { good0, "dropped-replay", "replay", true },
  };
  for (const Case& c : cases) {
    const guint64 before = stat(h->element, c.field);
    gst_harness_push(h, to_buffer(c.frame));
    fail_unless(gst_harness_try_pull(h) == nullptr, "%s frame was pushed", c.reason);
    fail_unless_equals_uint64(stat(h->element, c.field), before + 1);
  }
  // flipped_ct is a second authentication failure: counted, no second message.
  gst_harness_push(h, to_buffer(flipped_ct));
  fail_unless(gst_harness_try_pull(h) == nullptr);
  fail_unless_equals_uint64(stat(h->element, "dropped-authentication"), 2);

  int messages = 0;
  while (GstStructure* s = pop_drop_message(bus)) {
    messages++;
    const gchar* reason = gst_structure_get_string(s, "reason");
    fail_unless(reason != nullptr);
    fail_unless(gst_structure_has_field(s, "dropped"));
    if (g_str_equal(reason, "authentication") || g_str_equal(reason, "replay")) {
      guint64 kid = 0;
      fail_unless(gst_structure_get_uint64(s, "kid", &kid));
      fail_unless_equals_uint64(kid, 9);
    }
    gst_structure_free(s);
  }
  fail_unless_equals_int(messages, 4);  // one per reason within the second

  // Per-KID tallies: 1 decrypted, 3 failures (2 authentication, 1 replay).
  GstStructure* stats = nullptr;
  g_object_get(h->element, "stats", &stats, nullptr);
  const GValue* kids = gst_structure_get_value(stats, "kids");
  fail_unless(kids && GST_VALUE_HOLDS_ARRAY(kids));
  fail_unless_equals_int(gst_value_array_get_size(kids), 1);
  const GstStructure* k = gst_value_get_structure(gst_value_array_get_value(kids, 0));
  guint64 v = 0;
  fail_unless(gst_structure_get_uint64(k, "kid", &v) && v == 9);
  fail_unless(gst_structure_get_uint64(k, "decrypted", &v) && v == 1);
  fail_unless(gst_structure_get_uint64(k, "failed", &v) && v == 3);
  gst_structure_free(stats);

  // Recovery: one key-frame request with the first good frame, none after.
  gst_harness_push(h, to_buffer(tx.frame(pt)));
  gst_buffer_unref(gst_harness_pull(h));
  fail_unless_equals_int(count_key_unit_requests(h), 1);
  gst_harness_push(h, to_buffer(tx.frame(pt)));
  gst_buffer_unref(gst_harness_pull(h));
  fail_unless_equals_int(count_key_unit_requests(h), 0);
  fail_unless_equals_uint64(stat(h->element, "key-frame-requests"), 1);
  gst_bus_set_flushing(bus, TRUE);  // queued messages hold the element
  gst_object_unref(bus);
  gst_harness_teardown(h);
}
GST_END_TEST;

GST_START_TEST(test_replay_window)
{
  GstHarness* h = new_dec("replay-window=4");
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
  fail_unless(accepted(7));   // reordered, within the window
  fail_unless(!accepted(7));  // duplicate
  fail_unless(!accepted(5));  // 9 - 5 >= 4: too old to tell from a replay
  fail_unless(accepted(6));
  fail_unless_equals_uint64(stat(h->element, "dropped-replay"), 2);
  gst_harness_teardown(h);
}
GST_END_TEST;

GST_START_TEST(test_invalid_rtp_dropped)
{
  GstHarness* h = new_dec("", false);
  gst_harness_set_src_caps_str(h, "application/x-rtp, media=(string)video, clock-rate=(int)90000, encoding-name=(string)VP8");
  gst_harness_push(h, to_buffer(Bytes{ 0x80, 0x60, 0x00 }));
  fail_unless(gst_harness_try_pull(h) == nullptr);
  fail_unless_equals_uint64(stat(h->element, "dropped-syntax"), 1);
  gst_harness_teardown(h);
}
GST_END_TEST;

static Suite* sframedec_suite()
{
  Suite* s = suite_create("sframedec");
  TCase* tc = tcase_create("general");
  suite_add_tcase(s, tc);
  tcase_add_test(tc, test_capsless_round_trip_all_suites);
  tcase_add_test(tc, test_caps_round_trip);
  tcase_add_test(tc, test_sframe_caps_without_original);
  tcase_add_test(tc, test_packet_mode_round_trip);
  tcase_add_test(tc, test_clear_prefix_round_trip_and_tamper);
  tcase_add_test(tc, test_empty_buffer_passes);
  tcase_add_test(tc, test_failures_dropped_counted_reported);
  tcase_add_test(tc, test_replay_window);
  tcase_add_test(tc, test_invalid_rtp_dropped);
  return s;
}

GST_CHECK_MAIN(sframedec);
