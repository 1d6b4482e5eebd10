// SPDX-License-Identifier: LGPL-2.1-or-later
// Media through the room server on loopback: two participants join an e2ee
// room over signalling, each offers a peertransport (ICE, DTLS-SRTP) that
// the server answers, and each receives the other's video through the
// server's sfuforward. Then one vanishes (its pipeline stops: no media, no
// ICE consent answers): the server notices within its peer timeout, tells
// it, closes its signalling, and the other hears that it left.
#include "server-process.h"

#include <gst/gst.h>

#include <atomic>
#include <mutex>

using namespace server_process;

namespace {

struct Client {
  std::string name;
  r::SignallingClient signalling;
  GstElement* pipeline = nullptr;
  GstElement* transport = nullptr;
  std::mutex lock;
  std::vector<std::pair<guint, std::string>> candidates;  // ours, to send
  bool negotiation_needed = false;
  bool offered = false;
  std::atomic<int> received{ 0 };

  ~Client()
  {
    if (pipeline) {
      gst_element_set_state(pipeline, GST_STATE_NULL);
      gst_object_unref(transport);
      gst_object_unref(pipeline);
    }
  }
};

void on_candidate(GstElement*, guint mline, const gchar* line, gpointer data)
{
  auto* c = static_cast<Client*>(data);
  std::lock_guard<std::mutex> g(c->lock);
  c->candidates.emplace_back(mline, line ? line : "");
}

void on_negotiation_needed(GstElement*, gpointer data)
{
  auto* c = static_cast<Client*>(data);
  std::lock_guard<std::mutex> g(c->lock);
  c->negotiation_needed = true;
}

GstPadProbeReturn count(GstPad*, GstPadProbeInfo*, gpointer data)
{
  static_cast<Client*>(data)->received++;
  return GST_PAD_PROBE_OK;
}

void on_pad(GstElement*, GstPad* pad, gpointer data)
{
  if (!g_str_has_prefix(GST_PAD_NAME(pad), "src_"))
    return;
  auto* c = static_cast<Client*>(data);
  GstElement* sink = gst_bin_get_by_name(GST_BIN(c->pipeline), "received");
  GstPad* sinkpad = gst_element_get_static_pad(sink, "sink");
  gst_pad_link(pad, sinkpad);
  gst_pad_add_probe(sinkpad, GST_PAD_PROBE_TYPE_BUFFER, count, c, nullptr);
  gst_object_unref(sinkpad);
  gst_object_unref(sink);
}

void start_pipeline(Client& c, unsigned ssrc)
{
  const std::string desc = "peertransport name=t local-address=127.0.0.1 "
      "videotestsrc is-live=true ! video/x-raw,width=160,height=120,framerate=30/1 ! vp8enc deadline=1 "
      "! rtpvp8pay pt=96 ssrc=" + std::to_string(ssrc) + " ! t. fakesink name=received sync=false async=false";
  GError* err = nullptr;
  c.pipeline = gst_parse_launch(desc.c_str(), &err);
  ck_assert_msg(c.pipeline != nullptr, "%s", err ? err->message : "?");
  c.transport = gst_bin_get_by_name(GST_BIN(c.pipeline), "t");
  g_signal_connect(c.transport, "on-local-candidate", G_CALLBACK(on_candidate), &c);
  g_signal_connect(c.transport, "on-negotiation-needed", G_CALLBACK(on_negotiation_needed), &c);
  g_signal_connect(c.transport, "pad-added", G_CALLBACK(on_pad), &c);
  ck_assert(gst_element_set_state(c.pipeline, GST_STATE_PLAYING) != GST_STATE_CHANGE_FAILURE);
}

// One round of signalling for a client: its offer and candidates out, the
// server's answer and candidates in. Returns the messages it did not use.
std::vector<r::Message> pump(Client& c)
{
  std::string error;
  std::vector<r::Message> other;
  bool offer_now = false;
  std::vector<std::pair<guint, std::string>> out;
  {
    std::lock_guard<std::mutex> g(c.lock);
    offer_now = c.negotiation_needed && !c.offered;
    if (offer_now)
      c.offered = true;
    if (c.offered && !offer_now)
      out.swap(c.candidates);
  }
  if (offer_now) {
    gchar* offer = nullptr;
    g_signal_emit_by_name(c.transport, "create-offer", &offer);
    ck_assert(offer != nullptr);
    ck_assert(c.signalling.send(r::Message("sdp").set("kind", "offer").set("sdp", offer), &error));
    g_free(offer);
  }
  for (const auto& [mline, line] : out)
    c.signalling.send(r::Message("candidate").set("mline", static_cast<uint64_t>(mline)).set("candidate", line), &error);
  while (auto m = c.signalling.receive(20, &error)) {
    gboolean ok = FALSE;
    if (m->type() == "sdp") {
      ck_assert(m->str("kind") == "answer");
      g_signal_emit_by_name(c.transport, "set-remote-description", m->str("sdp").c_str(), &ok);
      ck_assert_msg(ok, "%s: the server's answer was refused", c.name.c_str());
    } else if (m->type() == "candidate") {
      g_signal_emit_by_name(c.transport, "add-remote-candidate", static_cast<guint>(m->number("mline")),
          m->str("candidate").c_str(), &ok);
    } else {
      other.push_back(*m);
    }
  }
  return other;
}

} // namespace

