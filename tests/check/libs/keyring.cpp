// SPDX-License-Identifier: LGPL-2.1-or-later
// libgste2ee-1.0: the keyring's key store, encrypt KID, generations, counter
// blocks, cipher-suite enum and GstContext helpers.
#include <set>
#include <thread>
#include <vector>

#include <gst/check/gstcheck.h>
#include <gst/e2ee/e2ee.h>

static const guint8 kKey[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };

static gboolean add(GstE2eeKeyring* kr, guint64 kid, GError** err = nullptr)
{
  return gst_e2ee_keyring_add_key(kr, kid, GST_E2EE_CIPHER_AES_128_GCM_SHA256_128, kKey, sizeof kKey, err);
}

GST_START_TEST(test_add_remove)
{
  GstE2eeKeyring* kr = gst_e2ee_keyring_new();
  fail_unless(add(kr, 1));
  fail_unless(add(kr, 1ULL << 40));
  fail_unless(gst_e2ee_keyring_has_key(kr, 1));
  fail_unless_equals_int(gst_e2ee_keyring_get_n_keys(kr), 2);
  GError* err = nullptr;
  fail_if(add(kr, 1, &err));
  fail_unless(g_error_matches(err, GST_E2EE_KEYRING_ERROR, GST_E2EE_KEYRING_ERROR_DUPLICATE));
  g_clear_error(&err);
  fail_if(gst_e2ee_keyring_add_key(kr, 3, static_cast<GstE2eeCipherSuite>(9), kKey, 16, &err));
  fail_unless(g_error_matches(err, GST_E2EE_KEYRING_ERROR, GST_E2EE_KEYRING_ERROR_INVALID));
  g_clear_error(&err);
  fail_if(gst_e2ee_keyring_add_key(kr, 3, GST_E2EE_CIPHER_DEFAULT, kKey, 0, &err));
  g_clear_error(&err);
  fail_unless(gst_e2ee_keyring_remove_key(kr, 1));
  fail_if(gst_e2ee_keyring_remove_key(kr, 1));
  fail_unless_equals_int(gst_e2ee_keyring_get_n_keys(kr), 1);
  gst_object_unref(kr);
}
GST_END_TEST;

GST_START_TEST(test_add_hex)
{
  GstE2eeKeyring* kr = gst_e2ee_keyring_new();
  GError* err = nullptr;
  fail_unless(gst_e2ee_keyring_add_key_hex(kr, 1, GST_E2EE_CIPHER_DEFAULT, "0102030405060708090a0b0c0d0e0f10", &err));
  for (const char* bad : { "", "abc", "zz00", "0g" }) {
    fail_if(gst_e2ee_keyring_add_key_hex(kr, 2, GST_E2EE_CIPHER_DEFAULT, bad, &err), "accepted '%s'", bad);
    fail_unless(g_error_matches(err, GST_E2EE_KEYRING_ERROR, GST_E2EE_KEYRING_ERROR_INVALID));
    g_clear_error(&err);
  }
  // The hex form stores the same bytes as the binary form.
  struct Seen {
    std::vector<guint8> key;
  } seen;
  gst_e2ee_keyring_foreach(kr, [](guint64, GstE2eeCipherSuite, const guint8* k, gsize n, guint64, gpointer ud) {
    static_cast<Seen*>(ud)->key.assign(k, k + n);
  }, &seen);
  fail_unless(seen.key == std::vector<guint8>(kKey, kKey + 16));
  gst_object_unref(kr);
}
GST_END_TEST;

static void count_changed(GstE2eeKeyring*, gpointer ud)
{
  (*static_cast<int*>(ud))++;
}

