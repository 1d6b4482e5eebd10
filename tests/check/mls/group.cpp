// SPDX-License-Identifier: LGPL-2.1-or-later
// Group-level refusals (RFC 9420 sections 6, 12): from a member joined to a
// vector scenario, a commit for a later epoch, for another group, replayed,
// with a changed signature or confirmation tag, referencing an unknown
// proposal, and a Welcome for a KeyPackage we do not hold. Each is refused
// and the member's state is unchanged (a Group is a value: the same
// genuine commit still applies afterwards).
#include "json.h"
#include "mls/group.h"

#include <check.h>

namespace m = gste2ee::mls;

namespace {

struct Scenario {
  m::Group group;
  m::ExternalPsks psks;
  std::vector<m::MLSMessage> commits;  // one per epoch, in order
  m::Bytes epoch1_authenticator;
};

m::MLSMessage decode(const m::Bytes& b)
{
  auto msg = m::wire::decode<m::MLSMessage>(b);
  ck_assert(msg.ok());
  return msg.value();
}

// The first passive-client case whose first two epochs are commits without
// proposals by reference.
Scenario load()
{
  const auto file = testjson::load_file(std::string(VECTORS_DIR) + "/mls/passive-client-handling-commit.json");
  for (const auto& c : file.array()) {
    const auto& epochs = c["epochs"];
    if (epochs.size() < 2 || epochs[0]["proposals"].size() != 0 || epochs[1]["proposals"].size() != 0)
      continue;
    auto kp = std::get<m::KeyPackage>(decode(c["key_package"].hex()).message);
    auto welcome = std::get<m::Welcome>(decode(c["welcome"].hex()).message);
    m::KeyPackageSecrets secrets{ kp, m::SecretBytes(c["init_priv"].hex()), m::SecretBytes(c["encryption_priv"].hex()),
                                  m::SecretBytes(c["signature_priv"].hex()) };
    m::ExternalPsks psks;
    for (const auto& p : c["external_psks"].array())
      psks.emplace(p["psk_id"].hex(), m::SecretBytes(p["psk"].hex()));
    auto g = m::Group::join(welcome, secrets, std::nullopt, psks);
    ck_assert_msg(g.ok(), "%s", g.message());
    return Scenario{ g.value(), psks, { decode(epochs[0]["commit"].hex()), decode(epochs[1]["commit"].hex()) },
                     epochs[0]["epoch_authenticator"].hex() };
  }
  ck_abort_msg("no suitable scenario");
  return { m::Group::join({}, {}, std::nullopt, {}).value(), {}, {}, {} };  // not reached
}

m::PublicMessage& pub(m::MLSMessage& msg)
{
  return std::get<m::PublicMessage>(msg.message);
}

void expect_refused(const Scenario& s, const m::MLSMessage& msg, m::Error want, const char* what)
{
  auto r = s.group.handle(msg, s.psks);
  ck_assert_msg(!r.ok(), "%s: accepted", what);
  ck_assert_msg(r.error() == want, "%s: %s (%s)", what, m::error_name(r.error()), r.message());
}

// The genuine first commit still applies: nothing above changed the state.
void expect_unchanged(const Scenario& s)
{
  auto r = s.group.handle(s.commits[0], s.psks);
  ck_assert_msg(r.ok(), "%s", r.message());
  ck_assert(r.value().epoch_authenticator().bytes() == s.epoch1_authenticator);
}

} // namespace

START_TEST(test_commit_for_later_epoch_refused)
{
  auto s = load();
  expect_refused(s, s.commits[1], m::Error::InvalidArgument, "commit of the next epoch");
  expect_unchanged(s);
}
END_TEST

START_TEST(test_commit_for_another_group_refused)
{
  auto s = load();
  auto msg = s.commits[0];
  pub(msg).content.group_id.push_back('x');
  expect_refused(s, msg, m::Error::InvalidArgument, "another group");
  expect_unchanged(s);
}
END_TEST

