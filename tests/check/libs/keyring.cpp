// SPDX-License-Identifier: LGPL-2.1-or-later
// libgste2ee-1.0: the keyring's key store, encrypt KID, generation counter and
// "changed" signal, foreach, counter blocks, the cipher-suite GEnum, and the
// "gst.e2ee.keyring" GstContext helpers driven through a small test element
// (so these tests do not depend on the sframe plugin being built).
#include <algorithm>
#include <atomic>
#include <functional>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include <gst/check/gstcheck.h>
#include <gst/e2ee/e2ee.h>

using Bytes = std::vector<guint8>;

static const Bytes kKey16 = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
static const Bytes kOtherKey16 = { 0xf0, 0xe1, 0xd2, 0xc3, 0xb4, 0xa5, 0x96, 0x87,
                                   0x78, 0x69, 0x5a, 0x4b, 0x3c, 0x2d, 0x1e, 0x0f };
static constexpr GstE2eeCipherSuite kGcm128 = GST_E2EE_CIPHER_AES_128_GCM_SHA256_128;

static gboolean add(GstE2eeKeyring* kr, guint64 kid, GError** err = nullptr, const Bytes& key = kKey16,
                    GstE2eeCipherSuite suite = kGcm128)
{
  return gst_e2ee_keyring_add_key(kr, kid, suite, key.data(), key.size(), err);
}

// Checks that `err` is set in the keyring domain with `code` and a message,
// then clears it (so each refusal is checked against a fresh error).
static void expect_error(GError** err, GstE2eeKeyringError code)
{
  fail_unless(*err != nullptr, "no error set");
  fail_unless(g_error_matches(*err, GST_E2EE_KEYRING_ERROR, code), "expected code %d, got %s %d: %s", code,
              g_quark_to_string((*err)->domain), (*err)->code, (*err)->message);
  fail_unless((*err)->message != nullptr && (*err)->message[0] != '\0');
  g_clear_error(err);
}

// ------------------------------------------------------------------ foreach

struct Record {
  guint64 kid;
  GstE2eeCipherSuite suite;
  Bytes key;
  guint64 serial;
};

static void collect(guint64 kid, GstE2eeCipherSuite suite, const guint8* key, gsize len, guint64 serial,
                    gpointer ud) noexcept
{
  static_cast<std::vector<Record>*>(ud)->push_back({ kid, suite, Bytes(key, key + len), serial });
}

// Keyed by KID; a KID delivered twice in one walk fails here rather than
// being silently merged by the map.
static std::map<guint64, Record> snapshot(GstE2eeKeyring* kr)
{
  std::vector<Record> seen;
  gst_e2ee_keyring_foreach(kr, collect, &seen);
  std::map<guint64, Record> by_kid;
  for (const Record& r : seen)
    fail_unless(by_kid.emplace(r.kid, r).second, "KID %" G_GUINT64_FORMAT " delivered twice", r.kid);
  return by_kid;
}

// ------------------------------------------------------------------ key store

GST_START_TEST(test_add_remove_has)
{
  GstE2eeKeyring* kr = gst_e2ee_keyring_new();
  fail_unless_equals_int(gst_e2ee_keyring_get_n_keys(kr), 0);
  fail_if(gst_e2ee_keyring_has_key(kr, 0));
  fail_if(gst_e2ee_keyring_remove_key(kr, 0));

  // KIDs are full 64-bit values (RFC 9605 section 4.3): 0 and the extremes too.
  const guint64 kids[] = { 0, 1, G_GUINT64_CONSTANT(1) << 40, G_MAXUINT64 };
  for (guint64 kid : kids)
    fail_unless(add(kr, kid), "KID %" G_GUINT64_FORMAT " refused", kid);
  fail_unless_equals_int(gst_e2ee_keyring_get_n_keys(kr), 4);
  for (guint64 kid : kids)
    fail_unless(gst_e2ee_keyring_has_key(kr, kid));
  fail_if(gst_e2ee_keyring_has_key(kr, 2));
  fail_if(gst_e2ee_keyring_has_key(kr, G_MAXUINT64 - 1));

  fail_unless(gst_e2ee_keyring_remove_key(kr, G_GUINT64_CONSTANT(1) << 40));
  fail_if(gst_e2ee_keyring_has_key(kr, G_GUINT64_CONSTANT(1) << 40));
  fail_if(gst_e2ee_keyring_remove_key(kr, G_GUINT64_CONSTANT(1) << 40));
  fail_unless_equals_int(gst_e2ee_keyring_get_n_keys(kr), 3);
  // Removing one KID leaves its neighbours alone.
  fail_unless(gst_e2ee_keyring_has_key(kr, 1));
  fail_unless(gst_e2ee_keyring_has_key(kr, G_MAXUINT64));

  for (guint64 kid : { G_GUINT64_CONSTANT(0), G_GUINT64_CONSTANT(1), G_MAXUINT64 })
    fail_unless(gst_e2ee_keyring_remove_key(kr, kid));
  fail_unless_equals_int(gst_e2ee_keyring_get_n_keys(kr), 0);
  fail_unless(snapshot(kr).empty());
  gst_object_unref(kr);
}
GST_END_TEST;

GST_START_TEST(test_refusals)
{
  GstE2eeKeyring* kr = gst_e2ee_keyring_new();
  GError* err = nullptr;

  // A duplicate KID is refused and the first key stays, bytes and suite
  // (a silent replacement would let a peer re-key a KID under our feet).
  fail_unless(add(kr, 7, &err));
  fail_unless(err == nullptr);
  fail_if(add(kr, 7, &err, kOtherKey16, GST_E2EE_CIPHER_AES_128_CTR_HMAC_SHA256_80));
  expect_error(&err, GST_E2EE_KEYRING_ERROR_DUPLICATE);
  fail_if(add(kr, 7, &err));  // even with identical bytes
  expect_error(&err, GST_E2EE_KEYRING_ERROR_DUPLICATE);
  fail_unless_equals_int(gst_e2ee_keyring_get_n_keys(kr), 1);
  auto snap = snapshot(kr);
  fail_unless(snap.at(7).key == kKey16);
  fail_unless_equals_int(snap.at(7).suite, kGcm128);

  // Suites outside 1-8.
  for (int suite : { 0, 9, -1, 0x100 }) {
    fail_if(add(kr, 8, &err, kKey16, static_cast<GstE2eeCipherSuite>(suite)), "suite %d accepted", suite);
    expect_error(&err, GST_E2EE_KEYRING_ERROR_INVALID);
  }
  // Empty keys: zero length, or no bytes at all.
  fail_if(gst_e2ee_keyring_add_key(kr, 8, kGcm128, kKey16.data(), 0, &err));
  expect_error(&err, GST_E2EE_KEYRING_ERROR_INVALID);
  fail_if(gst_e2ee_keyring_add_key(kr, 8, kGcm128, nullptr, 16, &err));
  expect_error(&err, GST_E2EE_KEYRING_ERROR_INVALID);
  // Refusals without an error pointer are still refusals.
  fail_if(gst_e2ee_keyring_add_key(kr, 8, kGcm128, nullptr, 0, nullptr));
  fail_if(add(kr, 7, nullptr));

  fail_if(gst_e2ee_keyring_has_key(kr, 8));
  fail_unless_equals_int(gst_e2ee_keyring_get_n_keys(kr), 1);
  gst_object_unref(kr);
}
GST_END_TEST;

