// SPDX-License-Identifier: LGPL-2.1-or-later
#include "transport/dtls_endpoint.h"

#include <algorithm>
#include <cstring>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

namespace gste2ee::transport {

namespace {

constexpr char kExporterLabel[] = "EXTRACTOR-dtls_srtp";  // RFC 5764 4.2
constexpr uint64_t kMaxRetransmitUs = 60'000'000;

// ECDHE with AEAD ciphers, for ECDSA peers (ours) and RSA peers (GStreamer's
// dtlsdec / webrtcbin generate RSA certificates).
constexpr char kCiphers[] =
  "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
  "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

std::string last_openssl_error()
{
  const unsigned long e = ERR_get_error();
  ERR_clear_error();
  if (!e)
    return "no detail from OpenSSL";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  return buf;
}

DtlsEndpoint* endpoint_of(SSL* ssl)
{
  return static_cast<DtlsEndpoint*>(SSL_get_app_data(ssl));
}

long datagram_ctrl(BIO*, int cmd, long, void*)
{
  switch (cmd) {
  case BIO_CTRL_FLUSH: return 1;
  case BIO_CTRL_WPENDING:
  case BIO_CTRL_PENDING: return 0;
  case BIO_CTRL_DGRAM_GET_MTU_OVERHEAD: return 28;  // IPv4 + UDP: what ICE adds
  default: return 0;
  }
}

int datagram_create(BIO* b)
{
  BIO_set_init(b, 1);
  return 1;
}

} // namespace

// Every write of OpenSSL's is one datagram (a memory BIO would run a flight's
// datagrams together).
int dtls_datagram_write(BIO* b, const char* data, int len)
{
  auto* self = static_cast<DtlsEndpoint*>(BIO_get_data(b));
  if (!self || len < 0)
    return -1;
  self->pending_.emplace_back(data, data + len);
  return len;
}

// The peer's certificate is self-signed: it is trusted exactly when its
// fingerprint is the one signalled.
int dtls_verify_peer(int, X509_STORE_CTX* store)
{
  if (X509_STORE_CTX_get_error_depth(store) != 0)
    return 1;  // only the leaf is the peer
  SSL* ssl = static_cast<SSL*>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
  DtlsEndpoint* self = ssl ? endpoint_of(ssl) : nullptr;
  if (!self)
    return 0;
  const std::string seen = sha256_fingerprint(X509_STORE_CTX_get_current_cert(store));
  self->fingerprint_ok_ = fingerprints_equal(seen, self->config_.remote_fingerprint);
  if (!self->fingerprint_ok_)
    self->error_ = "the peer's certificate fingerprint is not the one signalled";
  return self->fingerprint_ok_ ? 1 : 0;
}

unsigned int dtls_timer(SSL* ssl, unsigned int previous_us)
{
  DtlsEndpoint* self = endpoint_of(ssl);
  const uint64_t initial = self ? self->config_.initial_retransmit_us : 1'000'000;
  const uint64_t next = previous_us == 0 ? initial : std::min<uint64_t>(2ull * previous_us, kMaxRetransmitUs);
  return static_cast<unsigned int>(next);
}

const char* dtls_state_name(DtlsEndpoint::State s)
{
  switch (s) {
  case DtlsEndpoint::State::New: return "new";
  case DtlsEndpoint::State::Handshaking: return "handshaking";
  case DtlsEndpoint::State::Connected: return "connected";
  case DtlsEndpoint::State::Failed: return "failed";
  case DtlsEndpoint::State::Closed: return "closed";
  }
  return "unknown";
}

std::unique_ptr<DtlsEndpoint> DtlsEndpoint::create(const Config& config, const Certificate& cert, std::string* error)
{
  static BIO_METHOD* method = [] {
    BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "gst-e2ee datagrams");
    BIO_meth_set_write(m, dtls_datagram_write);
    BIO_meth_set_ctrl(m, datagram_ctrl);
    BIO_meth_set_create(m, datagram_create);
    return m;
  }();
  if (config.profiles.empty() || config.remote_fingerprint.empty()) {
    *error = "DTLS-SRTP needs at least one SRTP profile and the peer's fingerprint";
    return nullptr;
  }
  std::unique_ptr<DtlsEndpoint> self(new DtlsEndpoint(config));
  std::string srtp_profiles;
  for (SrtpProfile p : config.profiles)
    srtp_profiles += (srtp_profiles.empty() ? "" : ":") + std::string(srtp_profile_name(p));
  self->ctx_ = SSL_CTX_new(DTLS_method());
  if (!self->ctx_ || !SSL_CTX_set_min_proto_version(self->ctx_, DTLS1_2_VERSION) ||
      !SSL_CTX_set_max_proto_version(self->ctx_, DTLS1_2_VERSION) ||
      !SSL_CTX_set_cipher_list(self->ctx_, kCiphers) || SSL_CTX_use_certificate(self->ctx_, cert.x509()) != 1 ||
      SSL_CTX_use_PrivateKey(self->ctx_, cert.key()) != 1 ||
      SSL_CTX_set_tlsext_use_srtp(self->ctx_, srtp_profiles.c_str()) != 0) {  // 0 is success here
    *error = "DTLS context: " + last_openssl_error();
    return nullptr;
  }
  SSL_CTX_set_verify(self->ctx_, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, dtls_verify_peer);
  SSL_CTX_set_options(self->ctx_, SSL_OP_NO_QUERY_MTU | SSL_OP_NO_TICKET);
  SSL_CTX_set_read_ahead(self->ctx_, 1);
  self->ssl_ = SSL_new(self->ctx_);
  BIO* wbio = BIO_new(method);
  self->rbio_ = BIO_new(BIO_s_mem());
  if (!self->ssl_ || !wbio || !self->rbio_) {
    BIO_free(wbio);
    BIO_free(self->rbio_);
    self->rbio_ = nullptr;
    *error = "DTLS session: " + last_openssl_error();
    return nullptr;
  }
  BIO_set_mem_eof_return(self->rbio_, -1);  // empty means "wait", not end of stream
  BIO_set_data(wbio, self.get());
  SSL_set_bio(self->ssl_, self->rbio_, wbio);
  SSL_set_app_data(self->ssl_, self.get());
  SSL_set_mtu(self->ssl_, static_cast<long>(config.mtu));
  DTLS_set_link_mtu(self->ssl_, static_cast<long>(config.mtu));
  DTLS_set_timer_cb(self->ssl_, dtls_timer);
  if (config.role == Role::Client)
    SSL_set_connect_state(self->ssl_);
  else
    SSL_set_accept_state(self->ssl_);
  return self;
}

