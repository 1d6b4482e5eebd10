// SPDX-License-Identifier: LGPL-2.1-or-later
// Demo: an end-to-end encrypted (SFrame, RFC 9605) video stream over RTP on
// loopback, as two pipelines that share nothing but a UDP port:
//
//   sender:   videotestsrc ! vp8enc ! sframeenc ! rtpgstpay ! udpsink 127.0.0.1
//   receiver: udpsrc 127.0.0.1 ! rtpgstdepay ! sframedec ! vp8dec ! fakesink
//
// Frame mode: each VP8 frame becomes one SFrame ciphertext; rtpgstpay carries
// the application/x-sframe caps, from which sframedec restores video/x-vp8.
// No hop-by-hop layer (SRTP) here: the RTP packets are plain, their payloads
// are SFrame ciphertext. Prints frames sent, received, decrypted and decoded;
// exits non-zero if no frame was decrypted and decoded.
//
//   sframe-rtp-demo [FRAMES]      (default 150; run with the plugins on
//                                  GST_PLUGIN_PATH, e.g. by meson devenv)
#include <atomic>
#include <cstdlib>
#include <string>

#include <gst/gst.h>

namespace {

// Demo key, on both sides. Real deployments take keys from the shared keyring
// (docs/key-rotation.md), filled by the application or by MLS.
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

// The nick of an enum property, e.g. sframeenc's cipher-suite.
std::string enum_nick(GstElement* element, const char* property)
{
  GParamSpec* pspec = g_object_class_find_property(G_OBJECT_GET_CLASS(element), property);
  gint value = 0;
  g_object_get(element, property, &value, nullptr);
  const GEnumValue* v = g_enum_get_value(G_PARAM_SPEC_ENUM(pspec)->enum_class, value);
  return v ? v->value_nick : "?";
}

GstElement* launch(const std::string& desc)
{
  GError* err = nullptr;
  GstElement* p = gst_parse_launch(desc.c_str(), &err);
  if (!p || err) {
    g_printerr("cannot build pipeline: %s\n  %s\n", err ? err->message : "?", desc.c_str());
    g_clear_error(&err);
    if (p)
      gst_object_unref(p);
    return nullptr;
  }
  return p;
}

// Pops an error from `pipeline`'s bus, waiting up to `timeout`; true (and
// prints it) if there was one.
bool pop_error(GstElement* pipeline, GstClockTime timeout)
{
  GstBus* bus = gst_element_get_bus(pipeline);
  GstMessage* msg = gst_bus_timed_pop_filtered(bus, timeout, GST_MESSAGE_ERROR);
  if (msg) {
    GError* err = nullptr;
    gchar* debug = nullptr;
    gst_message_parse_error(msg, &err, &debug);
    g_printerr("error from %s: %s\n%s\n", GST_OBJECT_NAME(GST_MESSAGE_SRC(msg)), err->message, debug ? debug : "");
    g_clear_error(&err);
    g_free(debug);
    gst_message_unref(msg);
  }
  gst_object_unref(bus);
  return msg != nullptr;
}

// Waits for EOS or an error on `pipeline`'s bus; false on error or timeout.
bool wait_eos(GstElement* pipeline, GstClockTime timeout)
{
  GstBus* bus = gst_element_get_bus(pipeline);
  GstMessage* msg = gst_bus_timed_pop_filtered(bus, timeout, static_cast<GstMessageType>(GST_MESSAGE_EOS | GST_MESSAGE_ERROR));
  bool ok = msg && GST_MESSAGE_TYPE(msg) == GST_MESSAGE_EOS;
  if (!msg) {
    g_printerr("sender: no EOS after %" GST_TIME_FORMAT "\n", GST_TIME_ARGS(timeout));
  } else if (!ok) {
    GError* err = nullptr;
    gst_message_parse_error(msg, &err, nullptr);
    g_printerr("sender error from %s: %s\n", GST_OBJECT_NAME(GST_MESSAGE_SRC(msg)), err->message);
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
  long frames = 150;
  if (argc > 1) {
    char* end = nullptr;
    frames = std::strtol(argv[1], &end, 10);
    if (argc > 2 || *end != '\0' || frames < 1 || frames > 100000) {
      g_printerr("usage: %s [FRAMES]   (1-100000, default 150)\n", argv[0]);
      return 2;
    }
  }

  // Receiver first: udpsrc port=0 binds a free port when it goes to PAUSED,
  // and the sender is pointed at it.
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
  gst_element_set_state(receiver, GST_STATE_PLAYING);
  gst_element_get_state(receiver, nullptr, nullptr, 5 * GST_SECOND);
  gint port = 0;
  g_object_get(net, "port", &port, nullptr);
  if (port <= 0 || pop_error(receiver, 0)) {
    g_printerr("the receiver did not start (udpsrc port %d)\n", port);
    return 1;
  }

  GstElement* sender = launch("videotestsrc is-live=true num-buffers=" + std::to_string(frames) +
                              " ! video/x-raw,width=320,height=240,framerate=30/1 ! vp8enc deadline=1 keyframe-max-dist=30 ! "
                              "sframeenc name=enc key=" + kKey +
                              " ! rtpgstpay config-interval=1 ! udpsink host=127.0.0.1 port=" + std::to_string(port));
  if (!sender)
    return 1;
  GstElement* enc = gst_bin_get_by_name(GST_BIN(sender), "enc");
  guint64 kid = 0;
  g_object_get(enc, "key-id", &kid, nullptr);
  g_print("room mode: end-to-end (SFrame RFC 9605, frame mode, cipher suite %s, KID %" G_GUINT64_FORMAT
          ", static demo key)\n",
          enum_nick(enc, "cipher-suite").c_str(), kid);
  g_print("transport: RTP (rtpgstpay) over UDP 127.0.0.1:%d, no hop-by-hop layer; sending %ld VP8 frames\n", port,
          frames);
  gst_element_set_state(sender, GST_STATE_PLAYING);
  const bool sent_ok = wait_eos(sender, static_cast<GstClockTime>(frames / 30 + 30) * GST_SECOND);

  // UDP carries no EOS: wait until every sent frame is decoded, nothing has
  // arrived for a second, or the receiver failed.
  bool receiver_failed = false;
  guint64 last = 0;
  for (int idle = 0; idle < 10 && decoded < stat(enc, "frames-encrypted");) {
    if ((receiver_failed = pop_error(receiver, 100 * GST_MSECOND)))
      break;
    idle = decoded == last ? idle + 1 : 0;
    last = decoded;
  }

  const guint64 sent = stat(enc, "frames-encrypted");
  const guint64 received = stat(dec, "frames-in");
  const guint64 decrypted = stat(dec, "frames-decrypted");
  const guint64 rejected = stat(dec, "dropped-unknown-kid") + stat(dec, "dropped-authentication") +
                           stat(dec, "dropped-syntax") + stat(dec, "dropped-replay");
  g_print("frames sent (sframeenc frames-encrypted): %" G_GUINT64_FORMAT "\n", sent);
  g_print("frames received (sframedec frames-in):    %" G_GUINT64_FORMAT "\n", received);
  g_print("frames decrypted (sframedec):             %" G_GUINT64_FORMAT "\n", decrypted);
  g_print("frames rejected (sframedec dropped-*):    %" G_GUINT64_FORMAT "\n", rejected);
  g_print("frames decoded (vp8dec -> fakesink):      %" G_GUINT64_FORMAT "\n", decoded.load());

  gst_element_set_state(sender, GST_STATE_NULL);
  gst_element_set_state(receiver, GST_STATE_NULL);
  for (GstElement* e : { enc, dec, sink, net, sender, receiver })
    gst_object_unref(e);

  if (!sent_ok || receiver_failed || decrypted == 0 || decoded == 0) {
    g_print("FAILED: %s\n", !sent_ok            ? "the sender did not finish"
                            : receiver_failed    ? "the receiver reported an error"
                            : decrypted == 0     ? "no frame was decrypted"
                                                 : "no frame was decoded");
    return 1;
  }
  g_print("OK: %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT " frames decrypted end to end, %" G_GUINT64_FORMAT
          " decoded\n",
          decrypted, sent, decoded.load());
  return 0;
}
