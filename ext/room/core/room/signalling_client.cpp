// SPDX-License-Identifier: LGPL-2.1-or-later
#include "room/signalling_client.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <arpa/inet.h>
#include <csignal>
#include <ctime>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstring>

namespace gste2ee::room {

namespace {

using Clock = std::chrono::steady_clock;

std::string ssl_error_text()
{
  const unsigned long e = ERR_get_error();
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  ERR_clear_error();
  return e ? buf : "connection closed";
}

bool is_ip(const std::string& host)
{
  unsigned char buf[16];
  return inet_pton(AF_INET, host.c_str(), buf) == 1 || inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

// Writing to a connection the server closed raises SIGPIPE, whose default
// action ends the process: an appliance must not die because its server
// went away. A library cannot ignore the signal for the whole process, so
// it is blocked in this thread around each write and, if one was raised,
// taken back (the pattern of libcurl and others).
class SigpipeGuard {
public:
  SigpipeGuard()
  {
    sigemptyset(&pipe_);
    sigaddset(&pipe_, SIGPIPE);
    sigpending(&before_);
    pthread_sigmask(SIG_BLOCK, &pipe_, &old_);
  }
  ~SigpipeGuard()
  {
    sigset_t now;
    sigpending(&now);
    if (sigismember(&now, SIGPIPE) && !sigismember(&before_, SIGPIPE)) {
      const timespec zero{ 0, 0 };
      sigtimedwait(&pipe_, nullptr, &zero);
    }
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }
  SigpipeGuard(const SigpipeGuard&) = delete;
  SigpipeGuard& operator=(const SigpipeGuard&) = delete;

private:
  sigset_t pipe_, old_, before_;
};

int remaining_ms(Clock::time_point deadline)
{
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return left > 0 ? static_cast<int>(left) : 0;
}

// A TCP connection to host:port within the deadline, or -1.
int tcp_connect(const std::string& host, uint16_t port, Clock::time_point deadline, std::string* error)
{
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* list = nullptr;
  const std::string service = std::to_string(port);
  if (const int rc = getaddrinfo(host.c_str(), service.c_str(), &hints, &list); rc != 0) {
    *error = host + ": " + gai_strerror(rc);
    return -1;
  }
  int fd = -1;
  for (addrinfo* a = list; a && fd < 0; a = a->ai_next) {
    fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, a->ai_protocol);
    if (fd < 0)
      continue;
    int rc = ::connect(fd, a->ai_addr, a->ai_addrlen);
    if (rc < 0 && errno == EINPROGRESS) {
      pollfd p{ fd, POLLOUT, 0 };
      int soerr = 0;
      socklen_t len = sizeof soerr;
      rc = poll(&p, 1, remaining_ms(deadline)) == 1 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) == 0
              && soerr == 0 ? 0 : -1;
      if (rc < 0)
        errno = soerr ? soerr : ETIMEDOUT;
    }
    if (rc < 0) {
      *error = host + ":" + service + ": " + std::strerror(errno);
      ::close(fd);
      fd = -1;
    }
  }
  freeaddrinfo(list);
  if (fd >= 0)
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  return fd;
}

} // namespace

SignallingClient::~SignallingClient()
{
  close();
}

void SignallingClient::close()
{
  if (ssl_) {
    SigpipeGuard guard;
    SSL_shutdown(ssl_);
    SSL_free(ssl_);
    ssl_ = nullptr;
  }
  if (ctx_) {
    SSL_CTX_free(ctx_);
    ctx_ = nullptr;
  }
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

bool SignallingClient::connect(const std::string& host, uint16_t port, const std::string& ca_file, int timeout_ms,
    std::string* error)
{
  close();
  reader_ = FrameReader();
  const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  fd_ = tcp_connect(host, port, deadline, error);
  if (fd_ < 0)
    return false;
  // A server that stops mid-record cannot hold a blocking read forever.
  timeval tv{ timeout_ms / 1000, (timeout_ms % 1000) * 1000 };
  setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  ctx_ = SSL_CTX_new(TLS_client_method());
  if (!ctx_ || SSL_CTX_set_min_proto_version(ctx_, TLS1_3_VERSION) != 1
      || (ca_file.empty() ? SSL_CTX_set_default_verify_paths(ctx_) : SSL_CTX_load_verify_locations(ctx_,
              ca_file.c_str(), nullptr)) != 1) {
    *error = "TLS setup: " + (ca_file.empty() ? std::string() : ca_file + ": ") + ssl_error_text();
    close();
    return false;
  }
  SSL_CTX_set_verify(ctx_, SSL_VERIFY_PEER, nullptr);
  ssl_ = SSL_new(ctx_);
  bool ok = ssl_ && SSL_set_fd(ssl_, fd_) == 1;
  if (ok && is_ip(host)) {
    ok = X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl_), host.c_str()) == 1;
  } else if (ok) {
    ok = SSL_set_tlsext_host_name(ssl_, host.c_str()) == 1 && SSL_set1_host(ssl_, host.c_str()) == 1;
  }
  bool connected = false;
  {
    SigpipeGuard guard;
    connected = ok && SSL_connect(ssl_) == 1;
  }
  if (!connected) {
    const long verify = ssl_ ? SSL_get_verify_result(ssl_) : X509_V_OK;
    *error = "TLS with " + host + ": "
        + (verify != X509_V_OK ? std::string("server certificate not trusted: ")
                + X509_verify_cert_error_string(verify)
                               : ssl_error_text());
    close();
    return false;
  }
  return true;
}

bool SignallingClient::send(const Message& m, std::string* error)
{
  if (!ssl_) {
    *error = "not connected";
    return false;
  }
  const std::string frame = encode_frame(m.to_json());
  size_t written = 0;
  SigpipeGuard guard;
  if (SSL_write_ex(ssl_, frame.data(), frame.size(), &written) != 1 || written != frame.size()) {
    *error = "send: " + ssl_error_text();
    close();
    return false;
  }
  return true;
}

std::optional<Message> SignallingClient::receive(int timeout_ms, std::string* error)
{
  error->clear();
  const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    if (auto frame = reader_.next()) {
      Message m;
      if (!parse_message(*frame, &m, error)) {
        *error = "the server sent a bad message: " + *error;
        close();
        return std::nullopt;
      }
      return m;
    }
    if (!ssl_) {
      *error = "not connected";
      return std::nullopt;
    }
    if (SSL_pending(ssl_) == 0) {
      pollfd p{ fd_, POLLIN, 0 };
      if (poll(&p, 1, remaining_ms(deadline)) == 0)
        return std::nullopt;  // timeout
    }
    uint8_t buf[16384];
    size_t n = 0;
    const int rc = SSL_read_ex(ssl_, buf, sizeof buf, &n);
    if (rc != 1) {
      *error = SSL_get_error(ssl_, rc) == SSL_ERROR_ZERO_RETURN ? "the server closed the connection"
                                                                 : "receive: " + ssl_error_text();
      close();
      return std::nullopt;
    }
    if (!reader_.push(buf, n)) {
      *error = std::string("the server broke the framing: ") + reader_.error();
      close();
      return std::nullopt;
    }
  }
}

} // namespace gste2ee::room