GST_START_TEST(test_encrypt_kid_generation_signal)
{
  GstE2eeKeyring* kr = gst_e2ee_keyring_new();
  int changed = 0;
  g_signal_connect(kr, "changed", G_CALLBACK(count_changed), &changed);
  guint gen = gst_e2ee_keyring_get_generation(kr);
  guint64 kid = 0;
  fail_if(gst_e2ee_keyring_get_encrypt_kid(kr, &kid));
  GError* err = nullptr;
  fail_if(gst_e2ee_keyring_set_encrypt_kid(kr, 5, &err));  // not present
  fail_unless(g_error_matches(err, GST_E2EE_KEYRING_ERROR, GST_E2EE_KEYRING_ERROR_UNKNOWN_KID));
  g_clear_error(&err);
  fail_unless_equals_int(gst_e2ee_keyring_get_generation(kr), gen);  // refusals change nothing
  fail_unless(add(kr, 5));
  fail_unless(gst_e2ee_keyring_set_encrypt_kid(kr, 5, nullptr));
  fail_unless(gst_e2ee_keyring_get_encrypt_kid(kr, &kid) && kid == 5);
  fail_unless_equals_int(gst_e2ee_keyring_get_generation(kr), gen + 2);
  fail_unless_equals_int(changed, 2);
  fail_if(add(kr, 5));
  fail_unless_equals_int(changed, 2);
  // Removing the encrypt key leaves no encrypt KID (never a stale one).
  fail_unless(gst_e2ee_keyring_remove_key(kr, 5));
  fail_if(gst_e2ee_keyring_get_encrypt_kid(kr, &kid));
  fail_unless_equals_int(changed, 3);
  gst_object_unref(kr);
}
GST_END_TEST;

GST_START_TEST(test_serial_changes_on_readd)
{
  GstE2eeKeyring* kr = gst_e2ee_keyring_new();
  auto serial_of = [](GstE2eeKeyring* k) {
    guint64 serial = 0;
    gst_e2ee_keyring_foreach(k, [](guint64, GstE2eeCipherSuite, const guint8*, gsize, guint64 s, gpointer ud) {
      *static_cast<guint64*>(ud) = s;
    }, &serial);
    return serial;
  };
  fail_unless(add(kr, 9));
  const guint64 first = serial_of(kr);
  fail_unless(gst_e2ee_keyring_remove_key(kr, 9));
  fail_unless(add(kr, 9));
  fail_unless(serial_of(kr) != first);
  gst_object_unref(kr);
}
GST_END_TEST;

// Blocks are disjoint, consecutive, survive remove + re-add, never wrap.
// (fail_unless_equals_uint64 declares locals named first/second: avoid them.)
GST_START_TEST(test_counter_blocks)
{
  GstE2eeKeyring* kr = gst_e2ee_keyring_new();
  guint64 lo = 0, hi = 0;
  GError* err = nullptr;
  fail_if(gst_e2ee_keyring_reserve_counters(kr, 1, 10, &lo, &hi, &err));
  fail_unless(g_error_matches(err, GST_E2EE_KEYRING_ERROR, GST_E2EE_KEYRING_ERROR_UNKNOWN_KID));
  g_clear_error(&err);
  fail_unless(add(kr, 1));
  fail_unless(gst_e2ee_keyring_reserve_counters(kr, 1, 10, &lo, &hi, nullptr));
  fail_unless(lo == 0 && hi == 9);
  fail_unless(gst_e2ee_keyring_reserve_counters(kr, 1, 5, &lo, &hi, nullptr));
  fail_unless(lo == 10 && hi == 14);
  fail_unless(gst_e2ee_keyring_remove_key(kr, 1));
  fail_unless(add(kr, 1));
  fail_unless(gst_e2ee_keyring_reserve_counters(kr, 1, 1, &lo, &hi, nullptr));
  fail_unless_equals_uint64(lo, 15);
  // Ask for everything that is left, and more: capped at G_MAXUINT64.
  fail_unless(gst_e2ee_keyring_reserve_counters(kr, 1, G_MAXUINT64, &lo, &hi, nullptr));
  fail_unless(lo == 16 && hi == G_MAXUINT64);
  fail_if(gst_e2ee_keyring_reserve_counters(kr, 1, 1, &lo, &hi, &err));
  fail_unless(g_error_matches(err, GST_E2EE_KEYRING_ERROR, GST_E2EE_KEYRING_ERROR_EXHAUSTED));
  g_clear_error(&err);
  gst_object_unref(kr);
}
GST_END_TEST;

