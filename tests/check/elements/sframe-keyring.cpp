// SPDX-License-Identifier: LGPL-2.1-or-later
// sframeenc and sframedec driven by one shared GstE2eeKeyring: key changes
// while streaming lose no frame, and no frame is decrypted with the wrong key.
#include <gst/e2ee/e2ee.h>

#include "sframe-test-util.h"

using namespace testutil;
namespace sf = gste2ee::sframe;

static const Bytes kKey1 = pattern(16, 1);
static const Bytes kKey2 = pattern(16, 2);

static void add(GstE2eeKeyring* kr, guint64 kid, const Bytes& key)
{
  GError* err = nullptr;
  fail_unless(gst_e2ee_keyring_add_key(kr, kid, GST_E2EE_CIPHER_AES_128_GCM_SHA256_128, key.data(), key.size(), &err));
}

struct Pair {
  GstHarness* enc;
  GstHarness* dec;
};

// Two harnesses sharing `kr`; frames go enc -> test -> dec so the test can
// hold some back ("in flight") across a rotation.
static Pair make_pair(GstE2eeKeyring* kr, guint overlap_ms)
{
  Pair p;
  p.enc = harness_for("sframeenc");
  p.dec = harness_for("sframedec");
  g_object_set(p.enc->element, "keyring", kr, nullptr);
  g_object_set(p.dec->element, "keyring", kr, "key-overlap", overlap_ms, nullptr);
  return p;
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
  const bool ok = out && to_bytes(out) == pt;
  if (out)
    gst_buffer_unref(out);
  return ok;
}

GST_START_TEST(test_rotation_loses_nothing)
{
  GstE2eeKeyring* kr = gst_e2ee_keyring_new();
  add(kr, 1, kKey1);
  fail_unless(gst_e2ee_keyring_set_encrypt_kid(kr, 1, nullptr));
  Pair p = make_pair(kr, 60000);

  const Bytes a = pattern(100, 1), b = pattern(100, 2), c = pattern(100, 3);
  GstBuffer* f1 = encrypt(p, a);
  GstBuffer* in_flight = encrypt(p, b);  // held back across the rotation
  fail_unless(decrypts_to(p, f1, a));
  fail_unless_equals_int(count_key_unit_requests(p.enc), 0);

  add(kr, 2, kKey2);
  fail_unless(gst_e2ee_keyring_set_encrypt_kid(kr, 2, nullptr));
  fail_unless(gst_e2ee_keyring_remove_key(kr, 1));
  GstBuffer* f3 = encrypt(p, c);
  fail_unless_equals_uint64(sf::decode_header(to_bytes(f3)).value().kid, 2);
  fail_unless_equals_int(count_key_unit_requests(p.enc), 1);  // receivers need a key frame under the new key
  fail_unless(decrypts_to(p, f3, c));
  // KID 1 left the keyring but is within key-overlap: the late frame decrypts.
  fail_unless(decrypts_to(p, in_flight, b));
  fail_unless_equals_uint64(stat(p.dec->element, "frames-decrypted"), 3);
  fail_unless_equals_uint64(stat(p.enc->element, "key-frame-requests"), 1);
  gst_harness_teardown(p.enc);
  gst_harness_teardown(p.dec);
  gst_object_unref(kr);
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
  gst_harness_teardown(p.enc);
  gst_harness_teardown(p.dec);
  gst_object_unref(kr);
}
GST_END_TEST;

// A KID re-added with a different key: the old key must stop working at once.
GST_START_TEST(test_replaced_key_not_used)
{
  GstE2eeKeyring* kr = gst_e2ee_keyring_new();
  add(kr, 4, kKey1);
  fail_unless(gst_e2ee_keyring_set_encrypt_kid(kr, 4, nullptr));
  Pair p = make_pair(kr, 60000);
  const Bytes a = pattern(33);
  fail_unless(decrypts_to(p, encrypt(p, a), a));
  GstBuffer* old_key_frame = encrypt(p, a);
  fail_unless(gst_e2ee_keyring_remove_key(kr, 4));
  add(kr, 4, kKey2);
  fail_unless(gst_e2ee_keyring_set_encrypt_kid(kr, 4, nullptr));
  GstBuffer* new_key_frame = encrypt(p, a);
  // The old key's frame fails authentication; new-key frames decrypt.
  fail_unless(!decrypts_to(p, old_key_frame, a));
  fail_unless(decrypts_to(p, new_key_frame, a));
  fail_unless_equals_uint64(stat(p.dec->element, "dropped-authentication"), 1);
  gst_harness_teardown(p.enc);
  gst_harness_teardown(p.dec);
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
  GstHarness* enc2 = harness_for("sframeenc");
  g_object_set(enc2->element, "keyring", kr, nullptr);
  const Bytes a = pattern(10);
  GstBuffer* x = encrypt(p, a);
  gst_harness_push(enc2, to_buffer(a));
  GstBuffer* y = gst_harness_pull(enc2);
  fail_unless(sf::decode_header(to_bytes(x)).value().ctr != sf::decode_header(to_bytes(y)).value().ctr);
  fail_unless(decrypts_to(p, x, a));
  fail_unless(decrypts_to(p, y, a));
  gst_harness_teardown(enc2);
  gst_harness_teardown(p.enc);
  gst_harness_teardown(p.dec);
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
  GstElement* pipeline = gst_parse_launch("fakesrc num-buffers=1 ! sframeenc name=e ! fakesink fakesrc num-buffers=1 ! sframedec name=d ! fakesink", &err);
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
  tcase_add_test(tc, test_rotation_loses_nothing);
  tcase_add_test(tc, test_overlap_zero_wipes_at_once);
  tcase_add_test(tc, test_replaced_key_not_used);
  tcase_add_test(tc, test_shared_kid_distinct_counters);
  tcase_add_test(tc, test_context_sharing);
  tcase_add_test(tc, test_application_provides_keyring);
  tcase_add_test(tc, test_explicit_keyring_kept);
  return s;
}

GST_CHECK_MAIN(keyring);
