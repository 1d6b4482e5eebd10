// SPDX-License-Identifier: LGPL-2.1-or-later
#include "room/tls_identity.h"

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <memory>

namespace gste2ee::room {

namespace {

struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct ExtFree {
  void operator()(X509_EXTENSION* e) const { X509_EXTENSION_free(e); }
};
struct FileClose {
  void operator()(FILE* f) const { fclose(f); }
};

bool is_ip(const std::string& name)
{
  unsigned char buf[16];
  return inet_pton(AF_INET, name.c_str(), buf) == 1 || inet_pton(AF_INET6, name.c_str(), buf) == 1;
}

// Opens `path` for writing with `mode`; with `exclusive`, fails if it exists.
std::unique_ptr<FILE, FileClose> open_for_writing(const std::string& path, int mode, bool exclusive)
{
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | (exclusive ? O_EXCL : O_TRUNC) | O_CLOEXEC, mode);
  if (fd < 0)
    return nullptr;
  FILE* f = fdopen(fd, "w");
  if (!f)
    close(fd);
  return std::unique_ptr<FILE, FileClose>(f);
}

} // namespace

bool make_self_signed_certificate(const std::vector<std::string>& names, int days, const std::string& cert_path,
    const std::string& key_path, std::string* error)
{
  if (names.empty() || days <= 0) {
    *error = "a certificate needs at least one name and a positive lifetime";
    return false;
  }
  std::unique_ptr<EVP_PKEY, PkeyFree> key(EVP_EC_gen("P-256"));
  std::unique_ptr<X509, X509Free> cert(X509_new());
  if (!key || !cert) {
    *error = "cannot make a P-256 key";
    return false;
  }
  std::string san;
  for (const auto& n : names)
    san += (san.empty() ? "" : ",") + std::string(is_ip(n) ? "IP:" : "DNS:") + n;
  X509_set_version(cert.get(), 2);
  // A random 159-bit serial (RFC 5280: positive, at most 20 bytes).
  BIGNUM* serial = BN_new();
  bool ok = serial && BN_rand(serial, 159, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) == 1
      && BN_to_ASN1_INTEGER(serial, X509_get_serialNumber(cert.get())) != nullptr;
  BN_free(serial);
  X509_NAME* subject = X509_get_subject_name(cert.get());
  ok = ok && X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60) && X509_gmtime_adj(X509_getm_notAfter(cert.get()),
      long(days) * 86400)
      && X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_UTF8,
             reinterpret_cast<const unsigned char*>(names[0].c_str()), -1, -1, 0) == 1
      && X509_set_issuer_name(cert.get(), subject) == 1 && X509_set_pubkey(cert.get(), key.get()) == 1;
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert.get(), cert.get(), nullptr, nullptr, 0);
  for (const auto& [nid, value] : { std::pair<int, std::string>{ NID_subject_alt_name, san },
           { NID_basic_constraints, "critical,CA:TRUE" }, { NID_key_usage, "critical,digitalSignature,keyCertSign" },
           { NID_ext_key_usage, "serverAuth" } }) {
    std::unique_ptr<X509_EXTENSION, ExtFree> ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str()));
    ok = ok && ext && X509_add_ext(cert.get(), ext.get(), -1) == 1;
  }
  ok = ok && X509_sign(cert.get(), key.get(), EVP_sha256()) > 0;
  if (!ok) {
    *error = "cannot build the certificate";
    return false;
  }
  auto key_file = open_for_writing(key_path, 0600, true);
  if (!key_file) {
    *error = key_path + ": cannot create it (a private key is never overwritten)";
    return false;
  }
  if (PEM_write_PrivateKey(key_file.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    *error = key_path + ": cannot write the key";
    return false;
  }
  auto cert_file = open_for_writing(cert_path, 0644, false);
  if (!cert_file || PEM_write_X509(cert_file.get(), cert.get()) != 1) {
    *error = cert_path + ": cannot write the certificate";
    return false;
  }
  return true;
}

} // namespace gste2ee::room