GST_START_TEST(test_add_key_hex)
{
  GstE2eeKeyring* kr = gst_e2ee_keyring_new();
  GError* err = nullptr;

  fail_unless(gst_e2ee_keyring_add_key_hex(kr, 1, kGcm128, "0102030405060708090a0b0c0d0e0f10", &err));
  fail_unless(err == nullptr);
  // Upper and mixed case are the same digits.
  fail_unless(gst_e2ee_keyring_add_key_hex(kr, 2, kGcm128, "F0e1D2c3B4a5968778695A4B3C2D1E0F", &err));
  // AES-256 suites take 32-byte keys; the parser has no length of its own.
  fail_unless(gst_e2ee_keyring_add_key_hex(kr, 3, GST_E2EE_CIPHER_AES_256_GCM_SHA512_128,
                                           "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", &err));
  const auto snap = snapshot(kr);
  fail_unless(snap.at(1).key == kKey16);
  fail_unless(snap.at(2).key == kOtherKey16);
  Bytes k32(32);
  for (size_t i = 0; i < k32.size(); i++)
    k32[i] = static_cast<guint8>(i);
  fail_unless(snap.at(3).key == k32);
  fail_unless_equals_int(snap.at(3).suite, GST_E2EE_CIPHER_AES_256_GCM_SHA512_128);

  const guint gen = gst_e2ee_keyring_get_generation(kr);
  struct Bad {
    const char* hex;
    const char* why;
  };
  const Bad bad[] = {
    { nullptr, "no string" },
    { "", "empty" },
    { "0", "one digit" },
    { "abc", "odd length" },
    { "0102030405060708090a0b0c0d0e0f1", "odd length, 31 digits" },
    { "zz00", "non-hex letters" },
    { "0g", "non-hex in the low digit" },
    { "g0", "non-hex in the high digit" },
    { "0x01", "0x prefix" },
    { " 001", "leading space" },
    { "00-1", "separator" },
    { "0102030405060708090a0b0c0d0e0fZZ", "bad digits at the end only" },
  };
  for (const Bad& b : bad) {
    fail_if(gst_e2ee_keyring_add_key_hex(kr, 9, kGcm128, b.hex, &err), "accepted %s", b.why);
    fail_unless(err != nullptr, "no error for %s", b.why);
    expect_error(&err, GST_E2EE_KEYRING_ERROR_INVALID);
    fail_if(gst_e2ee_keyring_has_key(kr, 9), "%s left a key", b.why);
  }
  // The hex path reaches the same checks as the binary one.
  fail_if(gst_e2ee_keyring_add_key_hex(kr, 9, static_cast<GstE2eeCipherSuite>(0), "0011", &err));
  expect_error(&err, GST_E2EE_KEYRING_ERROR_INVALID);
  fail_if(gst_e2ee_keyring_add_key_hex(kr, 1, kGcm128, "0011", &err));
  expect_error(&err, GST_E2EE_KEYRING_ERROR_DUPLICATE);
  fail_unless(snapshot(kr).at(1).key == kKey16);

  fail_unless_equals_int(gst_e2ee_keyring_get_generation(kr), gen);
  fail_unless_equals_int(gst_e2ee_keyring_get_n_keys(kr), 3);
  gst_object_unref(kr);
}
GST_END_TEST;

GST_START_TEST(test_encrypt_kid)
{
  GstE2eeKeyring* kr = gst_e2ee_keyring_new();
  GError* err = nullptr;
  guint64 kid = 12345;
  fail_if(gst_e2ee_keyring_get_encrypt_kid(kr, &kid));
  fail_if(gst_e2ee_keyring_get_encrypt_kid(kr, nullptr));

  // Only a present KID can be the encrypt KID.
  fail_if(gst_e2ee_keyring_set_encrypt_kid(kr, 5, &err));
  expect_error(&err, GST_E2EE_KEYRING_ERROR_UNKNOWN_KID);
  fail_if(gst_e2ee_keyring_get_encrypt_kid(kr, &kid));

  fail_unless(add(kr, 5));
  fail_unless(add(kr, 6));
  fail_unless(gst_e2ee_keyring_set_encrypt_kid(kr, 5, &err));
  fail_unless(gst_e2ee_keyring_get_encrypt_kid(kr, &kid));
  fail_unless_equals_uint64(kid, 5);
  fail_unless(gst_e2ee_keyring_get_encrypt_kid(kr, nullptr));
  fail_unless(gst_e2ee_keyring_set_encrypt_kid(kr, 6, &err));
  fail_unless(gst_e2ee_keyring_get_encrypt_kid(kr, &kid));
  fail_unless_equals_uint64(kid, 6);

  // A refused switch keeps the current encrypt KID.
  fail_if(gst_e2ee_keyring_set_encrypt_kid(kr, 99, &err));
  expect_error(&err, GST_E2EE_KEYRING_ERROR_UNKNOWN_KID);
  fail_unless(gst_e2ee_keyring_get_encrypt_kid(kr, &kid));
  fail_unless_equals_uint64(kid, 6);

  // Removing another key leaves it; removing the encrypt key unsets it, so an
  // encoder never keeps encrypting with a key the application withdrew.
  fail_unless(gst_e2ee_keyring_remove_key(kr, 5));
  fail_unless(gst_e2ee_keyring_get_encrypt_kid(kr, &kid));
  fail_unless_equals_uint64(kid, 6);
  fail_unless(gst_e2ee_keyring_remove_key(kr, 6));
  fail_if(gst_e2ee_keyring_get_encrypt_kid(kr, &kid));
  // Adding the KID again does not quietly make it the encrypt KID again.
  fail_unless(add(kr, 6));
  fail_if(gst_e2ee_keyring_get_encrypt_kid(kr, &kid));

  fail_unless(gst_e2ee_keyring_set_encrypt_kid(kr, 6, nullptr));
  gst_e2ee_keyring_unset_encrypt_kid(kr);
  fail_if(gst_e2ee_keyring_get_encrypt_kid(kr, &kid));
  fail_unless(gst_e2ee_keyring_has_key(kr, 6));  // unsetting removes no key
  gst_object_unref(kr);
}
GST_END_TEST;

// One encrypt KID per stream context; context 0 is the one without a name.
GST_START_TEST(test_encrypt_kid_per_context)
{
  GstE2eeKeyring* kr = gst_e2ee_keyring_new();
  GError* err = nullptr;
  guint64 kid = 0;
  fail_unless(add(kr, 10));
  fail_unless(add(kr, 11));
  fail_unless(add(kr, 12));
  fail_unless(gst_e2ee_keyring_set_encrypt_kid_for_context(kr, 0, 10, &err));
  fail_unless(gst_e2ee_keyring_set_encrypt_kid_for_context(kr, 1, 11, &err));
  fail_unless(gst_e2ee_keyring_set_encrypt_kid_for_context(kr, 7, 12, &err));
  fail_if(gst_e2ee_keyring_set_encrypt_kid_for_context(kr, 2, 99, &err));
  expect_error(&err, GST_E2EE_KEYRING_ERROR_UNKNOWN_KID);
  fail_unless(gst_e2ee_keyring_get_encrypt_kid(kr, &kid));
  fail_unless_equals_uint64(kid, 10);
  fail_unless(gst_e2ee_keyring_get_encrypt_kid_for_context(kr, 1, &kid));
  fail_unless_equals_uint64(kid, 11);
  fail_unless(gst_e2ee_keyring_get_encrypt_kid_for_context(kr, 7, &kid));
  fail_unless_equals_uint64(kid, 12);
  fail_if(gst_e2ee_keyring_get_encrypt_kid_for_context(kr, 2, &kid));
  // Removing a context's key unsets that context only.
  fail_unless(gst_e2ee_keyring_remove_key(kr, 11));
  fail_if(gst_e2ee_keyring_get_encrypt_kid_for_context(kr, 1, &kid));
  fail_unless(gst_e2ee_keyring_get_encrypt_kid_for_context(kr, 7, &kid));
  fail_unless(gst_e2ee_keyring_get_encrypt_kid(kr, &kid));
  // Unsetting unsets every context.
  gst_e2ee_keyring_unset_encrypt_kid(kr);
  fail_if(gst_e2ee_keyring_get_encrypt_kid(kr, &kid));
  fail_if(gst_e2ee_keyring_get_encrypt_kid_for_context(kr, 7, &kid));
  gst_object_unref(kr);
}
GST_END_TEST;

// What the "changed" handler saw: it runs with no lock held (it calls back
// into the keyring, which would deadlock otherwise) and after the change.
struct Observer {
  guint calls = 0;
  guint generation_seen = 0;
  guint n_keys_seen = 0;
};

static void on_changed_observe(GstE2eeKeyring* kr, gpointer ud) noexcept
{
  auto* o = static_cast<Observer*>(ud);
  o->calls++;
  o->generation_seen = gst_e2ee_keyring_get_generation(kr);
  o->n_keys_seen = gst_e2ee_keyring_get_n_keys(kr);
}

