// SPDX-License-Identifier: LGPL-2.1-or-later
#include "media-router.h"

#include <algorithm>
#include <mutex>

namespace gste2ee::room {

namespace {

constexpr char kConnectionKey[] = "gst-e2ee-room-connection";
constexpr char kSfuKey[] = "gst-e2ee-room-sfu";  // the room's sfuforward, on each transport
constexpr char kAllowedKey[] = "gst-e2ee-room-allowed";  // its MediaRouter::Allowed

// Work carried from a streaming thread to the main loop.
struct Deferred {
  std::function<void()> work;
};

void on_main_loop(std::function<void()> work)
{
  g_main_context_invoke_full(nullptr, G_PRIORITY_DEFAULT,
      [](gpointer p) -> gboolean {
        static_cast<Deferred*>(p)->work();
        return G_SOURCE_REMOVE;
      },
      new Deferred{ std::move(work) }, [](gpointer p) { delete static_cast<Deferred*>(p); });
}

std::string pad_participant(ConnectionId c)
{
  return "p" + std::to_string(c);
}

} // namespace

// What a participant may send: read by its transport's streaming thread,
// written on the main loop.
struct MediaRouter::Allowed {
  std::mutex lock;
  std::vector<uint32_t> ssrcs;
  std::shared_ptr<std::atomic<uint64_t>> refused;
};

MediaRouter::MediaRouter(std::string local_address, guint peer_timeout_ms, Send send, Lost lost)
    : local_address_(std::move(local_address)), peer_timeout_ms_(peer_timeout_ms), send_(std::move(send)),
      lost_(std::move(lost))
{
}

MediaRouter::~MediaRouter()
{
  if (!pipeline_)
    return;
  gst_element_set_state(pipeline_, GST_STATE_NULL);
  for (auto& [c, p] : people_)
    for (GstPad* pad : p.sfu_pads)
      gst_object_unref(pad);
  if (bus_watch_)
    g_source_remove(bus_watch_);
  gst_object_unref(pipeline_);
}

bool MediaRouter::start(std::string* error)
{
  pipeline_ = gst_pipeline_new("room-media");
  if (!gst_element_factory_find("sfuforward") || !gst_element_factory_find("peertransport")) {
    *error = "the sfu and transport plugins (sfuforward, peertransport) are not installed";
    return false;
  }
  GstBus* bus = gst_pipeline_get_bus(GST_PIPELINE(pipeline_));
  bus_watch_ = gst_bus_add_watch(bus, on_bus, this);
  gst_object_unref(bus);
  if (gst_element_set_state(pipeline_, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
    *error = "the media pipeline does not start";
    return false;
  }
  return true;
}

GstElement* MediaRouter::sfu_of(const std::string& room)
{
  const auto it = sfus_.find(room);
  if (it != sfus_.end())
    return it->second;
  GstElement* sfu = gst_element_factory_make("sfuforward", nullptr);
  gst_bin_add(GST_BIN(pipeline_), sfu);
  gst_element_sync_state_with_parent(sfu);
  sfus_[room] = sfu;
  return sfu;
}

bool MediaRouter::add(ConnectionId c, const std::string& room, bool receives)
{
  if (people_.count(c))
    return false;
  GstElement* t = gst_element_factory_make("peertransport", nullptr);
  if (!t)
    return false;
  if (!local_address_.empty())
    g_object_set(t, "local-address", local_address_.c_str(), nullptr);
  // A participant that vanishes (silence, or ICE consent checks unanswered)
  // is noticed and removed after this long.
  g_object_set(t, "peer-timeout", peer_timeout_ms_, nullptr);
  g_object_set_data(G_OBJECT(t), kConnectionKey, GUINT_TO_POINTER(static_cast<guint>(c)));
  g_signal_connect(t, "pad-added", G_CALLBACK(on_pad_added), this);
  g_signal_connect(t, "on-local-candidate", G_CALLBACK(on_candidate), this);
  auto* allowed = new Allowed;
  allowed->refused = refused_;
  g_object_set_data_full(G_OBJECT(t), kAllowedKey, allowed, [](gpointer a) { delete static_cast<Allowed*>(a); });
  Participant& p = people_[c];
  p.transport = t;
  p.allowed = allowed;
  p.receives = receives;
  p.room = room;
  GstElement* sfu = sfu_of(room);
  g_object_set_data(G_OBJECT(t), kSfuKey, sfu);
  gst_bin_add(GST_BIN(pipeline_), t);
  // What the others publish, and the SFU's RTCP, go out through one sink
  // pad each; the participant's RTCP comes in from rtcp_src.
  const std::string name = pad_participant(c);
  for (const char* templ : { "src_%u", "rtcp_src_%u" }) {
    GstPad* out = gst_element_request_pad_simple(sfu, templ);
    g_object_set(out, "participant", name.c_str(), nullptr);
    GstPad* in = gst_element_request_pad_simple(t, "sink_%u");
    gst_pad_link(out, in);
    gst_object_unref(in);
    p.sfu_pads.push_back(out);
  }
  GstPad* rtcp_in = gst_element_request_pad_simple(sfu, "rtcp_sink_%u");
  g_object_set(rtcp_in, "participant", name.c_str(), nullptr);
  GstPad* rtcp_out = gst_element_get_static_pad(t, "rtcp_src");
  gst_pad_link(rtcp_out, rtcp_in);
  gst_object_unref(rtcp_out);
  p.sfu_pads.push_back(rtcp_in);
  gst_element_sync_state_with_parent(t);
  // A publish-only participant (an appliance's camera) is sent nobody's
  // media, and nobody's who comes later: its uplink carries its own.
  for (const auto& [other, o] : people_) {
    if (other == c || o.room != room)
      continue;
    gboolean ok = FALSE;
    if (!receives)
      g_signal_emit_by_name(sfu, "unsubscribe", name.c_str(), pad_participant(other).c_str(), &ok);
    if (!o.receives)
      g_signal_emit_by_name(sfu, "unsubscribe", pad_participant(other).c_str(), name.c_str(), &ok);
  }
  return true;
}

ConnectionId MediaRouter::connection_of(GstElement* transport) const
{
  return GPOINTER_TO_UINT(g_object_get_data(G_OBJECT(transport), kConnectionKey));
}

void MediaRouter::on_pad_added(GstElement* transport, GstPad* pad, gpointer self)
{
  auto* r = static_cast<MediaRouter*>(self);
  if (!g_str_has_prefix(GST_PAD_NAME(pad), "src_"))
    return;
  // Linked here, in the streaming thread, before the first buffer is
  // pushed; only the transport's own data is read (the maps belong to the
  // main loop).
  gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER, gate, g_object_get_data(G_OBJECT(transport), kAllowedKey), nullptr);
  r->link_src(r->connection_of(transport), static_cast<GstElement*>(g_object_get_data(G_OBJECT(transport), kSfuKey)),
      pad);
}

// A stream the server did not allow (never announced, or a screen share
// without the grant) stops here: a participant cannot get past signalling's
// refusal by sending anyway.
GstPadProbeReturn MediaRouter::gate(GstPad*, GstPadProbeInfo* info, gpointer data)
{
  auto* allowed = static_cast<Allowed*>(data);
  guint8 header[12];
  GstBuffer* buf = GST_PAD_PROBE_INFO_BUFFER(info);
  if (gst_buffer_extract(buf, 0, header, sizeof header) == sizeof header) {
    const uint32_t ssrc = uint32_t(header[8]) << 24 | uint32_t(header[9]) << 16 | uint32_t(header[10]) << 8 | header[11];
    std::lock_guard<std::mutex> g(allowed->lock);
    if (std::find(allowed->ssrcs.begin(), allowed->ssrcs.end(), ssrc) != allowed->ssrcs.end())
      return GST_PAD_PROBE_OK;
  }
  (*allowed->refused)++;
  return GST_PAD_PROBE_DROP;
}

void MediaRouter::allow(ConnectionId c, const std::vector<uint32_t>& ssrcs)
{
  const auto it = people_.find(c);
  if (it == people_.end())
    return;
  std::lock_guard<std::mutex> g(it->second.allowed->lock);
  it->second.allowed->ssrcs = ssrcs;
}

uint64_t MediaRouter::refused_packets() const
{
  return *refused_;
}

void MediaRouter::link_src(ConnectionId c, GstElement* sfu, GstPad* pad)
{
  GstPad* in = gst_element_request_pad_simple(sfu, "sink_%u");
  g_object_set(in, "participant", pad_participant(c).c_str(), nullptr);
  if (gst_pad_link(pad, in) != GST_PAD_LINK_OK)
    g_warning("participant #%llu: cannot link its stream to the SFU", static_cast<unsigned long long>(c));
  gst_object_ref(sfu);
  on_main_loop([this, c, sfu, in] {
    const auto it = people_.find(c);
    if (it == people_.end()) {
      // Removed meanwhile: give the pad back.
      gst_element_release_request_pad(sfu, in);
      gst_object_unref(in);
      gst_object_unref(sfu);
      return;
    }
    gst_object_unref(sfu);
    it->second.sfu_pads.push_back(in);
  });
}

void MediaRouter::on_candidate(GstElement* transport, guint mline, const gchar* line, gpointer self)
{
  auto* r = static_cast<MediaRouter*>(self);
  const ConnectionId c = r->connection_of(transport);
  const std::string candidate = line ? line : "";
  on_main_loop([r, c, mline, candidate] {
    if (r->people_.count(c))
      r->send_(c, Message("candidate").set("mline", static_cast<uint64_t>(mline)).set("candidate", candidate));
  });
}

void MediaRouter::signal(ConnectionId c, const Message& m)
{
  const auto it = people_.find(c);
  if (it == people_.end())
    return;
  GstElement* t = it->second.transport;
  gboolean ok = FALSE;
  if (m.type() == "candidate") {
    g_signal_emit_by_name(t, "add-remote-candidate", static_cast<guint>(m.number("mline")), m.str("candidate").c_str(),
        &ok);
    return;
  }
  if (m.str("kind") != "offer") {
    send_(c, Message("refused").set("code", "bad-sdp").set("reason", "the participant offers; the server answers"));
    return;
  }
  g_signal_emit_by_name(t, "set-remote-description", m.str("sdp").c_str(), &ok);
  gchar* answer = nullptr;
  if (ok)
    g_signal_emit_by_name(t, "create-answer", &answer);
  if (!answer) {
    send_(c, Message("refused").set("code", "bad-sdp").set("reason", "the offer cannot be used (see the server log)"));
    return;
  }
  send_(c, Message("sdp").set("kind", "answer").set("sdp", answer));
  g_free(answer);
}

void MediaRouter::remove(ConnectionId c)
{
  const auto it = people_.find(c);
  if (it == people_.end())
    return;
  Participant p = it->second;
  people_.erase(it);
  GstElement* sfu = sfus_.at(p.room);
  gst_element_set_locked_state(p.transport, TRUE);
  gst_element_set_state(p.transport, GST_STATE_NULL);
  for (GstPad* pad : p.sfu_pads) {
    gst_element_release_request_pad(sfu, pad);
    gst_object_unref(pad);
  }
  gst_bin_remove(GST_BIN(pipeline_), p.transport);
}

gboolean MediaRouter::on_bus(GstBus*, GstMessage* msg, gpointer self)
{
  auto* r = static_cast<MediaRouter*>(self);
  GstElement* src = GST_IS_ELEMENT(GST_MESSAGE_SRC(msg)) ? GST_ELEMENT(GST_MESSAGE_SRC(msg)) : nullptr;
  const ConnectionId c = src ? r->connection_of(src) : 0;
  if (c == 0)
    return G_SOURCE_CONTINUE;
  if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ERROR
      || (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ELEMENT && gst_message_has_name(msg, "peertransport-peer-lost"))) {
    // One participant's transport failing ends that participant only.
    GError* err = nullptr;
    std::string why = "peer lost (ICE consent or silence)";
    if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ERROR) {
      gst_message_parse_error(msg, &err, nullptr);
      why = std::string("transport failed: ") + (err ? err->message : "?");
      g_clear_error(&err);
    }
    if (r->people_.count(c))
      r->lost_(c, why);
  }
  return G_SOURCE_CONTINUE;
}

} // namespace gste2ee::room
