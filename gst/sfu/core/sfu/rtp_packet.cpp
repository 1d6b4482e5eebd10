// SPDX-License-Identifier: LGPL-2.1-or-later
#include "sfu/rtp_packet.h"

#include "sfu/byte_order.h"

namespace gste2ee::sfu {

namespace {

constexpr uint16_t kOneByteProfile = 0xBEDE;
constexpr uint16_t kTwoByteProfileMask = 0xFFF0;
constexpr uint16_t kTwoByteProfile = 0x1000;

} // namespace

const char* rtp_error_name(RtpError e)
{
  switch (e) {
  case RtpError::None: return "none";
  case RtpError::TooShort: return "too-short";
  case RtpError::BadVersion: return "not-rtp";
  case RtpError::BadCsrcs: return "bad-csrc-list";
  case RtpError::BadExtension: return "bad-extension";
  case RtpError::BadPadding: return "bad-padding";
  }
  return "unknown";
}

RtpError RtpPacketView::parse(const uint8_t* data, size_t size)
{
  *this = RtpPacketView{};
  if (size < 12)
    return RtpError::TooShort;
  if ((data[0] >> 6) != 2)
    return RtpError::BadVersion;
  // RTCP packet types 200-204 (and 192-223 in general, RFC 5761 section 4)
  // look like RTP with the marker set: not ours.
  if (data[1] >= 192 && data[1] <= 223)
    return RtpError::BadVersion;
  size_t header = 12 + 4 * size_t{ static_cast<uint8_t>(data[0] & 0x0f) };
  if (header > size)
    return RtpError::BadCsrcs;
  if (data[0] & 0x10) {
    if (header + 4 > size)
      return RtpError::BadExtension;
    const size_t words = be16(data + header + 2);
    const size_t ext_end = header + 4 + 4 * words;
    if (ext_end > size)
      return RtpError::BadExtension;
    const uint16_t profile = be16(data + header);
    ext_ = data + header + 4;
    ext_size_ = 4 * words;
    if (profile == kOneByteProfile)
      ext_two_byte_ = false;
    else if ((profile & kTwoByteProfileMask) == kTwoByteProfile)
      ext_two_byte_ = true;
    else
      ext_ = nullptr;  // a profile-specific extension we do not interpret
    header = ext_end;
  }
  size_t payload = size - header;
  if (data[0] & 0x20) {
    const uint8_t pad = data[size - 1];
    if (pad == 0 || pad > payload)
      return RtpError::BadPadding;
    payload -= pad;
  }
  data_ = data;
  size_ = size;
  header_size_ = header;
  payload_size_ = payload;
  // The elements must tile the block; a lying length is refused here so
  // that extension() never has to.
  if (ext_) {
    size_t i = 0;
    while (i < ext_size_) {
      const uint8_t b = ext_[i];
      if (b == 0) {  // padding
        i++;
        continue;
      }
      size_t len, hdr;
      if (ext_two_byte_) {
        if (i + 2 > ext_size_)
          return *this = RtpPacketView{}, RtpError::BadExtension;
        hdr = 2;
        len = ext_[i + 1];
      } else {
        if ((b >> 4) == 15)  // reserved: stop processing (RFC 8285 4.2)
          break;
        hdr = 1;
        len = size_t{ static_cast<uint8_t>(b & 0x0f) } + 1;
      }
      if (i + hdr + len > ext_size_)
        return *this = RtpPacketView{}, RtpError::BadExtension;
      i += hdr + len;
    }
  }
  return RtpError::None;
}

uint16_t RtpPacketView::sequence() const
{
  return be16(data_ + 2);
}

uint32_t RtpPacketView::timestamp() const
{
  return be32(data_ + 4);
}

uint32_t RtpPacketView::ssrc() const
{
  return be32(data_ + 8);
}

RtpExtensionData RtpPacketView::extension(uint8_t id) const
{
  if (!ext_ || id == 0)
    return {};
  size_t i = 0;
  while (i < ext_size_) {
    const uint8_t b = ext_[i];
    if (b == 0) {
      i++;
      continue;
    }
    uint8_t element_id;
    size_t len, hdr;
    if (ext_two_byte_) {
      element_id = b;
      len = ext_[i + 1];
      hdr = 2;
    } else {
      element_id = b >> 4;
      if (element_id == 15)
        return {};
      len = size_t{ static_cast<uint8_t>(b & 0x0f) } + 1;
      hdr = 1;
    }
    if (element_id == id)
      return { ext_ + i + hdr, len };
    i += hdr + len;
  }
  return {};
}

void rtp_rewrite(uint8_t* packet, uint32_t ssrc, uint16_t sequence, uint32_t timestamp)
{
  put16(packet + 2, sequence);
  put32(packet + 4, timestamp);
  put32(packet + 8, ssrc);
}

bool parse_frame_marking(RtpExtensionData ext, FrameMarking* out)
{
  if (!ext || (ext.size != 1 && ext.size != 3))
    return false;
  const uint8_t b = ext.data[0];
  out->start = b & 0x80;
  out->end = b & 0x40;
  out->independent = b & 0x20;
  out->discardable = b & 0x10;
  out->base_sync = b & 0x08;
  out->temporal_id = b & 0x07;
  out->layer_id = ext.size == 3 ? ext.data[1] : 0;
  return true;
}

uint8_t frame_marking_short_form(const FrameMarking& fm)
{
  return static_cast<uint8_t>((fm.start ? 0x80 : 0) | (fm.end ? 0x40 : 0) | (fm.independent ? 0x20 : 0) |
                              (fm.discardable ? 0x10 : 0) | (fm.base_sync ? 0x08 : 0) | (fm.temporal_id & 0x07));
}

bool parse_audio_level(RtpExtensionData ext, bool* voice, uint8_t* level)
{
  if (!ext || ext.size < 1)
    return false;
  *voice = ext.data[0] & 0x80;
  *level = ext.data[0] & 0x7f;
  return true;
}

} // namespace gste2ee::sfu
