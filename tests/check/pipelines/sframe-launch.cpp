// SPDX-License-Identifier: LGPL-2.1-or-later
// The gst-launch-1.0 lines users type, run through gst_parse_launch:
//   filesrc location=IN blocksize=N ! sframeenc key=K key-id=7 cipher-suite=S ! filesink location=OUT
// must write exactly one RFC 9605 ciphertext (KID 7, counter 0) for every
// suite, which the SFrame core decrypts and sframedec turns back; a longer
// file gives one ciphertext per block with counters 0, 1, 2, ...; and an
// encoded video stream survives sframeenc ! RTP ! sframedec frame for frame
// (the demo's pipelines, without the sockets).
#include <cstddef>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <glib/gstdio.h>
#include <gst/check/gstcheck.h>
#include <gst/e2ee/e2ee.h>

#include "fatal-log-domains.h"
#include "play-to-eos.h"
#include "sframe/sframe.h"

namespace sf = gste2ee::sframe;
using Bytes = std::vector<uint8_t>;

static const char kKeyHex[] = "00112233445566778899aabbccddeeff";

static Bytes read_file(const std::string& path)
{
  std::ifstream f(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(f), {});
}

static void run(const std::string& desc)
{
  GError* err = nullptr;
  GstElement* p = gst_parse_launch(desc.c_str(), &err);
  fail_unless(p != nullptr, "%s: %s", desc.c_str(), err ? err->message : "");
  const std::string error = testutil::play_to_eos(p, 30 * GST_SECOND);
  fail_unless(error.empty(), "%s: %s", desc.c_str(), error.c_str());
  gst_object_unref(p);
}

GST_START_TEST(test_filesrc_round_trip_every_suite)
{
  gchar* dir = g_dir_make_tmp("sframe-launch-XXXXXX", nullptr);
  const std::string in = std::string(dir) + "/in.bin", out = std::string(dir) + "/out.sframe", back = std::string(dir) + "/back.bin";
  Bytes plain(1000);
  for (size_t i = 0; i < plain.size(); i++)
    plain[i] = static_cast<uint8_t>(i * 31 + 7);
  std::ofstream(in, std::ios::binary).write(reinterpret_cast<const char*>(plain.data()), static_cast<std::streamsize>(plain.size()));
  Bytes key(16);
  for (size_t i = 0; i < 16; i++)
    key[i] = static_cast<uint8_t>(i * 0x11);

  GEnumClass* suites = G_ENUM_CLASS(g_type_class_ref(GST_TYPE_E2EE_CIPHER_SUITE));
  for (int suite = 1; suite <= 8; suite++) {
    const char* nick = g_enum_get_value(suites, suite)->value_nick;
    run("filesrc location=" + in + " blocksize=1000 ! sframeenc key=" + kKeyHex + " key-id=7 cipher-suite=" + nick +
        " ! filesink location=" + out);
    const Bytes ct = read_file(out);
    const auto& info = sf::suite_info(static_cast<sf::CipherSuite>(suite));
    auto hdr = sf::decode_header(ct);
    fail_unless(hdr.ok() && hdr.value().kid == 7 && hdr.value().ctr == 0, "suite %s: header", nick);
    // Exactly one ciphertext: the 1-byte header, the plaintext's size, the tag.
    fail_unless_equals_int(hdr.value().size, 1);
    fail_unless_equals_int(ct.size(), 1 + plain.size() + info.tag_size);

    sf::Decryptor dec;
    fail_unless(dec.add_key(7, static_cast<sf::CipherSuite>(suite), key).ok());
    Bytes pt(plain.size());
    auto r = dec.unprotect(ct, {}, pt);
    fail_unless(r.ok() && pt == plain, "suite %s: the core does not decrypt the output", nick);

    run("filesrc location=" + out + " blocksize=65536 ! sframedec key=" + kKeyHex + " key-id=7 cipher-suite=" + nick +
        " ! filesink location=" + back);
    fail_unless(read_file(back) == plain, "suite %s: sframedec did not restore the file", nick);
  }
  g_type_class_unref(suites);
  for (const std::string& f : { in, out, back })
    g_unlink(f.c_str());
  g_rmdir(dir);
  g_free(dir);
}
GST_END_TEST;

