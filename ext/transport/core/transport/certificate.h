// SPDX-License-Identifier: LGPL-2.1-or-later
// The DTLS certificate of one endpoint (RFC 8827 section 6.5): ECDSA P-256,
// self-signed, identified to the peer only by its SHA-256 fingerprint in
// the SDP (RFC 8122), generated per session or loaded from PEM.
#pragma once

#include <memory>
#include <string>

#include <openssl/evp.h>
#include <openssl/x509.h>

namespace gste2ee::transport {

class Certificate {
public:
  // A fresh ECDSA P-256 key and a self-signed certificate valid for 30 days.
  static std::unique_ptr<Certificate> generate(std::string* error);
  // A PEM text holding the certificate and its private key (any order).
  static std::unique_ptr<Certificate> from_pem(const std::string& pem, std::string* error);
  ~Certificate();
  Certificate(const Certificate&) = delete;
  Certificate& operator=(const Certificate&) = delete;

  X509* x509() const { return cert_; }
  EVP_PKEY* key() const { return key_; }
  // "AB:CD:...", the SHA-256 of the DER certificate, as SDP a=fingerprint
  // writes it after "sha-256 ".
  std::string fingerprint() const;

private:
  Certificate(EVP_PKEY* key, X509* cert) : key_(key), cert_(cert) {}
  EVP_PKEY* key_;
  X509* cert_;
};

// The SHA-256 fingerprint of any certificate, in the same form.
std::string sha256_fingerprint(X509* cert);

// Whether two fingerprints are the same (case and colons as SDP allows).
bool fingerprints_equal(const std::string& a, const std::string& b);

} // namespace gste2ee::transport
