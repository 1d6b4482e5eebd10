// SPDX-License-Identifier: LGPL-2.1-or-later
// SFrame keys from an MLS group, exactly as RFC 9605 section 5.2 says: one
// base_key per epoch from the MLS exporter (label "SFrame 1.0 Base Key",
// empty context, Nk bytes of the SFrame cipher suite), and for each member a
// set of KIDs made of a context value, its leaf index in S bits and the low
// E bits of the epoch. Every KID of an epoch shares the base_key; SFrame's own
// derivation (RFC 9605 section 4.4.2) binds the KID and the cipher suite into
// each key and salt, so no two members (or two streams of one member, which
// use different context values) ever share a key and nonce space.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "mls/bytes.h"
#include "mls/group.h"

namespace gste2ee::mls {

// S and E of RFC 9605's KID = context << (S + E) | index << E | epoch mod 2^E.
struct SframeKidLayout {
  unsigned index_bits = 0;  // S
  unsigned epoch_bits = 0;  // E
};

// S: the smallest value with leaf_count <= 2^S, where leaf_count is the
// ratchet tree's width in leaves (not the number of members): every member
// computes it from the same tree, and it changes only when the tree grows or
// shrinks, never when a leaf is merely blanked.
unsigned sframe_index_bits(uint32_t leaf_count);

// The KID; false when `context` or `index` does not fit its bits.
bool sframe_kid(const SframeKidLayout& layout, uint64_t context, uint32_t index, uint64_t epoch, uint64_t* kid);

// What one epoch gives the SFrame layer.
struct SframeEpoch {
  uint64_t epoch = 0;
  SecretBytes base_key;
  SframeKidLayout layout;
  uint32_t own_index = 0;
  std::vector<std::pair<uint32_t, Bytes>> members;  // leaf index, identity
  std::string safety_code;
};

// The epoch `group` is in. `nk`: the SFrame cipher suite's key size
// (configured independently of the MLS cipher suite); `epoch_bits`: E.
Result<SframeEpoch> sframe_epoch(const Group& group, size_t nk, unsigned epoch_bits);

// A short code people in a call read to each other to check they are in the
// same group and epoch: four groups of four digits from a hash of the epoch
// authenticator (RFC 9420 section 8.7), which every member of an epoch
// shares and nobody outside it can compute.
std::string safety_code(const SecretBytes& epoch_authenticator);

} // namespace gste2ee::mls
