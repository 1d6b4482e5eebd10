/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "room-session.h"

#include "room-element.h"
#include "room/base64url.h"

#include <gst/app/app.h>

namespace gste2ee::room {

namespace {

constexpr int kPollMs = 20;

bool split_server(const std::string& server, std::string* host, uint16_t* port)
{
  const size_t colon = server.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 >= server.size())
    return false;
  const std::string p = server.substr(colon + 1);
  char* end = nullptr;
  const unsigned long n = std::strtoul(p.c_str(), &end, 10);
  if (*end || n == 0 || n > 65535)
    return false;
  *host = server.substr(0, colon);
  if (host->size() > 2 && host->front() == '[' && host->back() == ']')
    *host = host->substr(1, host->size() - 2);  // [IPv6]:port
  *port = static_cast<uint16_t>(n);
  return true;
}

} // namespace

RoomSession::RoomSession(GstElement* bin, GstElement* transport, Settings settings, OnMessage on_message,
    OnAdmitted on_admitted)
    : bin_(bin), transport_(transport), settings_(std::move(settings)), on_message_(std::move(on_message)),
      on_admitted_(std::move(on_admitted))
{
  candidate_handler_ = g_signal_connect(transport_, "on-local-candidate", G_CALLBACK(on_candidate), this);
  negotiation_handler_ = g_signal_connect(transport_, "on-negotiation-needed", G_CALLBACK(on_negotiation_needed),
      this);
}

RoomSession::~RoomSession()
{
  stop();
  g_signal_handler_disconnect(transport_, candidate_handler_);
  g_signal_handler_disconnect(transport_, negotiation_handler_);
}

void RoomSession::post_error(const std::string& text)
{
  GST_ELEMENT_ERROR(bin_, RESOURCE, FAILED, ("%s", text.c_str()), (nullptr));
}

bool RoomSession::start(int timeout_ms, std::string* error)
{
  std::string host;
  uint16_t port = 0;
  if (!split_server(settings_.server, &host, &port)) {
    *error = "server must be HOST:PORT";
    return false;
  }
  if (settings_.room.empty() || settings_.token.empty()) {
    *error = "room and token must be set";
    return false;
  }
  if (!client_.connect(host, port, settings_.ca_file, timeout_ms, error))
    return false;
  Message join("join");
  join.set("room", settings_.room).set("token", settings_.token).set("mode", room_mode_name(settings_.mode));
  if (settings_.recorder)
    join.set("role", "recorder");
  if (!settings_.receive)
    join.set("receive", false);
  if (!settings_.mls_member)
    join.set("mls-member", false);
  if (!client_.send(join, error))
    return false;
  const gint64 until = g_get_monotonic_time() + gint64(timeout_ms) * 1000;
  for (;;) {
    const int left = static_cast<int>((until - g_get_monotonic_time()) / 1000);
    if (left <= 0) {
      *error = "the server did not answer the join in time";
      client_.close();
      return false;
    }
    auto m = client_.receive(left, error);
    if (!m) {
      if (error->empty())
        continue;
      return false;
    }
    if (m->type() == "joined" || m->type() == "waiting" || m->type() == "refused") {
      if (!handle_join_answer(*m, error)) {
        client_.close();
        return false;
      }
      break;
    }
  }
  running_ = true;
  thread_ = g_thread_new("room-session", [](gpointer self) -> gpointer {
    static_cast<RoomSession*>(self)->run();
    return nullptr;
  }, this);
  return true;
}

bool RoomSession::handle_join_answer(const Message& m, std::string* error)
{
  if (m.type() == "refused") {
    *error = "the room server refused to join (" + m.str("code") + "): " + m.str("reason");
    return false;
  }
  if (m.type() == "waiting") {
    GST_ELEMENT_INFO(bin_, RESOURCE, BUSY, ("in the waiting room of room %s until an admin admits us",
        settings_.room.c_str()), (nullptr));
    return true;
  }
  admitted(m);
  return true;
}

