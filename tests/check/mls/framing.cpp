// SPDX-License-Identifier: LGPL-2.1-or-later
// Framing refusals the vectors do not reach (RFC 9420 section 6): tampered
// PrivateMessage fields, replayed and reordered application messages, a
// message for another epoch or group, non-zero padding, forged signatures
// and membership tags. Each is refused with its own error.
#include "mls/framing.h"
#include "mls/primitives.h"

#include <check.h>

namespace m = gste2ee::mls;

namespace {

struct Fixture {
  m::Crypto crypto = m::Crypto::for_suite(1).value();
  m::SecretBytes sig_priv = m::prim::generate_signature_key(m::SigAlg::Ed25519).value();
  m::Bytes sig_pub = crypto.signature_public_key(sig_priv).value();
  m::SecretBytes encryption_secret{ m::Bytes(32, 0x11) };
  m::SecretBytes sender_data_secret{ m::Bytes(32, 0x22) };
  m::SecretBytes membership_key{ m::Bytes(32, 0x33) };
  m::Bytes gc = [] {
    m::GroupContext g;
    g.cipher_suite = 1;
    g.group_id = { 'g', 'r', 'p' };
    g.epoch = 7;
    g.tree_hash = m::Bytes(32, 1);
    g.confirmed_transcript_hash = m::Bytes(32, 2);
    return g.encode().value();
  }();
  m::SecretTree sender_tree{ crypto, encryption_secret, 4 };
  m::SecretTree receiver_tree{ crypto, encryption_secret, 4 };

  m::FramedContent app(const m::Bytes& data)
  {
    m::FramedContent fc;
    fc.group_id = { 'g', 'r', 'p' };
    fc.epoch = 7;
    fc.sender = m::Sender{ m::Sender::kMember, 2 };
    fc.content = data;
    return fc;
  }

  m::PrivateMessage seal(const m::FramedContent& fc, size_t padding = 0)
  {
    m::FramedContentAuthData auth;
    auth.signature = m::sign_framed_content(crypto, m::WireFormat::PrivateMessage, fc, gc, sig_priv).value();
    auto pm = m::encrypt_private(crypto, fc, auth, sender_tree, sender_data_secret, padding);
    ck_assert(pm.ok());
    return pm.value();
  }

  m::Result<m::AuthenticatedContent> open(const m::PrivateMessage& pm)
  {
    return m::decrypt_private(crypto, pm, receiver_tree, sender_data_secret);
  }
};

} // namespace

START_TEST(test_private_round_trip_with_padding)
{
  Fixture f;
  auto pm = f.seal(f.app({ 1, 2, 3 }), 100);
  auto ac = f.open(pm);
  ck_assert_msg(ac.ok(), "%s", ac.message());
  ck_assert(std::get<m::Bytes>(ac.value().content.content) == m::Bytes({ 1, 2, 3 }));
  ck_assert_uint_eq(ac.value().content.sender.index, 2);
  ck_assert(m::verify_framed_content(f.crypto, m::WireFormat::PrivateMessage, ac.value().content, f.gc, f.sig_pub,
                                     ac.value().auth.signature));
}
END_TEST

START_TEST(test_replayed_and_reordered_application_messages)
{
  Fixture f;
  auto first = f.seal(f.app({ 1 }));
  auto second = f.seal(f.app({ 2 }));
  ck_assert(f.open(second).ok());  // reordered: second before first
  ck_assert(f.open(first).ok());
  auto replay = f.open(second);
  ck_assert(!replay.ok());  // its generation's key is gone
  ck_assert(!f.open(first).ok());
}
END_TEST

START_TEST(test_tampered_fields_refused)
{
  struct {
    const char* what;
    void (*change)(m::PrivateMessage&);
    m::Error want;
  } cases[] = {
    { "ciphertext", [](m::PrivateMessage& p) { p.ciphertext[p.ciphertext.size() - 1] ^= 1; },
      m::Error::AuthenticationFailed },
    { "sender data", [](m::PrivateMessage& p) { p.encrypted_sender_data[0] ^= 1; }, m::Error::AuthenticationFailed },
    { "epoch", [](m::PrivateMessage& p) { p.epoch++; }, m::Error::AuthenticationFailed },
    { "group", [](m::PrivateMessage& p) { p.group_id.push_back('x'); }, m::Error::AuthenticationFailed },
    { "authenticated data", [](m::PrivateMessage& p) { p.authenticated_data.push_back(0); },
      m::Error::AuthenticationFailed },
    { "content type", [](m::PrivateMessage& p) { p.content_type = 2; }, m::Error::AuthenticationFailed },
    { "unknown content type", [](m::PrivateMessage& p) { p.content_type = 9; }, m::Error::Malformed },
  };
  for (const auto& c : cases) {
    Fixture g;  // a fresh receiver each time: keys are consumed
    auto sealed = g.seal(g.app({ 9, 9 }));
    c.change(sealed);
    auto r = g.open(sealed);
    ck_assert_msg(!r.ok(), "%s: accepted", c.what);
    ck_assert_msg(r.error() == c.want, "%s: %s", c.what, m::error_name(r.error()));
  }
}
END_TEST

START_TEST(test_forged_signature_and_membership_tag)
{
  Fixture f;
  auto fc = f.app({ 5 });
  auto sig = m::sign_framed_content(f.crypto, m::WireFormat::PublicMessage, fc, f.gc, f.sig_priv).value();
  // Signed for PublicMessage, presented as PrivateMessage content: refused.
  ck_assert(!m::verify_framed_content(f.crypto, m::WireFormat::PrivateMessage, fc, f.gc, f.sig_pub, sig));
  // Another epoch's GroupContext: refused.
  m::GroupContext other = m::wire::decode<m::GroupContext>(f.gc).value();
  other.epoch++;
  ck_assert(!m::verify_framed_content(f.crypto, m::WireFormat::PublicMessage, fc, other.encode().value(), f.sig_pub,
                                      sig));
  m::PublicMessage pm{ fc, { sig, {} }, {} };
  pm.membership_tag = m::membership_tag(f.crypto, f.membership_key, fc, pm.auth, f.gc).value();
  ck_assert(m::verify_membership_tag(f.crypto, f.membership_key, pm, f.gc));
  m::SecretBytes wrong_key{ m::Bytes(32, 0x34) };
  ck_assert(!m::verify_membership_tag(f.crypto, wrong_key, pm, f.gc));
  pm.membership_tag.pop_back();
  ck_assert(!m::verify_membership_tag(f.crypto, f.membership_key, pm, f.gc));
}
END_TEST

int main()
{
  Suite* s = suite_create("mls-framing");
  TCase* tc = tcase_create("framing");
  tcase_add_test(tc, test_private_round_trip_with_padding);
  tcase_add_test(tc, test_replayed_and_reordered_application_messages);
  tcase_add_test(tc, test_tampered_fields_refused);
  tcase_add_test(tc, test_forged_signature_and_membership_tag);
  suite_add_tcase(s, tc);
  SRunner* sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  const int failed_count = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed_count == 0 ? 0 : 1;
}
