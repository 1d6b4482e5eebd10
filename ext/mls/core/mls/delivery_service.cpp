// SPDX-License-Identifier: LGPL-2.1-or-later
#include "mls/delivery_service.h"

#include <algorithm>
#include <utility>

#include "mls/framing.h"
#include "mls/group.h"
#include "mls/primitives.h"
#include "mls/wire.h"

namespace gste2ee::mls {

const char* verdict_name(DeliveryService::Verdict v)
{
  switch (v) {
  case DeliveryService::Verdict::Accepted: return "accepted";
  case DeliveryService::Verdict::LateCommit: return "late-commit";
  case DeliveryService::Verdict::WrongEpoch: return "wrong-epoch";
  case DeliveryService::Verdict::OtherGroup: return "other-group";
  case DeliveryService::Verdict::Malformed: return "malformed";
  }
  return "unknown";
}

DeliveryService::Verdict DeliveryService::submit(const Bytes& message, Client from)
{
  auto decoded = wire::decode<MLSMessage>(message);
  if (!decoded) {
    refused_++;
    return Verdict::Malformed;
  }
  const MLSMessage& msg = decoded.value();
  const Bytes* group_id = nullptr;
  uint64_t epoch = 0;
  ContentType type = ContentType::Application;
  if (const auto* pub = std::get_if<PublicMessage>(&msg.message)) {
    group_id = &pub->content.group_id;
    epoch = pub->content.epoch;
    type = pub->content.content_type();
  } else if (const auto* priv = std::get_if<PrivateMessage>(&msg.message)) {
    group_id = &priv->group_id;
    epoch = priv->epoch;
    type = static_cast<ContentType>(priv->content_type);
  }
  if (group_id) {
    if (*group_id != group_id_) {
      refused_++;
      return Verdict::OtherGroup;
    }
    if (type != ContentType::Application) {
      if (!epoch_)
        epoch_ = epoch;  // the first handshake message tells the epoch
      if (type == ContentType::Commit && epoch + 1 == *epoch_) {
        refused_++;
        return Verdict::LateCommit;
      }
      if (epoch != *epoch_) {
        refused_++;
        return Verdict::WrongEpoch;
      }
      if (type == ContentType::Commit)
        epoch_ = epoch + 1;  // this commit takes the epoch; later ones for it lose
    }
  }
  if (const auto* pub = std::get_if<PublicMessage>(&msg.message))
    follow_public(*pub);
  if (const auto* kp = std::get_if<KeyPackage>(&msg.message); kp && from != kUnknownClient)
    remember_key_package(*kp, from);
  accepted_++;
  return Verdict::Accepted;
}

// Keeps the roster: proposals of the epoch by reference, then each commit's
// Removes (blank leaves, trailing blanks truncated) and Adds (leftmost blank
// leaf, else a new one at the right end), as the ratchet tree places them
// (7.7, 7.8), and the committer's own identity from its path leaf.
void DeliveryService::follow_public(const PublicMessage& pm)
{
  const FramedContent& fc = pm.content;
  auto crypto = Crypto::for_suite(suite_);
  if (!crypto)
    return;
  if (const auto* p = std::get_if<Proposal>(&fc.content)) {
    auto ref = proposal_ref(crypto.value(), AuthenticatedContent{ WireFormat::PublicMessage, fc, pm.auth });
    if (ref)
      proposals_[ref.value()] = *p;
    return;
  }
  const auto* commit = std::get_if<Commit>(&fc.content);
  if (!commit)
    return;
  // The committer sits at its leaf before its proposals apply (the group's
  // creator first shows itself this way).
  if (commit->path && fc.sender.type == Sender::kMember) {
    if (fc.sender.index >= roster_.size())
      roster_.resize(fc.sender.index + 1);
    roster_[fc.sender.index] = commit->path->leaf_node.credential.identity;
  }
  std::vector<const Proposal*> list;
  for (const auto& por : commit->proposals) {
    if (const auto* p = std::get_if<Proposal>(&por.value)) {
      list.push_back(p);
    } else if (auto it = proposals_.find(std::get<Bytes>(por.value)); it != proposals_.end()) {
      list.push_back(&it->second);
    }
  }
  for (const Proposal* p : list)
    if (const auto* rm = std::get_if<Remove>(&p->body); rm && rm->removed < roster_.size())
      roster_[rm->removed].reset();
  while (!roster_.empty() && !roster_.back())
    roster_.pop_back();
  for (const Proposal* p : list)
    if (const auto* add = std::get_if<Add>(&p->body)) {
      const Bytes& who = add->key_package.leaf_node.credential.identity;
      auto blank = std::find(roster_.begin(), roster_.end(), std::nullopt);
      if (blank != roster_.end())
        *blank = who;
      else
        roster_.push_back(who);
    }
  proposals_.clear();
  // Removals this commit did not carry are proposed again for the new epoch.
  std::vector<uint32_t> again;
  for (auto it = removing_.begin(); it != removing_.end();) {
    if (auto leaf = leaf_of(*it)) {
      again.push_back(*leaf);
      ++it;
    } else {
      it = removing_.erase(it);
    }
  }
  for (uint32_t leaf : again)
    if (auto bytes = sign_removal(leaf))
      own_messages_.push_back(std::move(bytes).value());
}

// Bounded: KeyPackages whose Welcome never comes are forgotten, oldest
// reference first in map order (any order serves: only the bound matters).
void DeliveryService::remember_key_package(const KeyPackage& kp, Client from)
{
  auto crypto = Crypto::for_suite(kp.cipher_suite);
  auto ref = crypto ? key_package_ref(crypto.value(), kp) : Result<Bytes>(crypto.failure());
  if (!ref)
    return;
  constexpr size_t kMaxKeyPackages = 4096;
  if (key_packages_.size() >= kMaxKeyPackages)
    key_packages_.erase(key_packages_.begin());
  key_packages_[ref.value()] = from;
}

std::optional<std::vector<DeliveryService::Client>> DeliveryService::recipients(const Bytes& message)
{
  auto decoded = wire::decode<MLSMessage>(message);
  const Welcome* welcome = decoded ? std::get_if<Welcome>(&decoded.value().message) : nullptr;
  if (!welcome)
    return std::nullopt;
  std::vector<Client> out;
  for (const auto& secrets : welcome->secrets) {
    auto it = key_packages_.find(secrets.new_member);
    if (it == key_packages_.end())
      continue;
    if (std::find(out.begin(), out.end(), it->second) == out.end())
      out.push_back(it->second);
    key_packages_.erase(it);  // its init key is used up
  }
  if (out.empty())
    return std::nullopt;  // KeyPackages that came some other way: everyone
  return out;
}

std::vector<std::pair<uint32_t, Bytes>> DeliveryService::roster() const
{
  std::vector<std::pair<uint32_t, Bytes>> out;
  for (uint32_t i = 0; i < roster_.size(); i++)
    if (roster_[i])
      out.push_back({ i, *roster_[i] });
  return out;
}

std::optional<uint32_t> DeliveryService::leaf_of(const Bytes& identity) const
{
  for (uint32_t i = 0; i < roster_.size(); i++)
    if (roster_[i] == identity)
      return i;
  return std::nullopt;
}

Result<ExternalSender> DeliveryService::make_external_sender(const Bytes& identity)
{
  auto crypto = Crypto::for_suite(suite_);
  if (!crypto)
    return crypto.failure();
  auto key = prim::generate_signature_key(crypto.value().suite().sig);
  if (!key)
    return key.failure();
  auto pub = crypto.value().signature_public_key(key.value());
  if (!pub)
    return pub.failure();
  external_key_ = std::move(key).value();
  ExternalSender out;
  out.signature_key = std::move(pub).value();
  out.credential.type = Credential::kBasic;
  out.credential.identity = identity;
  return out;
}

Result<Bytes> DeliveryService::propose_removal(uint32_t leaf)
{
  auto bytes = sign_removal(leaf);
  if (bytes && leaf < roster_.size() && roster_[leaf] &&
      std::find(removing_.begin(), removing_.end(), *roster_[leaf]) == removing_.end())
    removing_.push_back(*roster_[leaf]);
  return bytes;
}

std::vector<Bytes> DeliveryService::take_own_messages()
{
  return std::exchange(own_messages_, {});
}

Result<Bytes> DeliveryService::sign_removal(uint32_t leaf)
{
  if (external_key_.empty())
    return failed(Error::InvalidArgument, "this delivery service is not the group's external sender");
  if (!epoch_)
    return failed(Error::InvalidArgument, "the group's epoch is not known yet");
  auto crypto = Crypto::for_suite(suite_);
  if (!crypto)
    return crypto.failure();
  FramedContent fc;
  fc.group_id = group_id_;
  fc.epoch = *epoch_;
  fc.sender = Sender{ Sender::kExternal, 0 };
  fc.content = Proposal{ Remove{ leaf } };
  // An external sender's FramedContentTBS carries no GroupContext (6.1):
  // the service needs none of the group's secrets to sign.
  auto sig = sign_framed_content(crypto.value(), WireFormat::PublicMessage, fc, {}, external_key_);
  if (!sig)
    return sig.failure();
  MLSMessage msg;
  msg.message.emplace<PublicMessage>(PublicMessage{ fc, FramedContentAuthData{ std::move(sig).value(), {} }, {} });
  auto bytes = wire::encode(msg);
  if (!bytes)
    return bytes.failure();
  if (submit(bytes.value()) != Verdict::Accepted)
    return failed(Error::InvalidArgument, "the removal proposal was not accepted");
  return bytes;
}

} // namespace gste2ee::mls
