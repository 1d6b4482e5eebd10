// SPDX-License-Identifier: LGPL-2.1-or-later
// The forwarding decisions of an SFU, without GStreamer: which subscriber
// gets which packet, under which SSRC / sequence number / timestamp, when a
// simulcast subscriber switches encodings, and when a publisher is asked for
// a key frame. Everything comes from RTP headers, header extensions and
// RTCP; payload bytes are never looked at.
//
// Participants publish streams (one per SSRC) and subscribe to every other
// participant's streams. A source is what a subscriber sees as one stream:
// a plain stream, or the encodings of one simulcast source (grouped by the
// RID header extension, one simulcast source per publisher, or by an
// explicit SSRC group). Each subscriber receives one encoding of a simulcast
// source at a time, under one stable SSRC, with sequence numbers continuous
// across switches.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sfu/rtcp_packet.h"
#include "sfu/rtp_packet.h"
#include "sfu/speakers.h"

namespace gste2ee::sfu {

using ParticipantId = uint32_t;

struct ForwarderConfig {
  uint8_t rid_extension_id = 0;            // urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id; 0: none
  uint8_t frame_marking_extension_id = 0;  // urn:ietf:params:rtp-hdrext:framemarking; 0: none
  uint8_t audio_level_extension_id = 0;    // urn:ietf:params:rtp-hdrext:ssrc-audio-level; 0: none
  // Video goes to each subscriber from the last_n most recent speakers only
  // (streams with audio levels are audio and always go); 0: everyone.
  uint32_t last_n = 0;
  // RIDs from the lowest encoding to the highest; RIDs not listed rank above
  // them in order of appearance.
  std::vector<std::string> rid_order{ "q", "h", "f" };
  uint64_t keyframe_request_interval_us = 500'000;
  uint64_t layer_timeout_us = 2'000'000;  // an encoding silent this long is not offered
  uint32_t max_streams_per_participant = 32;
  // Packets remembered per stream to answer NACKs with RTX (RFC 4588); 0:
  // NACKs always go to the publisher.
  uint16_t rtx_history = 256;
  uint16_t max_dropout = 3000;  // RFC 3550 A.1
  uint16_t max_misorder = 100;
};

// Why a packet went nowhere; the stats' "drops by reason".
enum class Drop {
  None,
  NotRtp,
  Truncated,
  BadHeader,
  UnknownParticipant,
  TooManyStreams,
  SequenceJump,
  NotRtcp,
  RtcpBadLength,
  UnknownSsrc,
};
const char* drop_name(Drop d);
constexpr int kDropKinds = 10;

struct Delivery {
  ParticipantId subscriber;
  bool rewrite;  // false: forward the packet unchanged
  uint32_t ssrc;
  uint16_t sequence;
  uint32_t timestamp;
};

struct KeyframeRequest {
  ParticipantId publisher;
  uint32_t media_ssrc;  // the publisher's own SSRC
};

struct NackRequest {
  ParticipantId publisher;
  uint32_t media_ssrc;
  std::vector<uint16_t> lost;  // in the publisher's sequence space
};

// A packet to send again to `subscriber` as RTX (RFC 4588): the stored
// packet (`publisher`, `in_ssrc`, `in_sequence`) under the RTX header given
// here, its payload prefixed with the original sequence number the
// subscriber knows it by.
struct Retransmission {
  ParticipantId subscriber;
  ParticipantId publisher;
  uint32_t in_ssrc;
  uint16_t in_sequence;
  uint32_t rtx_ssrc;
  uint8_t rtx_payload_type;
  uint16_t rtx_sequence;
  uint16_t original_sequence;  // as the subscriber numbered it
  uint32_t timestamp;          // as the subscriber sees it
};

// The SSRC of the RTX stream that goes with a forwarded stream: fixed, so
// the signalling can announce it (a=ssrc-group:FID ssrc ssrc^this).
constexpr uint32_t kRtxSsrcXor = 0x52545800;  // "RTX\0"

// An RTCP packet the SFU sends to participant `to` on its RTCP pad.
struct RtcpOut {
  ParticipantId to;
  std::vector<uint8_t> packet;
};

struct Subscription {
  bool subscribed = true;
  bool paused = false;
  int max_layer = 255;
};

struct StreamStats {
  uint32_t ssrc;
  int layer;  // -1: not simulcast
  std::string rid;
  uint64_t packets, bytes, keyframe_requests;
};

struct ParticipantStats {
  std::string name;
  uint64_t packets_in = 0, bytes_in = 0, packets_out = 0, bytes_out = 0;
  uint64_t keyframe_requests_in = 0;  // PLI / FIR received from it as a subscriber
  uint64_t nacks_in = 0;
  uint64_t nacks_served = 0;  // lost packets it asked for, answered with RTX from the history
  uint64_t drops[kDropKinds] = {};
  std::vector<StreamStats> streams;
  // Per publisher it receives a simulcast source from: the encoding it gets.
  std::map<std::string, int> current_layer;
};

class Forwarder {
public:
  explicit Forwarder(ForwarderConfig config = {});
  ~Forwarder();
  Forwarder(const Forwarder&) = delete;
  Forwarder& operator=(const Forwarder&) = delete;

