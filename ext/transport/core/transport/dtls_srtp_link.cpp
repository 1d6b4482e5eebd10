// SPDX-License-Identifier: LGPL-2.1-or-later
#include "transport/dtls_srtp_link.h"

#include <openssl/crypto.h>

namespace gste2ee::transport {

std::unique_ptr<DtlsSrtpLink> DtlsSrtpLink::create(const DtlsEndpoint::Config& config, const Certificate& cert,
                                                   std::string* error)
{
  auto dtls = DtlsEndpoint::create(config, cert, error);
  if (!dtls)
    return nullptr;
  return std::unique_ptr<DtlsSrtpLink>(new DtlsSrtpLink(std::move(dtls)));
}

void DtlsSrtpLink::start(uint64_t now_us, std::vector<Datagram>* out)
{
  dtls_->start(now_us, out);
  take_keys();
}

void DtlsSrtpLink::on_timer(uint64_t now_us, std::vector<Datagram>* out)
{
  dtls_->on_timer(now_us, out);
  take_keys();
}

void DtlsSrtpLink::take_keys()
{
  if (outbound_ || dtls_->state() != DtlsEndpoint::State::Connected)
    return;
  std::vector<uint8_t> local, remote;
  if (!dtls_->take_keys(&local, &remote))
    return;
  std::string error;
  // SrtpSession::create wipes the key material it is given.
  auto out = SrtpSession::create(dtls_->profile(), SrtpSession::Direction::Outbound, local.data(), local.size(), &error);
  auto in = SrtpSession::create(dtls_->profile(), SrtpSession::Direction::Inbound, remote.data(), remote.size(), &error);
  OPENSSL_cleanse(local.data(), local.size());
  OPENSSL_cleanse(remote.data(), remote.size());
  if (out && in) {
    outbound_ = std::move(out);
    inbound_ = std::move(in);
    just_keyed_ = true;
  }
}

PacketKind DtlsSrtpLink::receive(uint8_t* data, size_t* size, uint64_t now_us, std::vector<Datagram>* out)
{
  const PacketKind kind = classify(data, *size);
  switch (kind) {
  case PacketKind::Dtls:
    stats_.dtls_received++;
    dtls_->receive(data, *size, now_us, out);
    take_keys();
    if (dtls_->state() == DtlsEndpoint::State::Closed || dtls_->state() == DtlsEndpoint::State::Failed) {
      // The peer ended the association (close_notify or a fatal alert): the
      // keys go with it, and nothing more is sent or accepted.
      outbound_.reset();
      inbound_.reset();
    }
    return PacketKind::Dtls;
  case PacketKind::Rtp:
  case PacketKind::Rtcp: {
    if (!inbound_) {
      stats_.drops_without_keys++;
      return PacketKind::Unknown;
    }
    const SrtpDrop why = kind == PacketKind::Rtp ? inbound_->unprotect_rtp(data, size) : inbound_->unprotect_rtcp(data, size);
    if (why == SrtpDrop::None) {
      (kind == PacketKind::Rtp ? stats_.rtp_received : stats_.rtcp_received)++;
      return kind;
    }
    if (why == SrtpDrop::Replay)
      stats_.drops_replay++;
    else if (why == SrtpDrop::Authentication)
      stats_.drops_authentication++;
    else
      stats_.drops_unknown++;
    return PacketKind::Unknown;
  }
  case PacketKind::Stun:
  case PacketKind::Unknown:
    break;
  }
  stats_.drops_unknown++;
  return PacketKind::Unknown;
}

bool DtlsSrtpLink::protect(uint8_t* data, size_t* size, size_t capacity)
{
  if (!outbound_) {
    stats_.unsent_without_keys++;
    return false;
  }
  const PacketKind kind = classify(data, *size);
  bool ok = false;
  if (kind == PacketKind::Rtp)
    ok = outbound_->protect_rtp(data, size, capacity);
  else if (kind == PacketKind::Rtcp)
    ok = outbound_->protect_rtcp(data, size, capacity);
  if (!ok) {
    stats_.unsent_unprotectable++;
    return false;
  }
  (kind == PacketKind::Rtp ? stats_.rtp_sent : stats_.rtcp_sent)++;
  return true;
}

} // namespace gste2ee::transport
