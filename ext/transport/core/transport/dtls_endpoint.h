// SPDX-License-Identifier: LGPL-2.1-or-later
// DTLS-SRTP keying (RFC 5763, RFC 5764) for one peer, on OpenSSL 3.0 and
// without sockets: datagrams in, datagrams out, a timer to drive
// retransmissions, so that ICE (or a test) moves the bytes. DTLS 1.2 only,
// both sides authenticated by the certificate fingerprints from the SDP: a
// peer certificate whose SHA-256 fingerprint is not the expected one fails
// the handshake (with a bad_certificate alert), and no key ever leaves.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "transport/certificate.h"
#include "transport/srtp_session.h"

typedef struct ssl_st SSL;
typedef struct ssl_ctx_st SSL_CTX;
typedef struct bio_st BIO;

namespace gste2ee::transport {

using Datagram = std::vector<uint8_t>;

class DtlsEndpoint {
public:
  // RFC 5763 section 5: the side that answers a=setup:active (or whose
  // a=setup:active the other accepted) is the DTLS client.
  enum class Role { Client, Server };
  enum class State { New, Handshaking, Connected, Failed, Closed };

  struct Config {
    Role role = Role::Client;
    std::string remote_fingerprint;  // SHA-256, "AB:CD:..." from a=fingerprint
    // Offered (client) or accepted (server) in this order of preference:
    // AEAD GCM first (RFC 8827), AES-CM as the fallback for older peers.
    std::vector<SrtpProfile> profiles{ SrtpProfile::AeadAes256Gcm, SrtpProfile::AeadAes128Gcm,
                                       SrtpProfile::Aes128CmSha1_80 };
    size_t mtu = 1200;
    uint64_t initial_retransmit_us = 1'000'000;  // RFC 6347 4.2.4.1, doubling up to 60 s
    uint64_t handshake_timeout_us = 15'000'000;  // then Failed
  };

  static std::unique_ptr<DtlsEndpoint> create(const Config& config, const Certificate& cert, std::string* error);
  ~DtlsEndpoint();
  DtlsEndpoint(const DtlsEndpoint&) = delete;
  DtlsEndpoint& operator=(const DtlsEndpoint&) = delete;

  // Starts the handshake; a client sends its first flight into `out`.
  void start(uint64_t now_us, std::vector<Datagram>* out);
  // One datagram from the peer that RFC 7983 classified as DTLS.
  void receive(const uint8_t* data, size_t size, uint64_t now_us, std::vector<Datagram>* out);
  // Retransmits a flight whose answer is late and enforces the handshake
  // timeout; call at next_timer_us() (0: no timer pending).
  void on_timer(uint64_t now_us, std::vector<Datagram>* out);
  uint64_t next_timer_us() const;

  State state() const { return state_; }
  const std::string& error() const { return error_; }
  SrtpProfile profile() const { return profile_; }
  // Once Connected: SRTP master key || salt for what we send and for what we
  // receive. Handed out once; the caller passes them to SrtpSession::create,
  // which wipes them.
  bool take_keys(std::vector<uint8_t>* local, std::vector<uint8_t>* remote);

  uint64_t retransmissions() const { return retransmissions_; }

private:
  explicit DtlsEndpoint(const Config& config) : config_(config) {}
  void drive(uint64_t now_us, std::vector<Datagram>* out);
  void fail(const std::string& why);
  void flush(std::vector<Datagram>* out);
  friend int dtls_verify_peer(int, struct x509_store_ctx_st*);
  friend int dtls_datagram_write(BIO*, const char*, int);
  friend unsigned int dtls_timer(SSL*, unsigned int);

  Config config_;
  SSL_CTX* ctx_ = nullptr;
  SSL* ssl_ = nullptr;
  BIO* rbio_ = nullptr;  // owned by ssl_
  State state_ = State::New;
  std::string error_;
  SrtpProfile profile_ = SrtpProfile::Aes128CmSha1_80;
  std::vector<uint8_t> local_keys_, remote_keys_;
  std::vector<Datagram> pending_;  // written by OpenSSL through the datagram BIO
  uint64_t started_us_ = 0;
  uint64_t timer_due_us_ = 0;
  uint64_t retransmissions_ = 0;
  bool fingerprint_ok_ = false;
};

const char* dtls_state_name(DtlsEndpoint::State s);

} // namespace gste2ee::transport
