// SPDX-License-Identifier: LGPL-2.1-or-later
// Demo: an end-to-end encrypted (SFrame) video stream over RTP on loopback.
//
//   sender:   videotestsrc ! vp8enc ! sframeenc ! rtpgstpay ! udpsink 127.0.0.1
//   receiver: udpsrc ! rtpgstdepay ! sframedec ! vp8dec ! fakesink
//
// Frame mode: each VP8 frame is one SFrame ciphertext; rtpgstpay carries the
// application/x-sframe caps, from which sframedec restores video/x-vp8.
// Prints frames sent, received, decrypted and decoded; exits non-zero if no
// frame made it through.
#include <atomic>
#include <cstdio>
#include <string>

#include <gst/gst.h>

namespace {

// Demo key: real deployments get keys from MLS (mlskeyer) or the application.
const char kKey[] = "000102030405060708090a0b0c0d0e0f";

std::atomic<guint64> decoded{ 0 };

void on_handoff(GstElement*, GstBuffer*, GstPad*, gpointer)
{
  decoded++;
}

guint64 stat(GstElement* element, const char* field)
{
  GstStructure* s = nullptr;
  g_object_get(element, "stats", &s, nullptr);
  guint64 v = 0;
  if (s) {
    gst_structure_get_uint64(s, field, &v);
    gst_structure_free(s);
  }
  return v;
}

GstElement* launch(const std::string& desc)
{
  GError* err = nullptr;
  GstElement* p = gst_parse_launch(desc.c_str(), &err);
  if (!p) {
    g_printerr("cannot build pipeline: %s\n", err ? err->message : "?");
    g_clear_error(&err);
  }
  return p;
}

// Waits for EOS or an error on the pipeline's bus; false on error.
bool wait_eos(GstElement* pipeline, GstClockTime timeout)
{
  GstBus* bus = gst_element_get_bus(pipeline);
  GstMessage* msg = gst_bus_timed_pop_filtered(bus, timeout, static_cast<GstMessageType>(GST_MESSAGE_EOS | GST_MESSAGE_ERROR));
  bool ok = msg && GST_MESSAGE_TYPE(msg) == GST_MESSAGE_EOS;
  if (msg && !ok) {
    GError* err = nullptr;
    gst_message_parse_error(msg, &err, nullptr);
    g_printerr("error: %s\n", err->message);
    g_clear_error(&err);
  }
  if (msg)
    gst_message_unref(msg);
  gst_object_unref(bus);
  return ok;
}

} // namespace

int main(int argc, char** argv)
{
  gst_init(&argc, &argv);
  const int frames = argc > 1 ? std::atoi(argv[1]) : 150;

  GstElement* receiver = launch(std::string("udpsrc name=net address=127.0.0.1 port=0 "
                                            "caps=application/x-rtp,media=application,clock-rate=90000,encoding-name=X-GST ! "
                                            "rtpgstdepay ! sframedec name=dec key=") +
                                kKey + " ! vp8dec ! fakesink name=sink signal-handoffs=true sync=false");
  if (!receiver)
    return 1;
  GstElement* dec = gst_bin_get_by_name(GST_BIN(receiver), "dec");
  GstElement* sink = gst_bin_get_by_name(GST_BIN(receiver), "sink");
  GstElement* net = gst_bin_get_by_name(GST_BIN(receiver), "net");
  g_signal_connect(sink, "handoff", G_CALLBACK(on_handoff), nullptr);
  // udpsrc binds an ephemeral port when it goes to PAUSED and reports it.
  gst_element_set_state(receiver, GST_STATE_PLAYING);
  gst_element_get_state(receiver, nullptr, nullptr, 5 * GST_SECOND);
  gint port = 0;
  g_object_get(net, "port", &port, nullptr);
  if (port <= 0) {
    g_printerr("udpsrc did not bind a port\n");
    return 1;
  }

  GstElement* sender = launch("videotestsrc is-live=true num-buffers=" + std::to_string(frames) +
                              " ! video/x-raw,width=320,height=240,framerate=30/1 ! vp8enc deadline=1 keyframe-max-dist=30 ! "
                              "sframeenc name=enc key=" + kKey +
                              " ! rtpgstpay config-interval=1 ! udpsink host=127.0.0.1 port=" + std::to_string(port));
  if (!sender)
    return 1;
  GstElement* enc = gst_bin_get_by_name(GST_BIN(sender), "enc");
  g_print("room mode: end-to-end (SFrame, frame mode, AES_128_GCM_SHA256_128), RTP over 127.0.0.1:%d\n", port);
  gst_element_set_state(sender, GST_STATE_PLAYING);
  const bool sent_ok = wait_eos(sender, 60 * GST_SECOND);

  // The network path has no EOS: wait until every sent frame is decoded or
  // nothing has arrived for a second.
  guint64 last = 0;
  for (int idle = 0; idle < 10 && decoded < stat(enc, "frames-encrypted"); ) {
    g_usleep(100 * 1000);
    idle = decoded == last ? idle + 1 : 0;
    last = decoded;
  }

  const guint64 sent = stat(enc, "frames-encrypted");
  const guint64 received = stat(dec, "frames-in");
  const guint64 decrypted = stat(dec, "frames-decrypted");
  g_print("frames sent (encrypted): %" G_GUINT64_FORMAT "\n", sent);
  g_print("frames received:         %" G_GUINT64_FORMAT "\n", received);
  g_print("frames decrypted:        %" G_GUINT64_FORMAT "\n", decrypted);
  g_print("frames decoded:          %" G_GUINT64_FORMAT "\n", decoded.load());

  gst_element_set_state(sender, GST_STATE_NULL);
  gst_element_set_state(receiver, GST_STATE_NULL);
  for (GstElement* e : { enc, dec, sink, net, sender, receiver })
    gst_object_unref(e);
  return sent_ok && decrypted > 0 && decoded > 0 ? 0 : 1;
}
