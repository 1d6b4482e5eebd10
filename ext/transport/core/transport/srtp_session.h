// SPDX-License-Identifier: LGPL-2.1-or-later
// One direction of SRTP / SRTCP (RFC 3711, RFC 7714 for AEAD GCM) over
// libsrtp2, for every SSRC at once: outbound protects any SSRC, inbound
// accepts any SSRC (streams that appear later, simulcast and RTX included)
// with replay protection and rollover counting per SSRC inside libsrtp2.
// Keys come from DTLS-SRTP (dtls_endpoint.h); the copy handed in is wiped.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace gste2ee::transport {

// DTLS-SRTP protection profiles (RFC 5764, RFC 7714), by their IANA values.
enum class SrtpProfile : uint16_t {
  Aes128CmSha1_80 = 0x0001,
  Aes128CmSha1_32 = 0x0002,
  AeadAes128Gcm = 0x0007,
  AeadAes256Gcm = 0x0008,
};
const char* srtp_profile_name(SrtpProfile p);  // the OpenSSL / RFC name, e.g. "SRTP_AEAD_AES_128_GCM"
size_t srtp_key_length(SrtpProfile p);
size_t srtp_salt_length(SrtpProfile p);
bool srtp_profile_known(uint16_t id);

// Why a packet was refused.
enum class SrtpDrop { None, TooShort, Authentication, Replay, Other };
const char* srtp_drop_name(SrtpDrop d);

struct SrtpStats {
  uint64_t protected_rtp = 0, protected_rtcp = 0;
  uint64_t unprotected_rtp = 0, unprotected_rtcp = 0;
  uint64_t drops_authentication = 0, drops_replay = 0, drops_other = 0;
};

class SrtpSession {
public:
  enum class Direction { Outbound, Inbound };
  // `key_and_salt` is master key || master salt for `profile`; wiped here
  // once libsrtp2 holds its own copy. Null and `error` set on failure.
  static std::unique_ptr<SrtpSession> create(SrtpProfile profile, Direction direction, uint8_t* key_and_salt,
                                             size_t size, std::string* error);
  ~SrtpSession();
  SrtpSession(const SrtpSession&) = delete;
  SrtpSession& operator=(const SrtpSession&) = delete;

  // The most protect() adds to a packet: the buffer must have this much room.
  static constexpr size_t kMaxTrailer = 148;  // libsrtp2: tag, MKI and the SRTCP index

  // In place; `*size` grows by the tag (and the SRTCP index). False if the
  // packet cannot be protected (no room, not RTP).
  bool protect_rtp(uint8_t* data, size_t* size, size_t capacity);
  bool protect_rtcp(uint8_t* data, size_t* size, size_t capacity);
  // In place; `*size` shrinks. SrtpDrop::None when the packet authenticated.
  SrtpDrop unprotect_rtp(uint8_t* data, size_t* size);
  SrtpDrop unprotect_rtcp(uint8_t* data, size_t* size);

  SrtpProfile profile() const { return profile_; }
  const SrtpStats& stats() const { return stats_; }

private:
  SrtpSession(void* ctx, SrtpProfile profile) : ctx_(ctx), profile_(profile) {}
  SrtpDrop count(int status);
  void* ctx_;  // srtp_t
  SrtpProfile profile_;
  SrtpStats stats_;
};

} // namespace gste2ee::transport