GST_START_TEST(test_generation_and_changed_signal)
{
  GstE2eeKeyring* kr = gst_e2ee_keyring_new();
  Observer obs;
  g_signal_connect(kr, "changed", G_CALLBACK(on_changed_observe), &obs);

  struct Step {
    const char* what;
    std::function<gboolean(GError**)> run;
    bool succeeds;
    int error_code;  // expected GstE2eeKeyringError when refused
    bool changes;
  };
  const int kNone = -1;
  guint64 lo = 0, hi = 0;
  const Step steps[] = {
    { "add 1", [&](GError** e) { return add(kr, 1, e); }, true, kNone, true },
    { "add 1 again", [&](GError** e) { return add(kr, 1, e); }, false, GST_E2EE_KEYRING_ERROR_DUPLICATE, false },
    { "add with suite 9",
      [&](GError** e) { return add(kr, 2, e, kKey16, static_cast<GstE2eeCipherSuite>(9)); }, false,
      GST_E2EE_KEYRING_ERROR_INVALID, false },
    { "add an empty key", [&](GError** e) { return gst_e2ee_keyring_add_key(kr, 2, kGcm128, kKey16.data(), 0, e); },
      false, GST_E2EE_KEYRING_ERROR_INVALID, false },
    { "add bad hex", [&](GError** e) { return gst_e2ee_keyring_add_key_hex(kr, 2, kGcm128, "0q", e); }, false,
      GST_E2EE_KEYRING_ERROR_INVALID, false },
    { "encrypt with absent 2", [&](GError** e) { return gst_e2ee_keyring_set_encrypt_kid(kr, 2, e); }, false,
      GST_E2EE_KEYRING_ERROR_UNKNOWN_KID, false },
    { "encrypt with 1", [&](GError** e) { return gst_e2ee_keyring_set_encrypt_kid(kr, 1, e); }, true, kNone, true },
    { "encrypt with 1 again", [&](GError** e) { return gst_e2ee_keyring_set_encrypt_kid(kr, 1, e); }, true, kNone,
      false },
    { "add 2 as hex",
      [&](GError** e) { return gst_e2ee_keyring_add_key_hex(kr, 2, kGcm128, "00112233445566778899aabbccddeeff", e); },
      true, kNone, true },
    { "encrypt with 2", [&](GError** e) { return gst_e2ee_keyring_set_encrypt_kid(kr, 2, e); }, true, kNone, true },
    { "unset encrypt KID",
      [&](GError**) {
        gst_e2ee_keyring_unset_encrypt_kid(kr);
        return TRUE;
      },
      true, kNone, true },
    { "unset encrypt KID again",
      [&](GError**) {
        gst_e2ee_keyring_unset_encrypt_kid(kr);
        return TRUE;
      },
      true, kNone, false },
    { "encrypt with 1 once more", [&](GError** e) { return gst_e2ee_keyring_set_encrypt_kid(kr, 1, e); }, true, kNone,
      true },
    // Reserving counters is not a key change: encoders compare the generation
    // per buffer, and every reservation moving it would resync them all.
    { "reserve counters of 2",
      [&](GError** e) { return gst_e2ee_keyring_reserve_counters(kr, 2, 100, &lo, &hi, e); }, true, kNone, false },
    { "remove absent 3", [&](GError**) { return gst_e2ee_keyring_remove_key(kr, 3); }, false, kNone, false },
    // Removing the encrypt key also unsets the encrypt KID: still one change.
    { "remove encrypt key 1", [&](GError**) { return gst_e2ee_keyring_remove_key(kr, 1); }, true, kNone, true },
    { "remove 2", [&](GError**) { return gst_e2ee_keyring_remove_key(kr, 2); }, true, kNone, true },
    { "add 1 back", [&](GError** e) { return add(kr, 1, e); }, true, kNone, true },
  };

  for (const Step& s : steps) {
    const guint gen = gst_e2ee_keyring_get_generation(kr);
    const guint calls = obs.calls;
    GError* err = nullptr;
    const gboolean ok = s.run(&err);
    fail_unless(!ok == !s.succeeds, "%s: returned %d", s.what, ok);
    if (s.error_code != kNone)
      expect_error(&err, static_cast<GstE2eeKeyringError>(s.error_code));
    else
      fail_unless(err == nullptr, "%s: unexpected error %s", s.what, err ? err->message : "");
    const guint want = gen + (s.changes ? 1 : 0);
    fail_unless(gst_e2ee_keyring_get_generation(kr) == want, "%s: generation %u, expected %u", s.what,
                gst_e2ee_keyring_get_generation(kr), want);
    fail_unless(obs.calls == calls + (s.changes ? 1 : 0), "%s: %u changed signals, expected %u", s.what,
                obs.calls - calls, s.changes ? 1 : 0);
    if (s.changes) {
      // The handler already sees the new state.
      fail_unless(obs.generation_seen == want, "%s: handler saw generation %u", s.what, obs.generation_seen);
      fail_unless_equals_int(obs.n_keys_seen, gst_e2ee_keyring_get_n_keys(kr));
    }
  }
  fail_if(gst_e2ee_keyring_get_encrypt_kid(kr, nullptr));
  fail_unless_equals_int(gst_e2ee_keyring_get_n_keys(kr), 1);
  gst_object_unref(kr);
}
GST_END_TEST;

GST_START_TEST(test_foreach)
{
  GstE2eeKeyring* kr = gst_e2ee_keyring_new();
  fail_unless(snapshot(kr).empty());

  const Bytes k32(32, 0x5a);
  fail_unless(add(kr, 10, nullptr, kKey16, kGcm128));
  fail_unless(add(kr, 20, nullptr, kOtherKey16, GST_E2EE_CIPHER_AES_128_CTR_HMAC_SHA256_32));
  fail_unless(add(kr, 30, nullptr, k32, GST_E2EE_CIPHER_AES_256_CTR_HMAC_SHA512_80));

  auto before = snapshot(kr);
  fail_unless_equals_int(before.size(), 3);
  fail_unless_equals_int(before.at(10).suite, kGcm128);
  fail_unless(before.at(10).key == kKey16);
  fail_unless_equals_int(before.at(20).suite, GST_E2EE_CIPHER_AES_128_CTR_HMAC_SHA256_32);
  fail_unless(before.at(20).key == kOtherKey16);
  fail_unless_equals_int(before.at(30).suite, GST_E2EE_CIPHER_AES_256_CTR_HMAC_SHA512_80);
  fail_unless(before.at(30).key == k32);
  // Distinct keys have distinct serials.
  fail_unless(before.at(10).serial != before.at(20).serial);
  fail_unless(before.at(20).serial != before.at(30).serial);
  fail_unless(before.at(10).serial != before.at(30).serial);

  // Looking twice changes nothing.
  auto again = snapshot(kr);
  for (const auto& [kid, r] : before)
    fail_unless(again.at(kid).serial == r.serial);

  // Removing and re-adding KID 20, even with the same bytes and suite, gives
  // a new serial (that is how an element notices a replaced key between two
  // looks); the other KIDs keep theirs.
  fail_unless(gst_e2ee_keyring_remove_key(kr, 20));
  auto without = snapshot(kr);
  fail_unless_equals_int(without.size(), 2);
  fail_unless(without.count(20) == 0);
  fail_unless(add(kr, 20, nullptr, kOtherKey16, GST_E2EE_CIPHER_AES_128_CTR_HMAC_SHA256_32));
  auto after = snapshot(kr);
  fail_unless(after.at(20).serial != before.at(20).serial);
  fail_unless(after.at(20).key == kOtherKey16);
  fail_unless(after.at(10).serial == before.at(10).serial);
  fail_unless(after.at(30).serial == before.at(30).serial);

  // And a second replacement never brings an old serial back.
  fail_unless(gst_e2ee_keyring_remove_key(kr, 20));
  fail_unless(add(kr, 20, nullptr, kKey16));
  auto third = snapshot(kr);
  for (guint64 old : { before.at(10).serial, before.at(20).serial, before.at(30).serial, after.at(20).serial })
    fail_if(third.at(20).serial == old);
  fail_unless(third.at(20).key == kKey16);
  gst_object_unref(kr);
}
GST_END_TEST;

// ------------------------------------------------------------------ counters
// (fail_unless_equals_uint64 declares locals named first/second: the tests
// use lo/hi.)

static gboolean reserve(GstE2eeKeyring* kr, guint64 kid, guint64 count, guint64* lo, guint64* hi,
                        GError** err = nullptr)
{
  return gst_e2ee_keyring_reserve_counters(kr, kid, count, lo, hi, err);
}