START_TEST(test_media_through_the_server)
{
  Client alice, bob;
  alice.name = "alice";
  bob.name = "bob";
  for (Client* c : { &alice, &bob }) {
    connect(c->signalling);
    const r::Message m = join(c->signalling, g_server->room, g_server->token(g_server->room, c->name,
        r::kPublishVideo));
    ck_assert_msg(m.type() == "joined", "%s", m.to_json().c_str());
  }
  start_pipeline(alice, 1111);
  start_pipeline(bob, 2222);
  const gint64 until = g_get_monotonic_time() + 30 * G_USEC_PER_SEC;
  while ((alice.received < 30 || bob.received < 30) && g_get_monotonic_time() < until) {
    pump(alice);
    pump(bob);
  }
  ck_assert_msg(alice.received >= 30 && bob.received >= 30, "received: alice %d, bob %d", alice.received.load(),
      bob.received.load());

  // alice vanishes: her pipeline stops (no media, no consent answers), her
  // signalling stays open. The server removes her within its peer timeout.
  gst_element_set_state(alice.pipeline, GST_STATE_NULL);
  bool bob_heard = false, alice_told = false;
  const gint64 deadline = g_get_monotonic_time() + 20 * G_USEC_PER_SEC;
  while (!(bob_heard && alice_told) && g_get_monotonic_time() < deadline) {
    for (const auto& m : pump(bob))
      bob_heard = bob_heard || (m.type() == "participant" && m.str("identity") == "alice" && m.str("event") == "left");
    std::string error;
    if (auto m = alice.signalling.receive(20, &error))
      alice_told = alice_told || m->type() == "removed";
  }
  ck_assert(bob_heard && alice_told);
  std::string listing;
  g_server->admin({ "list" }, &listing);
  ck_assert_msg(listing.find("participants 1,") != std::string::npos, "%s", listing.c_str());
}
END_TEST

int main(int argc, char** argv)
{
  gst_init(&argc, &argv);
  Suite* s = suite_create("room-media");
  TCase* tc = tcase_create("loopback");
  tcase_set_timeout(tc, 120);
  tcase_add_checked_fixture(tc, [] { start_server_with({ "--peer-timeout", "2000" }); }, stop_server);
  tcase_add_test(tc, test_media_through_the_server);
  suite_add_tcase(s, tc);
  SRunner* sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  const int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed == 0 ? 0 : 1;
}