// blocksize=1000 over 2500 bytes: three ciphertexts back to back, counters
// 0, 1, 2, holding 1000, 1000 and 500 bytes.
GST_START_TEST(test_filesrc_one_ciphertext_per_block)
{
  gchar* dir = g_dir_make_tmp("sframe-launch-XXXXXX", nullptr);
  const std::string in = std::string(dir) + "/in.bin", out = std::string(dir) + "/out.sframe";
  Bytes plain(2500);
  for (size_t i = 0; i < plain.size(); i++)
    plain[i] = static_cast<uint8_t>(i * 13 + 1);
  std::ofstream(in, std::ios::binary).write(reinterpret_cast<const char*>(plain.data()), static_cast<std::streamsize>(plain.size()));
  Bytes key(16);
  for (size_t i = 0; i < 16; i++)
    key[i] = static_cast<uint8_t>(i * 0x11);

  run("filesrc location=" + in + " blocksize=1000 ! sframeenc key=" + kKeyHex + " key-id=7 ! filesink location=" + out);
  const Bytes ct = read_file(out);
  const size_t tag = sf::suite_info(sf::CipherSuite::AES_128_GCM_SHA256_128).tag_size;
  sf::Decryptor dec;
  fail_unless(dec.add_key(7, sf::CipherSuite::AES_128_GCM_SHA256_128, key).ok());
  size_t pos = 0;
  const size_t blocks[] = { 1000, 1000, 500 };
  for (size_t i = 0; i < 3; i++) {
    auto hdr = sf::decode_header(sf::ByteView(ct.data() + pos, ct.size() - pos));
    fail_unless(hdr.ok() && hdr.value().kid == 7 && hdr.value().ctr == i, "block %zu: header", i);
    const size_t len = hdr.value().size + blocks[i] + tag;
    fail_unless(pos + len <= ct.size(), "block %zu: file too short", i);
    Bytes pt(blocks[i]);
    auto r = dec.unprotect(sf::ByteView(ct.data() + pos, len), {}, pt);
    fail_unless(r.ok() && r.value().ctr == i, "block %zu does not decrypt", i);
    const auto first = plain.begin() + static_cast<std::ptrdiff_t>(i * 1000);
    fail_unless(Bytes(first, first + static_cast<std::ptrdiff_t>(blocks[i])) == pt, "block %zu: wrong plaintext", i);
    pos += len;
  }
  fail_unless_equals_int(pos, ct.size());
  for (const std::string& f : { in, out })
    g_unlink(f.c_str());
  g_rmdir(dir);
  g_free(dir);
}
GST_END_TEST;

static guint64 stat(GstElement* pipeline, const char* name, const char* field)
{
  GstElement* e = gst_bin_get_by_name(GST_BIN(pipeline), name);
  GstStructure* s = nullptr;
  g_object_get(e, "stats", &s, nullptr);
  guint64 v = 0;
  fail_unless(gst_structure_get_uint64(s, field, &v));
  gst_structure_free(s);
  gst_object_unref(e);
  return v;
}

static void count_handoff(GstElement*, GstBuffer*, GstPad*, gpointer counter)
{
  g_atomic_int_inc(static_cast<gint*>(counter));
}

// Frame mode through a generic RTP payloader (the demo's pipelines joined
// without sockets), packet mode under a VP8 payloader, and frame mode with
// the VP8 clear prefix: every frame is decrypted and decoded.
GST_START_TEST(test_video_over_rtp)
{
  const std::string k = kKeyHex;
  const std::string chains[] = {
    "vp8enc deadline=1 ! sframeenc name=e key=" + k + " ! rtpgstpay ! rtpgstdepay ! sframedec name=d key=" + k + " ! vp8dec",
    "vp8enc deadline=1 ! rtpvp8pay ! sframeenc name=e key=" + k + " ! sframedec name=d key=" + k + " ! rtpvp8depay ! vp8dec",
    "vp8enc deadline=1 ! sframeenc name=e clear-prefix=vp8 key=" + k + " ! sframedec name=d clear-prefix=vp8 key=" + k + " ! vp8dec",
  };
  for (const std::string& chain : chains) {
    const std::string desc =
        "videotestsrc num-buffers=20 ! video/x-raw,width=160,height=120 ! " + chain + " ! fakesink name=s signal-handoffs=true";
    GError* err = nullptr;
    GstElement* p = gst_parse_launch(desc.c_str(), &err);
    fail_unless(p != nullptr && err == nullptr, "%s: %s", chain.c_str(), err ? err->message : "");
    gint decoded = 0;
    GstElement* sink = gst_bin_get_by_name(GST_BIN(p), "s");
    g_signal_connect(sink, "handoff", G_CALLBACK(count_handoff), &decoded);
    gst_object_unref(sink);
    gst_element_set_state(p, GST_STATE_PLAYING);
    GstBus* bus = gst_element_get_bus(p);
    GstMessage* msg = gst_bus_timed_pop_filtered(bus, 30 * GST_SECOND, static_cast<GstMessageType>(GST_MESSAGE_EOS | GST_MESSAGE_ERROR));
    fail_unless(msg && GST_MESSAGE_TYPE(msg) == GST_MESSAGE_EOS, "%s failed", chain.c_str());
    gst_message_unref(msg);
    gst_object_unref(bus);
    const guint64 sent = stat(p, "e", "frames-encrypted");
    fail_unless(sent >= 20, "%s: only %" G_GUINT64_FORMAT " encrypted", chain.c_str(), sent);
    fail_unless_equals_uint64(stat(p, "d", "frames-decrypted"), sent);
    fail_unless_equals_uint64(stat(p, "d", "dropped-authentication"), 0);
    gst_element_set_state(p, GST_STATE_NULL);
    fail_unless_equals_int(g_atomic_int_get(&decoded), 20);
    gst_object_unref(p);
  }
}
GST_END_TEST;

static Suite* launch_suite()
{
  Suite* s = suite_create("sframe-launch");
  TCase* tc = tcase_create("general");
  tcase_set_timeout(tc, 120);
  suite_add_tcase(s, tc);
  tcase_add_test(tc, test_filesrc_round_trip_every_suite);
  tcase_add_test(tc, test_filesrc_one_ciphertext_per_block);
  tcase_add_test(tc, test_video_over_rtp);
  return s;
}

GST_CHECK_MAIN(launch);