GST_START_TEST(test_counter_blocks)
{
  GstE2eeKeyring* kr = gst_e2ee_keyring_new();
  guint64 lo = 0, hi = 0;
  GError* err = nullptr;

  fail_if(reserve(kr, 1, 10, &lo, &hi, &err));
  expect_error(&err, GST_E2EE_KEYRING_ERROR_UNKNOWN_KID);

  fail_unless(add(kr, 1));
  fail_unless(add(kr, 2));
  const guint gen = gst_e2ee_keyring_get_generation(kr);
  // Consecutive, disjoint blocks from 0.
  fail_unless(reserve(kr, 1, 10, &lo, &hi, &err));
  fail_unless_equals_uint64(lo, 0);
  fail_unless_equals_uint64(hi, 9);
  fail_unless(reserve(kr, 1, 1, &lo, &hi));
  fail_unless_equals_uint64(lo, 10);
  fail_unless_equals_uint64(hi, 10);
  fail_unless(reserve(kr, 1, 5, &lo, &hi));
  fail_unless_equals_uint64(lo, 11);
  fail_unless_equals_uint64(hi, 15);
  // Each KID has its own counters.
  fail_unless(reserve(kr, 2, 3, &lo, &hi));
  fail_unless_equals_uint64(lo, 0);
  fail_unless_equals_uint64(hi, 2);
  fail_unless(reserve(kr, 1, 2, &lo, &hi));
  fail_unless_equals_uint64(lo, 16);
  fail_unless_equals_uint64(hi, 17);

  // A removed KID hands out nothing ...
  fail_unless(gst_e2ee_keyring_remove_key(kr, 1));
  lo = hi = 777;
  fail_if(reserve(kr, 1, 1, &lo, &hi, &err));
  expect_error(&err, GST_E2EE_KEYRING_ERROR_UNKNOWN_KID);
  fail_unless(lo == 777 && hi == 777);
  // ... and when it comes back, even with another key, it continues where it
  // stopped: restarting would reuse nonces with a key that may be the same.
  fail_unless(add(kr, 1, nullptr, kOtherKey16));
  fail_unless(reserve(kr, 1, 4, &lo, &hi));
  fail_unless_equals_uint64(lo, 18);
  fail_unless_equals_uint64(hi, 21);
  fail_unless(gst_e2ee_keyring_remove_key(kr, 1));
  fail_unless(add(kr, 1));
  fail_unless(reserve(kr, 1, 1, &lo, &hi));
  fail_unless_equals_uint64(lo, 22);

  // A count of 0 is a programming error.
  ASSERT_CRITICAL(reserve(kr, 1, 0, &lo, &hi));
  fail_unless(reserve(kr, 1, 1, &lo, &hi));
  fail_unless_equals_uint64(lo, 23);

  // Reservations are not key changes (see test_generation_and_changed_signal);
  // only the remove/add pairs above moved the generation.
  fail_unless_equals_int(gst_e2ee_keyring_get_generation(kr), gen + 4);
  gst_object_unref(kr);
}
GST_END_TEST;

GST_START_TEST(test_counter_exhaustion)
{
  GstE2eeKeyring* kr = gst_e2ee_keyring_new();
  guint64 lo = 0, hi = 0;
  GError* err = nullptr;
  for (guint64 kid = 1; kid <= 4; kid++)
    fail_unless(add(kr, kid));

  // KID 1: G_MAXUINT64 counters from 0 fit exactly below G_MAXUINT64, which
  // is then the one counter left.
  fail_unless(reserve(kr, 1, G_MAXUINT64, &lo, &hi, &err));
  fail_unless_equals_uint64(lo, 0);
  fail_unless_equals_uint64(hi, G_MAXUINT64 - 1);
  fail_unless(reserve(kr, 1, 5, &lo, &hi, &err));
  fail_unless_equals_uint64(lo, G_MAXUINT64);
  fail_unless_equals_uint64(hi, G_MAXUINT64);
  lo = hi = 777;
  fail_if(reserve(kr, 1, 1, &lo, &hi, &err));
  expect_error(&err, GST_E2EE_KEYRING_ERROR_EXHAUSTED);
  fail_unless(lo == 777 && hi == 777);  // nothing handed out, no wrap to 0

  // KID 2: a request past the end is cut at G_MAXUINT64, never wrapped.
  fail_unless(reserve(kr, 2, 10, &lo, &hi));
  fail_unless(reserve(kr, 2, G_MAXUINT64, &lo, &hi));
  fail_unless_equals_uint64(lo, 10);
  fail_unless_equals_uint64(hi, G_MAXUINT64);
  fail_if(reserve(kr, 2, G_MAXUINT64, &lo, &hi, &err));
  expect_error(&err, GST_E2EE_KEYRING_ERROR_EXHAUSTED);
  // Exhaustion survives remove + re-add (the counter state outlives the key).
  fail_unless(gst_e2ee_keyring_remove_key(kr, 2));
  fail_unless(add(kr, 2, nullptr, kOtherKey16));
  fail_if(reserve(kr, 2, 1, &lo, &hi, &err));
  expect_error(&err, GST_E2EE_KEYRING_ERROR_EXHAUSTED);

  // KID 3: a block ending exactly on G_MAXUINT64 exhausts the KID.
  fail_unless(reserve(kr, 3, G_MAXUINT64 - 1, &lo, &hi));
  fail_unless_equals_uint64(lo, 0);
  fail_unless_equals_uint64(hi, G_MAXUINT64 - 2);
  fail_unless(reserve(kr, 3, 2, &lo, &hi));
  fail_unless_equals_uint64(lo, G_MAXUINT64 - 1);
  fail_unless_equals_uint64(hi, G_MAXUINT64);
  fail_if(reserve(kr, 3, 1, &lo, &hi, &err));
  expect_error(&err, GST_E2EE_KEYRING_ERROR_EXHAUSTED);

  // KID 4: big steps that approach the end; every block is well-formed and
  // follows the previous one.
  guint64 expect_lo = 0;
  bool ended = false;
  int blocks = 0;
  while (reserve(kr, 4, G_MAXUINT64 / 3, &lo, &hi, &err)) {
    fail_if(ended, "a block [%" G_GUINT64_FORMAT ", %" G_GUINT64_FORMAT "] after G_MAXUINT64", lo, hi);
    fail_unless_equals_uint64(lo, expect_lo);
    fail_unless(hi >= lo, "block [%" G_GUINT64_FORMAT ", %" G_GUINT64_FORMAT "] wrapped", lo, hi);
    blocks++;
    ended = hi == G_MAXUINT64;
    if (!ended)
      expect_lo = hi + 1;
  }
  expect_error(&err, GST_E2EE_KEYRING_ERROR_EXHAUSTED);
  fail_unless_equals_uint64(hi, G_MAXUINT64);
  fail_unless_equals_int(blocks, 4);  // three full thirds and the one counter left

  // Other KIDs are unaffected, and new KIDs start at 0.
  fail_unless(add(kr, 5));
  fail_unless(reserve(kr, 5, 1, &lo, &hi));
  fail_unless_equals_uint64(lo, 0);
  gst_object_unref(kr);
}
GST_END_TEST;

// ------------------------------------------------------------------ threads

static void count_changed(GstE2eeKeyring*, gpointer ud) noexcept
{
  static_cast<std::atomic<guint>*>(ud)->fetch_add(1);
}

struct Block {
  guint64 kid;
  guint64 count;
  guint64 lo;
  guint64 hi;
};

// Worker results are checked on the main thread: a Check failure from
// another thread would not be reported cleanly.
struct Worker {
  guint64 own_kid = 0;
  const Worker* other = nullptr;
  std::atomic<int> progress{ 0 };  // iterations done, read by the other worker
  std::atomic<bool> done{ false };
  std::atomic<int>* overlapped = nullptr;  // shared: iterations during which the other worker also progressed
  int iterations = 0;
  std::vector<Block> blocks;
  guint changes = 0;
  std::string failure;
};

