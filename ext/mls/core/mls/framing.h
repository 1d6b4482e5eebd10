// SPDX-License-Identifier: LGPL-2.1-or-later
// Message framing (RFC 9420 section 6): signatures over FramedContentTBS,
// the membership tag of PublicMessage, and the two-layer encryption of
// PrivateMessage (content under the secret tree's keys, sender data under the
// sender-data key). GroupContext arrives encoded, as the key schedule uses it.
#pragma once

#include "mls/messages.h"
#include "mls/secret_tree.h"

namespace gste2ee::mls {

// SignWithLabel(priv, "FramedContentTBS", FramedContentTBS) (6.1).
Result<Bytes> sign_framed_content(const Crypto& c, WireFormat wf, const FramedContent& content,
                                  const Bytes& group_context, const SecretBytes& signature_priv);
bool verify_framed_content(const Crypto& c, WireFormat wf, const FramedContent& content, const Bytes& group_context,
                           const Bytes& signature_pub, const Bytes& signature);

// MAC(membership_key, AuthenticatedContentTBM) (6.2), for member senders.
Result<Bytes> membership_tag(const Crypto& c, const SecretBytes& membership_key, const FramedContent& content,
                             const FramedContentAuthData& auth, const Bytes& group_context);
// Checks the tag in constant time.
bool verify_membership_tag(const Crypto& c, const SecretBytes& membership_key, const PublicMessage& m,
                           const Bytes& group_context);

// Encrypts signed content from a member (6.3): takes the next generation of
// the sender's ratchet (handshake for proposals and commits, application for
// application data), a fresh reuse guard, and `padding` zero bytes.
Result<PrivateMessage> encrypt_private(const Crypto& c, const FramedContent& content,
                                       const FramedContentAuthData& auth, SecretTree& tree,
                                       const SecretBytes& sender_data_secret, size_t padding = 0);
// Decrypts sender data, then content; checks the padding is all zeros. The
// result's sender is the member the sender data names: its signature is the
// caller's to verify (it knows the member's key).
Result<AuthenticatedContent> decrypt_private(const Crypto& c, const PrivateMessage& m, SecretTree& tree,
                                             const SecretBytes& sender_data_secret);

} // namespace gste2ee::mls
