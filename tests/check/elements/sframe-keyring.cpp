// SPDX-License-Identifier: LGPL-2.1-or-later
// sframeenc and sframedec driven by one shared GstE2eeKeyring: key changes
// while streaming lose no frame, and no frame is decrypted with the wrong key.
#include <gst/e2ee/e2ee.h>

#include "sframe-test-util.h"

using namespace testutil;

static const Bytes kKey1 = pattern(16, 1);
static const Bytes kKey2 = pattern(16, 2);

static void add(GstE2eeKeyring* kr, guint64 kid, const Bytes& key)
{
  GError* err = nullptr;
  fail_unless(gst_e2ee_keyring_add_key(kr, kid, GST_E2EE_CIPHER_AES_128_GCM_SHA256_128, key.data(), key.size(), &err));
}

// How the elements get the keyring.
enum class Via { Property, Context };

struct Pair {
  GstHarness* enc;
  GstHarness* dec;
};

static GstHarness* element_with_keyring(const char* factory, GstE2eeKeyring* kr, Via via, const char* props = "")
{
  GstElement* e = gst_element_factory_make(factory, nullptr);
  set_props(e, props);
  if (via == Via::Property) {
    g_object_set(e, "keyring", kr, nullptr);
  } else {
    // Before the harness starts the element: at start it would otherwise
    // create a keyring of its own, and a context never replaces a keyring.
    GstContext* ctx = gst_e2ee_keyring_context_new(kr);
    gst_element_set_context(e, ctx);
    gst_context_unref(ctx);
  }
  GstHarness* h = harness_with(e);
  GstE2eeKeyring* got = nullptr;
  g_object_get(h->element, "keyring", &got, nullptr);
  fail_unless(got == kr, "%s does not use the shared keyring", factory);
  gst_object_unref(got);
  return h;
}

// Two harnesses sharing `kr`; frames go enc -> test -> dec so the test can
// hold some back ("in flight") across a rotation.
static Pair make_pair(GstE2eeKeyring* kr, guint overlap_ms, Via via = Via::Property)
{
  gchar* dec_props = g_strdup_printf("key-overlap=%u", overlap_ms);
  Pair p{ element_with_keyring("sframeenc", kr, via), element_with_keyring("sframedec", kr, via, dec_props) };
  g_free(dec_props);
  return p;
}

static void free_pair(Pair& p)
{
  gst_harness_teardown(p.enc);
  gst_harness_teardown(p.dec);
}

static GstBuffer* encrypt(Pair& p, const Bytes& pt)
{
  gst_harness_push(p.enc, to_buffer(pt));
  return gst_harness_pull(p.enc);
}

static bool decrypts_to(Pair& p, GstBuffer* ct, const Bytes& pt)
{
  gst_harness_push(p.dec, ct);
  GstBuffer* out = gst_harness_try_pull(p.dec);
  const bool ok = out && buffer_equals(out, pt);
  if (out)
    gst_buffer_unref(out);
  return ok;
}

// True if `frame` authenticates under (kid, key) with the core.
static bool core_accepts(GstBuffer* frame, uint64_t kid, const Bytes& key)
{
  sf::Decryptor dec;
  fail_unless(dec.add_key(kid, kDefaultSuite, key).ok());
  const Bytes ct = to_bytes(frame);
  Bytes out(ct.size());
  return dec.unprotect(ct, {}, out).ok();
}

