// SPDX-License-Identifier: LGPL-2.1-or-later
// Builds RTP packets for the forwarding tests: fixed header, optional
// one-byte header extensions (RID, frame marking, audio level), payload.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace sfu_test {

struct Ext {
  uint8_t id;
  std::vector<uint8_t> data;
};

inline std::vector<uint8_t> rtp(uint32_t ssrc, uint16_t seq, uint32_t ts, const std::vector<Ext>& exts = {},
                                size_t payload = 100, uint8_t pt = 96)
{
  std::vector<uint8_t> p{ static_cast<uint8_t>(exts.empty() ? 0x80 : 0x90), pt,
                          static_cast<uint8_t>(seq >> 8), static_cast<uint8_t>(seq),
                          static_cast<uint8_t>(ts >> 24), static_cast<uint8_t>(ts >> 16),
                          static_cast<uint8_t>(ts >> 8), static_cast<uint8_t>(ts),
                          static_cast<uint8_t>(ssrc >> 24), static_cast<uint8_t>(ssrc >> 16),
                          static_cast<uint8_t>(ssrc >> 8), static_cast<uint8_t>(ssrc) };
  if (!exts.empty()) {
    std::vector<uint8_t> block;
    for (const auto& e : exts) {
      block.push_back(static_cast<uint8_t>(e.id << 4 | (e.data.size() - 1)));
      block.insert(block.end(), e.data.begin(), e.data.end());
    }
    while (block.size() % 4)
      block.push_back(0);
    const size_t words = block.size() / 4;
    p.insert(p.end(), { 0xBE, 0xDE, static_cast<uint8_t>(words >> 8), static_cast<uint8_t>(words) });
    p.insert(p.end(), block.begin(), block.end());
  }
  for (size_t i = 0; i < payload; i++)
    p.push_back(static_cast<uint8_t>(seq * 7 + i));
  return p;
}

inline Ext rid(uint8_t id, const std::string& name)
{
  return { id, std::vector<uint8_t>(name.begin(), name.end()) };
}

// Frame marking short form: start, end, independent.
inline Ext marking(uint8_t id, bool start, bool end, bool independent)
{
  return { id, { static_cast<uint8_t>((start ? 0x80 : 0) | (end ? 0x40 : 0) | (independent ? 0x20 : 0)) } };
}

// Audio level (RFC 6464): voice flag and level in -dBov.
inline Ext audio_level(uint8_t id, uint8_t level, bool voice = true)
{
  return { id, { static_cast<uint8_t>((voice ? 0x80 : 0) | (level & 0x7f)) } };
}

inline uint16_t seq_of(const std::vector<uint8_t>& p)
{
  return static_cast<uint16_t>(p[2] << 8 | p[3]);
}

} // namespace sfu_test
