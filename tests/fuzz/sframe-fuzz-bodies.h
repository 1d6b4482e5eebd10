// SPDX-License-Identifier: LGPL-2.1-or-later
// The bodies of the SFrame fuzz targets as plain functions: the libFuzzer
// programs (fuzz-sframe-*.cpp, -Dfuzzing=true) call them, and
// tests/check/sframe/fuzz-replay.cpp runs them over the vectors and
// deterministic mutations in every test run, sanitized runs included.
// A broken property aborts; memory errors are the sanitizers' to catch.
// The return values only tell the replay test which paths its inputs reached.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <optional>
#include <vector>

#include "sframe/rtp_payload.h"
#include "sframe/sframe.h"

namespace sframe_fuzz {

namespace sf = gste2ee::sframe;
using Bytes = std::vector<uint8_t>;

inline void require(bool ok)
{
  if (!ok)
    std::abort();
}

// decode_header: never reads past the input; what decodes re-encodes in the
// shortest form to the same values. Returns whether the input decoded.
inline bool header(const uint8_t* data, size_t size)
{
  auto h = sf::decode_header({ data, size });
  if (!h) {
    require(h.error() == sf::Error::TruncatedHeader);
    return false;
  }
  require(h.value().size >= 1 && h.value().size <= size && h.value().size <= sf::kMaxHeaderSize);
  uint8_t buf[sf::kMaxHeaderSize];
  auto n = sf::encode_header(h.value().kid, h.value().ctr, { buf, sizeof buf });
  require(n.ok() && n.value() == sf::header_size(h.value().kid, h.value().ctr) && n.value() <= h.value().size);
  auto again = sf::decode_header({ buf, n.value() });
  require(again.ok() && again.value().kid == h.value().kid && again.value().ctr == h.value().ctr &&
          again.value().size == n.value());
  return true;
}

// The fixed keys the unprotect target decrypts with: KIDs 0-3, one suite
// each (the 32-bit tag, both GCMs, a SHA-512 CTR suite).
inline const Bytes kUnprotectBaseKey(16, 0x42);
inline constexpr sf::CipherSuite kUnprotectSuites[] = {
  sf::CipherSuite::AES_128_CTR_HMAC_SHA256_32,
  sf::CipherSuite::AES_128_GCM_SHA256_128,
  sf::CipherSuite::AES_256_GCM_SHA512_128,
  sf::CipherSuite::AES_256_CTR_HMAC_SHA512_80,
};

inline void add_unprotect_keys(sf::Decryptor& dec)
{
  for (uint64_t kid = 0; kid < 4; kid++)
    require(dec.add_key(kid, kUnprotectSuites[kid], kUnprotectBaseKey).ok());
}

// Genuine frames under those keys: starting points from which mutations
// reach the AEAD instead of stopping at an unknown KID.
inline std::vector<Bytes> unprotect_seeds()
{
  std::vector<Bytes> seeds;
  const uint64_t counters[] = { 0, 7, 8, 300, UINT64_MAX };
  for (uint64_t kid = 0; kid < 4; kid++) {
    for (uint64_t ctr : counters) {
      sf::Encryptor enc;
      require(enc.add_key(kid, kUnprotectSuites[kid], kUnprotectBaseKey, { ctr, UINT64_MAX }).ok());
      const Bytes pt(static_cast<size_t>(kid * 17 + ctr % 5), 0x61);
      Bytes frame(pt.size() + sf::kMaxOverhead);
      auto n = enc.protect(kid, {}, pt, frame);
      require(n.ok());
      frame.resize(n.value());
      seeds.push_back(frame);
    }
  }
  return seeds;
}

// Decryptor::unprotect on hostile frames. A refusal leaves the decryptor as
// it was, so unprotect_in_place on the same one then refuses the same way;
// a frame that opens, opens in place too (on a second decryptor, as the
// first now counts it as seen). Anything accepted is authentic: encrypting
// its plaintext under the same KID and CTR gives back exactly the input (a
// broken tag check would accept frames that are not). A second delivery is
// a replay. Returns the error, or nothing if the frame opened.
inline std::optional<sf::Error> unprotect(const uint8_t* data, size_t size)
{
  sf::Decryptor dec(64);
  add_unprotect_keys(dec);
  Bytes out(size);
  auto r = dec.unprotect({ data, size }, {}, { out.data(), out.size() });
  Bytes copy(data, data + size);
  if (!r.ok()) {
    auto r2 = dec.unprotect_in_place({ copy.data(), copy.size() }, {});
    require(!r2.ok() && r2.error() == r.error());
    return r.error();
  }
  sf::Decryptor dec_in_place(64);
  add_unprotect_keys(dec_in_place);
  auto r2 = dec_in_place.unprotect_in_place({ copy.data(), copy.size() }, {});
  require(r2.ok());
  const sf::FrameInfo& fi = r.value();
  require(fi.kid < 4 && fi.kid == r2.value().kid && fi.ctr == r2.value().ctr);
  require(fi.header_size + fi.plaintext_size + sf::suite_info(kUnprotectSuites[fi.kid]).tag_size == size);
  const Bytes pt(out.begin(), out.begin() + static_cast<long>(fi.plaintext_size));
  require(Bytes(copy.begin() + static_cast<long>(fi.header_size),
                copy.begin() + static_cast<long>(fi.header_size + fi.plaintext_size)) == pt);

  sf::Encryptor enc;
  require(enc.add_key(fi.kid, kUnprotectSuites[fi.kid], kUnprotectBaseKey, { fi.ctr, fi.ctr }).ok());
  Bytes again(size + sf::kMaxOverhead);
  auto n = enc.protect(fi.kid, {}, pt, { again.data(), again.size() });
  require(n.ok() && n.value() == size);
  require(Bytes(again.begin(), again.begin() + static_cast<long>(size)) == Bytes(data, data + size));

  auto replayed = dec.unprotect({ data, size }, {}, { out.data(), out.size() });
  require(!replayed.ok() && replayed.error() == sf::Error::Replay);
  return std::nullopt;
}

// Encrypt then decrypt with everything taken from the input: suite, KID and
// CTR (full 64-bit), base key, metadata and plaintext. The frame has the
// predicted size and header, opens to the plaintext (in place too), opens
// once only, fails with a changed tag, and the next counter follows.
// Returns false if the input was too short to use.
inline bool round_trip(const uint8_t* data, size_t size)
{
  constexpr size_t kFixed = 18;  // suite, KID, CTR, metadata length
  if (size < kFixed)
    return false;
  const auto suite = static_cast<sf::CipherSuite>(1 + data[0] % 8);
  uint64_t kid = 0, ctr = 0;
  for (size_t i = 0; i < 8; i++) {
    kid = kid << 8 | data[1 + i];
    ctr = ctr << 8 | data[9 + i];
  }
  const size_t meta_len = data[17] % (size - kFixed + 1);
  const Bytes meta(data + kFixed, data + kFixed + meta_len);
  const Bytes pt(data + kFixed + meta_len, data + size);
  const Bytes base_key(data, data + kFixed);
  const size_t tag = sf::suite_info(suite).tag_size;

  sf::Encryptor enc;
  sf::Decryptor dec, dec_in_place;
  require(enc.add_key(kid, suite, base_key, { ctr, UINT64_MAX }).ok());
  require(dec.add_key(kid, suite, base_key).ok());
  require(dec_in_place.add_key(kid, suite, base_key).ok());
  auto predicted = enc.output_size(kid, pt.size());
  require(predicted.ok() && predicted.value() == sf::header_size(kid, ctr) + pt.size() + tag);
  Bytes frame(pt.size() + sf::max_overhead(suite));
  auto n = enc.protect(kid, meta, pt, frame);
  require(n.ok() && n.value() == predicted.value());
  frame.resize(n.value());
  auto h = sf::decode_header(frame);
  require(h.ok() && h.value().kid == kid && h.value().ctr == ctr && h.value().size == sf::header_size(kid, ctr));

  Bytes back(pt.size()), forged = frame;
  forged.back() ^= 0x01;
  auto bad = dec.unprotect(forged, meta, back);
  require(!bad.ok() && bad.error() == sf::Error::AuthenticationFailed);
  auto r = dec.unprotect(frame, meta, back);
  require(r.ok() && r.value().kid == kid && r.value().ctr == ctr && back == pt);
  auto replayed = dec.unprotect(frame, meta, back);
  require(!replayed.ok() && replayed.error() == sf::Error::Replay);
  Bytes copy = frame;
  auto r2 = dec_in_place.unprotect_in_place(copy, meta);
  require(r2.ok());
  require(Bytes(copy.begin() + static_cast<long>(h.value().size), copy.end() - static_cast<long>(tag)) == pt);

  Bytes next(pt.size() + sf::max_overhead(suite));
  auto n2 = enc.protect(kid, meta, pt, next);
  if (ctr == UINT64_MAX) {
    require(!n2.ok() && n2.error() == sf::Error::CounterExhausted);
  } else {
    require(n2.ok());
    auto h2 = sf::decode_header({ next.data(), n2.value() });
    require(h2.ok() && h2.value().ctr == ctr + 1);
  }
  return true;
}

// The RTP reassembly of draft-ietf-avtcore-rtp-sframe (rtp_payload.h) over
// hostile packets. The input is a sequence of records
//   seq (2 bytes, big-endian) | payload type (1) | length L (1) | L payload bytes
// (the payload starts with the S|E|T descriptor); a short last record ends
// it. Properties: no frame is larger than the payload bytes fed, none is
// made of zero packets, and the buffer never holds more than the bounds
// allow. Returns the number of frames put back together.
inline constexpr uint32_t kReassemblyWindow = 64;
inline constexpr size_t kReassemblyBytes = 4096;

inline size_t rtp_reassembly(const uint8_t* data, size_t size)
{
  sf::rtp::Reassembler ra(kReassemblyWindow, kReassemblyBytes);
  size_t fed = 0, frames = 0;
  for (size_t at = 0; at + 4 <= size;) {
    sf::rtp::Packet p;
    p.seq = static_cast<uint16_t>(data[at] << 8 | data[at + 1]);
    p.payload_type = data[at + 2] & 0x7f;
    p.marker = (data[at + 2] & 0x80) != 0;
    const size_t len = data[at + 3];
    at += 4;
    if (at + len > size)
      break;
    p.payload = data + at;
    p.size = len;
    at += len;
    fed += len;
    if (auto f = ra.push(p)) {
      require(f->packets >= 1 && f->ciphertext.size() <= fed);
      frames++;
    }
    require(ra.buffered_packets() <= kReassemblyWindow && ra.buffered_bytes() <= kReassemblyBytes);
  }
  const auto& c = ra.counters();
  require(c.frames == frames);
  return frames;
}

} // namespace sframe_fuzz
