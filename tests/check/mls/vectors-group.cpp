// SPDX-License-Identifier: LGPL-2.1-or-later
// welcome.json: open a Welcome with the KeyPackage's init key, check the
// GroupInfo's signature and confirmation tag. passive-client-welcome.json and
// passive-client-handling-commit.json: join from the Welcome (with the
// ratchet_tree extension or a tree given apart), then follow every epoch's
// proposals and commit; the epoch authenticator must match at every step.
#include "mls-vectors.h"
#include "mls/group.h"

namespace mlsvec {

namespace m = gste2ee::mls;

namespace {

template <typename T>
m::Result<T> inner(const m::Bytes& mls_message)
{
  auto msg = m::wire::decode<m::MLSMessage>(mls_message);
  if (!msg)
    return msg.failure();
  if (const auto* v = std::get_if<T>(&msg.value().message))
    return *v;
  return m::failed(m::Error::Malformed, "MLSMessage of another wire format");
}

m::ExternalPsks external_psks(const testjson::Value& c)
{
  m::ExternalPsks psks;
  if (const auto list = c.find("external_psks"))
    for (const auto& p : list->array())
      psks.emplace(p["psk_id"].hex(), m::SecretBytes(p["psk"].hex()));
  return psks;
}

} // namespace

std::string check_welcome(const testjson::Value& c)
{
  auto crypto = m::Crypto::for_suite(static_cast<uint16_t>(c["cipher_suite"].u64()));
  if (!crypto)
    return "suite not supported";
  auto kp = inner<m::KeyPackage>(c["key_package"].hex());
  auto welcome = inner<m::Welcome>(c["welcome"].hex());
  if (!kp || !welcome)
    return "key_package or welcome refused";
  auto opened = m::open_welcome(crypto.value(), welcome.value(), kp.value(), m::SecretBytes(c["init_priv"].hex()), {});
  if (!opened)
    return std::string("open_welcome: ") + opened.message();
  const auto& info = opened.value().info;
  if (!m::verify_group_info(crypto.value(), info, c["signer_pub"].hex()))
    return "GroupInfo signature does not verify";
  auto gc = info.group_context.encode();
  auto secrets = m::derive_epoch_from_joiner(crypto.value(), opened.value().secrets.joiner_secret,
                                             opened.value().psk_secret, gc.value());
  if (!secrets)
    return "epoch derivation failed";
  auto tag = crypto.value().mac(secrets.value().confirmation_key, info.group_context.confirmed_transcript_hash);
  if (!tag || tag.value() != info.confirmation_tag)
    return "confirmation tag does not verify";
  // A wrong init key cannot open it.
  auto wrong = m::open_welcome(crypto.value(), welcome.value(), kp.value(),
                               m::SecretBytes(m::Bytes(c["init_priv"].hex().size(), 1)), {});
  if (wrong)
    return "opened with a wrong init key";
  return "";
}

std::string check_passive_client(const testjson::Value& c)
{
  auto kp = inner<m::KeyPackage>(c["key_package"].hex());
  auto welcome = inner<m::Welcome>(c["welcome"].hex());
  if (!kp || !welcome)
    return "key_package or welcome refused";
  m::KeyPackageSecrets secrets{ kp.value(), m::SecretBytes(c["init_priv"].hex()),
                                m::SecretBytes(c["encryption_priv"].hex()),
                                m::SecretBytes(c["signature_priv"].hex()) };
  std::optional<m::RatchetTree> tree;
  if (!c["ratchet_tree"].is_null()) {
    auto t = m::wire::decode<m::RatchetTree>(c["ratchet_tree"].hex());
    if (!t)
      return "ratchet_tree refused";
    tree = std::move(t).value();
  }
  const auto psks = external_psks(c);
  auto group = m::Group::join(welcome.value(), secrets, tree, psks);
  if (!group)
    return std::string("join: ") + group.message();
  std::string e;
  if (!(e = mismatch("initial epoch authenticator", group.value().epoch_authenticator().bytes(),
                     c["initial_epoch_authenticator"].hex()))
         .empty())
    return e;
  m::Group g = std::move(group).value();
  const auto& epochs = c["epochs"];
  for (size_t i = 0; i < epochs.size(); i++) {
    const std::string at = "epoch step " + std::to_string(i) + ": ";
    for (const auto& p : epochs[i]["proposals"].array()) {
      auto msg = m::wire::decode<m::MLSMessage>(p.hex());
      if (!msg)
        return at + "proposal refused by the decoder";
      auto next = g.handle(msg.value(), psks);
      if (!next)
        return at + "proposal: " + next.message();
      g = std::move(next).value();
    }
    auto commit = m::wire::decode<m::MLSMessage>(epochs[i]["commit"].hex());
    if (!commit)
      return at + "commit refused by the decoder";
    auto next = g.handle(commit.value(), psks);
    if (!next)
      return at + "commit: " + next.message();
    // The same commit again is for an epoch that has passed.
    if (next.value().handle(commit.value(), psks))
      return at + "the same commit was accepted twice";
    g = std::move(next).value();
    if (!(e = mismatch(at + "epoch authenticator", g.epoch_authenticator().bytes(),
                       epochs[i]["epoch_authenticator"].hex()))
           .empty())
      return e;
  }
  return "";
}

} // namespace mlsvec
