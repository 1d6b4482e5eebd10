// SPDX-License-Identifier: LGPL-2.1-or-later
#include "mls/key_schedule.h"

#include "mls/codec.h"

namespace gste2ee::mls {

using wire::read;
using wire::write;

Result<void> read(Reader& r, Extension& out)
{
  MLS_TRY(read(r, out.type));
  return read(r, out.data);
}

bool write(Writer& w, const Extension& v)
{
  return write(w, v.type) && write(w, v.data);
}

Result<void> read(Reader& r, GroupContext& out)
{
  MLS_TRY(read(r, out.version));
  MLS_TRY(read(r, out.cipher_suite));
  MLS_TRY(read(r, out.group_id));
  MLS_TRY(read(r, out.epoch));
  MLS_TRY(read(r, out.tree_hash));
  MLS_TRY(read(r, out.confirmed_transcript_hash));
  return read(r, out.extensions);
}

bool write(Writer& w, const GroupContext& v)
{
  return write(w, v.version) && write(w, v.cipher_suite) && write(w, v.group_id) && write(w, v.epoch) &&
         write(w, v.tree_hash) && write(w, v.confirmed_transcript_hash) && write(w, v.extensions);
}

Result<Bytes> GroupContext::encode() const
{
  return wire::encode(*this);
}

namespace {

// Everything below the member secret: epoch_secret and its children.
Result<EpochSecrets> from_member_secret(const Crypto& c, SecretBytes joiner, const SecretBytes& member,
                                        const Bytes& group_context)
{
  EpochSecrets s;
  s.joiner_secret = std::move(joiner);
  auto welcome = c.derive_secret(member, "welcome");
  auto epoch = c.expand_with_label(member, "epoch", group_context, c.hash_size());
  if (!welcome || !epoch)
    return failed(Error::CryptoFailure, "epoch secret derivation failed");
  s.welcome_secret = std::move(welcome).value();
  s.epoch_secret = std::move(epoch).value();
  struct {
    const char* label;
    SecretBytes* out;
  } children[] = {
    { "sender data", &s.sender_data_secret }, { "encryption", &s.encryption_secret },
    { "exporter", &s.exporter_secret },       { "external", &s.external_secret },
    { "confirm", &s.confirmation_key },       { "membership", &s.membership_key },
    { "resumption", &s.resumption_psk },      { "authentication", &s.epoch_authenticator },
    { "init", &s.init_secret },
  };
  for (auto& child : children) {
    auto r = c.derive_secret(s.epoch_secret, child.label);
    if (!r)
      return r.failure();
    *child.out = std::move(r).value();
  }
  auto ext = c.derive_key_pair(s.external_secret);
  if (!ext)
    return ext.failure();
  s.external_pub = ext.value().pub;
  return s;
}

} // namespace

Result<EpochSecrets> derive_epoch_from_joiner(const Crypto& c, const SecretBytes& joiner_secret,
                                              const SecretBytes& psk_secret, const Bytes& group_context)
{
  auto member = c.extract(joiner_secret, psk_secret);
  if (!member)
    return member.failure();
  return from_member_secret(c, joiner_secret, member.value(), group_context);
}

Result<EpochSecrets> derive_epoch(const Crypto& c, const SecretBytes& init_secret, const SecretBytes& commit_secret,
                                  const SecretBytes& psk_secret, const Bytes& group_context)
{
  auto pre_joiner = c.extract(init_secret, commit_secret);
  if (!pre_joiner)
    return pre_joiner.failure();
  auto joiner = c.expand_with_label(pre_joiner.value(), "joiner", group_context, c.hash_size());
  if (!joiner)
    return joiner.failure();
  return derive_epoch_from_joiner(c, joiner.value(), psk_secret, group_context);
}

Result<SecretBytes> export_secret(const Crypto& c, const SecretBytes& exporter_secret, const Bytes& label,
                                  const Bytes& context, size_t length)
{
  auto derived = c.derive_secret(exporter_secret, std::string_view(reinterpret_cast<const char*>(label.data()),
                                                                   label.size()));
  auto context_hash = c.hash(context);
  if (!derived || !context_hash)
    return failed(Error::CryptoFailure, "exporter derivation failed");
  return c.expand_with_label(derived.value(), "exported", context_hash.value(), length);
}

Result<SecretBytes> psk_secret(const Crypto& c, const std::vector<PskInput>& psks)
{
  const SecretBytes zero(c.hash_size());
  SecretBytes secret(c.hash_size());  // psk_secret_[0] = 0
  if (psks.size() > UINT16_MAX)
    return failed(Error::TooLarge, "too many PSKs");
  for (size_t i = 0; i < psks.size(); i++) {
    const PskInput& p = psks[i];
    // PSKLabel { PreSharedKeyID id; uint16 index; uint16 count; }
    Writer label;
    label.u8(p.type);
    bool ok = true;
    if (p.type == 1) {
      ok = label.opaque(p.psk_id);
    } else if (p.type == 2) {
      label.u8(p.usage);
      ok = label.opaque(p.psk_group_id);
      label.u64(p.psk_epoch);
    } else {
      return failed(Error::InvalidArgument, "unknown PSK type");
    }
    ok = ok && label.opaque(p.psk_nonce);
    if (!ok)
      return failed(Error::TooLarge, "PSK id too large");
    label.u16(static_cast<uint16_t>(i));
    label.u16(static_cast<uint16_t>(psks.size()));
    auto extracted = c.extract(zero, p.psk);
    if (!extracted)
      return extracted.failure();
    auto input = c.expand_with_label(extracted.value(), "derived psk", label.bytes(), c.hash_size());
    if (!input)
      return input.failure();
    auto next = c.extract(input.value(), secret);
    if (!next)
      return next.failure();
    secret = std::move(next).value();
  }
  return secret;
}

} // namespace gste2ee::mls