// Rotation 1 -> 2 while a KID 1 frame is in flight: every frame decrypts to
// its own plaintext with the key it was made with, one key-frame request.
static void check_rotation(Via via)
{
  GstE2eeKeyring* kr = gst_e2ee_keyring_new();
  add(kr, 1, kKey1);
  fail_unless(gst_e2ee_keyring_set_encrypt_kid(kr, 1, nullptr));
  Pair p = make_pair(kr, 60000, via);

  const Bytes a = pattern(100, 1), b = pattern(100, 2), c = pattern(100, 3), d = pattern(100, 4);
  GstBuffer* f1 = encrypt(p, a);
  GstBuffer* in_flight = encrypt(p, b); // held back across the rotation
  fail_unless(core_accepts(f1, 1, kKey1));
  fail_unless(decrypts_to(p, f1, a));
  fail_unless_equals_int(count_key_unit_requests(p.enc), 0);

  add(kr, 2, kKey2);
  fail_unless(gst_e2ee_keyring_set_encrypt_kid(kr, 2, nullptr));
  fail_unless(gst_e2ee_keyring_remove_key(kr, 1));
  GstBuffer* f3 = encrypt(p, c);
  fail_unless_equals_uint64(header_of(to_bytes(f3)).kid, 2);
  fail_unless(core_accepts(f3, 2, kKey2), "KID 2 frame not made with KID 2's key");
  fail_if(core_accepts(f3, 2, kKey1), "KID 2 frame made with KID 1's key");
  // Receivers that only have the new key need a key frame under it.
  fail_unless_equals_int(count_key_unit_requests(p.enc), 1);
  GstBuffer* f4 = encrypt(p, d);
  fail_unless_equals_int(count_key_unit_requests(p.enc), 0);
  fail_unless(decrypts_to(p, f3, c));
  fail_unless(decrypts_to(p, f4, d));
  // KID 1 left the keyring but is within key-overlap: the late frame decrypts.
  fail_unless(decrypts_to(p, in_flight, b));

  fail_unless_equals_uint64(stat(p.dec->element, "frames-decrypted"), 4);
  fail_unless_equals_uint64(stat(p.dec->element, "dropped-authentication"), 0);
  fail_unless_equals_uint64(stat(p.dec->element, "dropped-unknown-kid"), 0);
  KidStats k1, k2;
  fail_unless(kid_stats(p.dec->element, 1, &k1));
  fail_unless(kid_stats(p.dec->element, 2, &k2));
  fail_unless_equals_uint64(k1.decrypted, 2);
  fail_unless_equals_uint64(k2.decrypted, 2);
  fail_unless_equals_uint64(k1.failed + k2.failed, 0);
  fail_unless_equals_uint64(stat(p.enc->element, "frames-encrypted"), 4);
  fail_unless_equals_uint64(stat(p.enc->element, "key-frame-requests"), 1);
  fail_unless_equals_uint64(stat(p.enc->element, "kid"), 2);
  free_pair(p);
  gst_object_unref(kr);
}

GST_START_TEST(test_rotation_via_property)
{
  check_rotation(Via::Property);
}
GST_END_TEST;

GST_START_TEST(test_rotation_via_context)
{
  check_rotation(Via::Context);
}
GST_END_TEST;

GST_START_TEST(test_overlap_zero_wipes_at_once)
{
  GstE2eeKeyring* kr = gst_e2ee_keyring_new();
  add(kr, 1, kKey1);
  fail_unless(gst_e2ee_keyring_set_encrypt_kid(kr, 1, nullptr));
  Pair p = make_pair(kr, 0);
  const Bytes a = pattern(60);
  fail_unless(decrypts_to(p, encrypt(p, a), a));
  GstBuffer* late = encrypt(p, a);
  fail_unless(gst_e2ee_keyring_remove_key(kr, 1));
  fail_unless(!decrypts_to(p, late, a));
  fail_unless_equals_uint64(stat(p.dec->element, "dropped-unknown-kid"), 1);
  // And with the encrypt key gone, sframeenc drops instead of sending clear.
  gst_harness_push(p.enc, to_buffer(a));
  fail_unless(gst_harness_try_pull(p.enc) == nullptr);
  fail_unless_equals_uint64(stat(p.enc->element, "dropped-no-key"), 1);
  free_pair(p);
  gst_object_unref(kr);
}
GST_END_TEST;

