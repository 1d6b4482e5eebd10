// SPDX-License-Identifier: LGPL-2.1-or-later
// Two peers on loopback joined by peertransport (ICE, DTLS-SRTP, SRTP):
// each sends VP8 video and Opus audio and decodes what the other sends. The
// SDP offer, the answer and the trickled ICE candidates are passed between
// them here, as strings, the way a signalling server would carry them. Each
// side prints the negotiated SRTP profile, the selected ICE pair and, at the
// end, its packet and frame counts.
//   hop-by-hop [SECONDS]      (default 5)
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include <gst/gst.h>

namespace {

struct Peer {
  explicit Peer(const char* n) : name(n) {}
  const char* name;
  GstElement* pipeline = nullptr;
  GstElement* transport = nullptr;
  Peer* other = nullptr;
  bool has_remote = false;
  std::vector<std::string> early_candidates;  // from the other side, before our remote description
  std::atomic<int> video_frames{ 0 }, audio_frames{ 0 };
};

GMainLoop* loop;
int exit_code = 0;

// The media each side sends and the decoders for what it receives: the same
// pipeline a gst-launch-1.0 line would give, with an application to carry
// the SDP.
std::string pipeline_for(int ssrc, const char* pattern, const char* wave)
{
  return std::string("peertransport name=t local-address=127.0.0.1 ") +
         "videotestsrc is-live=true pattern=" + pattern + " ! video/x-raw,width=320,height=240,framerate=30/1 ! " +
         "vp8enc deadline=1 keyframe-max-dist=30 ! rtpvp8pay pt=96 ssrc=" + std::to_string(ssrc) + " ! t. " +
         "audiotestsrc is-live=true wave=" + wave + " ! opusenc ! rtpopuspay pt=111 ssrc=" + std::to_string(ssrc + 1) +
         " ! t. " +
         "t.src_96 ! rtpjitterbuffer latency=100 ! rtpvp8depay ! vp8dec ! fakesink name=video sync=false async=false " +
         "t.src_111 ! rtpjitterbuffer latency=100 ! rtpopusdepay ! opusdec ! fakesink name=audio sync=false async=false";
}

void count_frames(Peer* p, const char* sink_name, std::atomic<int>* counter)
{
  GstElement* sink = gst_bin_get_by_name(GST_BIN(p->pipeline), sink_name);
  GstPad* pad = gst_element_get_static_pad(sink, "sink");
  gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER,
                    [](GstPad*, GstPadProbeInfo*, gpointer c) {
                      (*static_cast<std::atomic<int>*>(c))++;
                      return GST_PAD_PROBE_OK;
                    },
                    counter, nullptr);
  gst_object_unref(pad);
  gst_object_unref(sink);
}

void add_candidate(Peer* to, const std::string& line)
{
  gboolean ok = FALSE;
  g_signal_emit_by_name(to->transport, "add-remote-candidate", 0u, line.c_str(), &ok);
}

bool set_remote(Peer* p, const gchar* sdp)
{
  gboolean ok = FALSE;
  g_signal_emit_by_name(p->transport, "set-remote-description", sdp, &ok);
  if (!ok)
    return false;
  p->has_remote = true;
  for (const auto& c : p->early_candidates)
    add_candidate(p, c);
  p->early_candidates.clear();
  return true;
}

// On the main loop: alice offers, bob answers, alice takes the answer.
gboolean negotiate(gpointer data)
{
  Peer* alice = static_cast<Peer*>(data);
  Peer* bob = alice->other;
  gchar *offer = nullptr, *answer = nullptr;
  g_signal_emit_by_name(alice->transport, "create-offer", &offer);
  if (offer && set_remote(bob, offer))
    g_signal_emit_by_name(bob->transport, "create-answer", &answer);
  if (!answer || !set_remote(alice, answer)) {
    g_printerr("negotiation failed (see the warning above)\n");
    exit_code = 1;
    g_main_loop_quit(loop);
  } else {
    g_print("%s -> %s: offer, %zu bytes of SDP\n%s -> %s: answer, %zu bytes of SDP\n", alice->name, bob->name,
            strlen(offer), bob->name, alice->name, strlen(answer));
  }
  g_free(offer);
  g_free(answer);
  return G_SOURCE_REMOVE;
}

struct CandidateHop {
  Peer* to;
  std::string line;
};

gboolean deliver_candidate(gpointer data)
{
  auto* hop = static_cast<CandidateHop*>(data);
  if (hop->to->has_remote)
    add_candidate(hop->to, hop->line);
  else
    hop->to->early_candidates.push_back(hop->line);
  delete hop;
  return G_SOURCE_REMOVE;
}

void on_local_candidate(GstElement*, guint, gchar* line, gpointer data)
{
  Peer* from = static_cast<Peer*>(data);
  g_idle_add(deliver_candidate, new CandidateHop{ from->other, line ? line : "" });
}

