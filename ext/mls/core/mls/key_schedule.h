// SPDX-License-Identifier: LGPL-2.1-or-later
// The key schedule of RFC 9420 section 8: GroupContext, the per-epoch secrets,
// PSK combination (8.4) and the exporter (8.5).
#pragma once

#include <cstdint>
#include <vector>

#include "mls/crypto.h"
#include "mls/extension.h"

namespace gste2ee::mls {

// struct {
//     ProtocolVersion version = mls10;
//     CipherSuite cipher_suite;
//     opaque group_id<V>;
//     uint64 epoch;
//     opaque tree_hash<V>;
//     opaque confirmed_transcript_hash<V>;
//     Extension extensions<V>;
// } GroupContext;
struct GroupContext {
  uint16_t version = 1;  // mls10
  uint16_t cipher_suite = 0;
  Bytes group_id;
  uint64_t epoch = 0;
  Bytes tree_hash;
  Bytes confirmed_transcript_hash;
  std::vector<Extension> extensions;

  Result<Bytes> encode() const;
};
Result<void> read(Reader& r, GroupContext& out);
bool write(Writer& w, const GroupContext& v);

// The secrets of one epoch (8, table 4), all Nh bytes.
struct EpochSecrets {
  SecretBytes joiner_secret;
  SecretBytes welcome_secret;
  SecretBytes epoch_secret;
  SecretBytes sender_data_secret;
  SecretBytes encryption_secret;
  SecretBytes exporter_secret;
  SecretBytes external_secret;
  SecretBytes confirmation_key;
  SecretBytes membership_key;
  SecretBytes resumption_psk;
  SecretBytes epoch_authenticator;
  SecretBytes init_secret;  // the next epoch's init_secret
  Bytes external_pub;       // DeriveKeyPair(external_secret).pub
};

// From the previous epoch's init_secret, this epoch's commit_secret and
// psk_secret (Nh zero bytes when absent) and its GroupContext.
Result<EpochSecrets> derive_epoch(const Crypto& c, const SecretBytes& init_secret, const SecretBytes& commit_secret,
                                  const SecretBytes& psk_secret, const Bytes& group_context);
// From the joiner_secret a Welcome delivers (8, joining members).
Result<EpochSecrets> derive_epoch_from_joiner(const Crypto& c, const SecretBytes& joiner_secret,
                                              const SecretBytes& psk_secret, const Bytes& group_context);

// MLS-Exporter(label, context, length) (8.5).
Result<SecretBytes> export_secret(const Crypto& c, const SecretBytes& exporter_secret, const Bytes& label,
                                  const Bytes& context, size_t length);

// One PSK of a commit, in order (8.4). External PSKs carry psk_id;
// resumption PSKs usage, psk_group_id and psk_epoch.
struct PskInput {
  uint8_t type = 1;  // 1 external, 2 resumption
  Bytes psk_id;
  uint8_t usage = 1;  // resumption: 1 application, 2 reinit, 3 branch
  Bytes psk_group_id;
  uint64_t psk_epoch = 0;
  Bytes psk_nonce;
  SecretBytes psk;
};
Result<SecretBytes> psk_secret(const Crypto& c, const std::vector<PskInput>& psks);

} // namespace gste2ee::mls