// A KID re-added with a different key: the old key must stop working at once,
// even within key-overlap, and the KID's counter goes on.
GST_START_TEST(test_replaced_key_not_used)
{
  GstE2eeKeyring* kr = gst_e2ee_keyring_new();
  add(kr, 4, kKey1);
  fail_unless(gst_e2ee_keyring_set_encrypt_kid(kr, 4, nullptr));
  Pair p = make_pair(kr, 60000);
  const Bytes a = pattern(33);
  fail_unless(decrypts_to(p, encrypt(p, a), a));
  GstBuffer* old_key_frame = encrypt(p, a);
  const uint64_t old_ctr = header_of(to_bytes(old_key_frame)).ctr;
  fail_unless(gst_e2ee_keyring_remove_key(kr, 4));
  add(kr, 4, kKey2);
  fail_unless(gst_e2ee_keyring_set_encrypt_kid(kr, 4, nullptr));
  GstBuffer* new_key_frame = encrypt(p, a);
  fail_unless(core_accepts(new_key_frame, 4, kKey2), "the replaced key is still used to encrypt");
  fail_unless(header_of(to_bytes(new_key_frame)).ctr > old_ctr, "the KID's counter went back");
  // The old key's frame fails authentication; new-key frames decrypt.
  fail_unless(!decrypts_to(p, old_key_frame, a));
  fail_unless_equals_uint64(stat(p.dec->element, "dropped-authentication"), 1);
  fail_unless(decrypts_to(p, new_key_frame, a));
  KidStats k;
  fail_unless(kid_stats(p.dec->element, 4, &k));
  fail_unless_equals_uint64(k.failed, 1);
  free_pair(p);
  gst_object_unref(kr);
}
GST_END_TEST;

// A keyring with keys but no encrypt KID: nothing leaves sframeenc until one
// is chosen.
GST_START_TEST(test_no_encrypt_kid_drops)
{
  GstE2eeKeyring* kr = gst_e2ee_keyring_new();
  add(kr, 1, kKey1);
  Pair p = make_pair(kr, 0);
  const Bytes a = pattern(20);
  for (int i = 0; i < 3; i++) {
    gst_harness_push(p.enc, to_buffer(a));
    fail_unless(gst_harness_try_pull(p.enc) == nullptr);
  }
  fail_unless_equals_uint64(stat(p.enc->element, "dropped-no-key"), 3);
  fail_unless_equals_uint64(stat(p.enc->element, "frames-encrypted"), 0);
  fail_unless(gst_e2ee_keyring_set_encrypt_kid(kr, 1, nullptr));
  fail_unless(decrypts_to(p, encrypt(p, a), a));
  // The frames before it were dropped, the key frame among them: the first
  // encrypted frame asks the encoder for a new one (a key there from the
  // start asks for nothing: test_rotation_via_property).
  fail_unless_equals_int(count_key_unit_requests(p.enc), 1);
  fail_unless(decrypts_to(p, encrypt(p, a), a));
  fail_unless_equals_int(count_key_unit_requests(p.enc), 0);
  gst_e2ee_keyring_unset_encrypt_kid(kr);
  gst_harness_push(p.enc, to_buffer(a));
  fail_unless(gst_harness_try_pull(p.enc) == nullptr);
  fail_unless_equals_uint64(stat(p.enc->element, "dropped-no-key"), 4);
  fail_unless_equals_uint64(stat(p.enc->element, "key-frame-requests"), 1);
  free_pair(p);
  gst_object_unref(kr);
}
GST_END_TEST;