static constexpr guint64 kSharedKid = 1;
static constexpr int kIterations = 2000;
// A machine with two busy cores may run one worker to the end before the
// other is scheduled, which would test nothing: the workers go on until, in
// this many iterations between them, one saw the other progress (or until
// one is done after that). The cap and the deadline bound the time and the
// memory the checks below need on a loaded machine.
static constexpr int kMinOverlap = 4000;
static constexpr int kMaxIterations = 10 * kIterations;
static constexpr gint64 kDeadlineUs = 3 * G_USEC_PER_SEC;
// A burst of small reservations on the shared KID per iteration: the two
// threads must meet there often for a missing lock to show.
static constexpr int kSharedPerIteration = 16;

static void work(GstE2eeKeyring* kr, Worker* w, std::atomic<int>* waiting, gint64 deadline) noexcept
{
  // Start together, so the loops overlap instead of running one after the other.
  waiting->fetch_sub(1);
  while (waiting->load() > 0)
    std::this_thread::yield();
  // (Not named `fail`: that is Check's macro, which must not run off the main thread.)
  auto note = [w](const char* what, int i) {
    if (w->failure.empty())
      w->failure = std::string(what) + " failed at iteration " + std::to_string(i);
  };
  int last_seen = w->other->progress.load();
  for (int i = 0;; i++) {
    if (i >= kMaxIterations ||
        (i >= kIterations &&
         (w->overlapped->load() >= kMinOverlap || w->other->done.load() || g_get_monotonic_time() > deadline)))
      break;
    if (add(kr, w->own_kid))
      w->changes++;
    else
      note("add", i);
    // Only this thread sets its own KID, and each iteration removes it, so
    // this is always a change.
    if (gst_e2ee_keyring_set_encrypt_kid(kr, w->own_kid, nullptr))
      w->changes++;
    else
      note("set_encrypt_kid", i);
    Block b = { w->own_kid, static_cast<guint64>(i % 5) + 1, 0, 0 };
    if (reserve(kr, b.kid, b.count, &b.lo, &b.hi))
      w->blocks.push_back(b);
    else
      note("reserve own", i);
    for (int j = 0; j < kSharedPerIteration; j++) {
      Block s = { kSharedKid, static_cast<guint64>(j % 4) + 1, 0, 0 };
      if (reserve(kr, s.kid, s.count, &s.lo, &s.hi))
        w->blocks.push_back(s);
      else
        note("reserve shared", i);
    }
    if (gst_e2ee_keyring_remove_key(kr, w->own_kid))
      w->changes++;
    else
      note("remove", i);
    w->iterations++;
    w->progress.store(w->iterations);
    const int seen = w->other->progress.load();
    if (seen != last_seen)
      w->overlapped->fetch_add(1);
    last_seen = seen;
  }
  w->done.store(true);
}

GST_START_TEST(test_concurrent_changes_and_reservations)
{
  GstE2eeKeyring* kr = gst_e2ee_keyring_new();
  fail_unless(add(kr, kSharedKid));
  std::atomic<guint> signals{ 0 };
  g_signal_connect(kr, "changed", G_CALLBACK(count_changed), &signals);
  const guint gen0 = gst_e2ee_keyring_get_generation(kr);

  Worker workers[2];
  workers[0].own_kid = 100;
  workers[1].own_kid = 200;
  workers[0].other = &workers[1];
  workers[1].other = &workers[0];
  std::atomic<int> overlapped{ 0 };
  workers[0].overlapped = workers[1].overlapped = &overlapped;
  std::atomic<int> waiting{ 2 };
  const gint64 deadline = g_get_monotonic_time() + kDeadlineUs;
  std::vector<std::thread> threads;
  for (Worker& w : workers)
    threads.emplace_back([kr, &w, &waiting, deadline]() { work(kr, &w, &waiting, deadline); });

  // Meanwhile, readers see whole entries and a generation that never goes back.
  guint last_gen = gen0;
  std::string reader_failure;
  while (!workers[0].done.load() || !workers[1].done.load()) {
    for (const auto& [kid, r] : snapshot(kr)) {
      if (kid != kSharedKid && kid != 100 && kid != 200)
        reader_failure = "unknown KID " + std::to_string(kid);
      if (r.key != kKey16 || r.suite != kGcm128)
        reader_failure = "torn entry for KID " + std::to_string(kid);
    }
    const guint g = gst_e2ee_keyring_get_generation(kr);
    if (g < last_gen)
      reader_failure = "generation went back";
    last_gen = g;
    // Leave the cores of a small machine mostly to the workers.
    g_usleep(50);
  }
  for (auto& t : threads)
    t.join();
  fail_unless(reader_failure.empty(), "%s", reader_failure.c_str());

  guint changes = 0;
  std::map<guint64, std::vector<Block>> by_kid;
  std::map<guint64, guint64> total;
  for (const Worker& w : workers) {
    fail_unless(w.failure.empty(), "KID %" G_GUINT64_FORMAT ": %s", w.own_kid, w.failure.c_str());
    fail_unless(w.iterations >= kIterations);
    GST_INFO("worker %" G_GUINT64_FORMAT ": %d iterations", w.own_kid, w.iterations);
    changes += w.changes;
    fail_unless_equals_int(w.changes, 3 * w.iterations);
    for (const Block& b : w.blocks) {
      by_kid[b.kid].push_back(b);
      total[b.kid] += b.count;
    }
  }
  GST_INFO("%d overlapping iterations", overlapped.load());
  fail_unless(overlapped.load() > 0, "the workers never ran concurrently");
  fail_unless_equals_int(gst_e2ee_keyring_get_generation(kr) - gen0, changes);
  fail_unless_equals_int(signals.load(), changes);

  // Per KID, the blocks handed out tile [0, total) with no overlap and no
  // gap: no counter was handed out twice, and the own KIDs, removed and added
  // thousands of times, never restarted.
  fail_unless_equals_int(by_kid.size(), 3);
  // (Plain comparisons in the loop: every passing Check assertion records a
  // mark point, which is slow over hundreds of thousands of blocks.)
  for (auto& [kid, blocks] : by_kid) {
    std::sort(blocks.begin(), blocks.end(), [](const Block& a, const Block& b) { return a.lo < b.lo; });
    guint64 next = 0;
    const Block* bad = nullptr;
    for (const Block& b : blocks) {
      if (b.lo != next || b.hi - b.lo + 1 != b.count) {
        bad = &b;
        break;
      }
      next = b.hi + 1;
    }
    fail_unless(bad == nullptr,
                "KID %" G_GUINT64_FORMAT ": block [%" G_GUINT64_FORMAT ", %" G_GUINT64_FORMAT "] of %" G_GUINT64_FORMAT
                ", expected to start at %" G_GUINT64_FORMAT,
                kid, bad ? bad->lo : 0, bad ? bad->hi : 0, bad ? bad->count : 0, next);
    fail_unless_equals_uint64(next, total[kid]);
  }
  for (const Worker& w : workers)
    fail_unless_equals_int(by_kid.at(w.own_kid).size(), w.iterations);

  // The final state: only the shared key; whichever thread set the encrypt
  // KID last removed that key afterwards, so no encrypt KID is left.
  fail_unless_equals_int(gst_e2ee_keyring_get_n_keys(kr), 1);
  fail_unless(gst_e2ee_keyring_has_key(kr, kSharedKid));
  fail_if(gst_e2ee_keyring_get_encrypt_kid(kr, nullptr));
  guint64 lo = 0, hi = 0;
  fail_unless(reserve(kr, kSharedKid, 1, &lo, &hi));
  fail_unless_equals_uint64(lo, total[kSharedKid]);
  gst_object_unref(kr);
}
GST_END_TEST;

// ------------------------------------------------------------------ enum

