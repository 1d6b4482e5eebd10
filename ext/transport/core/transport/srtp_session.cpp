// SPDX-License-Identifier: LGPL-2.1-or-later
#include "transport/srtp_session.h"

#include <climits>
#include <cstring>
#include <mutex>

#include <openssl/crypto.h>
#include <srtp2/srtp.h>

namespace gste2ee::transport {

namespace {

// libsrtp2 keeps global state (its crypto kernel): initialised once for the
// process and never shut down. Its result is not trusted either way: a second
// srtp_init() in a process (GStreamer's srtp plugin calls it too) reports an
// error while the kernel it set up before works; srtp_create() says whether
// it really does.
void srtp_ready()
{
  static std::once_flag once;
  std::call_once(once, [] { (void) srtp_init(); });
}

bool set_policy(SrtpProfile p, srtp_crypto_policy_t* rtp, srtp_crypto_policy_t* rtcp)
{
  switch (p) {
  case SrtpProfile::Aes128CmSha1_80:
    srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(rtp);
    srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(rtcp);
    return true;
  case SrtpProfile::Aes128CmSha1_32:
    // RFC 5764 4.1.2: the 32-bit tag is for SRTP only; SRTCP keeps 80 bits.
    srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(rtp);
    srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(rtcp);
    return true;
  case SrtpProfile::AeadAes128Gcm:
    srtp_crypto_policy_set_aes_gcm_128_16_auth(rtp);
    srtp_crypto_policy_set_aes_gcm_128_16_auth(rtcp);
    return true;
  case SrtpProfile::AeadAes256Gcm:
    srtp_crypto_policy_set_aes_gcm_256_16_auth(rtp);
    srtp_crypto_policy_set_aes_gcm_256_16_auth(rtcp);
    return true;
  }
  return false;
}

} // namespace

const char* srtp_profile_name(SrtpProfile p)
{
  switch (p) {
  case SrtpProfile::Aes128CmSha1_80: return "SRTP_AES128_CM_SHA1_80";
  case SrtpProfile::Aes128CmSha1_32: return "SRTP_AES128_CM_SHA1_32";
  case SrtpProfile::AeadAes128Gcm: return "SRTP_AEAD_AES_128_GCM";
  case SrtpProfile::AeadAes256Gcm: return "SRTP_AEAD_AES_256_GCM";
  }
  return "unknown";
}

bool srtp_profile_known(uint16_t id)
{
  return id == 0x0001 || id == 0x0002 || id == 0x0007 || id == 0x0008;
}

size_t srtp_key_length(SrtpProfile p)
{
  return p == SrtpProfile::AeadAes256Gcm ? 32 : 16;
}

size_t srtp_salt_length(SrtpProfile p)
{
  return p == SrtpProfile::AeadAes128Gcm || p == SrtpProfile::AeadAes256Gcm ? 12 : 14;
}

const char* srtp_drop_name(SrtpDrop d)
{
  switch (d) {
  case SrtpDrop::None: return "none";
  case SrtpDrop::TooShort: return "too-short";
  case SrtpDrop::Authentication: return "authentication";
  case SrtpDrop::Replay: return "replay";
  case SrtpDrop::Other: return "other";
  }
  return "other";
}

std::unique_ptr<SrtpSession> SrtpSession::create(SrtpProfile profile, Direction direction, uint8_t* key_and_salt,
                                                 size_t size, std::string* error)
{
  std::unique_ptr<SrtpSession> session;
  srtp_policy_t policy;
  memset(&policy, 0, sizeof policy);
  srtp_ready();
  if (!set_policy(profile, &policy.rtp, &policy.rtcp)) {
    *error = "unknown SRTP profile";
  } else if (size != srtp_key_length(profile) + srtp_salt_length(profile)) {
    *error = std::string("wrong key length for ") + srtp_profile_name(profile);
  } else {
    policy.ssrc.type = direction == Direction::Outbound ? ssrc_any_outbound : ssrc_any_inbound;
    policy.key = key_and_salt;
    policy.window_size = 1024;  // packets; reordering beyond that is a replay
    policy.allow_repeat_tx = 0;
    srtp_t ctx = nullptr;
    const srtp_err_status_t st = srtp_create(&ctx, &policy);
    if (st == srtp_err_status_ok)
      session.reset(new SrtpSession(ctx, profile));
    else
      *error = "srtp_create failed (libsrtp2 status " + std::to_string(static_cast<int>(st)) + ")";
  }
  OPENSSL_cleanse(key_and_salt, size);
  return session;
}

SrtpSession::~SrtpSession()
{
  srtp_dealloc(static_cast<srtp_t>(ctx_));  // libsrtp2 zeroes its key material
}

bool SrtpSession::protect_rtp(uint8_t* data, size_t* size, size_t capacity)
{
  if (*size < 12 || capacity < *size + kMaxTrailer || *size > INT_MAX - kMaxTrailer)
    return false;
  int len = static_cast<int>(*size);
  if (srtp_protect(static_cast<srtp_t>(ctx_), data, &len) != srtp_err_status_ok)
    return false;
  *size = static_cast<size_t>(len);
  stats_.protected_rtp++;
  return true;
}

bool SrtpSession::protect_rtcp(uint8_t* data, size_t* size, size_t capacity)
{
  if (*size < 8 || capacity < *size + kMaxTrailer || *size > INT_MAX - kMaxTrailer)
    return false;
  int len = static_cast<int>(*size);
  if (srtp_protect_rtcp(static_cast<srtp_t>(ctx_), data, &len) != srtp_err_status_ok)
    return false;
  *size = static_cast<size_t>(len);
  stats_.protected_rtcp++;
  return true;
}

SrtpDrop SrtpSession::count(int status)
{
  switch (status) {
  case srtp_err_status_ok: return SrtpDrop::None;
  case srtp_err_status_auth_fail: stats_.drops_authentication++; return SrtpDrop::Authentication;
  case srtp_err_status_replay_fail:
  case srtp_err_status_replay_old: stats_.drops_replay++; return SrtpDrop::Replay;
  default: stats_.drops_other++; return SrtpDrop::Other;
  }
}

SrtpDrop SrtpSession::unprotect_rtp(uint8_t* data, size_t* size)
{
  if (*size < 12 || *size > INT_MAX) {
    stats_.drops_other++;
    return SrtpDrop::TooShort;
  }
  int len = static_cast<int>(*size);
  const SrtpDrop d = count(srtp_unprotect(static_cast<srtp_t>(ctx_), data, &len));
  if (d == SrtpDrop::None) {
    *size = static_cast<size_t>(len);
    stats_.unprotected_rtp++;
  }
  return d;
}

SrtpDrop SrtpSession::unprotect_rtcp(uint8_t* data, size_t* size)
{
  if (*size < 8 || *size > INT_MAX) {
    stats_.drops_other++;
    return SrtpDrop::TooShort;
  }
  int len = static_cast<int>(*size);
  const SrtpDrop d = count(srtp_unprotect_rtcp(static_cast<srtp_t>(ctx_), data, &len));
  if (d == SrtpDrop::None) {
    *size = static_cast<size_t>(len);
    stats_.unprotected_rtcp++;
  }
  return d;
}

} // namespace gste2ee::transport