// Admitted: in an e2ee room, the MLS member joins the pipeline now that the
// server said whether it creates the group or joins it.
void RoomSession::admitted(const Message& joined)
{
  identity_ = joined.str("identity");
  if (joined.str("mode") != room_mode_name(settings_.mode)) {
    post_error("the server put us in a " + joined.str("mode") + " room; expected " + room_mode_name(settings_.mode));
    return;
  }
  if (settings_.mode == RoomMode::EndToEnd && settings_.mls_member != (joined.str("mls-role") != "none")) {
    post_error("the server did not keep us " + std::string(settings_.mls_member ? "in" : "out of") + " the MLS group");
    return;
  }
  if (settings_.mode == RoomMode::EndToEnd && settings_.mls_member) {
    GstElement* keyer = gst_element_factory_make("mlskeyer", nullptr);
    GstElement* out = gst_element_factory_make("appsink", nullptr);
    GstElement* in = gst_element_factory_make("appsrc", nullptr);
    if (!keyer || !out || !in) {
      for (GstElement* e : { keyer, out, in })
        if (e)
          gst_object_unref(gst_object_ref_sink(e));
      post_error("the mls plugin (mlskeyer) or appsrc/appsink is missing");
      return;
    }
    keyer_ = GST_ELEMENT(gst_object_ref(keyer));
    mls_in_ = GST_ELEMENT(gst_object_ref(in));
    mls_out_ = GST_ELEMENT(gst_object_ref(out));
    const bool create = joined.str("mls-role") == "create";
    g_object_set(keyer_, "identity", identity_.c_str(), "contexts", 3u, "key-log",
        settings_.key_log.empty() ? nullptr : settings_.key_log.c_str(), nullptr);
    gst_util_set_object_arg(G_OBJECT(keyer_), "mode", create ? "create" : "join");
    if (create)
      g_object_set(keyer_, "group-id", joined.str("group-id").c_str(), "external-sender",
          joined.str("external-sender").c_str(), nullptr);
    GstCaps* caps = gst_caps_new_empty_simple("application/x-mls");
    g_object_set(mls_in_, "is-live", TRUE, "format", GST_FORMAT_BYTES, "caps", caps, nullptr);
    gst_caps_unref(caps);
    g_object_set(out, "sync", FALSE, "async", FALSE, "emit-signals", TRUE, nullptr);
    g_signal_connect(out, "new-sample", G_CALLBACK(on_mls_out), this);
    gst_bin_add_many(GST_BIN(bin_), mls_in_, keyer_, out, nullptr);
    gst_element_link_many(mls_in_, keyer_, out, nullptr);
    gst_element_sync_state_with_parent(out);
    gst_element_sync_state_with_parent(keyer_);
    gst_element_sync_state_with_parent(mls_in_);
  }
  admitted_ = true;
  if (on_admitted_)
    on_admitted_();
}

GstFlowReturn RoomSession::on_mls_out(GstElement* appsink, gpointer self)
{
  auto* s = static_cast<RoomSession*>(self);
  GstSample* sample = gst_app_sink_pull_sample(GST_APP_SINK(appsink));
  if (!sample)
    return GST_FLOW_EOS;
  GstMapInfo map;
  GstBuffer* buf = gst_sample_get_buffer(sample);
  if (buf && gst_buffer_map(buf, &map, GST_MAP_READ)) {
    s->send(Message("mls").set("data", base64url_encode(map.data, map.size)));
    gst_buffer_unmap(buf, &map);
  }
  gst_sample_unref(sample);
  return GST_FLOW_OK;
}

void RoomSession::on_candidate(GstElement*, guint mline, const gchar* line, gpointer self)
{
  static_cast<RoomSession*>(self)->send(
      Message("candidate").set("mline", static_cast<uint64_t>(mline)).set("candidate", line ? line : ""));
}

void RoomSession::on_negotiation_needed(GstElement*, gpointer self)
{
  static_cast<RoomSession*>(self)->negotiation_needed_ = true;
}

void RoomSession::send(const Message& m)
{
  std::lock_guard<std::mutex> g(lock_);
  outbox_.push_back(m);
}