DtlsEndpoint::~DtlsEndpoint()
{
  if (!local_keys_.empty())
    OPENSSL_cleanse(local_keys_.data(), local_keys_.size());
  if (!remote_keys_.empty())
    OPENSSL_cleanse(remote_keys_.data(), remote_keys_.size());
  SSL_free(ssl_);  // frees both BIOs
  SSL_CTX_free(ctx_);
}

void DtlsEndpoint::fail(const std::string& why)
{
  state_ = State::Failed;
  if (error_.empty())
    error_ = why;
  timer_due_us_ = 0;
}

void DtlsEndpoint::flush(std::vector<Datagram>* out)
{
  for (auto& d : pending_)
    out->push_back(std::move(d));
  pending_.clear();
}

void DtlsEndpoint::start(uint64_t now_us, std::vector<Datagram>* out)
{
  if (state_ != State::New)
    return;
  state_ = State::Handshaking;
  started_us_ = now_us;
  drive(now_us, out);
}

void DtlsEndpoint::drive(uint64_t now_us, std::vector<Datagram>* out)
{
  if (state_ == State::Handshaking) {
    const int r = SSL_do_handshake(ssl_);
    if (r == 1) {
      const SRTP_PROTECTION_PROFILE* p = SSL_get_selected_srtp_profile(ssl_);
      if (!fingerprint_ok_) {
        fail("the handshake ended without checking the peer's fingerprint");
      } else if (!p || !srtp_profile_known(static_cast<uint16_t>(p->id))) {
        fail("the peer agreed on no SRTP profile we offered");
      } else {
        profile_ = static_cast<SrtpProfile>(p->id);
        const size_t k = srtp_key_length(profile_), s = srtp_salt_length(profile_);
        std::vector<uint8_t> material(2 * (k + s));
        if (SSL_export_keying_material(ssl_, material.data(), material.size(), kExporterLabel,
                                       sizeof kExporterLabel - 1, nullptr, 0, 0) != 1) {
          fail("SRTP key export: " + last_openssl_error());
        } else {
          // RFC 5764 4.2: client key, server key, client salt, server salt.
          std::vector<uint8_t> client(material.begin(), material.begin() + static_cast<std::ptrdiff_t>(k));
          std::vector<uint8_t> server(material.begin() + static_cast<std::ptrdiff_t>(k),
                                      material.begin() + static_cast<std::ptrdiff_t>(2 * k));
          client.insert(client.end(), material.begin() + static_cast<std::ptrdiff_t>(2 * k),
                        material.begin() + static_cast<std::ptrdiff_t>(2 * k + s));
          server.insert(server.end(), material.begin() + static_cast<std::ptrdiff_t>(2 * k + s), material.end());
          const bool client_role = config_.role == Role::Client;
          local_keys_ = client_role ? client : server;
          remote_keys_ = client_role ? server : client;
          OPENSSL_cleanse(client.data(), client.size());
          OPENSSL_cleanse(server.data(), server.size());
          state_ = State::Connected;
          timer_due_us_ = 0;
        }
        OPENSSL_cleanse(material.data(), material.size());
      }
    } else {
      const int e = SSL_get_error(ssl_, r);
      if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE)
        fail("DTLS handshake: " + last_openssl_error());
    }
  } else if (state_ == State::Connected) {
    // No application data on this association (media goes as SRTP): read to
    // process alerts, and a close_notify ends it.
    uint8_t sink[256];
    int r;
    while ((r = SSL_read(ssl_, sink, sizeof sink)) > 0) {
    }
    const int e = SSL_get_error(ssl_, r);
    if (e == SSL_ERROR_ZERO_RETURN)
      state_ = State::Closed;
    else if (e != SSL_ERROR_WANT_READ)
      fail("DTLS: " + last_openssl_error());
    OPENSSL_cleanse(sink, sizeof sink);
  }
  flush(out);
  if (state_ == State::Handshaking) {
    struct timeval tv;
    timer_due_us_ = DTLSv1_get_timeout(ssl_, &tv) ? now_us + static_cast<uint64_t>(tv.tv_sec) * 1'000'000 +
                                                        static_cast<uint64_t>(tv.tv_usec)
                                                  : 0;
    const uint64_t deadline = started_us_ + config_.handshake_timeout_us;
    if (timer_due_us_ == 0 || timer_due_us_ > deadline)
      timer_due_us_ = deadline;
  }
}

