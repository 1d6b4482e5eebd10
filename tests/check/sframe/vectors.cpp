// SPDX-License-Identifier: LGPL-2.1-or-later
// The SFrame core against every public test vector (tests/vectors/sframe/,
// copied unchanged from the RFC 9605 and draft-ietf-avtcore-rtp-sframe
// repositories). Each vector kind has a struct and a verify() that names the
// first field that differs.
#include <check.h>

#include <string>

#include "json.h"
#include "sframe/sframe.h"

namespace sf = gste2ee::sframe;
using Bytes = std::vector<uint8_t>;

static const std::string kDir = std::string(VECTORS_DIR) + "/sframe/";

static Bytes bytes(sf::ByteView v)
{
  return Bytes(v.data, v.data + v.size);
}

// Returns nullptr if all fields match, else the name of the first mismatch.
struct HeaderVector {
  uint64_t kid, ctr;
  Bytes encoded;
  const char* verify() const
  {
    uint8_t buf[sf::kMaxHeaderSize];
    auto n = sf::encode_header(kid, ctr, { buf, sizeof buf });
    if (!n || Bytes(buf, buf + n.value()) != encoded)
      return "encoded";
    if (sf::header_size(kid, ctr) != encoded.size())
      return "header_size";
    auto h = sf::decode_header(encoded);
    if (!h)
      return "decode";
    if (h.value().kid != kid)
      return "kid";
    if (h.value().ctr != ctr)
      return "ctr";
    if (h.value().size != encoded.size())
      return "size";
    return nullptr;
  }
};

struct AeadVector {
  uint16_t suite;
  Bytes key, nonce, aad, pt, ct;
  const char* verify() const
  {
    auto info = sf::suite_info(suite);
    if (!info)
      return "cipher_suite";
    auto seal = sf::Aead::create(*info.value(), key, sf::Direction::Seal);
    auto open = sf::Aead::create(*info.value(), key, sf::Direction::Open);
    if (!seal || !open)
      return "key";
    Bytes out(pt.size() + info.value()->tag_size);
    if (!seal.value()->seal(nonce.data(), aad, pt, out.data()) || out != ct)
      return "ct";
    Bytes back(pt.size());
    if (!open.value()->open(nonce.data(), aad, ct, back.data()) || back != pt)
      return "pt";
    return nullptr;
  }
};

struct SFrameVector {
  uint16_t suite;
  uint64_t kid, ctr;
  Bytes base_key, sframe_key, sframe_salt, metadata, nonce, pt, ct;
  const char* verify() const
  {
    auto info = sf::suite_info(suite);
    if (!info)
      return "cipher_suite";
    auto ks = sf::derive_key_salt(*info.value(), kid, base_key);
    if (!ks)
      return "derive";
    if (bytes(ks.value().key.view()) != sframe_key)
      return "sframe_key";
    if (bytes(ks.value().salt.view()) != sframe_salt)
      return "sframe_salt";
    Bytes want_nonce = sframe_salt;
    for (size_t i = 0; i < 8; i++)
      want_nonce[sf::kNonceSize - 1 - i] ^= static_cast<uint8_t>(ctr >> (8 * i));
    if (want_nonce != nonce)
      return "nonce";

    sf::Encryptor enc;
    if (!enc.add_key(kid, static_cast<sf::CipherSuite>(suite), base_key, { ctr, UINT64_MAX }))
      return "add_key";
    Bytes out(pt.size() + sf::kMaxOverhead);
    auto n = enc.protect(kid, metadata, pt, out);
    if (!n)
      return "protect";
    out.resize(n.value());
    if (out != ct)
      return "ct";

    sf::Decryptor dec;
    if (!dec.add_key(kid, static_cast<sf::CipherSuite>(suite), base_key))
      return "decryptor add_key";
    Bytes back(pt.size());
    auto r = dec.unprotect(ct, metadata, back);
    if (!r || back != pt)
      return "pt";
    if (r.value().kid != kid || r.value().ctr != ctr)
      return "frame info";
    return nullptr;
  }
};

struct SsrcVector {
  uint16_t suite;
  Bytes base_key;
  uint32_t ssrc_a, ssrc_b;
  Bytes key_a, key_b;
  const char* verify() const
  {
    auto info = sf::suite_info(suite);
    if (!info)
      return "cipher_suite";
    auto a = sf::derive_ssrc_base_key(*info.value(), ssrc_a, base_key);
    auto b = sf::derive_ssrc_base_key(*info.value(), ssrc_b, base_key);
    if (!a || bytes(a.value().view()) != key_a)
      return "stream_key_a";
    if (!b || bytes(b.value().view()) != key_b)
      return "stream_key_b";
    return nullptr;
  }
};