// Concurrent reservations never hand out a counter twice.
GST_START_TEST(test_concurrent_reservations)
{
  GstE2eeKeyring* kr = gst_e2ee_keyring_new();
  fail_unless(add(kr, 1));
  std::vector<std::vector<guint64>> firsts(4);
  std::vector<std::thread> threads;
  for (size_t t = 0; t < firsts.size(); t++) {
    threads.emplace_back([kr, &firsts, t]() {
      for (int i = 0; i < 500; i++) {
        guint64 f = 0, l = 0;
        if (gst_e2ee_keyring_reserve_counters(kr, 1, 3, &f, &l, nullptr))
          firsts[t].push_back(f);
        // Churn other KIDs meanwhile.
        const guint64 other = 100 + t;
        gst_e2ee_keyring_add_key(kr, other, GST_E2EE_CIPHER_DEFAULT, kKey, 16, nullptr);
        gst_e2ee_keyring_remove_key(kr, other);
      }
    });
  }
  for (auto& th : threads)
    th.join();
  std::set<guint64> all;
  for (const auto& v : firsts)
    all.insert(v.begin(), v.end());
  fail_unless_equals_int(all.size(), 2000);
  for (guint64 f : all)
    fail_unless(f % 3 == 0 && f < 6000);
  gst_object_unref(kr);
}
GST_END_TEST;

GST_START_TEST(test_cipher_suite_enum)
{
  const char* nicks[] = { "aes-128-ctr-hmac-sha256-80", "aes-128-ctr-hmac-sha256-64", "aes-128-ctr-hmac-sha256-32",
                          "aes-128-gcm-sha256-128", "aes-256-gcm-sha512-128", "aes-256-ctr-hmac-sha512-80",
                          "aes-256-ctr-hmac-sha512-64", "aes-256-ctr-hmac-sha512-32" };
  GEnumClass* klass = G_ENUM_CLASS(g_type_class_ref(GST_TYPE_E2EE_CIPHER_SUITE));
  fail_unless_equals_int(klass->n_values, 8);
  for (int v = 1; v <= 8; v++) {
    GEnumValue* ev = g_enum_get_value(klass, v);
    fail_unless(ev != nullptr);
    fail_unless_equals_string(ev->value_nick, nicks[v - 1]);
    fail_unless(gst_e2ee_cipher_suite_is_valid(v));
  }
  fail_if(gst_e2ee_cipher_suite_is_valid(0));
  fail_if(gst_e2ee_cipher_suite_is_valid(9));
  g_type_class_unref(klass);
}
GST_END_TEST;

GST_START_TEST(test_context_round_trip)
{
  GstE2eeKeyring* kr = gst_e2ee_keyring_new();
  GstContext* ctx = gst_e2ee_keyring_context_new(kr);
  fail_unless_equals_string(gst_context_get_context_type(ctx), GST_E2EE_KEYRING_CONTEXT_TYPE);
  fail_unless(gst_context_is_persistent(ctx));
  GstE2eeKeyring* back = gst_e2ee_keyring_from_context(ctx);
  fail_unless(back == kr);
  gst_object_unref(back);
  gst_context_unref(ctx);
  GstContext* other = gst_context_new("gst.gl.GLDisplay", TRUE);
  fail_unless(gst_e2ee_keyring_from_context(other) == nullptr);
  gst_context_unref(other);
  gst_object_unref(kr);
}
GST_END_TEST;

static Suite* keyring_suite()
{
  Suite* s = suite_create("keyring");
  TCase* tc = tcase_create("general");
  suite_add_tcase(s, tc);
  tcase_add_test(tc, test_add_remove);
  tcase_add_test(tc, test_add_hex);
  tcase_add_test(tc, test_encrypt_kid_generation_signal);
  tcase_add_test(tc, test_serial_changes_on_readd);
  tcase_add_test(tc, test_counter_blocks);
  tcase_add_test(tc, test_concurrent_reservations);
  tcase_add_test(tc, test_cipher_suite_enum);
  tcase_add_test(tc, test_context_round_trip);
  return s;
}

GST_CHECK_MAIN(keyring);
