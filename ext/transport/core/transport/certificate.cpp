// SPDX-License-Identifier: LGPL-2.1-or-later
#include "transport/certificate.h"

#include <cctype>
#include <cstdio>

#include <openssl/bio.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

namespace gste2ee::transport {

namespace {

std::string openssl_error(const char* what)
{
  char buf[256];
  ERR_error_string_n(ERR_get_error(), buf, sizeof buf);
  ERR_clear_error();
  return std::string(what) + ": " + buf;
}

struct KeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct X509Free {
  void operator()(X509* c) const { X509_free(c); }
};
struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};

} // namespace

std::unique_ptr<Certificate> Certificate::generate(std::string* error)
{
  std::unique_ptr<EVP_PKEY, KeyFree> key(EVP_EC_gen("P-256"));
  std::unique_ptr<X509, X509Free> cert(X509_new());
  if (!key || !cert) {
    *error = openssl_error("ECDSA P-256 key generation");
    return nullptr;
  }
  // A random serial: two certificates of one host never look alike.
  unsigned char serial[8];
  if (RAND_bytes(serial, sizeof serial) != 1) {
    *error = openssl_error("random serial");
    return nullptr;
  }
  serial[0] &= 0x7f;  // positive
  BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
  const bool ok = bn && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get())) &&
                  X509_set_version(cert.get(), 2) &&
                  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -24 * 3600) &&
                  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 30L * 24 * 3600) &&
                  X509_set_pubkey(cert.get(), key.get()) &&
                  X509_NAME_add_entry_by_txt(X509_get_subject_name(cert.get()), "CN", MBSTRING_ASC,
                                             reinterpret_cast<const unsigned char*>("gst-e2ee"), -1, -1, 0) &&
                  X509_set_issuer_name(cert.get(), X509_get_subject_name(cert.get())) &&
                  X509_sign(cert.get(), key.get(), EVP_sha256()) > 0;
  BN_free(bn);
  if (!ok) {
    *error = openssl_error("self-signed certificate");
    return nullptr;
  }
  return std::unique_ptr<Certificate>(new Certificate(key.release(), cert.release()));
}

std::unique_ptr<Certificate> Certificate::from_pem(const std::string& pem, std::string* error)
{
  std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  std::unique_ptr<BIO, BioFree> bio2(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio || !bio2) {
    *error = openssl_error("PEM buffer");
    return nullptr;
  }
  std::unique_ptr<X509, X509Free> cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  std::unique_ptr<EVP_PKEY, KeyFree> key(PEM_read_bio_PrivateKey(bio2.get(), nullptr, nullptr, nullptr));
  if (!cert || !key) {
    *error = openssl_error("PEM needs a certificate and its private key");
    return nullptr;
  }
  if (X509_check_private_key(cert.get(), key.get()) != 1) {
    *error = openssl_error("the private key does not belong to the certificate");
    return nullptr;
  }
  return std::unique_ptr<Certificate>(new Certificate(key.release(), cert.release()));
}

Certificate::~Certificate()
{
  X509_free(cert_);
  EVP_PKEY_free(key_);  // OpenSSL clears private key material on free
}

std::string Certificate::fingerprint() const
{
  return sha256_fingerprint(cert_);
}

std::string sha256_fingerprint(X509* cert)
{
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  if (!cert || X509_digest(cert, EVP_sha256(), md, &n) != 1)
    return {};
  std::string out;
  char hex[4];
  for (unsigned int i = 0; i < n; i++) {
    snprintf(hex, sizeof hex, i + 1 < n ? "%02X:" : "%02X", md[i]);
    out += hex;
  }
  return out;
}

bool fingerprints_equal(const std::string& a, const std::string& b)
{
  auto norm = [](const std::string& s) {
    std::string out;
    for (char c : s)
      if (c != ':')
        out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return out;
  };
  const std::string x = norm(a), y = norm(b);
  return !x.empty() && x == y;
}

} // namespace gste2ee::transport