GST_START_TEST(test_cipher_suite_enum)
{
  // The nicks are the RFC 9605 names in kebab-case; launch lines and
  // application settings spell suites this way, so they must not drift.
  const char* nicks[] = { "aes-128-ctr-hmac-sha256-80", "aes-128-ctr-hmac-sha256-64", "aes-128-ctr-hmac-sha256-32",
                          "aes-128-gcm-sha256-128",     "aes-256-gcm-sha512-128",     "aes-256-ctr-hmac-sha512-80",
                          "aes-256-ctr-hmac-sha512-64", "aes-256-ctr-hmac-sha512-32" };
  fail_unless(G_TYPE_IS_ENUM(GST_TYPE_E2EE_CIPHER_SUITE));
  fail_unless_equals_string(g_type_name(GST_TYPE_E2EE_CIPHER_SUITE), "GstE2eeCipherSuite");
  GEnumClass* klass = G_ENUM_CLASS(g_type_class_ref(GST_TYPE_E2EE_CIPHER_SUITE));
  fail_unless_equals_int(klass->n_values, 8);
  fail_unless_equals_int(klass->minimum, 1);
  fail_unless_equals_int(klass->maximum, 8);
  for (int v = 1; v <= 8; v++) {
    GEnumValue* ev = g_enum_get_value(klass, v);
    fail_unless(ev != nullptr, "no value %d", v);
    fail_unless_equals_string(ev->value_nick, nicks[v - 1]);
    fail_unless(ev->value_name != nullptr && ev->value_name[0] != '\0');
    GEnumValue* by_nick = g_enum_get_value_by_nick(klass, nicks[v - 1]);
    fail_unless(by_nick != nullptr && by_nick->value == v);
    fail_unless(gst_e2ee_cipher_suite_is_valid(v));
  }
  fail_unless(g_enum_get_value(klass, 0) == nullptr);
  fail_unless(g_enum_get_value(klass, 9) == nullptr);
  for (int v : { 0, 9, -1, G_MININT, G_MAXINT })
    fail_if(gst_e2ee_cipher_suite_is_valid(v), "%d is valid", v);
  // The C enum agrees with the registered values (RFC 9605 section 4.5).
  fail_unless_equals_int(GST_E2EE_CIPHER_AES_128_CTR_HMAC_SHA256_80, 1);
  fail_unless_equals_int(GST_E2EE_CIPHER_AES_128_GCM_SHA256_128, 4);
  fail_unless_equals_int(GST_E2EE_CIPHER_AES_256_GCM_SHA512_128, 5);
  fail_unless_equals_int(GST_E2EE_CIPHER_AES_256_CTR_HMAC_SHA512_32, 8);
  fail_unless_equals_int(GST_E2EE_CIPHER_DEFAULT, GST_E2EE_CIPHER_AES_128_GCM_SHA256_128);
  g_type_class_unref(klass);
}
GST_END_TEST;

// ------------------------------------------------------------------ contexts

GST_START_TEST(test_context_round_trip)
{
  GstE2eeKeyring* kr = gst_e2ee_keyring_new();
  gpointer alive = kr;
  g_object_add_weak_pointer(G_OBJECT(kr), &alive);

  GstContext* ctx = gst_e2ee_keyring_context_new(kr);
  fail_unless_equals_string(gst_context_get_context_type(ctx), GST_E2EE_KEYRING_CONTEXT_TYPE);
  fail_unless_equals_string(GST_E2EE_KEYRING_CONTEXT_TYPE, "gst.e2ee.keyring");
  fail_unless(gst_context_has_context_type(ctx, "gst.e2ee.keyring"));
  // Persistent: a pipeline keeps it across NULL, so keys survive a restart.
  fail_unless(gst_context_is_persistent(ctx));

  // The context holds its own reference.
  gst_object_unref(kr);
  fail_unless(alive != nullptr);
  GstE2eeKeyring* back = gst_e2ee_keyring_from_context(ctx);
  fail_unless(back == alive);
  gst_object_unref(back);  // from_context returns a new reference
  fail_unless(alive != nullptr);
  gst_context_unref(ctx);
  fail_unless(alive == nullptr, "the keyring outlived its last context");

  // Other context types, and a keyring-typed context without a keyring.
  GstContext* other = gst_context_new("gst.gl.GLDisplay", TRUE);
  fail_unless(gst_e2ee_keyring_from_context(other) == nullptr);
  gst_context_unref(other);
  // The type decides, not the fields: another type carrying a keyring field
  // is still not ours.
  GstE2eeKeyring* stray = gst_e2ee_keyring_new();
  GstContext* lookalike = gst_context_new("org.example.keyring", TRUE);
  gst_structure_set(gst_context_writable_structure(lookalike), "keyring", GST_TYPE_E2EE_KEYRING, stray, nullptr);
  fail_unless(gst_e2ee_keyring_from_context(lookalike) == nullptr);
  gst_context_unref(lookalike);
  gst_object_unref(stray);
  GstContext* empty = gst_context_new(GST_E2EE_KEYRING_CONTEXT_TYPE, TRUE);
  fail_unless(gst_e2ee_keyring_from_context(empty) == nullptr);
  gst_structure_set(gst_context_writable_structure(empty), "keyring", G_TYPE_STRING, "not a keyring", nullptr);
  fail_unless(gst_e2ee_keyring_from_context(empty) == nullptr);
  gst_context_unref(empty);
}
GST_END_TEST;

// ------------------------------------------------------------------ test element
// The smallest element that uses the helpers the way sframeenc/sframedec do:
// a keyring slot under the object lock, set_context and context queries
// (on the element and on its pads) routed to the helpers.

#define TEST_TYPE_KEYRING_ELEMENT (test_keyring_element_get_type())
G_DECLARE_FINAL_TYPE(TestKeyringElement, test_keyring_element, TEST, KEYRING_ELEMENT, GstElement)

struct _TestKeyringElement {
  GstElement parent;
  GstE2eeKeyring* keyring;  // the slot
  gint answered;            // keyring context queries answered (atomic)
};

G_DEFINE_TYPE(TestKeyringElement, test_keyring_element, GST_TYPE_ELEMENT)

static GstStaticPadTemplate test_sink_template =
  GST_STATIC_PAD_TEMPLATE("sink", GST_PAD_SINK, GST_PAD_ALWAYS, GST_STATIC_CAPS_ANY);
static GstStaticPadTemplate test_src_template =
  GST_STATIC_PAD_TEMPLATE("src", GST_PAD_SRC, GST_PAD_ALWAYS, GST_STATIC_CAPS_ANY);

static gboolean test_answer(TestKeyringElement* self, GstQuery* query) noexcept
{
  if (!gst_e2ee_keyring_element_handle_query(GST_ELEMENT(self), &self->keyring, query))
    return FALSE;
  g_atomic_int_inc(&self->answered);
  return TRUE;
}

static gboolean test_pad_query(GstPad* pad, GstObject* parent, GstQuery* query) noexcept
{
  if (test_answer(TEST_KEYRING_ELEMENT(parent), query))
    return TRUE;
  return gst_pad_query_default(pad, parent, query);
}

static gboolean test_element_query(GstElement* element, GstQuery* query) noexcept
{
  if (test_answer(TEST_KEYRING_ELEMENT(element), query))
    return TRUE;
  return GST_ELEMENT_CLASS(test_keyring_element_parent_class)->query(element, query);
}

static void test_set_context(GstElement* element, GstContext* context) noexcept
{
  gst_e2ee_keyring_element_set_context(element, &TEST_KEYRING_ELEMENT(element)->keyring, context);
  GST_ELEMENT_CLASS(test_keyring_element_parent_class)->set_context(element, context);
}

static void test_finalize(GObject* object) noexcept
{
  TestKeyringElement* self = TEST_KEYRING_ELEMENT(object);
  if (self->keyring)
    gst_object_unref(self->keyring);
  self->keyring = nullptr;
  G_OBJECT_CLASS(test_keyring_element_parent_class)->finalize(object);
}

static void test_keyring_element_class_init(TestKeyringElementClass* klass)
{
  GObjectClass* gobject_class = G_OBJECT_CLASS(klass);
  GstElementClass* element_class = GST_ELEMENT_CLASS(klass);
  gobject_class->finalize = test_finalize;
  element_class->set_context = test_set_context;
  element_class->query = test_element_query;
  gst_element_class_add_static_pad_template(element_class, &test_sink_template);
  gst_element_class_add_static_pad_template(element_class, &test_src_template);
  gst_element_class_set_static_metadata(element_class, "Keyring test element", "Testing",
                                        "Holds a keyring slot like the sframe elements", "gst-e2ee");
}

static void test_keyring_element_init(TestKeyringElement* self)
{
  for (GstStaticPadTemplate* tmpl : { &test_sink_template, &test_src_template }) {
    GstPad* pad = gst_pad_new_from_static_template(tmpl, tmpl->name_template);
    gst_pad_set_query_function(pad, test_pad_query);
    gst_element_add_pad(GST_ELEMENT(self), pad);
  }
}