// "A static key takes precedence over the keyring" (sframeenc); sframedec
// uses both.
GST_START_TEST(test_static_key_and_keyring)
{
  GstE2eeKeyring* kr = gst_e2ee_keyring_new();
  add(kr, 1, kKey1);
  fail_unless(gst_e2ee_keyring_set_encrypt_kid(kr, 1, nullptr));
  gchar* props = g_strdup_printf("key=%s key-id=7", kKeyHex);
  GstHarness* enc = element_with_keyring("sframeenc", kr, Via::Property, props);
  GstHarness* dec = element_with_keyring("sframedec", kr, Via::Property, props);
  g_free(props);
  const Bytes a = pattern(50);
  gst_harness_push(enc, to_buffer(a));
  GstBuffer* out = gst_harness_pull(enc);
  fail_unless(buffer_equals(out, core_protect(kDefaultSuite, 7, 0, a)), "the keyring key was used, not the static one");
  gst_harness_push(dec, out);
  out = gst_harness_pull(dec);
  fail_unless(buffer_equals(out, a));
  gst_buffer_unref(out);
  // A keyring frame decrypts in the same sframedec.
  Sender ring_sender(1, kDefaultSuite, kKey1);
  gst_harness_push(dec, to_buffer(ring_sender.frame(a)));
  out = gst_harness_pull(dec);
  fail_unless(buffer_equals(out, a));
  gst_buffer_unref(out);
  gst_harness_teardown(enc);
  gst_harness_teardown(dec);
  gst_object_unref(kr);
}
GST_END_TEST;

// Two encoders sharing a keyring KID never produce the same counter.
GST_START_TEST(test_shared_kid_distinct_counters)
{
  GstE2eeKeyring* kr = gst_e2ee_keyring_new();
  add(kr, 1, kKey1);
  fail_unless(gst_e2ee_keyring_set_encrypt_kid(kr, 1, nullptr));
  Pair p = make_pair(kr, 0);
  GstHarness* enc2 = element_with_keyring("sframeenc", kr, Via::Property);
  const Bytes a = pattern(10);
  GstBuffer* x = encrypt(p, a);
  gst_harness_push(enc2, to_buffer(a));
  GstBuffer* y = gst_harness_pull(enc2);
  fail_unless(header_of(to_bytes(x)).ctr != header_of(to_bytes(y)).ctr);
  fail_unless(decrypts_to(p, x, a));
  fail_unless(decrypts_to(p, y, a));
  gst_harness_teardown(enc2);
  free_pair(p);
  gst_object_unref(kr);
}
GST_END_TEST;

// The keyring reaches elements through the gst.e2ee.keyring context, and two
// elements of one pipeline find the same keyring without any application code.
GST_START_TEST(test_context_sharing)
{
  GstE2eeKeyring* kr = gst_e2ee_keyring_new();
  GstElement* enc = gst_element_factory_make("sframeenc", nullptr);
  GstContext* ctx = gst_e2ee_keyring_context_new(kr);
  gst_element_set_context(enc, ctx);
  gst_context_unref(ctx);
  GstE2eeKeyring* got = nullptr;
  g_object_get(enc, "keyring", &got, nullptr);
  fail_unless(got == kr);
  gst_object_unref(got);
  gst_object_unref(enc);
  gst_object_unref(kr);

  GError* err = nullptr;
  GstElement* pipeline = gst_parse_launch(
    "fakesrc num-buffers=1 ! sframeenc name=e ! fakesink fakesrc num-buffers=1 ! sframedec name=d ! fakesink", &err);
  fail_unless(pipeline != nullptr);
  fail_unless_equals_int(gst_element_set_state(pipeline, GST_STATE_PAUSED), GST_STATE_CHANGE_ASYNC);
  gst_element_get_state(pipeline, nullptr, nullptr, 5 * GST_SECOND);
  GstElement* e = gst_bin_get_by_name(GST_BIN(pipeline), "e");
  GstElement* d = gst_bin_get_by_name(GST_BIN(pipeline), "d");
  GstE2eeKeyring *ke = nullptr, *kd = nullptr;
  g_object_get(e, "keyring", &ke, nullptr);
  g_object_get(d, "keyring", &kd, nullptr);
  fail_unless(ke != nullptr && ke == kd);
  gst_object_unref(ke);
  gst_object_unref(kd);
  gst_element_set_state(pipeline, GST_STATE_NULL);
  gst_object_unref(e);
  gst_object_unref(d);
  gst_object_unref(pipeline);
}
GST_END_TEST;

