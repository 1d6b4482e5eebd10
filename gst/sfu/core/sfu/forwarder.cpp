// SPDX-License-Identifier: LGPL-2.1-or-later
#include "sfu/forwarder.h"

#include <algorithm>

namespace gste2ee::sfu {

namespace {

constexpr uint32_t kNoSequence = 0x10000;  // outside uint16_t: "none yet"
constexpr uint32_t kVideoClockKhz = 90;    // simulcast is video: RTP clock 90 kHz

int16_t seq_diff(uint16_t a, uint16_t b)
{
  return static_cast<int16_t>(static_cast<uint16_t>(a - b));
}

} // namespace

const char* drop_name(Drop d)
{
  switch (d) {
  case Drop::None: return "none";
  case Drop::NotRtp: return "not-rtp";
  case Drop::Truncated: return "truncated";
  case Drop::BadHeader: return "bad-header";
  case Drop::UnknownParticipant: return "unknown-participant";
  case Drop::TooManyStreams: return "too-many-streams";
  case Drop::SequenceJump: return "sequence-jump";
  case Drop::NotRtcp: return "not-rtcp";
  case Drop::RtcpBadLength: return "rtcp-bad-length";
  case Drop::UnknownSsrc: return "unknown-ssrc";
  }
  return "unknown";
}

struct Forwarder::InStream {
  uint32_t ssrc = 0;
  int source = 0;
  int layer = -1;  // encoding index in a simulcast source; -1 for plain streams
  std::string rid;
  bool seq_init = false;
  uint16_t max_seq = 0;
  uint32_t bad_seq = kNoSequence;
  uint32_t seq_epoch = 0;  // bumped when the publisher restarts its sequence
  bool have_ts = false;
  uint32_t last_ts = 0;
  bool frame_marking_seen = false;  // then only frame marking decides key frames
  bool delta_flag_seen = false;     // then buffer flags can be trusted
  bool audio = false;               // carries audio levels: never cut by last-n
  // What was received, for RTX: slot = sequence % size, sized once when the
  // stream appears (no allocation per packet).
  struct Sent {
    bool valid = false;
    uint8_t payload_type = 0;
    uint16_t sequence = 0;
    uint32_t timestamp = 0;
  };
  std::vector<Sent> history;
  uint64_t last_seen_us = 0;
  bool requested = false;
  uint64_t last_request_us = 0;
  uint64_t packets = 0, bytes = 0, keyframe_requests = 0;
};

namespace {

struct Source {
  bool simulcast = false;
  std::vector<uint32_t> layers;  // SSRC per encoding, lowest first; 0: not seen yet
  uint32_t out_ssrc = 0;         // what subscribers see
};

} // namespace

struct Forwarder::OutStream {
  bool started = false;
  bool need_anchor = false;  // resumed or resubscribed: continue the sequence
  int layer = -1;
  uint32_t epoch = 0;
  uint16_t anchor_seq = 0;  // input packets before this one are not forwarded
  uint16_t seq_offset = 0;
  uint32_t ts_offset = 0;
  uint16_t last_seq = 0;  // highest output sequence number sent
  uint16_t rtx_seq = 0;   // next sequence number of its RTX stream
  uint32_t packets = 0;   // sent to this subscriber, for its sender reports
  uint32_t octets = 0;    // payload octets, as RFC 3550 counts them
  uint32_t last_ts = 0;
  uint64_t last_time_us = 0;
};

struct Forwarder::Participant {
  std::string name;
  std::map<uint32_t, InStream> streams;
  std::vector<Source> sources;
  int rid_source = -1;                                     // the simulcast source RIDs go to
  std::map<uint32_t, std::pair<int, int>> grouped_ssrcs;   // explicit groups: SSRC -> (source, layer)
  std::vector<std::string> extra_rids;                     // RIDs outside rid_order, by appearance
  std::map<ParticipantId, Subscription> subscriptions;     // as a subscriber, by publisher
  std::map<std::pair<ParticipantId, int>, OutStream> out;  // as a subscriber, by (publisher, source)
  std::map<uint8_t, uint8_t> rtx_for;                      // as a subscriber: media PT -> RTX PT
  ParticipantStats counters;
};

struct Forwarder::Received {
  ParticipantId pub_id;
  const Source* src;
  OutStream* out;
  InStream* in;
};

Forwarder::Forwarder(ForwarderConfig config) : config_(std::move(config)) {}

Forwarder::~Forwarder() = default;

void Forwarder::set_extension_ids(uint8_t rid, uint8_t frame_marking, uint8_t audio_level)
{
  config_.rid_extension_id = rid;
  config_.frame_marking_extension_id = frame_marking;
  config_.audio_level_extension_id = audio_level;
}

std::optional<std::string> Forwarder::dominant_speaker() const
{
  const auto id = speakers_.dominant();
  const Participant* p = id ? get(*id) : nullptr;
  return p ? std::optional<std::string>(p->name) : std::nullopt;
}

bool Forwarder::take_speaker_change()
{
  const bool changed = speaker_changed_;
  speaker_changed_ = false;
  return changed;
}

Forwarder::Participant* Forwarder::get(ParticipantId id) const
{
  return id < participants_.size() ? participants_[id].get() : nullptr;
}

ParticipantId Forwarder::add_participant(const std::string& name)
{
  if (auto id = find(name))
    return *id;
  auto p = std::make_unique<Participant>();
  p->name = name;
  p->counters.name = name;
  // Reuse a freed slot so that ids stay small.
  ParticipantId id = 0;
  while (id < participants_.size() && participants_[id])
    id++;
  if (id == participants_.size())
    participants_.push_back(std::move(p));
  else
    participants_[id] = std::move(p);
  speakers_.add(id);
  return id;
}

std::optional<ParticipantId> Forwarder::find(const std::string& name) const
{
  for (ParticipantId i = 0; i < participants_.size(); i++)
    if (participants_[i] && participants_[i]->name == name)
      return i;
  return std::nullopt;
}

bool Forwarder::remove_participant(ParticipantId id)
{
  if (!get(id))
    return false;
  participants_[id].reset();
  if (speakers_.dominant() == id)
    speaker_changed_ = true;  // the floor is empty now
  speakers_.remove(id);
  // Whatever others kept about it goes too: a later participant may reuse
  // the slot and must not inherit subscriptions or sequence state.
  for (auto& p : participants_) {
    if (!p)
      continue;
    p->subscriptions.erase(id);
    for (auto it = p->out.begin(); it != p->out.end();)
      it = it->first.first == id ? p->out.erase(it) : std::next(it);
  }
  return true;
}

std::vector<std::string> Forwarder::participants() const
{
  std::vector<std::string> out;
  for (const auto& p : participants_)
    if (p)
      out.push_back(p->name);
  return out;
}

bool Forwarder::set_simulcast_group(ParticipantId publisher, const std::vector<uint32_t>& ssrcs)
{
  Participant* pub = get(publisher);
  if (!pub || ssrcs.empty() || ssrcs.size() > 8)
    return false;
  for (uint32_t ssrc : ssrcs)
    if (pub->streams.count(ssrc) || pub->grouped_ssrcs.count(ssrc))
      return false;  // already routed as something else
  Source src;
  src.simulcast = true;
  src.layers = ssrcs;
  src.out_ssrc = ssrcs.front();
  pub->sources.push_back(src);
  const int index = static_cast<int>(pub->sources.size() - 1);
  for (size_t i = 0; i < ssrcs.size(); i++)
    pub->grouped_ssrcs[ssrcs[i]] = { index, static_cast<int>(i) };
  return true;
}

Subscription Forwarder::subscription(ParticipantId subscriber, ParticipantId publisher) const
{
  const Participant* sub = get(subscriber);
  if (!sub)
    return {};
  auto it = sub->subscriptions.find(publisher);
  return it == sub->subscriptions.end() ? Subscription{} : it->second;
}

bool Forwarder::set_subscription(ParticipantId subscriber, ParticipantId publisher, const Subscription& s)
{
  Participant* sub = get(subscriber);
  if (!sub || !get(publisher) || subscriber == publisher)
    return false;
  sub->subscriptions[publisher] = s;
  return true;
}

Forwarder::InStream* Forwarder::stream_for(Participant& pub, const RtpPacketView& p, Drop* drop)
{
  auto it = pub.streams.find(p.ssrc());
  if (it != pub.streams.end())
    return &it->second;
  if (pub.streams.size() >= config_.max_streams_per_participant) {
    *drop = Drop::TooManyStreams;
    return nullptr;
  }
  InStream s;
  s.ssrc = p.ssrc();
  if (auto g = pub.grouped_ssrcs.find(s.ssrc); g != pub.grouped_ssrcs.end()) {
    s.source = g->second.first;
    s.layer = g->second.second;
  } else if (auto rid = p.extension(config_.rid_extension_id)) {
    s.rid.assign(reinterpret_cast<const char*>(rid.data), rid.size);
    auto known = std::find(config_.rid_order.begin(), config_.rid_order.end(), s.rid);
    if (known != config_.rid_order.end()) {
      s.layer = static_cast<int>(known - config_.rid_order.begin());
    } else {
      auto extra = std::find(pub.extra_rids.begin(), pub.extra_rids.end(), s.rid);
      if (extra == pub.extra_rids.end())
        extra = pub.extra_rids.insert(pub.extra_rids.end(), s.rid);
      s.layer = static_cast<int>(config_.rid_order.size() + (extra - pub.extra_rids.begin()));
    }
    if (pub.rid_source < 0) {
      Source src;
      src.simulcast = true;
      src.out_ssrc = s.ssrc;  // the first encoding seen names the source for good
      pub.sources.push_back(src);
      pub.rid_source = static_cast<int>(pub.sources.size() - 1);
    }
    s.source = pub.rid_source;
    auto& layers = pub.sources[s.source].layers;
    if (layers.size() <= static_cast<size_t>(s.layer))
      layers.resize(s.layer + 1, 0);
    if (layers[s.layer] != 0) {  // a second SSRC for one RID: keep the first
      *drop = Drop::BadHeader;
      return nullptr;
    }
    layers[s.layer] = s.ssrc;
  } else {
    Source src;
    src.layers = { s.ssrc };
    src.out_ssrc = s.ssrc;
    pub.sources.push_back(src);
    s.source = static_cast<int>(pub.sources.size() - 1);
  }
  s.history.resize(config_.rtx_history);
  return &pub.streams.emplace(s.ssrc, std::move(s)).first->second;
}

int Forwarder::highest_live_layer(const Participant& pub, int source, uint64_t now_us) const
{
  int best = -1;
  const auto& layers = pub.sources[source].layers;
  for (size_t i = 0; i < layers.size(); i++) {
    auto it = pub.streams.find(layers[i]);
    if (layers[i] != 0 && it != pub.streams.end() && it->second.packets > 0 &&
        now_us - it->second.last_seen_us <= config_.layer_timeout_us)
      best = static_cast<int>(i);
  }
  return best;
}

void Forwarder::request_keyframe(ParticipantId pub_id, InStream& s, uint64_t now_us,
                                 std::vector<KeyframeRequest>* requests)
{
  // At most one request per publisher stream per interval, however many
  // subscribers ask (RFC 4585 leaves rate limiting to the middle box).
  if (s.requested && now_us - s.last_request_us < config_.keyframe_request_interval_us)
    return;
  s.requested = true;
  s.last_request_us = now_us;
  s.keyframe_requests++;
  requests->push_back({ pub_id, s.ssrc });
}

Drop Forwarder::route(ParticipantId pub_id, const uint8_t* data, size_t size, uint64_t now_us, bool keyframe_hint,
                      bool delta_hint, std::vector<Delivery>* out, std::vector<KeyframeRequest>* requests)
{
  out->clear();
  requests->clear();
  Participant* pub = get(pub_id);
  if (!pub)
    return Drop::UnknownParticipant;
  RtpPacketView p;
  Drop drop = Drop::None;
  switch (p.parse(data, size)) {
  case RtpError::None: break;
  case RtpError::TooShort:
  case RtpError::BadCsrcs: drop = Drop::Truncated; break;
  case RtpError::BadVersion: drop = Drop::NotRtp; break;
  case RtpError::BadExtension:
  case RtpError::BadPadding: drop = Drop::BadHeader; break;
  }
  InStream* s = drop == Drop::None ? stream_for(*pub, p, &drop) : nullptr;
  if (!s) {
    pub->counters.drops[static_cast<int>(drop)]++;
    return drop;
  }

  // Sequence validation after RFC 3550 A.1: a jump is dropped unless the
  // next packet confirms it, which starts a new epoch that subscribers'
  // sequence numbers continue across.
  const uint16_t seq = p.sequence();
  if (!s->seq_init) {
    s->seq_init = true;
    s->max_seq = seq;
  } else {
    const uint16_t delta = static_cast<uint16_t>(seq - s->max_seq);
    if (delta != 0 && delta < config_.max_dropout) {
      s->max_seq = seq;
    } else if (delta != 0 && delta <= 65535 - config_.max_misorder) {
      if (s->bad_seq != seq) {
        s->bad_seq = static_cast<uint16_t>(seq + 1);
        pub->counters.drops[static_cast<int>(Drop::SequenceJump)]++;
        return Drop::SequenceJump;
      }
      s->max_seq = seq;
      s->seq_epoch++;
      s->bad_seq = kNoSequence;
    }
    // Otherwise a duplicate or a late packet: forwarded as the publisher sent it.
  }
  s->packets++;
  s->bytes += size;
  s->last_seen_us = now_us;
  if (!s->history.empty())
    s->history[seq % s->history.size()] = { true, p.payload_type(), seq, p.timestamp() };
  bool voice = false;
  uint8_t level = 127;
  if (parse_audio_level(p.extension(config_.audio_level_extension_id), &voice, &level)) {
    s->audio = true;
    if (speakers_.level(pub_id, level, now_us))
      speaker_changed_ = true;
  }
  pub->counters.packets_in++;
  pub->counters.bytes_in += size;

  // The first packet of a key frame: from frame marking when the stream
  // carries it; otherwise from the sender pipeline's buffer flags, but only
  // once the stream has shown a delta flag (buffers from the network carry no
  // flags at all and must not all look like key frames).
  const uint32_t ts = p.timestamp();
  bool keyframe_start = false;
  FrameMarking fm;
  if (parse_frame_marking(p.extension(config_.frame_marking_extension_id), &fm)) {
    s->frame_marking_seen = true;
    keyframe_start = fm.start && fm.independent;
  } else if (!s->frame_marking_seen) {
    s->delta_flag_seen = s->delta_flag_seen || delta_hint;
    keyframe_start = s->delta_flag_seen && keyframe_hint && (!s->have_ts || ts != s->last_ts);
  }
  s->have_ts = true;
  s->last_ts = ts;
  // A stream with neither (RTP from the network, no frame marking) cannot be
  // gated: it is forwarded from any packet and the receiver's decoder asks
  // for a key frame itself.
  const bool gated = s->frame_marking_seen || s->delta_flag_seen;
  const bool can_start = keyframe_start || !gated;

  const Source& src = pub->sources[s->source];
  // The same for every subscriber: computed once per packet.
  const int live_layer = src.simulcast ? highest_live_layer(*pub, s->source, now_us) : -1;
  for (ParticipantId sub_id = 0; sub_id < participants_.size(); sub_id++) {
    Participant* sub = participants_[sub_id].get();
    if (!sub || sub_id == pub_id)
      continue;  // nobody receives itself
    auto sn_it = sub->subscriptions.find(pub_id);
    const Subscription sn = sn_it == sub->subscriptions.end() ? Subscription{} : sn_it->second;
    auto o_it = sub->out.find({ pub_id, s->source });
    // Video of a publisher outside this subscriber's last-N is held back
    // like a pause: it resumes at a key frame when the publisher speaks.
    const bool cut = config_.last_n > 0 && !s->audio && speakers_.rank(pub_id, sub_id) >= config_.last_n;
    if (!sn.subscribed || sn.paused || cut) {
      if (o_it != sub->out.end())
        o_it->second.need_anchor = true;
      continue;
    }
    OutStream& o = o_it != sub->out.end() ? o_it->second : sub->out[{ pub_id, s->source }];

    // Where this subscriber's sequence continues from this packet, if it does.
    bool anchor = false, new_timeline = false;
    if (src.simulcast) {
      int target = -1;
      for (int l = std::min(sn.max_layer, live_layer); l >= 0 && target < 0; l--)
        if (static_cast<size_t>(l) < src.layers.size() && src.layers[l] != 0)
          target = l;
      if (target < 0)
        target = s->layer;  // asked for less than the lowest live encoding: the lowest
      if (o.layer != target && s->layer == target) {
        if (can_start) {
          anchor = true;
          new_timeline = o.started;
          o.layer = target;
        } else {
          request_keyframe(pub_id, *s, now_us, requests);
        }
      }
      if (s->layer != o.layer)
        continue;
      if (!anchor && o.need_anchor) {
        // Resumed: wait for a key frame of the encoding it had.
        if (!can_start) {
          request_keyframe(pub_id, *s, now_us, requests);
          continue;
        }
        anchor = true;
      }
    } else if (!o.started || o.need_anchor) {
      if (!can_start) {
        request_keyframe(pub_id, *s, now_us, requests);
        continue;
      }
      anchor = true;
    }

    if (anchor) {
      if (o.started)
        o.seq_offset = static_cast<uint16_t>(o.last_seq + 1 - seq);
      if (new_timeline) {
        const uint64_t elapsed = (now_us - o.last_time_us) * kVideoClockKhz / 1000;
        o.ts_offset = static_cast<uint32_t>(o.last_ts + std::max<uint64_t>(elapsed, 1) - ts);
      }
      o.anchor_seq = seq;
      o.epoch = s->seq_epoch;
      o.need_anchor = false;
      o.started = true;
    } else if (o.epoch != s->seq_epoch) {
      // The publisher restarted its numbering: continue ours.
      o.seq_offset = static_cast<uint16_t>(o.last_seq + 1 - seq);
      o.anchor_seq = seq;
      o.epoch = s->seq_epoch;
    } else if (seq_diff(seq, o.anchor_seq) < 0) {
      continue;  // from before the switch: the subscriber would see it twice
    } else if (seq_diff(seq, o.anchor_seq) > 2 * config_.max_misorder) {
      o.anchor_seq = static_cast<uint16_t>(seq - config_.max_misorder);  // keep the window near
    }

    const uint16_t out_seq = static_cast<uint16_t>(seq + o.seq_offset);
    const uint32_t out_ts = ts + o.ts_offset;
    if (anchor || seq_diff(out_seq, o.last_seq) > 0) {
      o.last_seq = out_seq;
      o.last_ts = out_ts;
      o.last_time_us = now_us;
    }
    const bool rewrite = o.seq_offset != 0 || o.ts_offset != 0 || src.out_ssrc != s->ssrc;
    out->push_back({ sub_id, rewrite, src.out_ssrc, out_seq, out_ts });
    o.packets++;
    o.octets += static_cast<uint32_t>(p.payload_size());
    sub->counters.packets_out++;
    sub->counters.bytes_out += size;
  }
  return Drop::None;
}

bool Forwarder::set_rtx_payload_types(ParticipantId subscriber, const std::map<uint8_t, uint8_t>& rtx_for)
{
  Participant* sub = get(subscriber);
  if (!sub)
    return false;
  for (const auto& [pt, rtx_pt] : rtx_for)
    if (pt > 127 || rtx_pt > 127 || pt == rtx_pt)
      return false;
  sub->rtx_for = rtx_for;
  return true;
}

Drop Forwarder::handle_rtcp(ParticipantId sub_id, const uint8_t* data, size_t size, uint64_t now_us,
                            std::vector<KeyframeRequest>* requests, std::vector<NackRequest>* nacks,
                            std::vector<Retransmission>* retransmissions, std::vector<RtcpOut>* reports)
{
  requests->clear();
  nacks->clear();
  if (retransmissions)
    retransmissions->clear();
  if (reports)
    reports->clear();
  Participant* sub = get(sub_id);
  if (!sub)
    return Drop::UnknownParticipant;
  std::vector<RtcpFeedback> feedback;
  switch (parse_rtcp_feedback(data, size, &feedback)) {
  case RtcpError::None: break;
  case RtcpError::TooShort:
  case RtcpError::BadLength: sub->counters.drops[static_cast<int>(Drop::RtcpBadLength)]++; return Drop::RtcpBadLength;
  case RtcpError::BadVersion: sub->counters.drops[static_cast<int>(Drop::NotRtcp)]++; return Drop::NotRtcp;
  }
  Drop result = Drop::None;
  for (const auto& fb : feedback) {
    Received r;
    if (!find_received(*sub, fb.media_ssrc, &r)) {
      sub->counters.drops[static_cast<int>(Drop::UnknownSsrc)]++;
      result = Drop::UnknownSsrc;
      continue;
    }
    const ParticipantId pub_id = r.pub_id;
    OutStream* o = r.out;
    const Source* src = r.src;
    const uint32_t in_ssrc = r.in->ssrc;
    if (fb.kind == RtcpFeedback::Nack) {
      sub->counters.nacks_in++;
      NackRequest n{ pub_id, in_ssrc, {} };
      auto& history = r.in->history;
      for (uint16_t lost : fb.lost) {
        const uint16_t in_seq = static_cast<uint16_t>(lost - o->seq_offset);
        if (seq_diff(in_seq, o->anchor_seq) < 0)
          continue;  // not from the encoding it receives now
        const auto* kept = history.empty() ? nullptr : &history[in_seq % history.size()];
        auto rtx = kept && kept->valid && kept->sequence == in_seq ? sub->rtx_for.find(kept->payload_type)
                                                                    : sub->rtx_for.end();
        if (retransmissions && rtx != sub->rtx_for.end()) {
          retransmissions->push_back({ sub_id, pub_id, in_ssrc, in_seq, src->out_ssrc ^ kRtxSsrcXor, rtx->second,
                                       o->rtx_seq++, lost, kept->timestamp + o->ts_offset });
          sub->counters.nacks_served++;
        } else {
          n.lost.push_back(in_seq);
        }
      }
      if (!n.lost.empty())
        nacks->push_back(std::move(n));
    } else {
      sub->counters.keyframe_requests_in++;
      request_keyframe(pub_id, *r.in, now_us, requests);
    }
  }
  if (reports)
    translate_reports(sub_id, *sub, data, size, reports);
  return result;
}

bool Forwarder::find_received(Participant& sub, uint32_t ssrc, Received* r)
{
  // The subscriber names the SSRC it receives: the publisher stream behind
  // it is the one it gets now.
  for (auto& [key, out] : sub.out) {
    Participant* pub = get(key.first);
    if (!pub || !out.started || pub->sources[key.second].out_ssrc != ssrc)
      continue;
    const Source& src = pub->sources[key.second];
    const uint32_t in_ssrc = src.simulcast ? src.layers[std::max(out.layer, 0)] : src.out_ssrc;
    auto in = pub->streams.find(in_ssrc);
    if (in == pub->streams.end())
      return false;
    *r = { key.first, &src, &out, &in->second };
    return true;
  }
  return false;
}

void Forwarder::translate_reports(ParticipantId from_id, Participant& from, const uint8_t* data, size_t size,
                                  std::vector<RtcpOut>* reports)
{
  RtcpReports parsed;
  if (parse_rtcp_reports(data, size, &parsed) != RtcpError::None)
    return;
  // Its sender reports, to each subscriber that receives the stream now,
  // in that subscriber's SSRC, timestamps and counts.
  for (const SenderInfo& si : parsed.senders) {
    auto in = from.streams.find(si.ssrc);
    if (in == from.streams.end())
      continue;
    const Source& src = from.sources[in->second.source];
    for (ParticipantId sub_id = 0; sub_id < participants_.size(); sub_id++) {
      Participant* sub = participants_[sub_id].get();
      if (!sub || sub_id == from_id)
        continue;
      auto o = sub->out.find({ from_id, in->second.source });
      if (o == sub->out.end() || !o->second.started || (src.simulcast && o->second.layer != in->second.layer))
        continue;
      reports->push_back({ sub_id, build_sr({ src.out_ssrc, si.ntp, si.rtp_timestamp + o->second.ts_offset,
                                              o->second.packets, o->second.octets }) });
    }
  }
  // Its report blocks about what it receives, to the publishers, in their
  // SSRCs and sequence numbers.
  std::map<ParticipantId, std::vector<ReportBlock>> to_publishers;
  uint32_t reporter = 0;
  for (ReportBlock b : parsed.blocks) {
    Received r;
    if (!find_received(from, b.ssrc, &r))
      continue;
    reporter = b.reporter;
    b.ssrc = r.in->ssrc;
    b.highest_sequence = (b.highest_sequence & 0xffff0000u) |
                         static_cast<uint16_t>(b.highest_sequence - r.out->seq_offset);
    to_publishers[r.pub_id].push_back(b);
  }
  for (const auto& [pub_id, blocks] : to_publishers)
    reports->push_back({ pub_id, build_rr(reporter, blocks) });
}

void Forwarder::request_keyframes(ParticipantId sub_id, uint64_t now_us, std::vector<KeyframeRequest>* requests)
{
  requests->clear();
  Participant* sub = get(sub_id);
  if (!sub)
    return;
  for (auto& [key, o] : sub->out) {
    Participant* pub = get(key.first);
    if (!pub || !o.started)
      continue;
    const Source& src = pub->sources[key.second];
    auto s = pub->streams.find(src.simulcast ? src.layers[std::max(o.layer, 0)] : src.out_ssrc);
    if (s != pub->streams.end())
      request_keyframe(key.first, s->second, now_us, requests);
  }
}

std::vector<ParticipantStats> Forwarder::stats() const
{
  std::vector<ParticipantStats> out;
  for (const auto& p : participants_) {
    if (!p)
      continue;
    ParticipantStats st = p->counters;
    for (const auto& [ssrc, s] : p->streams)
      st.streams.push_back({ ssrc, s.layer, s.rid, s.packets, s.bytes, s.keyframe_requests });
    for (const auto& [key, o] : p->out)
      if (const Participant* pub = get(key.first); pub && pub->sources[key.second].simulcast)
        st.current_layer[pub->name] = o.layer;
    out.push_back(std::move(st));
  }
  return out;
}

} // namespace gste2ee::sfu
