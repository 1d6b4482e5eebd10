// SPDX-License-Identifier: LGPL-2.1-or-later
#include "call.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <utility>

#include <unistd.h>

#include "mls/delivery_service.h"

namespace mls_call {

namespace m = gste2ee::mls;

namespace {

const char* const kPatterns[] = { "smpte", "ball", "pinwheel", "snow" };
const int kTones[] = { 440, 660, 880, 990 };
constexpr int kMaxParticipants = 4;
constexpr const char* kGroupId = "e2eeca11";

// One received stream: where its decoded frames are counted.
struct Branch {
  Call* call;
  Participant* receiver;
  int sender;
  Kind kind;
};

std::string hex(const m::Bytes& b)
{
  static const char digits[] = "0123456789abcdef";
  std::string out;
  for (uint8_t c : b) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

guint64 stat_of(GstElement* e, const char* field)
{
  GstStructure* s = nullptr;
  g_object_get(e, "stats", &s, nullptr);
  guint64 v = 0;
  if (s) {
    gst_structure_get_uint64(s, field, &v);
    gst_structure_free(s);
  }
  return v;
}

// Messages are handled as they are posted (no main loop here) and dropped;
// a sync handler that drops a message owns it and must unref it.
GstBusSyncReply on_sync_message(GstBus*, GstMessage* msg, gpointer data)
{
  auto* p = static_cast<Participant*>(data);
  auto* call = static_cast<Call*>(g_object_get_data(G_OBJECT(p->pipeline), "call"));
  call->on_bus_message(p, msg);
  gst_message_unref(msg);
  return GST_BUS_DROP;
}

GstBusSyncReply on_server_message(GstBus*, GstMessage* msg, gpointer data)
{
  static_cast<Call*>(data)->on_bus_message(nullptr, msg);
  gst_message_unref(msg);
  return GST_BUS_DROP;
}

GstFlowReturn on_mls_out(GstElement* sink, gpointer data)
{
  GstSample* sample = nullptr;
  g_signal_emit_by_name(sink, "pull-sample", &sample);
  if (!sample)
    return GST_FLOW_EOS;
  GstBuffer* buf = gst_sample_get_buffer(sample);
  std::vector<guint8> bytes(gst_buffer_get_size(buf));
  gst_buffer_extract(buf, 0, bytes.data(), bytes.size());
  gst_sample_unref(sample);
  auto* p = static_cast<Participant*>(data);
  static_cast<Call*>(g_object_get_data(G_OBJECT(p->pipeline), "call"))->from_member(p->index, bytes);
  return GST_FLOW_OK;
}

GstCaps* on_pt_map(GstElement*, guint, guint pt, gpointer)
{
  if (pt == 96)
    return gst_caps_from_string("application/x-rtp, media=(string)video, clock-rate=(int)90000, "
                                "encoding-name=(string)VP8, a-sframe=(string)\"\"");
  if (pt == 111)
    return gst_caps_from_string("application/x-rtp, media=(string)audio, clock-rate=(int)48000, "
                                "encoding-name=(string)OPUS, sprop-stereo=(string)0, a-sframe=(string)\"\"");
  return nullptr;
}

void on_rtp_pad(GstElement*, GstPad* pad, gpointer data)
{
  auto* p = static_cast<Participant*>(data);
  auto* call = static_cast<Call*>(g_object_get_data(G_OBJECT(p->pipeline), "call"));
  call->on_stream(p, pad);
}

void on_decoded(GstElement*, GstBuffer*, GstPad*, gpointer data)
{
  auto* b = static_cast<Branch*>(data);
  std::lock_guard<std::mutex> g(b->call->lock());
  b->receiver->decoded[{ b->sender, b->kind }]++;
}

GstPadProbeReturn on_own_video(GstPad* pad, GstPadProbeInfo* info, gpointer data)
{
  auto* p = static_cast<Participant*>(data);
  auto* call = static_cast<Call*>(g_object_get_data(G_OBJECT(p->pipeline), "call"));
  std::lock_guard<std::mutex> g(call->lock());
  if (p->capturing && p->captured.size() < 200) {
    GstBuffer* copy = gst_buffer_copy_deep(GST_PAD_PROBE_INFO_BUFFER(info));
    GstCaps* caps = gst_pad_get_current_caps(pad);
    gst_mini_object_set_qdata(GST_MINI_OBJECT(copy), g_quark_from_static_string("caps"), caps,
                              reinterpret_cast<GDestroyNotify>(gst_caps_unref));
    p->captured.push_back(copy);
  }
  return GST_PAD_PROBE_OK;
}

} // namespace

guint32 ssrc_of(int i, Kind kind)
{
  return 0x1000u + 2u * static_cast<guint32>(i) + static_cast<guint32>(kind);
}

struct Call::Server {
  m::DeliveryService ds{ m::Bytes{ 0xe2, 0xee, 0xca, 0x11 } };
  std::string external_sender_hex;
  GstElement* pipeline = nullptr;
  std::vector<GstElement*> mls_in;  // each participant's appsrc
  std::vector<std::unique_ptr<Branch>> branches;
};

Call::Call(bool verbose) : verbose_(verbose), server_(std::make_unique<Server>())
{
  port_base_ = 30000 + static_cast<guint>(getpid() % 1500) * 20;
}

Call::~Call()
{
  for (auto& p : people_) {
    if (p->pipeline) {
      gst_element_set_state(p->pipeline, GST_STATE_NULL);
      gst_bus_set_sync_handler(GST_ELEMENT_BUS(p->pipeline), nullptr, nullptr, nullptr);
    }
  }
  if (server_->pipeline)
    gst_element_set_state(server_->pipeline, GST_STATE_NULL);
  for (auto& p : people_) {
    for (GstElement* d : p->decryptors)
      gst_object_unref(d);
    for (GstBuffer* b : p->captured)
      gst_buffer_unref(b);
    gst_clear_object(&p->keyer);
    gst_clear_object(&p->pipeline);
  }
  for (GstElement* e : server_->mls_in)
    gst_object_unref(e);
  gst_clear_object(&server_->pipeline);
}

bool Call::start_server(std::string* error)
{
  auto sender = server_->ds.make_external_sender(m::Bytes{ 's', 'e', 'r', 'v', 'e', 'r' });
  auto encoded = sender ? m::wire::encode(sender.value()) : m::Result<m::Bytes>(sender.failure());
  if (!encoded) {
    *error = std::string("cannot make the server's external-sender key: ") + encoded.message();
    return false;
  }
  server_->external_sender_hex = hex(encoded.value());
  // Key frames reach the SFU as RFC 9626 frame marking in clear.
  std::string desc = "sfuforward name=sfu frame-marking-extension-id=5";
  for (int i = 0; i < kMaxParticipants; i++) {
    const std::string n = std::to_string(i);
    desc += " udpsrc address=127.0.0.1 port=" + std::to_string(port_base_ + i) + " caps=application/x-rtp ! sfu.sink_" +
            n + " sfu.src_" + n + " ! udpsink host=127.0.0.1 port=" + std::to_string(port_base_ + 10 + i) +
            " sync=false async=false";
  }
  GError* err = nullptr;
  server_->pipeline = gst_parse_launch(desc.c_str(), &err);
  if (!server_->pipeline) {
    *error = std::string("server pipeline: ") + (err ? err->message : "?");
    g_clear_error(&err);
    return false;
  }
  gst_bus_set_sync_handler(GST_ELEMENT_BUS(server_->pipeline), on_server_message, this, nullptr);
  if (gst_element_set_state(server_->pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
    *error = "the server pipeline does not start";
    return false;
  }
  if (verbose_)
    g_print("server: sfuforward on UDP ports %u-%u, MLS delivery service for group %s (its external sender)\n",
            port_base_, port_base_ + kMaxParticipants - 1, kGroupId);
  return true;
}

bool Call::add_participant(int i, const std::string& name, std::string* error)
{
  if (i < 0 || i >= kMaxParticipants || i != participants()) {
    *error = "participants join in order, at most 4";
    return false;
  }
  auto p = std::make_unique<Participant>();
  p->index = i;
  p->name = name;
  const std::string vssrc = std::to_string(ssrc_of(i, Kind::Video)), assrc = std::to_string(ssrc_of(i, Kind::Audio));
  std::string desc = "mlskeyer name=mls identity=" + name +
                     " contexts=2 commit-delay=100 update-interval=0 epoch-overlap=1000 " +
                     (i == 0 ? std::string("mode=create group-id=") + kGroupId +
                                 " external-sender=" + server_->external_sender_hex
                             : std::string("mode=join")) +
                     " mls.src ! appsink name=mls_out emit-signals=true sync=false async=false"
                     " appsrc name=mls_in is-live=true format=bytes caps=application/x-mls ! mls.sink"
                     " videotestsrc is-live=true pattern=" + kPatterns[i] +
                     " ! video/x-raw,width=320,height=240,framerate=30/1 ! vp8enc deadline=1 keyframe-max-dist=30"
                     " ! sframeenc name=venc key-context=0 ! rtpsframepay pt=96 ssrc=" + vssrc +
                     " ! application/x-rtp,extmap-5=urn:ietf:params:rtp-hdrext:framemarking ! mux.sink_0"
                     " audiotestsrc is-live=true samplesperbuffer=960 freq=" + std::to_string(kTones[i]) +
                     " ! opusenc ! sframeenc name=aenc key-context=1 ! rtpsframepay pt=111 ssrc=" + assrc +
                     " ! mux.sink_1 funnel name=mux ! udpsink host=127.0.0.1 port=" + std::to_string(port_base_ + i) +
                     " sync=false async=false"
                     " rtpbin name=rtp latency=100 udpsrc address=127.0.0.1 port=" +
                     std::to_string(port_base_ + 10 + i) + " caps=application/x-rtp ! rtp.recv_rtp_sink_0";
  GError* err = nullptr;
  p->pipeline = gst_parse_launch(desc.c_str(), &err);
  if (!p->pipeline) {
    *error = name + ": " + (err ? err->message : "cannot build the pipeline");
    g_clear_error(&err);
    return false;
  }
  g_object_set_data(G_OBJECT(p->pipeline), "call", this);
  p->keyer = gst_bin_get_by_name(GST_BIN(p->pipeline), "mls");
  GstElement* out = gst_bin_get_by_name(GST_BIN(p->pipeline), "mls_out");
  g_signal_connect(out, "new-sample", G_CALLBACK(on_mls_out), p.get());
  gst_object_unref(out);
  GstElement* rtp = gst_bin_get_by_name(GST_BIN(p->pipeline), "rtp");
  g_signal_connect(rtp, "request-pt-map", G_CALLBACK(on_pt_map), nullptr);
  g_signal_connect(rtp, "pad-added", G_CALLBACK(on_rtp_pad), p.get());
  gst_object_unref(rtp);
  GstElement* venc = gst_bin_get_by_name(GST_BIN(p->pipeline), "venc");
  GstPad* vsrc = gst_element_get_static_pad(venc, "src");
  gst_pad_add_probe(vsrc, GST_PAD_PROBE_TYPE_BUFFER, on_own_video, p.get(), nullptr);
  gst_object_unref(vsrc);
  gst_object_unref(venc);
  gst_bus_set_sync_handler(GST_ELEMENT_BUS(p->pipeline), on_sync_message, p.get(), nullptr);
  Participant* raw = p.get();
  {
    std::lock_guard<std::mutex> g(ds_lock_);
    server_->mls_in.push_back(gst_bin_get_by_name(GST_BIN(raw->pipeline), "mls_in"));
    people_.push_back(std::move(p));
  }
  if (verbose_)
    g_print("%s: %s (video pattern %s, tone %d Hz)\n", name.c_str(),
            i == 0 ? "creates the group" : "asks to join; its media is dropped, never sent in clear, until it is in",
            kPatterns[i], kTones[i]);
  if (gst_element_set_state(raw->pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
    *error = name + ": the pipeline does not start";
    return false;
  }
  return true;
}

void Call::from_member(int index, const std::vector<guint8>& message)
{
  std::lock_guard<std::mutex> g(ds_lock_);
  if (server_->ds.submit(message, static_cast<m::DeliveryService::Client>(index)) !=
      m::DeliveryService::Verdict::Accepted)
    return;  // a commit that lost its epoch, or a stale message: its author follows the winner
  fan_out(message);
  for (const auto& own : server_->ds.take_own_messages())
    fan_out(own);
}

// To every participant, or for a Welcome to those it names.
void Call::fan_out(const std::vector<guint8>& message)
{
  const auto only = server_->ds.recipients(message);
  for (size_t i = 0; i < server_->mls_in.size(); i++) {
    if (only && std::find(only->begin(), only->end(), static_cast<m::DeliveryService::Client>(i)) == only->end())
      continue;
    GstBuffer* b = gst_buffer_new_memdup(message.data(), message.size());
    GstFlowReturn ret;
    g_signal_emit_by_name(server_->mls_in[i], "push-buffer", b, &ret);
    gst_buffer_unref(b);
  }
}

bool Call::kick(int i, std::string* error)
{
  std::lock_guard<std::mutex> g(ds_lock_);
  const std::string& name = people_.at(static_cast<size_t>(i))->name;
  auto leaf = server_->ds.leaf_of(m::Bytes(name.begin(), name.end()));
  if (!leaf) {
    *error = name + " is not in the group";
    return false;
  }
  auto proposal = server_->ds.propose_removal(*leaf);
  if (!proposal) {
    *error = std::string("cannot propose the removal: ") + proposal.message();
    return false;
  }
  if (verbose_)
    g_print("server: throws %s (leaf %u) out: Remove proposal as the group's external sender\n", name.c_str(), *leaf);
  fan_out(proposal.value());
  return true;
}

bool Call::leave(int i)
{
  gboolean ok = FALSE;
  Participant* p = people_.at(static_cast<size_t>(i)).get();
  if (verbose_)
    g_print("%s: leaves\n", p->name.c_str());
  g_signal_emit_by_name(p->keyer, "leave", &ok);
  return ok;
}

void Call::on_stream(Participant* p, GstPad* pad)
{
  guint session = 0, ssrc = 0, pt = 0;
  if (sscanf(GST_PAD_NAME(pad), "recv_rtp_src_%u_%u_%u", &session, &ssrc, &pt) != 3)
    return;
  const Kind kind = pt == 96 ? Kind::Video : Kind::Audio;
  const int sender = static_cast<int>((ssrc - 0x1000u) / 2u);
  const std::string desc = std::string("rtpsframedepay ! sframedec name=dec ! ") +
                           (kind == Kind::Video ? "vp8dec" : "opusdec") +
                           " ! fakesink name=out sync=false async=false signal-handoffs=true";
  GError* err = nullptr;
  GstElement* bin = gst_parse_bin_from_description(desc.c_str(), TRUE, &err);
  if (!bin) {
    g_printerr("%s: %s\n", p->name.c_str(), err ? err->message : "cannot build a receive branch");
    g_clear_error(&err);
    return;
  }
  auto branch = std::make_unique<Branch>(Branch{ this, p, sender, kind });
  GstElement* out = gst_bin_get_by_name(GST_BIN(bin), "out");
  g_signal_connect(out, "handoff", G_CALLBACK(on_decoded), branch.get());
  gst_object_unref(out);
  {
    std::lock_guard<std::mutex> g(lock_);
    p->decryptors.push_back(gst_bin_get_by_name(GST_BIN(bin), "dec"));
    server_->branches.push_back(std::move(branch));
  }
  gst_bin_add(GST_BIN(p->pipeline), bin);
  gst_element_sync_state_with_parent(bin);
  GstPad* sink = gst_element_get_static_pad(bin, "sink");
  gst_pad_link(pad, sink);
  gst_object_unref(sink);
}

void Call::on_bus_message(Participant* p, GstMessage* msg)
{
  const char* who = p ? p->name.c_str() : "server";
  if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_WARNING && GST_MESSAGE_SRC(msg) &&
      (g_str_equal(GST_OBJECT_NAME(GST_MESSAGE_SRC(msg)), "venc") ||
       g_str_equal(GST_OBJECT_NAME(GST_MESSAGE_SRC(msg)), "aenc")))
    return;  // sframeenc drops media while its member holds no key (before joining, after leaving): expected here
  if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ERROR || GST_MESSAGE_TYPE(msg) == GST_MESSAGE_WARNING) {
    GError* e = nullptr;
    gchar* debug = nullptr;
    const bool is_error = GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ERROR;
    if (is_error)
      gst_message_parse_error(msg, &e, &debug);
    else
      gst_message_parse_warning(msg, &e, &debug);
    g_printerr("%s: %s: %s (%s)\n", who, is_error ? "error" : "warning", e ? e->message : "?", debug ? debug : "");
    if (is_error) {
      std::lock_guard<std::mutex> g(lock_);
      if (error_.empty())
        error_ = std::string(who) + ": " + (e ? e->message : "error");
    }
    g_clear_error(&e);
    g_free(debug);
    return;
  }
  if (!p || GST_MESSAGE_TYPE(msg) != GST_MESSAGE_ELEMENT)
    return;
  const GstStructure* s = gst_message_get_structure(msg);
  if (gst_structure_has_name(s, "mlskeyer-epoch")) {
    guint64 epoch = 0;
    gst_structure_get_uint64(s, "epoch", &epoch);
    const gchar* code = gst_structure_get_string(s, "safety-code");
    std::string members, joined, left;
    auto list = [&](const char* field, std::string* outs, bool structures) {
      const GValue* arr = gst_structure_get_value(s, field);
      for (guint k = 0; arr && k < gst_value_array_get_size(arr); k++) {
        const GValue* v = gst_value_array_get_value(arr, k);
        if (structures) {
          const GstStructure* mem = gst_value_get_structure(v);
          guint leaf = 0;
          gst_structure_get_uint(mem, "leaf-index", &leaf);
          *outs += (outs->empty() ? "" : " ") + std::to_string(leaf) + ":" + gst_structure_get_string(mem, "identity");
        } else {
          *outs += (outs->empty() ? "" : " ") + std::string(g_value_get_string(v));
        }
      }
    };
    list("members", &members, true);
    list("joined", &joined, false);
    list("left", &left, false);
    {
      std::lock_guard<std::mutex> g(lock_);
      p->epoch = epoch;
      p->safety_codes[epoch] = code ? code : "";
    }
    if (verbose_)
      g_print("%s: epoch %" G_GUINT64_FORMAT ", members [%s], safety code %s%s%s%s%s\n", who, epoch, members.c_str(),
              code ? code : "", joined.empty() ? "" : ", joined: ", joined.c_str(), left.empty() ? "" : ", left: ",
              left.c_str());
  } else if (gst_structure_has_name(s, "mlskeyer-removed")) {
    guint64 epoch = 0;
    gst_structure_get_uint64(s, "epoch", &epoch);
    {
      std::lock_guard<std::mutex> g(lock_);
      p->removed = true;
    }
    if (verbose_)
      g_print("%s: removed from the group at epoch %" G_GUINT64_FORMAT ": no key any more\n", who, epoch);
  }
}

guint64 Call::epoch_of(int i)
{
  std::lock_guard<std::mutex> g(lock_);
  return people_.at(static_cast<size_t>(i))->epoch;
}

bool Call::removed(int i)
{
  std::lock_guard<std::mutex> g(lock_);
  return people_.at(static_cast<size_t>(i))->removed;
}

guint64 Call::decoded(int receiver, int sender, Kind kind)
{
  std::lock_guard<std::mutex> g(lock_);
  const auto& d = people_.at(static_cast<size_t>(receiver))->decoded;
  auto it = d.find({ sender, kind });
  return it == d.end() ? 0 : it->second;
}

guint64 Call::refused(int i)
{
  std::vector<GstElement*> decs;
  {
    std::lock_guard<std::mutex> g(lock_);
    for (GstElement* d : people_.at(static_cast<size_t>(i))->decryptors)
      decs.push_back(GST_ELEMENT(gst_object_ref(d)));
  }
  guint64 n = 0;
  for (GstElement* d : decs) {
    n += stat_of(d, "dropped-unknown-kid") + stat_of(d, "dropped-authentication");
    gst_object_unref(d);
  }
  return n;
}

std::map<guint64, std::string> Call::safety_codes(int i)
{
  std::lock_guard<std::mutex> g(lock_);
  return people_.at(static_cast<size_t>(i))->safety_codes;
}

std::string Call::members(int i)
{
  gchar** list = nullptr;
  g_object_get(people_.at(static_cast<size_t>(i))->keyer, "members", &list, nullptr);
  std::string out;
  for (gchar** m = list; m && *m; m++)
    out += (out.empty() ? "" : " ") + std::string(*m);
  g_strfreev(list);
  return out;
}

void Call::start_capture(int i)
{
  std::lock_guard<std::mutex> g(lock_);
  people_.at(static_cast<size_t>(i))->capturing = true;
}

std::vector<GstBuffer*> Call::take_capture(int i)
{
  std::lock_guard<std::mutex> g(lock_);
  Participant* p = people_.at(static_cast<size_t>(i)).get();
  p->capturing = false;
  return std::exchange(p->captured, {});
}

guint64 Call::replay_to(int i, const std::vector<GstBuffer*>& frames, guint64* refused)
{
  Participant* p = people_.at(static_cast<size_t>(i)).get();
  *refused = 0;
  if (frames.empty())
    return 0;
  auto* caps = static_cast<GstCaps*>(
    gst_mini_object_get_qdata(GST_MINI_OBJECT(frames.front()), g_quark_from_static_string("caps")));
  GstElement* src = gst_element_factory_make("appsrc", nullptr);
  GstElement* dec = gst_element_factory_make("sframedec", nullptr);
  GstElement* sink = gst_element_factory_make("fakesink", nullptr);
  g_object_set(src, "caps", caps, "format", GST_FORMAT_TIME, nullptr);
  g_object_set(sink, "sync", FALSE, "async", FALSE, nullptr);
  gst_bin_add_many(GST_BIN(p->pipeline), src, dec, sink, nullptr);  // the pipeline's keyring reaches dec
  gst_element_link_many(src, dec, sink, nullptr);
  gst_element_sync_state_with_parent(sink);
  gst_element_sync_state_with_parent(dec);
  gst_element_sync_state_with_parent(src);
  for (GstBuffer* b : frames) {
    GstFlowReturn ret;
    g_signal_emit_by_name(src, "push-buffer", b, &ret);
  }
  wait_until([&] { return stat_of(dec, "frames-in") >= frames.size(); }, 3000);
  *refused = stat_of(dec, "dropped-unknown-kid") + stat_of(dec, "dropped-authentication");
  return stat_of(dec, "frames-decrypted");
}

void Call::print_summary()
{
  for (int r = 0; r < participants(); r++) {
    const Participant* p = people_[static_cast<size_t>(r)].get();
    std::string line;
    for (int s = 0; s < participants(); s++) {
      if (s == r)
        continue;
      line += " " + people_[static_cast<size_t>(s)]->name + " video " +
              std::to_string(decoded(r, s, Kind::Video)) + " audio " + std::to_string(decoded(r, s, Kind::Audio)) + ";";
    }
    g_print("%s: %s, frames decrypted and decoded per sender:%s refused %" G_GUINT64_FORMAT "\n", p->name.c_str(),
            removed(r) ? "out of the group" : ("epoch " + std::to_string(epoch_of(r))).c_str(), line.c_str(),
            refused(r));
  }
}

std::string Call::error()
{
  std::lock_guard<std::mutex> g(lock_);
  return error_;
}

} // namespace mls_call