// The application answers need-context synchronously with its own keyring.
static GstBusSyncReply answer_need_context(GstBus*, GstMessage* msg, gpointer kr)
{
  const gchar* type = nullptr;
  if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_NEED_CONTEXT && gst_message_parse_context_type(msg, &type) &&
      g_str_equal(type, GST_E2EE_KEYRING_CONTEXT_TYPE)) {
    GstContext* ctx = gst_e2ee_keyring_context_new(GST_E2EE_KEYRING(kr));
    gst_element_set_context(GST_ELEMENT(GST_MESSAGE_SRC(msg)), ctx);
    gst_context_unref(ctx);
  }
  return GST_BUS_PASS;
}

GST_START_TEST(test_application_provides_keyring)
{
  GstE2eeKeyring* app = gst_e2ee_keyring_new();
  GstElement* pipeline = gst_parse_launch("fakesrc ! sframedec name=d ! fakesink", nullptr);
  GstBus* bus = gst_element_get_bus(pipeline);
  gst_bus_set_sync_handler(bus, answer_need_context, app, nullptr);
  gst_element_set_state(pipeline, GST_STATE_PAUSED);
  GstElement* d = gst_bin_get_by_name(GST_BIN(pipeline), "d");
  GstE2eeKeyring* got = nullptr;
  g_object_get(d, "keyring", &got, nullptr);
  fail_unless(got == app);
  gst_object_unref(got);
  gst_element_set_state(pipeline, GST_STATE_NULL);
  gst_bus_set_sync_handler(bus, nullptr, nullptr, nullptr);
  gst_object_unref(bus);
  gst_object_unref(d);
  gst_object_unref(pipeline);
  gst_object_unref(app);
}
GST_END_TEST;

// An element given a keyring keeps it instead of looking for another.
GST_START_TEST(test_explicit_keyring_kept)
{
  GstE2eeKeyring* mine = gst_e2ee_keyring_new();
  GstE2eeKeyring* other = gst_e2ee_keyring_new();
  GstElement* pipeline = gst_parse_launch("fakesrc ! sframedec name=d ! fakesink", nullptr);
  GstElement* d = gst_bin_get_by_name(GST_BIN(pipeline), "d");
  g_object_set(d, "keyring", mine, nullptr);
  GstContext* ctx = gst_e2ee_keyring_context_new(other);
  gst_element_set_context(pipeline, ctx);
  gst_context_unref(ctx);
  gst_element_set_state(pipeline, GST_STATE_PAUSED);
  GstE2eeKeyring* got = nullptr;
  g_object_get(d, "keyring", &got, nullptr);
  fail_unless(got == mine);
  gst_object_unref(got);
  gst_element_set_state(pipeline, GST_STATE_NULL);
  gst_object_unref(d);
  gst_object_unref(pipeline);
  gst_object_unref(mine);
  gst_object_unref(other);
}
GST_END_TEST;

static Suite* keyring_suite()
{
  Suite* s = suite_create("sframe-keyring");
  TCase* tc = tcase_create("general");
  suite_add_tcase(s, tc);
  tcase_add_test(tc, test_rotation_via_property);
  tcase_add_test(tc, test_rotation_via_context);
  tcase_add_test(tc, test_overlap_zero_wipes_at_once);
  tcase_add_test(tc, test_replaced_key_not_used);
  tcase_add_test(tc, test_no_encrypt_kid_drops);
  tcase_add_test(tc, test_static_key_and_keyring);
  tcase_add_test(tc, test_shared_kid_distinct_counters);
  tcase_add_test(tc, test_context_sharing);
  tcase_add_test(tc, test_application_provides_keyring);
  tcase_add_test(tc, test_explicit_keyring_kept);
  return s;
}

GST_CHECK_MAIN(keyring);
