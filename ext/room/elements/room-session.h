/* SPDX-License-Identifier: LGPL-2.1-or-later */
// One participant's session with the room server, inside an appliance
// element (roomsink, roomsrc): the signalling connection (TLS 1.3, the
// server's certificate verified), the join and the room mode it expects,
// the transport's offer and candidates, and in an e2ee room the MLS member
// (`mlskeyer`, created once the server says whether it creates or joins the
// group) whose messages go through the server's delivery service.
//
// All TLS I/O happens on the session's own thread; other threads queue what
// they send. Callbacks run on that thread.
#pragma once

#include "room/message.h"
#include "room/room_server.h"
#include "room/signalling_client.h"

#include <gst/gst.h>

#include <atomic>
#include <deque>
#include <functional>
#include <mutex>
#include <string>

namespace gste2ee::room {

class RoomSession {
public:
  struct Settings {
    std::string server;  // host:port
    std::string ca_file;
    std::string room;
    std::string token;
    RoomMode mode = RoomMode::EndToEnd;
    bool recorder = false;  // join with role "recorder" (the token needs "record")
    bool receive = true;    // false: publish only; the server sends us nothing
    bool mls_member = true; // false: a ciphertext recorder, outside the MLS group
    std::string key_log;    // mlskeyer's key-log, if set
  };
  // Server messages the element handles itself ("track", "participant").
  using OnMessage = std::function<void(const Message&)>;
  // Admitted to the room (at start, or later from the waiting room).
  using OnAdmitted = std::function<void()>;

  // `bin` is the element; `transport` a peertransport inside it.
  RoomSession(GstElement* bin, GstElement* transport, Settings settings, OnMessage on_message,
      OnAdmitted on_admitted);
  ~RoomSession();
  RoomSession(const RoomSession&) = delete;
  RoomSession& operator=(const RoomSession&) = delete;

  // Connects and joins (waiting at most `timeout_ms` for the server's
  // answer), then runs the session thread. False with the reason if the
  // server cannot be reached or trusted, or refuses (bad token, the other
  // room mode): the element fails to start.
  bool start(int timeout_ms, std::string* error);
  void stop();
  void send(const Message& m);

  const std::string& identity() const { return identity_; }

private:
  static void on_candidate(GstElement*, guint mline, const gchar* line, gpointer self);
  static void on_negotiation_needed(GstElement*, gpointer self);
  static GstFlowReturn on_mls_out(GstElement* appsink, gpointer self);
  bool handle_join_answer(const Message& m, std::string* error);
  void admitted(const Message& joined);
  void run();
  void handle(const Message& m);
  void post_error(const std::string& text);
  void post_participant(const Message& m);

  GstElement* bin_;
  GstElement* transport_;
  Settings settings_;
  OnMessage on_message_;
  OnAdmitted on_admitted_;
  SignallingClient client_;
  std::string identity_;
  GThread* thread_ = nullptr;
  std::atomic<bool> running_{ false };
  std::atomic<bool> admitted_{ false };
  std::atomic<bool> negotiation_needed_{ false };
  bool offered_ = false;
  std::mutex lock_;
  std::deque<Message> outbox_;
  // e2ee: mlskeyer, the appsrc feeding it the delivery service's messages
  // and the appsink taking its own; we hold a reference to each while it is
  // in the bin, and take them out when the session stops.
  GstElement* keyer_ = nullptr;
  GstElement* mls_in_ = nullptr;
  GstElement* mls_out_ = nullptr;
  gulong candidate_handler_ = 0, negotiation_handler_ = 0;
};

} // namespace gste2ee::room