static GstElement* new_test_element(const char* name)
{
  return GST_ELEMENT(g_object_new(TEST_TYPE_KEYRING_ELEMENT, "name", name, nullptr));
}

// The slot's keyring without a reference: for identity checks only.
static GstE2eeKeyring* slot_of(GstElement* e)
{
  GST_OBJECT_LOCK(e);
  GstE2eeKeyring* kr = TEST_KEYRING_ELEMENT(e)->keyring;
  GST_OBJECT_UNLOCK(e);
  return kr;
}

static GstE2eeKeyring* ensure(GstElement* e)
{
  return gst_e2ee_keyring_element_ensure(e, &TEST_KEYRING_ELEMENT(e)->keyring);
}

static int answered(GstElement* e)
{
  return g_atomic_int_get(&TEST_KEYRING_ELEMENT(e)->answered);
}

// A message the elements posted, as the application's bus saw it. `keyring`
// is an identity for comparison only (the slot keeps the object alive).
struct Posted {
  GstMessageType type;
  std::string src;
  const void* keyring;
};

static std::vector<Posted> drain(GstBus* bus)
{
  std::vector<Posted> out;
  while (GstMessage* msg = gst_bus_pop(bus)) {
    Posted p = { GST_MESSAGE_TYPE(msg), GST_MESSAGE_SRC_NAME(msg), nullptr };
    if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_NEED_CONTEXT) {
      const gchar* type = nullptr;
      fail_unless(gst_message_parse_context_type(msg, &type));
      fail_unless_equals_string(type, GST_E2EE_KEYRING_CONTEXT_TYPE);
    } else if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_HAVE_CONTEXT) {
      GstContext* ctx = nullptr;
      gst_message_parse_have_context(msg, &ctx);
      GstE2eeKeyring* kr = gst_e2ee_keyring_from_context(ctx);
      fail_unless(kr != nullptr);
      p.keyring = kr;
      gst_object_unref(kr);
      gst_context_unref(ctx);
    }
    out.push_back(p);
    gst_message_unref(msg);
  }
  return out;
}

GST_START_TEST(test_element_set_context_and_query)
{
  GstElement* e = GST_ELEMENT(gst_object_ref_sink(new_test_element("e")));
  GstE2eeKeyring* kr = gst_e2ee_keyring_new();
  GstE2eeKeyring* other = gst_e2ee_keyring_new();

  // Nothing to answer with yet.
  GstQuery* q = gst_query_new_context(GST_E2EE_KEYRING_CONTEXT_TYPE);
  fail_if(gst_element_query(e, q));
  gst_query_unref(q);

  // Contexts of other types leave the slot alone.
  GstContext* gl = gst_context_new("gst.gl.GLDisplay", TRUE);
  gst_element_set_context(e, gl);
  gst_context_unref(gl);
  fail_unless(slot_of(e) == nullptr);

  GstContext* ctx = gst_e2ee_keyring_context_new(kr);
  gst_element_set_context(e, ctx);
  gst_context_unref(ctx);
  fail_unless(slot_of(e) == kr);

  // A second keyring context does not replace the one in the slot.
  GstContext* ctx2 = gst_e2ee_keyring_context_new(other);
  gst_element_set_context(e, ctx2);
  gst_context_unref(ctx2);
  fail_unless(slot_of(e) == kr);

  // Queries: only context queries of our type are answered.
  GstQuery* pos = gst_query_new_position(GST_FORMAT_TIME);
  fail_if(gst_e2ee_keyring_element_handle_query(e, &TEST_KEYRING_ELEMENT(e)->keyring, pos));
  gst_query_unref(pos);
  GstQuery* glq = gst_query_new_context("gst.gl.GLDisplay");
  fail_if(gst_e2ee_keyring_element_handle_query(e, &TEST_KEYRING_ELEMENT(e)->keyring, glq));
  gst_query_unref(glq);

  q = gst_query_new_context(GST_E2EE_KEYRING_CONTEXT_TYPE);
  fail_unless(gst_element_query(e, q));
  GstContext* answer = nullptr;
  gst_query_parse_context(q, &answer);
  fail_unless(answer != nullptr);
  GstE2eeKeyring* got = gst_e2ee_keyring_from_context(answer);
  fail_unless(got == kr);
  gst_object_unref(got);
  gst_query_unref(q);
  fail_unless_equals_int(answered(e), 1);

  // ensure with a filled slot returns it, with a reference of its own.
  GstE2eeKeyring* ensured = ensure(e);
  fail_unless(ensured == kr);
  gst_object_unref(ensured);
  fail_unless(slot_of(e) == kr);

  gst_object_unref(e);
  gst_object_unref(kr);
  gst_object_unref(other);
}
GST_END_TEST;

// No pipeline, no bus: ensure creates a keyring and keeps returning it.
GST_START_TEST(test_ensure_standalone)
{
  GstElement* e = GST_ELEMENT(gst_object_ref_sink(new_test_element("e")));
  GstE2eeKeyring* kr = ensure(e);
  fail_unless(GST_IS_E2EE_KEYRING(kr));
  fail_unless(slot_of(e) == kr);
  GstE2eeKeyring* again = ensure(e);
  fail_unless(again == kr);
  // The element also keeps the context, as GstElement does for set contexts.
  GstContext* ctx = gst_element_get_context(e, GST_E2EE_KEYRING_CONTEXT_TYPE);
  fail_unless(ctx != nullptr);
  GstE2eeKeyring* from = gst_e2ee_keyring_from_context(ctx);
  fail_unless(from == kr);
  gst_object_unref(from);
  gst_context_unref(ctx);
  gst_object_unref(again);
  gst_object_unref(kr);
  gst_object_unref(e);
}
GST_END_TEST;

// Two linked elements outside any bin: only the peer query connects them.
GST_START_TEST(test_ensure_peer_query)
{
  for (bool upstream_first : { true, false }) {
    GstElement* a = GST_ELEMENT(gst_object_ref_sink(new_test_element("a")));
    GstElement* b = GST_ELEMENT(gst_object_ref_sink(new_test_element("b")));
    fail_unless(gst_element_link(a, b));
    GstElement* first_el = upstream_first ? a : b;
    GstElement* second_el = upstream_first ? b : a;
    GstE2eeKeyring* k1 = ensure(first_el);
    GstE2eeKeyring* k2 = ensure(second_el);
    fail_unless(k1 == k2, "%s asked first: two keyrings", upstream_first ? "upstream" : "downstream");
    fail_unless(slot_of(second_el) == k1);
    fail_unless_equals_int(answered(first_el), 1);
    gst_object_unref(k1);
    gst_object_unref(k2);
    gst_element_unlink(a, b);
    gst_object_unref(a);
    gst_object_unref(b);
  }
}
GST_END_TEST;

// (a) Two linked elements in one pipeline share the keyring the first creates.
GST_START_TEST(test_ensure_shared_in_pipeline)
{
  GstElement* pipeline = gst_pipeline_new("p");
  GstElement* a = new_test_element("a");
  GstElement* b = new_test_element("b");
  gst_bin_add_many(GST_BIN(pipeline), a, b, nullptr);
  fail_unless(gst_element_link(a, b));
  GstBus* bus = gst_element_get_bus(pipeline);

  GstE2eeKeyring* ka = ensure(a);
  fail_unless(ka != nullptr && slot_of(a) == ka);
  GstE2eeKeyring* kb = ensure(b);
  fail_unless(kb == ka, "the second element got its own keyring");

  // a asked its neighbours and the application, then announced what it made;
  // b found it at its neighbour and posted nothing.
  auto posted = drain(bus);
  fail_unless_equals_int(posted.size(), 2);
  fail_unless_equals_int(posted[0].type, GST_MESSAGE_NEED_CONTEXT);
  fail_unless_equals_string(posted[0].src.c_str(), "a");
  fail_unless_equals_int(posted[1].type, GST_MESSAGE_HAVE_CONTEXT);
  fail_unless_equals_string(posted[1].src.c_str(), "a");
  fail_unless(posted[1].keyring == ka);

  // The pipeline kept the announced context, so an element added later gets
  // the same keyring when it joins, without asking.
  GstContext* kept = gst_element_get_context(pipeline, GST_E2EE_KEYRING_CONTEXT_TYPE);
  fail_unless(kept != nullptr);
  gst_context_unref(kept);
  GstElement* c = new_test_element("c");
  gst_bin_add(GST_BIN(pipeline), c);
  fail_unless(slot_of(c) == ka);

  gst_object_unref(ka);
  gst_object_unref(kb);
  gst_object_unref(bus);
  gst_object_unref(pipeline);
}
GST_END_TEST;