void on_negotiation_needed(GstElement*, gpointer data)
{
  g_idle_add(negotiate, data);  // from a streaming thread: signalling runs on the main loop
}

gboolean on_bus(GstBus*, GstMessage* msg, gpointer data)
{
  Peer* p = static_cast<Peer*>(data);
  if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ELEMENT && gst_message_has_name(msg, "peertransport-connected")) {
    const GstStructure* s = gst_message_get_structure(msg);
    g_print("%s: connected, SRTP profile %s, ICE pair %s <-> %s\n", p->name, gst_structure_get_string(s, "srtp-profile"),
            gst_structure_get_string(s, "local-candidate"), gst_structure_get_string(s, "remote-candidate"));
  } else if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ERROR || GST_MESSAGE_TYPE(msg) == GST_MESSAGE_WARNING) {
    GError* e = nullptr;
    gchar* debug = nullptr;
    if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ERROR)
      gst_message_parse_error(msg, &e, &debug);
    else
      gst_message_parse_warning(msg, &e, &debug);
    g_printerr("%s: %s: %s\n", p->name, GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ERROR ? "error" : "warning",
               e ? e->message : "?");
    if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ERROR) {
      exit_code = 1;
      g_main_loop_quit(loop);
    }
    g_clear_error(&e);
    g_free(debug);
  }
  return G_SOURCE_CONTINUE;
}

guint64 stat(GstStructure* s, const char* field)
{
  guint64 v = 0;
  gst_structure_get_uint64(s, field, &v);
  return v;
}

void report(Peer* p)
{
  GstStructure* s = nullptr;
  g_object_get(p->transport, "stats", &s, nullptr);
  g_print("%s: %s, %s; RTP sent %" G_GUINT64_FORMAT ", received %" G_GUINT64_FORMAT "; RTCP received %" G_GUINT64_FORMAT
          "; refused: %" G_GUINT64_FORMAT " failed authentication, %" G_GUINT64_FORMAT " replays; decoded %d video "
          "frames, %d audio frames\n",
          p->name, gst_structure_get_string(s, "connection-state"), gst_structure_get_string(s, "srtp-profile"),
          stat(s, "rtp-sent"), stat(s, "rtp-received"), stat(s, "rtcp-received"), stat(s, "drops-authentication"),
          stat(s, "drops-replay"), p->video_frames.load(), p->audio_frames.load());
  if (p->video_frames == 0 || p->audio_frames == 0)
    exit_code = 1;
  gst_structure_free(s);
}

bool build(Peer* p, int ssrc, const char* pattern, const char* wave)
{
  const std::string desc = pipeline_for(ssrc, pattern, wave);
  g_print("%s: %s\n", p->name, desc.c_str());
  GError* err = nullptr;
  p->pipeline = gst_parse_launch(desc.c_str(), &err);
  if (!p->pipeline) {
    g_printerr("%s: %s\n", p->name, err ? err->message : "cannot build the pipeline");
    g_clear_error(&err);
    return false;
  }
  p->transport = gst_bin_get_by_name(GST_BIN(p->pipeline), "t");
  count_frames(p, "video", &p->video_frames);
  count_frames(p, "audio", &p->audio_frames);
  g_signal_connect(p->transport, "on-local-candidate", G_CALLBACK(on_local_candidate), p);
  GstBus* bus = gst_element_get_bus(p->pipeline);
  gst_bus_add_watch(bus, on_bus, p);
  gst_object_unref(bus);
  return true;
}

} // namespace

int main(int argc, char** argv)
{
  gst_init(&argc, &argv);
  const int seconds = argc > 1 ? atoi(argv[1]) : 5;
  if (seconds <= 0) {
    g_printerr("usage: %s [SECONDS]\n", argv[0]);
    return 2;
  }
  Peer alice("alice"), bob("bob");
  alice.other = &bob;
  bob.other = &alice;
  if (!build(&alice, 1000, "ball", "sine") || !build(&bob, 2000, "smpte", "square"))
    return 1;
  // alice offers once her encoders have caps (the offer describes them).
  g_signal_connect(alice.transport, "on-negotiation-needed", G_CALLBACK(on_negotiation_needed), &alice);
  loop = g_main_loop_new(nullptr, FALSE);
  gst_element_set_state(bob.pipeline, GST_STATE_PLAYING);
  gst_element_set_state(alice.pipeline, GST_STATE_PLAYING);
  g_timeout_add_seconds(static_cast<guint>(seconds), [](gpointer) {
    g_main_loop_quit(loop);
    return G_SOURCE_REMOVE;
  }, nullptr);
  g_main_loop_run(loop);
  report(&alice);
  report(&bob);
  for (Peer* p : { &alice, &bob }) {
    gst_element_set_state(p->pipeline, GST_STATE_NULL);
    gst_object_unref(p->transport);
    gst_object_unref(p->pipeline);
  }
  g_main_loop_unref(loop);
  return exit_code;
}