START_TEST(test_replayed_commit_refused)
{
  auto s = load();
  auto next = s.group.handle(s.commits[0], s.psks);
  ck_assert(next.ok());
  auto again = next.value().handle(s.commits[0], s.psks);
  ck_assert(!again.ok() && again.error() == m::Error::InvalidArgument);
}
END_TEST

START_TEST(test_tampered_commit_refused)
{
  auto s = load();
  auto sig = s.commits[0];
  pub(sig).auth.signature.back() ^= 1;
  auto tag = s.commits[0];
  pub(tag).auth.confirmation_tag.back() ^= 1;
  auto aad = s.commits[0];
  pub(aad).content.authenticated_data.push_back(7);
  const bool member_sender = pub(sig).content.sender.type == m::Sender::kMember;
  // A member's commit is first checked by its membership tag, which covers
  // the signature; an external commit by its signature.
  expect_refused(s, sig, member_sender ? m::Error::AuthenticationFailed : m::Error::BadSignature, "signature");
  expect_refused(s, tag, m::Error::AuthenticationFailed, "confirmation tag");
  expect_refused(s, aad, member_sender ? m::Error::AuthenticationFailed : m::Error::BadSignature,
                 "authenticated data");
  expect_unchanged(s);
}
END_TEST

START_TEST(test_unknown_proposal_reference_refused)
{
  auto s = load();
  auto msg = s.commits[0];
  auto& commit = std::get<m::Commit>(pub(msg).content.content);
  commit.proposals.push_back(m::ProposalOrRef{ m::Bytes(32, 0xab) });
  // Refused before any signature check could matter: the reference is unknown
  // (or the membership tag no longer matches, which also refuses it).
  auto r = s.group.handle(msg, s.psks);
  ck_assert(!r.ok());
  expect_unchanged(s);
}
END_TEST

START_TEST(test_welcome_for_another_key_package_refused)
{
  const auto file = testjson::load_file(std::string(VECTORS_DIR) + "/mls/passive-client-welcome.json");
  const auto& a = file[0];
  const auto& b = file[1];
  auto kp_b = std::get<m::KeyPackage>(decode(b["key_package"].hex()).message);
  auto welcome_a = std::get<m::Welcome>(decode(a["welcome"].hex()).message);
  m::KeyPackageSecrets secrets{ kp_b, m::SecretBytes(b["init_priv"].hex()), m::SecretBytes(b["encryption_priv"].hex()),
                                m::SecretBytes(b["signature_priv"].hex()) };
  auto g = m::Group::join(welcome_a, secrets, std::nullopt, {});
  ck_assert(!g.ok());
  ck_assert_msg(g.error() == m::Error::InvalidArgument, "%s", g.message());
}
END_TEST

START_TEST(test_truncated_messages_refused)
{
  auto s = load();
  const auto full = m::wire::encode(s.commits[0]).value();
  for (size_t n = 0; n < full.size(); n += 7) {
    auto msg = m::wire::decode<m::MLSMessage>(m::Bytes(full.begin(), full.begin() + static_cast<long>(n)));
    ck_assert_msg(!msg.ok(), "a %zu-byte prefix decoded", n);
  }
}
END_TEST

int main()
{
  Suite* s = suite_create("mls-group");
  TCase* tc = tcase_create("group");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, test_commit_for_later_epoch_refused);
  tcase_add_test(tc, test_commit_for_another_group_refused);
  tcase_add_test(tc, test_replayed_commit_refused);
  tcase_add_test(tc, test_tampered_commit_refused);
  tcase_add_test(tc, test_unknown_proposal_reference_refused);
  tcase_add_test(tc, test_welcome_for_another_key_package_refused);
  tcase_add_test(tc, test_truncated_messages_refused);
  suite_add_tcase(s, tc);
  SRunner* sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  const int failed_count = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed_count == 0 ? 0 : 1;
}
