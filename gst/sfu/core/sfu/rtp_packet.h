// SPDX-License-Identifier: LGPL-2.1-or-later
// A bounded, read-only view of one RTP packet (RFC 3550 section 5.1) and its
// header extensions (RFC 8285, one-byte and two-byte forms), plus the three
// header fields an SFU rewrites. Nothing here reads or writes the payload:
// in an end-to-end room it is SFrame ciphertext.
#pragma once

#include <cstddef>
#include <cstdint>

namespace gste2ee::sfu {

// Why a packet was refused; also the stats' "drops by reason" keys.
enum class RtpError {
  None,
  TooShort,      // shorter than the fixed header
  BadVersion,    // not version 2 (for example STUN, DTLS or RTCP on the wrong pad)
  BadCsrcs,      // the CSRC list runs past the end
  BadExtension,  // the extension block runs past the end or lies about its elements
  BadPadding,    // the padding count is zero or larger than the payload
};
const char* rtp_error_name(RtpError e);

struct RtpExtensionData {
  const uint8_t* data = nullptr;
  size_t size = 0;
  explicit operator bool() const { return data != nullptr; }
};

class RtpPacketView {
public:
  // Checks the whole header; the view is only valid while `data` lives.
  RtpError parse(const uint8_t* data, size_t size);

  uint8_t payload_type() const { return data_[1] & 0x7f; }
  bool marker() const { return data_[1] & 0x80; }
  uint16_t sequence() const;
  uint32_t timestamp() const;
  uint32_t ssrc() const;
  size_t header_size() const { return header_size_; }
  size_t payload_size() const { return payload_size_; }
  size_t size() const { return size_; }

  // The element with this local ID (1-14 one-byte, 1-255 two-byte); empty
  // when absent or id is 0.
  RtpExtensionData extension(uint8_t id) const;

private:
  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
  size_t header_size_ = 0;
  size_t payload_size_ = 0;
  const uint8_t* ext_ = nullptr;  // first element, after the 4-byte extension header
  size_t ext_size_ = 0;
  bool ext_two_byte_ = false;
};

// Writes SSRC, sequence number and timestamp into a packet that parsed.
void rtp_rewrite(uint8_t* packet, uint32_t ssrc, uint16_t sequence, uint32_t timestamp);

// Video Frame Marking (RFC 9626), short (1 byte) and long (3 byte) forms:
// start / end of frame, independent (a key frame), discardable, base-layer
// sync, temporal ID; the long form adds the layer ID and TL0PICIDX.
struct FrameMarking {
  bool start = false;
  bool end = false;
  bool independent = false;
  bool discardable = false;
  bool base_sync = false;
  uint8_t temporal_id = 0;
  uint8_t layer_id = 0;
};
bool parse_frame_marking(RtpExtensionData ext, FrameMarking* out);
// Writes the short form (non-scalable streams) into out[0].
uint8_t frame_marking_short_form(const FrameMarking& fm);

// Audio level (RFC 6464): V flag and level in -dBov (0 loudest, 127 silence).
bool parse_audio_level(RtpExtensionData ext, bool* voice, uint8_t* level);

} // namespace gste2ee::sfu
