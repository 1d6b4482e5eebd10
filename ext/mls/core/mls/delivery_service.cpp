// SPDX-License-Identifier: LGPL-2.1-or-later
#include "mls/delivery_service.h"

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

DeliveryService::Verdict DeliveryService::submit(const Bytes& message)
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
  accepted_++;
  return Verdict::Accepted;
}

} // namespace gste2ee::mls
