// SPDX-License-Identifier: LGPL-2.1-or-later
// Everything that crosses one peer's ICE 5-tuple once the path is there
// (RFC 7983 on one socket, RFC 5764 keying): datagrams from the socket are
// sorted into DTLS (fed to the handshake), SRTP and SRTCP (authenticated and
// decrypted with the keys the handshake exported) and the rest (counted and
// refused). Outbound RTP and RTCP are protected only once the keys exist;
// before that, and after a failure, nothing leaves, so plaintext never
// reaches the network. Not thread-safe: the owner serialises calls.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "transport/demux.h"
#include "transport/dtls_endpoint.h"
#include "transport/srtp_session.h"

namespace gste2ee::transport {

struct LinkStats {
  uint64_t rtp_received = 0, rtcp_received = 0, rtp_sent = 0, rtcp_sent = 0;
  uint64_t drops_authentication = 0, drops_replay = 0;
  uint64_t drops_unknown = 0;          // not DTLS, SRTP or SRTCP (STUN is ICE's)
  uint64_t drops_without_keys = 0;      // SRTP from the peer while no keys: before the handshake ended, or after the peer closed it
  uint64_t unsent_without_keys = 0;     // our media offered while no keys
  uint64_t unsent_unprotectable = 0;   // not RTP / RTCP, or too large to protect
  uint64_t dtls_received = 0;
};

class DtlsSrtpLink {
public:
  static std::unique_ptr<DtlsSrtpLink> create(const DtlsEndpoint::Config& config, const Certificate& cert,
                                              std::string* error);

  // A client starts the handshake (when ICE says the path works); a server
  // waits for the ClientHello, which receive() takes at any time.
  void start(uint64_t now_us, std::vector<Datagram>* out);
  void on_timer(uint64_t now_us, std::vector<Datagram>* out);
  uint64_t next_timer_us() const { return dtls_->next_timer_us(); }

  // One datagram from the socket, decrypted in place. Returns Rtp or Rtcp
  // with `*size` set to the clear packet when there is media to deliver;
  // anything else means nothing to deliver (DTLS consumed, or dropped and
  // counted). DTLS answers go to `out`.
  PacketKind receive(uint8_t* data, size_t* size, uint64_t now_us, std::vector<Datagram>* out);

  // Protects an RTP or RTCP packet in place (`capacity` must leave room for
  // SrtpSession::kMaxTrailer). False, counted, when it must not be sent.
  bool protect(uint8_t* data, size_t* size, size_t capacity);

  bool keyed() const { return outbound_ != nullptr; }
  bool became_keyed() { bool b = just_keyed_; just_keyed_ = false; return b; }
  DtlsEndpoint::State dtls_state() const { return dtls_->state(); }
  const std::string& error() const { return dtls_->error(); }
  SrtpProfile profile() const { return dtls_->profile(); }
  uint64_t dtls_retransmissions() const { return dtls_->retransmissions(); }
  const LinkStats& stats() const { return stats_; }
  // libsrtp2's own counters of the two directions (zero before the keys).
  SrtpStats inbound_stats() const { return inbound_ ? inbound_->stats() : SrtpStats{}; }

private:
  explicit DtlsSrtpLink(std::unique_ptr<DtlsEndpoint> dtls) : dtls_(std::move(dtls)) {}
  void take_keys();

  std::unique_ptr<DtlsEndpoint> dtls_;
  std::unique_ptr<SrtpSession> outbound_, inbound_;
  LinkStats stats_;
  bool just_keyed_ = false;
};

} // namespace gste2ee::transport
