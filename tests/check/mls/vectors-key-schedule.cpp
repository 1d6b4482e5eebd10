// SPDX-License-Identifier: LGPL-2.1-or-later
// key-schedule.json: a chain of epochs from initial_init_secret; per epoch the
// GroupContext encoding, every secret of section 8, external_pub and one
// exporter output.
#include "mls-vectors.h"
#include "mls/key_schedule.h"

namespace mlsvec {

namespace m = gste2ee::mls;

namespace {

// The exporter label is a string in these vectors (test-vectors.md), whose
// characters happen to be hex digits: its bytes are the text, not decoded.
m::Bytes label_bytes(const testjson::Value& v)
{
  return m::Bytes(v.str().begin(), v.str().end());
}

} // namespace

std::string check_key_schedule(const testjson::Value& c)
{
  const auto suite = static_cast<uint16_t>(c["cipher_suite"].u64());
  auto crypto = m::Crypto::for_suite(suite);
  if (!crypto)
    return "suite not supported";
  m::SecretBytes init(c["initial_init_secret"].hex());
  const auto& epochs = c["epochs"];
  for (size_t i = 0; i < epochs.size(); i++) {
    const auto& e = epochs[i];
    const std::string at = "epoch " + std::to_string(i) + ": ";
    m::GroupContext gc;
    gc.cipher_suite = suite;
    gc.group_id = c["group_id"].hex();
    gc.epoch = i;
    gc.tree_hash = e["tree_hash"].hex();
    gc.confirmed_transcript_hash = e["confirmed_transcript_hash"].hex();
    auto encoded = gc.encode();
    if (!encoded)
      return at + "GroupContext encode failed";
    std::string err = mismatch(at + "group_context", encoded.value(), e["group_context"].hex());
    if (!err.empty())
      return err;
    auto s = m::derive_epoch(crypto.value(), init, m::SecretBytes(e["commit_secret"].hex()),
                             m::SecretBytes(e["psk_secret"].hex()), encoded.value());
    if (!s)
      return at + "derive_epoch: " + s.message();
    const m::EpochSecrets& v = s.value();
    const struct {
      const char* name;
      const m::Bytes& got;
    } fields[] = {
      { "joiner_secret", v.joiner_secret.bytes() },
      { "welcome_secret", v.welcome_secret.bytes() },
      { "sender_data_secret", v.sender_data_secret.bytes() },
      { "encryption_secret", v.encryption_secret.bytes() },
      { "exporter_secret", v.exporter_secret.bytes() },
      { "external_secret", v.external_secret.bytes() },
      { "confirmation_key", v.confirmation_key.bytes() },
      { "membership_key", v.membership_key.bytes() },
      { "resumption_psk", v.resumption_psk.bytes() },
      { "epoch_authenticator", v.epoch_authenticator.bytes() },
      { "init_secret", v.init_secret.bytes() },
      { "external_pub", v.external_pub },
    };
    for (const auto& f : fields)
      if (!(err = mismatch(at + f.name, f.got, e[f.name].hex())).empty())
        return err;
    const auto& ex = e["exporter"];
    auto exported = m::export_secret(crypto.value(), v.exporter_secret, label_bytes(ex["label"]), ex["context"].hex(),
                                     ex["length"].u64());
    if (!exported || !(err = mismatch(at + "exporter", exported.value().bytes(), ex["secret"].hex())).empty())
      return exported ? err : at + "exporter failed";
    // Joining from the joiner_secret reaches the same epoch.
    auto joined = m::derive_epoch_from_joiner(crypto.value(), v.joiner_secret,
                                              m::SecretBytes(e["psk_secret"].hex()), encoded.value());
    if (!joined || !(joined.value().epoch_secret == v.epoch_secret))
      return at + "joining from joiner_secret gives another epoch";
    init = v.init_secret;
  }
  return "";
}

std::string check_psk_secret(const testjson::Value& c)
{
  auto crypto = m::Crypto::for_suite(static_cast<uint16_t>(c["cipher_suite"].u64()));
  if (!crypto)
    return "suite not supported";
  std::vector<m::PskInput> psks;
  for (const auto& p : c["psks"].array()) {
    m::PskInput in;
    in.type = 1;  // the vectors' PSKs are external
    in.psk_id = p["psk_id"].hex();
    in.psk_nonce = p["psk_nonce"].hex();
    in.psk = m::SecretBytes(p["psk"].hex());
    psks.push_back(std::move(in));
  }
  auto s = m::psk_secret(crypto.value(), psks);
  if (!s)
    return std::string("psk_secret: ") + s.message();
  return mismatch("psk_secret", s.value().bytes(), c["psk_secret"].hex());
}

} // namespace mlsvec
