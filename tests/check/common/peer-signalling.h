// SPDX-License-Identifier: LGPL-2.1-or-later
// In-process signalling between two peertransport elements: the offer and
// the answer go across as strings, trickled candidates wait until the other
// side has a remote description (as a signalling server would hold them),
// then the test waits for connection-state to reach where it expects.
#pragma once

#include <mutex>
#include <string>
#include <vector>

#include <gst/check/gstcheck.h>

namespace testutil {

class PeerSignalling {
public:
  // Candidates of `from` are queued for `to` and handed over by deliver().
  PeerSignalling(GstElement* offerer, GstElement* answerer) : a_(offerer), b_(answerer)
  {
    g_signal_connect(a_, "on-local-candidate", G_CALLBACK(on_candidate), &to_b_);
    g_signal_connect(b_, "on-local-candidate", G_CALLBACK(on_candidate), &to_a_);
  }
  ~PeerSignalling()
  {
    g_signal_handlers_disconnect_by_data(a_, &to_b_);
    g_signal_handlers_disconnect_by_data(b_, &to_a_);
  }

  // The whole offer/answer; `tamper_answer` may change the answer's text on
  // its way (a man in the middle of the signalling).
  bool negotiate(std::string (*tamper_answer)(const std::string&) = nullptr)
  {
    gchar* offer = nullptr;
    g_signal_emit_by_name(a_, "create-offer", &offer);
    if (!offer)
      return false;
    gboolean ok = FALSE;
    g_signal_emit_by_name(b_, "set-remote-description", offer, &ok);
    g_free(offer);
    if (!ok)
      return false;
    gchar* answer = nullptr;
    g_signal_emit_by_name(b_, "create-answer", &answer);
    if (!answer)
      return false;
    std::string text = tamper_answer ? tamper_answer(answer) : std::string(answer);
    g_free(answer);
    g_signal_emit_by_name(a_, "set-remote-description", text.c_str(), &ok);
    if (!ok)
      return false;
    deliver();
    return true;
  }

  void deliver()
  {
    to_b_.deliver(b_);
    to_a_.deliver(a_);
  }

private:
  struct Queue {
    std::mutex lock;
    std::vector<std::string> lines;
    void deliver(GstElement* to)
    {
      std::vector<std::string> now;
      {
        std::lock_guard<std::mutex> g(lock);
        now.swap(lines);
      }
      for (const auto& l : now) {
        gboolean ok = FALSE;
        g_signal_emit_by_name(to, "add-remote-candidate", 0u, l.c_str(), &ok);
      }
    }
  };
  static void on_candidate(GstElement*, guint, const gchar* line, gpointer data)
  {
    auto* q = static_cast<Queue*>(data);
    std::lock_guard<std::mutex> g(q->lock);
    q->lines.emplace_back(line ? line : "");
  }

  GstElement* a_;
  GstElement* b_;
  Queue to_a_, to_b_;
};

inline int connection_state(GstElement* t)
{
  int s = 0;
  g_object_get(t, "connection-state", &s, nullptr);
  return s;
}

// Waits (iterating nothing: the transports run their own threads) until
// `t` is in state `nick`, or fails/gives up after `seconds`.
inline bool wait_for_state(GstElement* t, const char* nick, double seconds)
{
  GEnumClass* klass = G_ENUM_CLASS(g_type_class_ref(g_type_from_name("GstPeerTransportState")));
  GEnumValue* want = g_enum_get_value_by_nick(klass, nick);
  fail_unless(want != nullptr, "no state %s", nick);
  const gint64 until = g_get_monotonic_time() + static_cast<gint64>(seconds * G_USEC_PER_SEC);
  bool reached = false;
  while (g_get_monotonic_time() < until) {
    if (connection_state(t) == want->value) {
      reached = true;
      break;
    }
    g_usleep(10000);
  }
  g_type_class_unref(klass);
  return reached;
}

} // namespace testutil
