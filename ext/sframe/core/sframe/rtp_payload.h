// SPDX-License-Identifier: LGPL-2.1-or-later
// The RTP payload format of SFrame (draft-ietf-avtcore-rtp-sframe-02,
// sections 4-5), GStreamer-free: a whole SFrame ciphertext (one encrypted
// frame of any codec) split over RTP payloads, each behind a one-byte
// descriptor
//
//    0 1 2 3 4 5 6 7
//   +-+-+-+-+-+-+-+-+
//   |S|E|T|x x x x x|
//   +-+-+-+-+-+-+-+-+
//
// S on the first fragment only, E on the last only, T = 1 when the frame
// protects packetized media and 0 when it protects a raw (encoded) frame,
// the same on all fragments; the reserved bits are sent as 0 and ignored.
// The receiver puts a frame back together from the smallest run of packets
// consecutive in sequence number from an S to an E, in whatever order they
// arrive, and drops a run whose T bits or payload types disagree.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <vector>

namespace gste2ee::sframe::rtp {

constexpr uint8_t kStart = 0x80;
constexpr uint8_t kEnd = 0x40;
constexpr uint8_t kPacketized = 0x20;
constexpr size_t kDescriptorSize = 1;

struct Fragment {
  size_t offset = 0;   // into the SFrame ciphertext
  size_t length = 0;   // bytes of ciphertext after the descriptor
  uint8_t descriptor = 0;
};

// Section 5.1: fragments of at most `max_fragment` ciphertext bytes each
// (the RTP payload minus the descriptor), in order, into `out` (cleared
// first; its capacity is reused). False when `size` is 0 or `max_fragment`
// is 0: there is nothing to send, or no room to send it.
bool fragment(size_t size, size_t max_fragment, bool packetized, std::vector<Fragment>* out);

// One received RTP packet: header fields and its payload (descriptor first).
struct Packet {
  uint16_t seq = 0;
  uint8_t payload_type = 0;
  bool marker = false;
  uint32_t timestamp = 0;
  const uint8_t* payload = nullptr;
  size_t size = 0;
};

// A frame put back together (section 5.2).
struct Frame {
  std::vector<uint8_t> ciphertext;  // the descriptors removed
  uint8_t payload_type = 0;
  bool marker = false;              // of the last packet
  uint32_t timestamp = 0;           // of the first packet
  bool packetized = false;          // the T bit
  uint16_t packets = 0;
};

// Section 5.2 over packets in any order, with the buffer bounded: packets
// further than `window` sequence numbers behind the newest are too late, and
// those waiting longer are dropped with the frames they could not complete.
class Reassembler {
public:
  struct Counters {
    uint64_t packets = 0;          // accepted into the buffer
    uint64_t frames = 0;           // put back together
    uint64_t malformed = 0;        // no descriptor
    uint64_t duplicate = 0;        // a sequence number seen already
    uint64_t late = 0;             // behind the window
    uint64_t inconsistent = 0;     // runs whose T bits or payload types differ (their packets)
    uint64_t incomplete = 0;       // packets dropped waiting for the rest of their frame
  };

  explicit Reassembler(uint32_t window = 1024, size_t max_bytes = 16 << 20) : window_(window), max_bytes_(max_bytes) {}

  // Adds a packet; returns the frame it completed, if any.
  std::optional<Frame> push(const Packet& p);
  // Drops everything buffered (a flush, a new stream), counted as incomplete.
  void reset();

  const Counters& counters() const { return counters_; }
  size_t buffered_packets() const { return buffer_.size(); }
  size_t buffered_bytes() const { return buffered_bytes_; }

private:
  struct Stored {
    uint8_t descriptor;
    uint8_t payload_type;
    bool marker;
    uint32_t timestamp;
    std::vector<uint8_t> data;  // after the descriptor
  };
  int64_t extend(uint16_t seq) const;
  void evict_older_than(int64_t ext);

  uint32_t window_;
  size_t max_bytes_;
  std::optional<int64_t> highest_;
  std::map<int64_t, Stored> buffer_;
  size_t buffered_bytes_ = 0;
  std::set<int64_t> delivered_;  // within the window, so a duplicate cannot form a frame twice
  Counters counters_;
};

} // namespace gste2ee::sframe::rtp