// Same, but not linked: the pipeline answers b's need-context from the
// context a announced.
GST_START_TEST(test_ensure_shared_through_bin)
{
  GstElement* pipeline = gst_pipeline_new("p");
  GstElement* a = new_test_element("a");
  GstElement* b = new_test_element("b");
  gst_bin_add_many(GST_BIN(pipeline), a, b, nullptr);
  GstBus* bus = gst_element_get_bus(pipeline);

  GstE2eeKeyring* ka = ensure(a);
  GstE2eeKeyring* kb = ensure(b);
  fail_unless(kb == ka, "the unlinked element got its own keyring");
  fail_unless_equals_int(answered(a), 0);  // no query path between them

  // The bin answered b's need-context itself, so the application saw only a's.
  auto posted = drain(bus);
  fail_unless_equals_int(posted.size(), 2);
  fail_unless_equals_int(posted[0].type, GST_MESSAGE_NEED_CONTEXT);
  fail_unless_equals_string(posted[0].src.c_str(), "a");
  fail_unless_equals_int(posted[1].type, GST_MESSAGE_HAVE_CONTEXT);
  fail_unless(posted[1].keyring == ka);

  gst_object_unref(ka);
  gst_object_unref(kb);
  gst_object_unref(bus);
  gst_object_unref(pipeline);
}
GST_END_TEST;

// The application answers need-context synchronously with its own keyring.
struct AppAnswer {
  GstE2eeKeyring* keyring;
  int asked = 0;
};

static GstBusSyncReply answer_need_context(GstBus*, GstMessage* msg, gpointer ud) noexcept
{
  auto* app = static_cast<AppAnswer*>(ud);
  const gchar* type = nullptr;
  if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_NEED_CONTEXT && gst_message_parse_context_type(msg, &type) &&
      g_str_equal(type, GST_E2EE_KEYRING_CONTEXT_TYPE)) {
    app->asked++;
    GstContext* ctx = gst_e2ee_keyring_context_new(app->keyring);
    gst_element_set_context(GST_ELEMENT(GST_MESSAGE_SRC(msg)), ctx);
    gst_context_unref(ctx);
  }
  return GST_BUS_PASS;
}

// (b) The application's keyring wins; nobody creates or announces another.
GST_START_TEST(test_ensure_application_wins)
{
  AppAnswer app = { gst_e2ee_keyring_new() };
  GstElement* pipeline = gst_pipeline_new("p");
  GstElement* a = new_test_element("a");
  GstElement* b = new_test_element("b");
  gst_bin_add_many(GST_BIN(pipeline), a, b, nullptr);
  fail_unless(gst_element_link(a, b));
  GstBus* bus = gst_element_get_bus(pipeline);
  gst_bus_set_sync_handler(bus, answer_need_context, &app, nullptr);

  GstE2eeKeyring* ka = ensure(a);
  fail_unless(ka == app.keyring);
  GstE2eeKeyring* kb = ensure(b);
  fail_unless(kb == app.keyring);
  fail_unless_equals_int(app.asked, 1);  // b found it at its neighbour

  gst_bus_set_sync_handler(bus, nullptr, nullptr, nullptr);
  auto posted = drain(bus);
  for (const Posted& p : posted)
    fail_if(p.type == GST_MESSAGE_HAVE_CONTEXT, "%s announced a keyring of its own", p.src.c_str());
  fail_unless_equals_int(posted.size(), 1);

  gst_object_unref(ka);
  gst_object_unref(kb);
  gst_object_unref(bus);
  gst_object_unref(pipeline);
  gst_object_unref(app.keyring);
}
GST_END_TEST;

// (c) An element whose slot is already set keeps it: neither the pipeline's
// context nor an application ready to answer replaces it.
GST_START_TEST(test_ensure_keeps_set_slot)
{
  GstE2eeKeyring* mine = gst_e2ee_keyring_new();
  AppAnswer app = { gst_e2ee_keyring_new() };
  GstElement* pipeline = gst_pipeline_new("p");
  GstElement* a = new_test_element("a");
  GstContext* ctx = gst_e2ee_keyring_context_new(mine);
  gst_element_set_context(a, ctx);
  gst_context_unref(ctx);
  gst_bin_add(GST_BIN(pipeline), a);
  GstBus* bus = gst_element_get_bus(pipeline);
  // Adding an element that carries a context makes the bin itself ask for and
  // then announce that type (GstBin's add); those messages are the bin's, not
  // the helpers', and come before the application's handler is installed.
  for (const Posted& p : drain(bus))
    fail_unless_equals_string(p.src.c_str(), "p");
  gst_bus_set_sync_handler(bus, answer_need_context, &app, nullptr);

  // The pipeline's context reaches a (bins pass contexts to their children);
  // a keeps its own.
  GstContext* pctx = gst_e2ee_keyring_context_new(app.keyring);
  gst_element_set_context(pipeline, pctx);
  gst_context_unref(pctx);
  fail_unless(slot_of(a) == mine);

  GstE2eeKeyring* got = ensure(a);
  fail_unless(got == mine);
  fail_unless_equals_int(app.asked, 0);
  gst_bus_set_sync_handler(bus, nullptr, nullptr, nullptr);
  fail_unless_equals_int(drain(bus).size(), 0);

  gst_object_unref(got);
  gst_object_unref(bus);
  gst_object_unref(pipeline);
  gst_object_unref(app.keyring);
  gst_object_unref(mine);
}
GST_END_TEST;

static Suite* keyring_suite()
{
  Suite* s = suite_create("keyring");
  TCase* store = tcase_create("store");
  suite_add_tcase(s, store);
  tcase_add_test(store, test_add_remove_has);
  tcase_add_test(store, test_refusals);
  tcase_add_test(store, test_add_key_hex);
  tcase_add_test(store, test_encrypt_kid);
  tcase_add_test(store, test_encrypt_kid_per_context);
  tcase_add_test(store, test_generation_and_changed_signal);
  tcase_add_test(store, test_foreach);
  tcase_add_test(store, test_cipher_suite_enum);

  TCase* counters = tcase_create("counters");
  suite_add_tcase(s, counters);
  tcase_add_test(counters, test_counter_blocks);
  tcase_add_test(counters, test_counter_exhaustion);
  tcase_add_test(counters, test_concurrent_changes_and_reservations);

  TCase* contexts = tcase_create("contexts");
  suite_add_tcase(s, contexts);
  tcase_add_test(contexts, test_context_round_trip);
  tcase_add_test(contexts, test_element_set_context_and_query);
  tcase_add_test(contexts, test_ensure_standalone);
  tcase_add_test(contexts, test_ensure_peer_query);
  tcase_add_test(contexts, test_ensure_shared_in_pipeline);
  tcase_add_test(contexts, test_ensure_shared_through_bin);
  tcase_add_test(contexts, test_ensure_application_wins);
  tcase_add_test(contexts, test_ensure_keeps_set_slot);
  return s;
}

// gstcheck turns criticals and warnings into test failures (or, inside
// ASSERT_CRITICAL, into the expected event) only for the GLib, GStreamer and
// default log domains; libgste2ee logs as "GStreamer-E2EE", so its
// g_return_if_fail checks would otherwise only print. Same policy as
// gstcheck's own handler.
static void e2ee_log_critical(const gchar*, GLogLevelFlags level, const gchar* message, gpointer) noexcept
{
  if (!_gst_check_raised_critical && !_gst_check_expecting_log)
    fail("Unexpected critical/warning from libgste2ee: %s", message);
  if (level & G_LOG_LEVEL_CRITICAL)
    _gst_check_raised_critical = TRUE;
  if (level & G_LOG_LEVEL_WARNING)
    _gst_check_raised_warning = TRUE;
}

int main(int argc, char** argv)
{
  gst_check_init(&argc, &argv);
  g_log_set_handler("GStreamer-E2EE", static_cast<GLogLevelFlags>(G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING),
                    e2ee_log_critical, nullptr);
  return gst_check_run_suite(keyring_suite(), "keyring", __FILE__);
}