template <typename V>
static void check_all(const std::vector<V>& vs, size_t expected, const char* what)
{
  ck_assert_msg(vs.size() == expected, "%s: %zu cases, expected %zu", what, vs.size(), expected);
  for (size_t i = 0; i < vs.size(); i++) {
    const char* bad = vs[i].verify();
    ck_assert_msg(bad == nullptr, "%s case %zu: %s differs", what, i, bad ? bad : "");
  }
}

START_TEST(test_headers)
{
  const auto doc = testjson::load_file(kDir + "rfc9605.json");
  std::vector<HeaderVector> vs;
  for (const auto& c : doc["header"].array())
    vs.push_back({ c["kid"].u64(), c["ctr"].u64(), c["encoded"].hex() });
  check_all(vs, 289, "header");
}
END_TEST

static std::vector<AeadVector> aead_vectors(const std::string& file, const char* key)
{
  const auto doc = testjson::load_file(kDir + file);
  std::vector<AeadVector> vs;
  for (const auto& c : doc[key].array()) {
    // The combined key must be enc_key | auth_key, as the vectors also list.
    Bytes joined = c["enc_key"].hex();
    const Bytes auth = c["auth_key"].hex();
    joined.insert(joined.end(), auth.begin(), auth.end());
    ck_assert_msg(joined == c["key"].hex(), "vector key is not enc_key | auth_key");
    vs.push_back({ static_cast<uint16_t>(c["cipher_suite"].u64()), c["key"].hex(), c["nonce"].hex(), c["aad"].hex(),
                   c["pt"].hex(), c["ct"].hex() });
  }
  return vs;
}

START_TEST(test_aead_ctr_hmac_128)
{
  check_all(aead_vectors("rfc9605.json", "aes_ctr_hmac"), 3, "aes_ctr_hmac");
}
END_TEST

START_TEST(test_aead_ctr_hmac_256)
{
  check_all(aead_vectors("aes256-ctr-hmac-aead.json", "aes_256_ctr_hmac"), 3, "aes_256_ctr_hmac");
}
END_TEST

static std::vector<SFrameVector> sframe_vectors(const std::string& file, const char* key)
{
  const auto doc = testjson::load_file(kDir + file);
  std::vector<SFrameVector> vs;
  for (const auto& c : doc[key].array()) {
    SFrameVector v{ static_cast<uint16_t>(c["cipher_suite"].u64()), c["kid"].u64(), c["ctr"].u64(), c["base_key"].hex(),
                    c["sframe_key"].hex(), c["sframe_salt"].hex(), c["metadata"].hex(), c["nonce"].hex(),
                    c["pt"].hex(), c["ct"].hex() };
    // aad = header | metadata: check the vector's own consistency too.
    Bytes aad(v.ct.begin(), v.ct.begin() + static_cast<long>(sf::header_size(v.kid, v.ctr)));
    aad.insert(aad.end(), v.metadata.begin(), v.metadata.end());
    ck_assert_msg(aad == c["aad"].hex(), "%s: aad is not header | metadata", file.c_str());
    vs.push_back(std::move(v));
  }
  return vs;
}

START_TEST(test_sframe_suites_1_to_5)
{
  const auto vs = sframe_vectors("rfc9605.json", "sframe");
  check_all(vs, 5, "sframe");
  for (uint16_t i = 0; i < 5; i++)
    ck_assert_int_eq(vs[i].suite, i + 1);
}
END_TEST

START_TEST(test_sframe_suites_6_to_8)
{
  const auto vs = sframe_vectors("aes256-ctr-hmac.json", "sframe_aes_256_ctr_hmac");
  check_all(vs, 3, "sframe_aes_256_ctr_hmac");
  for (uint16_t i = 0; i < 3; i++)
    ck_assert_int_eq(vs[i].suite, i + 6);
}
END_TEST

START_TEST(test_per_ssrc_keys)
{
  const auto doc = testjson::load_file(kDir + "rtp-sframe-per-ssrc.json");
  std::vector<SsrcVector> vs;
  for (const auto& c : doc["sframe_per_ssrc_key_derivation"].array())
    vs.push_back({ static_cast<uint16_t>(c["cipher_suite"].u64()), c["base_key"].hex(),
                   static_cast<uint32_t>(c["ssrc_a"].u64()), static_cast<uint32_t>(c["ssrc_b"].u64()),
                   c["stream_key_a"].hex(), c["stream_key_b"].hex() });
  check_all(vs, 8, "per-ssrc");
}
END_TEST

int main()
{
  Suite* s = suite_create("sframe-vectors");
  TCase* tc = tcase_create("vectors");
  tcase_add_test(tc, test_headers);
  tcase_add_test(tc, test_aead_ctr_hmac_128);
  tcase_add_test(tc, test_aead_ctr_hmac_256);
  tcase_add_test(tc, test_sframe_suites_1_to_5);
  tcase_add_test(tc, test_sframe_suites_6_to_8);
  tcase_add_test(tc, test_per_ssrc_keys);
  suite_add_tcase(s, tc);
  SRunner* sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  const int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed == 0 ? 0 : 1;
}
