// SPDX-License-Identifier: LGPL-2.1-or-later
// TreeKEM (RFC 9420 sections 7.4-7.6): path secrets along the sender's
// filtered direct path, node key pairs derived from them, and their
// HPKE-encrypted delivery to the resolution of each copath child.
#pragma once

#include <map>
#include <set>

#include "mls/ratchet_tree.h"

namespace gste2ee::mls {

// node_secret = DeriveSecret(path_secret, "node"), then DeriveKeyPair (7.4).
Result<hpke::KeyPair> node_key_pair(const Crypto& c, const SecretBytes& path_secret);
// path_secret[n+1] = DeriveSecret(path_secret[n], "path").
Result<SecretBytes> next_path_secret(const Crypto& c, const SecretBytes& path_secret);

struct DecryptedPath {
  uint32_t common_ancestor = 0;  // node whose path secret was decrypted
  SecretBytes path_secret;       // at that node
  SecretBytes commit_secret;     // one step past the root's path secret
  std::map<uint32_t, SecretBytes> path_secrets;  // every node from the ancestor up
  std::map<uint32_t, SecretBytes> node_private_keys;  // their HPKE private keys
};

// What a receiver learns from an UpdatePath (12.4.2): `tree` is the tree
// before or after merging the path (only copath subtrees are read); `private_keys` maps node indices to the private
// keys the receiver holds (its leaf and its direct path). Checks that every
// derived public key equals the one the path announces. Leaves added by the
// same commit (`new_leaves`) were left out of the encryption (12.4.2).
Result<DecryptedPath> decrypt_update_path(const Crypto& c, const RatchetTreeState& tree, uint32_t sender,
                                          const UpdatePath& path, uint32_t receiver,
                                          const std::map<uint32_t, SecretBytes>& private_keys,
                                          const Bytes& group_context, const std::set<uint32_t>& new_leaves = {});

} // namespace gste2ee::mls