void DtlsEndpoint::receive(const uint8_t* data, size_t size, uint64_t now_us, std::vector<Datagram>* out)
{
  if (state_ == State::New && config_.role == Role::Server) {
    state_ = State::Handshaking;
    started_us_ = now_us;
  }
  if (state_ != State::Handshaking && state_ != State::Connected)
    return;
  if (size == 0 || size > 65535)
    return;
  BIO_write(rbio_, data, static_cast<int>(size));
  drive(now_us, out);
  // What OpenSSL did not take (a record it dropped) must not linger in the
  // read buffer for the next datagram.
  (void) BIO_reset(rbio_);
}

void DtlsEndpoint::on_timer(uint64_t now_us, std::vector<Datagram>* out)
{
  if (state_ != State::Handshaking)
    return;
  if (now_us >= started_us_ + config_.handshake_timeout_us) {
    fail("DTLS handshake did not complete within " + std::to_string(config_.handshake_timeout_us / 1000) + " ms");
    return;
  }
  if (DTLSv1_handle_timeout(ssl_) > 0)
    retransmissions_++;
  drive(now_us, out);
}

uint64_t DtlsEndpoint::next_timer_us() const
{
  return timer_due_us_;
}

bool DtlsEndpoint::take_keys(std::vector<uint8_t>* local, std::vector<uint8_t>* remote)
{
  if (state_ != State::Connected || local_keys_.empty())
    return false;
  *local = std::move(local_keys_);
  *remote = std::move(remote_keys_);
  local_keys_.clear();
  remote_keys_.clear();
  return true;
}

} // namespace gste2ee::transport
