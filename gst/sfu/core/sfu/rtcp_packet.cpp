// SPDX-License-Identifier: LGPL-2.1-or-later
#include "sfu/rtcp_packet.h"

#include "sfu/byte_order.h"

namespace gste2ee::sfu {

namespace {

void append32(std::vector<uint8_t>& out, uint32_t v)
{
  for (int shift = 24; shift >= 0; shift -= 8)
    out.push_back(static_cast<uint8_t>(v >> shift));
}

constexpr uint8_t kSr = 200;
constexpr uint8_t kRr = 201;
constexpr uint8_t kRtpFb = 205;
constexpr uint8_t kPsFb = 206;
constexpr uint8_t kFmtNack = 1;
constexpr uint8_t kFmtPli = 1;
constexpr uint8_t kFmtFir = 4;

} // namespace

const char* rtcp_error_name(RtcpError e)
{
  switch (e) {
  case RtcpError::None: return "none";
  case RtcpError::TooShort: return "rtcp-too-short";
  case RtcpError::BadVersion: return "not-rtcp";
  case RtcpError::BadLength: return "rtcp-bad-length";
  }
  return "unknown";
}

RtcpError parse_rtcp_feedback(const uint8_t* data, size_t size, std::vector<RtcpFeedback>* out)
{
  out->clear();
  if (size < 4)
    return RtcpError::TooShort;
  size_t i = 0;
  while (i < size) {
    if (size - i < 4)
      return out->clear(), RtcpError::TooShort;
    const uint8_t* p = data + i;
    if ((p[0] >> 6) != 2)
      return out->clear(), RtcpError::BadVersion;
    const uint8_t pt = p[1];
    if (pt < 192 || pt > 223)
      return out->clear(), RtcpError::BadVersion;
    const size_t len = 4 * (size_t{ be16(p + 2) } + 1);
    if (len > size - i)
      return out->clear(), RtcpError::BadLength;
    const uint8_t fmt = p[0] & 0x1f;
    // Feedback: header, sender SSRC, media SSRC, then FCI.
    if ((pt == kRtpFb || pt == kPsFb) && len < 12)
      return out->clear(), RtcpError::BadLength;
    if (pt == kPsFb && fmt == kFmtPli) {
      out->push_back({ RtcpFeedback::Pli, be32(p + 8), {} });
    } else if (pt == kPsFb && fmt == kFmtFir) {
      // FIR names its targets in the FCI (8 bytes each), not in media SSRC.
      for (size_t f = 12; f + 8 <= len; f += 8)
        out->push_back({ RtcpFeedback::Fir, be32(p + f), {} });
    } else if (pt == kRtpFb && fmt == kFmtNack) {
      RtcpFeedback nack{ RtcpFeedback::Nack, be32(p + 8), {} };
      for (size_t f = 12; f + 4 <= len; f += 4) {
        const uint16_t pid = be16(p + f);
        const uint16_t blp = be16(p + f + 2);
        nack.lost.push_back(pid);
        for (int b = 0; b < 16; b++)
          if (blp & (1u << b))
            nack.lost.push_back(static_cast<uint16_t>(pid + b + 1));
      }
      out->push_back(std::move(nack));
    }
    i += len;
  }
  return RtcpError::None;
}

RtcpError parse_rtcp_reports(const uint8_t* data, size_t size, RtcpReports* out)
{
  out->senders.clear();
  out->blocks.clear();
  std::vector<RtcpFeedback> ignored;
  if (RtcpError e = parse_rtcp_feedback(data, size, &ignored); e != RtcpError::None)
    return e;  // the walk below may trust every length field
  for (size_t i = 0; i < size;) {
    const uint8_t* p = data + i;
    const size_t len = 4 * (size_t{ be16(p + 2) } + 1);
    const uint8_t pt = p[1];
    if (pt == kSr || pt == kRr) {
      const size_t blocks_at = pt == kSr ? 28 : 8;
      const size_t count = p[0] & 0x1f;
      if (len < blocks_at + 24 * count) {
        out->senders.clear();
        out->blocks.clear();
        return RtcpError::BadLength;
      }
      const uint32_t reporter = be32(p + 4);
      if (pt == kSr)
        out->senders.push_back({ reporter, uint64_t{ be32(p + 8) } << 32 | be32(p + 12), be32(p + 16), be32(p + 20),
                                 be32(p + 24) });
      for (size_t b = 0; b < count; b++) {
        const uint8_t* r = p + blocks_at + 24 * b;
        out->blocks.push_back({ reporter, be32(r), r[4], be32(r + 4) & 0xffffff, be32(r + 8), be32(r + 12),
                                be32(r + 16), be32(r + 20) });
      }
    }
    i += len;
  }
  return RtcpError::None;
}

std::vector<uint8_t> build_sr(const SenderInfo& info)
{
  std::vector<uint8_t> out{ 0x80, kSr, 0, 6 };
  append32(out, info.ssrc);
  append32(out, static_cast<uint32_t>(info.ntp >> 32));
  append32(out, static_cast<uint32_t>(info.ntp));
  append32(out, info.rtp_timestamp);
  append32(out, info.packets);
  append32(out, info.octets);
  return out;
}

std::vector<uint8_t> build_rr(uint32_t reporter, const std::vector<ReportBlock>& blocks)
{
  const size_t count = blocks.size() < 31 ? blocks.size() : 31;
  const size_t words = 1 + 6 * count;
  std::vector<uint8_t> out{ static_cast<uint8_t>(0x80 | count), kRr, static_cast<uint8_t>(words >> 8),
                            static_cast<uint8_t>(words) };
  append32(out, reporter);
  for (size_t b = 0; b < count; b++) {
    const ReportBlock& r = blocks[b];
    append32(out, r.ssrc);
    append32(out, uint32_t{ r.fraction_lost } << 24 | (r.cumulative_lost & 0xffffff));
    append32(out, r.highest_sequence);
    append32(out, r.jitter);
    append32(out, r.last_sr);
    append32(out, r.delay_since_last_sr);
  }
  return out;
}

std::vector<uint8_t> build_pli(uint32_t sender_ssrc, uint32_t media_ssrc)
{
  std::vector<uint8_t> out{ static_cast<uint8_t>(0x80 | kFmtPli), kPsFb, 0, 2 };
  append32(out, sender_ssrc);
  append32(out, media_ssrc);
  return out;
}

std::vector<uint8_t> build_nack(uint32_t sender_ssrc, uint32_t media_ssrc, const std::vector<uint16_t>& lost)
{
  std::vector<uint8_t> out{ static_cast<uint8_t>(0x80 | kFmtNack), kRtpFb, 0, 0 };
  append32(out, sender_ssrc);
  append32(out, media_ssrc);
  size_t i = 0;
  while (i < lost.size()) {
    const uint16_t pid = lost[i++];
    uint16_t blp = 0;
    while (i < lost.size() && static_cast<uint16_t>(lost[i] - pid - 1) < 16)
      blp |= static_cast<uint16_t>(1u << static_cast<uint16_t>(lost[i++] - pid - 1));
    out.push_back(static_cast<uint8_t>(pid >> 8));
    out.push_back(static_cast<uint8_t>(pid));
    out.push_back(static_cast<uint8_t>(blp >> 8));
    out.push_back(static_cast<uint8_t>(blp));
  }
  const size_t words = out.size() / 4 - 1;
  out[2] = static_cast<uint8_t>(words >> 8);
  out[3] = static_cast<uint8_t>(words);
  return out;
}

} // namespace gste2ee::sfu