  const ForwarderConfig& config() const { return config_; }
  void set_keyframe_request_interval(uint64_t us) { config_.keyframe_request_interval_us = us; }
  void set_extension_ids(uint8_t rid, uint8_t frame_marking, uint8_t audio_level);
  void set_last_n(uint32_t n) { config_.last_n = n; }

  // The dominant speaker, from audio levels; none before anyone spoke.
  std::optional<std::string> dominant_speaker() const;
  // True once after each change of the dominant speaker.
  bool take_speaker_change();

  // A participant by name (created on first use); names are unique.
  ParticipantId add_participant(const std::string& name);
  std::optional<ParticipantId> find(const std::string& name) const;
  // Stops all forwarding to and from it at once and forgets its streams.
  bool remove_participant(ParticipantId id);
  std::vector<std::string> participants() const;

  // SSRCs of one simulcast source, lowest encoding first (an explicit group,
  // for publishers that send no RID).
  bool set_simulcast_group(ParticipantId publisher, const std::vector<uint32_t>& ssrcs);

  Subscription subscription(ParticipantId subscriber, ParticipantId publisher) const;
  bool set_subscription(ParticipantId subscriber, ParticipantId publisher, const Subscription& s);

  // One RTP packet from `publisher`. `keyframe_hint`: the sender's pipeline
  // says this packet belongs to a key frame (buffer flags); `delta_hint`: it
  // says it belongs to a delta frame. Fills `out` and `requests` (cleared
  // first).
  Drop route(ParticipantId publisher, const uint8_t* data, size_t size, uint64_t now_us, bool keyframe_hint,
             bool delta_hint, std::vector<Delivery>* out, std::vector<KeyframeRequest>* requests);

  // An RTCP compound from `subscriber` about what it receives: key-frame
  // requests go to the right publisher stream (throttled), NACKs are
  // translated into the publisher's sequence space.
  // Lost packets still in the history go out as `retransmissions` when the
  // subscriber negotiated RTX for their payload type (and `retransmissions`
  // is given); the others are NACKed to the publisher. With `reports`, its
  // sender reports go to the subscribers of those streams and its report
  // blocks to the publishers they are about, each translated into the
  // receiver's SSRCs, sequence numbers and timestamps.
  Drop handle_rtcp(ParticipantId subscriber, const uint8_t* data, size_t size, uint64_t now_us,
                   std::vector<KeyframeRequest>* requests, std::vector<NackRequest>* nacks,
                   std::vector<Retransmission>* retransmissions = nullptr, std::vector<RtcpOut>* reports = nullptr);

  // RTX payload types the subscriber negotiated: media payload type -> RTX
  // payload type (RFC 4588 apt); an empty map turns RTX off for it.
  bool set_rtx_payload_types(ParticipantId subscriber, const std::map<uint8_t, uint8_t>& rtx_for);

  // Key frames for everything `subscriber` receives (a decoder behind it
  // asked), throttled like PLIs.
  void request_keyframes(ParticipantId subscriber, uint64_t now_us, std::vector<KeyframeRequest>* requests);

  std::vector<ParticipantStats> stats() const;

private:
  struct Participant;
  struct InStream;
  struct OutStream;
  Participant* get(ParticipantId id) const;
  struct Received;  // the publisher stream behind an SSRC a subscriber receives
  bool find_received(Participant& sub, uint32_t ssrc, Received* r);
  void translate_reports(ParticipantId from_id, Participant& from, const uint8_t* data, size_t size,
                         std::vector<RtcpOut>* reports);
  InStream* stream_for(Participant& pub, const RtpPacketView& p, Drop* drop);
  int highest_live_layer(const Participant& pub, int source, uint64_t now_us) const;
  void request_keyframe(ParticipantId pub_id, InStream& s, uint64_t now_us, std::vector<KeyframeRequest>* requests);

  ForwarderConfig config_;
  SpeakerDetector speakers_;
  bool speaker_changed_ = false;
  std::vector<std::unique_ptr<Participant>> participants_;  // index = ParticipantId; null when removed
};

} // namespace gste2ee::sfu