void RoomSession::stop()
{
  running_ = false;
  if (thread_) {
    g_thread_join(thread_);
    thread_ = nullptr;
  }
  std::string error;
  if (!client_.closed())
    client_.send(Message("leave"), &error);
  client_.close();
  // Out of the bin, so a restart makes a new member.
  for (GstElement** e : { &mls_in_, &keyer_, &mls_out_ }) {
    if (*e) {
      take_out(GST_BIN(bin_), *e);
      *e = nullptr;
    }
  }
}

// Who comes and goes, for the application (its member list); a recorder is
// always named as one, so nobody is recorded without being told.
void RoomSession::post_participant(const Message& m)
{
  const std::string role = m.has("role") ? m.str("role") : "participant";
  GstStructure* s = gst_structure_new("room-participant", "identity", G_TYPE_STRING, m.str("identity").c_str(),
      "event", G_TYPE_STRING, m.str("event").c_str(), "role", G_TYPE_STRING, role.c_str(), nullptr);
  if (m.has("recording"))  // "ciphertext": a recorder outside the MLS group
    gst_structure_set(s, "recording", G_TYPE_STRING, m.str("recording").c_str(), nullptr);
  gst_element_post_message(bin_, gst_message_new_element(GST_OBJECT(bin_), s));
  // gst-launch-1.0 prints an info message's debug text: the notice is both.
  if (role == "recorder" && (m.str("event") == "joined" || m.str("event") == "present"))
    GST_ELEMENT_INFO(bin_, RESOURCE, BUSY, ("the room is being recorded by %s", m.str("identity").c_str()),
        ("the room is being recorded by %s", m.str("identity").c_str()));
}

void RoomSession::run()
{
  while (running_) {
    std::string error;
    // Our offer once admitted and the transport knows its streams;
    // candidates only after it (the server's transport needs the offer
    // first).
    if (admitted_ && negotiation_needed_ && !offered_) {
      gchar* offer = nullptr;
      g_signal_emit_by_name(transport_, "create-offer", &offer);
      if (offer) {
        client_.send(Message("sdp").set("kind", "offer").set("sdp", offer), &error);
        g_free(offer);
        offered_ = true;
      }
    }
    std::deque<Message> out;
    {
      std::lock_guard<std::mutex> g(lock_);
      if (offered_) {
        out.swap(outbox_);
      } else {
        // Hold candidates until the offer is out; the rest goes now.
        for (auto it = outbox_.begin(); it != outbox_.end();) {
          if (it->type() != "candidate") {
            out.push_back(*it);
            it = outbox_.erase(it);
          } else {
            ++it;
          }
        }
      }
    }
    for (const auto& m : out)
      if (!client_.send(m, &error))
        break;
    auto m = client_.receive(kPollMs, &error);
    if (m) {
      handle(*m);
    } else if (client_.closed()) {
      if (running_)
        post_error("the room server connection ended: " + error);
      return;
    }
  }
}

void RoomSession::handle(const Message& m)
{
  gboolean ok = FALSE;
  const std::string& t = m.type();
  if (t == "joined") {
    admitted(m);
  } else if (t == "sdp" && m.str("kind") == "answer") {
    g_signal_emit_by_name(transport_, "set-remote-description", m.str("sdp").c_str(), &ok);
    if (!ok)
      post_error("the server's answer cannot be used");
  } else if (t == "candidate") {
    g_signal_emit_by_name(transport_, "add-remote-candidate", static_cast<guint>(m.number("mline")),
        m.str("candidate").c_str(), &ok);
  } else if (t == "mls" && mls_in_) {
    const auto bytes = base64url_decode(m.str("data"));
    if (bytes) {
      GstBuffer* b = gst_buffer_new_memdup(bytes->data(), bytes->size());
      GstFlowReturn ret;
      g_signal_emit_by_name(mls_in_, "push-buffer", b, &ret);
      gst_buffer_unref(b);
    }
  } else if (t == "removed" || t == "room-ended") {
    post_error(t == "room-ended" ? "the room ended" : "removed from the room: " + m.str("reason"));
  } else if (t == "refused" && m.str("code") != "waiting") {
    post_error("the room server refused (" + m.str("code") + "): " + m.str("reason"));
  } else {
    if (t == "participant")
      post_participant(m);
    if (on_message_)
      on_message_(m);
  }
}

} // namespace gste2ee::room
