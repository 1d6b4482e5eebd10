// SPDX-License-Identifier: LGPL-2.1-or-later
// mlskeyer: a member prepared with mlsctl, loaded by `mlskeyer state-dir=...`
// in a gst-launch line, decrypts the SFrame frames another member of the
// group encrypts in its own line (and a stranger's group decrypts none);
// a member joins through its pads (KeyPackage out, Welcome in), follows the
// group's commits with new keys in the keyring each epoch, keeps the old
// epoch's keys for the overlap and then drops them, agrees with the others
// on the safety code, refuses garbage and foreign commits without changing
// anything, and lets go of every key when a commit removes it; a member's
// streams encrypt under KIDs of their own.
#include <atomic>
#include <string>
#include <vector>

#include <gst/app/app.h>
#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
#include <gst/e2ee/e2ee.h>

#include "count-buffers.h"
#include "fatal-log-domains.h"
#include "play-to-eos.h"
#include "mls/delivery_service.h"
#include "mls/group.h"
#include "mls/sframe_epoch.h"

namespace m = gste2ee::mls;

namespace {

std::string g_dir;

void mlsctl(const std::string& args)
{
  const std::string cmd = std::string(MLSCTL_PATH) + " " + args;
  gchar* err = nullptr;
  gint status = 0;
  fail_unless(g_spawn_command_line_sync(cmd.c_str(), nullptr, &err, &status, nullptr));
  fail_unless(g_spawn_check_wait_status(status, nullptr), "mlsctl %s: %s", args.c_str(), err);
  g_free(err);
}

std::string path(const char* name)
{
  return g_dir + "/" + name;
}

// alice creates the group and adds bob; carol has a group of her own.
void prepare_members()
{
  gchar* dir = g_dir_make_tmp("mlskeyer-XXXXXX", nullptr);
  g_dir = dir;
  g_free(dir);
  mlsctl("create --state " + path("alice") + " --identity alice --group-id 0123abcd");
  mlsctl("key-package --state " + path("bob") + " --identity bob --out " + path("bob.kp"));
  mlsctl("add --state " + path("alice") + " --key-package " + path("bob.kp") + " --commit-out " + path("add.msg") +
         " --welcome-out " + path("welcome.msg"));
  mlsctl("join --state " + path("bob") + " --welcome " + path("welcome.msg"));
  mlsctl("create --state " + path("carol") + " --identity carol --group-id 0123abcd");
}

// Encrypts `frames` VP8 frames in alice's line and returns them.
std::vector<GstSample*> alice_sends(int frames)
{
  const std::string line = "mlskeyer state-dir=" + path("alice") +
                           " videotestsrc num-buffers=" + std::to_string(frames) +
                           " ! video/x-raw,width=64,height=48 ! vp8enc deadline=1 ! sframeenc ! appsink name=out sync=false";
  GstElement* p = gst_parse_launch(line.c_str(), nullptr);
  fail_unless(p != nullptr);
  GstElement* out = gst_bin_get_by_name(GST_BIN(p), "out");
  gst_element_set_state(p, GST_STATE_PLAYING);
  std::vector<GstSample*> samples;
  while (GstSample* s = gst_app_sink_try_pull_sample(GST_APP_SINK(out), 10 * GST_SECOND))
    samples.push_back(s);
  gst_element_set_state(p, GST_STATE_NULL);
  gst_object_unref(out);
  gst_object_unref(p);
  return samples;
}

// Decrypts them in `member`'s line; returns the frames vp8dec decoded and
// sframedec's decrypted count in `*decrypted`.
int member_receives(const char* member, const std::vector<GstSample*>& samples, guint64* decrypted)
{
  const std::string line = std::string("mlskeyer state-dir=") + path(member) +
                           " appsrc name=in format=time ! sframedec name=dec ! vp8dec ! fakesink name=sink sync=false";
  GstElement* p = gst_parse_launch(line.c_str(), nullptr);
  fail_unless(p != nullptr);
  GstElement* in = gst_bin_get_by_name(GST_BIN(p), "in");
  GstElement* dec = gst_bin_get_by_name(GST_BIN(p), "dec");
  GstElement* sink = gst_bin_get_by_name(GST_BIN(p), "sink");
  std::atomic<int> decoded{ 0 };
  testutil::count_buffers(sink, "sink", &decoded);
  g_object_set(in, "caps", gst_sample_get_caps(samples.front()), nullptr);
  gst_element_set_state(p, GST_STATE_PLAYING);
  for (GstSample* s : samples)
    gst_app_src_push_buffer(GST_APP_SRC(in), gst_buffer_ref(gst_sample_get_buffer(s)));
  gst_app_src_end_of_stream(GST_APP_SRC(in));
  GstBus* bus = gst_element_get_bus(p);
  GstMessage* msg = gst_bus_timed_pop_filtered(bus, 20 * GST_SECOND,
                                               static_cast<GstMessageType>(GST_MESSAGE_EOS | GST_MESSAGE_ERROR));
  fail_unless(msg && GST_MESSAGE_TYPE(msg) == GST_MESSAGE_EOS, "%s's pipeline did not reach EOS", member);
  gst_message_unref(msg);
  gst_object_unref(bus);
  GstStructure* stats = nullptr;
  g_object_get(dec, "stats", &stats, nullptr);
  fail_unless(gst_structure_get_uint64(stats, "frames-decrypted", decrypted));
  gst_structure_free(stats);
  gst_element_set_state(p, GST_STATE_NULL);
  gst_object_unref(sink);
  gst_object_unref(dec);
  gst_object_unref(in);
  gst_object_unref(p);
  return decoded;
}

m::Bytes buffer_bytes(GstBuffer* b)
{
  GstMapInfo map;
  fail_unless(gst_buffer_map(b, &map, GST_MAP_READ));
  m::Bytes out(map.data, map.data + map.size);
  gst_buffer_unmap(b, &map);
  return out;
}

GstBuffer* message_buffer(const m::MLSMessage& msg)
{
  auto bytes = m::wire::encode(msg);
  fail_unless(bytes.ok());
  return gst_buffer_new_memdup(bytes.value().data(), bytes.value().size());
}

m::Bytes text(const char* s)
{
  return m::Bytes(s, s + strlen(s));
}

uint64_t kid(unsigned s, unsigned e, uint32_t index, uint64_t epoch)
{
  uint64_t k = 0;
  fail_unless(m::sframe_kid(m::SframeKidLayout{ s, e }, 0, index, epoch, &k));
  return k;
}

// A harnessed mlskeyer with the test's keyring, joining as `identity`.
GstHarness* joining_member(GstE2eeKeyring* keyring, const char* identity, const char* props = "")
{
  GstElement* e = gst_element_factory_make("mlskeyer", nullptr);
  g_object_set(e, "identity", identity, nullptr);
  gst_util_set_object_arg(G_OBJECT(e), "epoch-overlap", "300");
  if (*props) {
    gchar** kv = g_strsplit(props, "=", 2);
    gst_util_set_object_arg(G_OBJECT(e), kv[0], kv[1]);
    g_strfreev(kv);
  }
  GstContext* ctx = gst_e2ee_keyring_context_new(keyring);
  gst_element_set_context(e, ctx);
  gst_context_unref(ctx);
  GstBus* bus = gst_bus_new();  // for its epoch messages
  gst_element_set_bus(e, bus);
  gst_object_unref(bus);
  GstHarness* h = gst_harness_new_with_element(e, "sink", "src");
  gst_object_unref(e);
  gst_harness_set_src_caps_str(h, "application/x-mls");
  gst_harness_play(h);
  return h;
}

// Messages left on the member's bus hold references to it: drop them first.
void teardown_member(GstHarness* h)
{
  gst_bus_set_flushing(GST_ELEMENT_BUS(h->element), TRUE);
  gst_harness_teardown(h);
}

guint64 stat(GstHarness* h, const char* field)
{
  GstStructure* s = nullptr;
  g_object_get(h->element, "stats", &s, nullptr);
  guint64 v = 0;
  fail_unless(gst_structure_get_uint64(s, field, &v));
  gst_structure_free(s);
  return v;
}

guint64 epoch_of(GstHarness* h)
{
  guint64 e = 0;
  g_object_get(h->element, "epoch", &e, nullptr);
  return e;
}

// The last mlskeyer-epoch message the element posted.
GstStructure* last_epoch_message(GstHarness* h)
{
  GstBus* bus = GST_ELEMENT_BUS(h->element);
  GstStructure* last = nullptr;
  while (GstMessage* msg = gst_bus_pop_filtered(bus, GST_MESSAGE_ELEMENT)) {
    if (gst_message_has_name(msg, "mlskeyer-epoch")) {
      if (last)
        gst_structure_free(last);
      last = gst_structure_copy(gst_message_get_structure(msg));
    }
    gst_message_unref(msg);
  }
  return last;
}

// Whether the member posted a warning containing `what` (other bus
// messages are dropped on the way).
bool was_warned(GstHarness* h, const char* what)
{
  bool found = false;
  while (GstMessage* msg = gst_bus_pop_filtered(GST_ELEMENT_BUS(h->element), GST_MESSAGE_WARNING)) {
    GError* e = nullptr;
    gst_message_parse_warning(msg, &e, nullptr);
    found = found || (e && strstr(e->message, what));
    g_clear_error(&e);
    gst_message_unref(msg);
  }
  return found;
}

} // namespace

GST_START_TEST(test_mlsctl_members_decrypt_each_other_in_launch_lines)
{
  prepare_members();
  const auto frames = alice_sends(20);
  ck_assert_uint_eq(frames.size(), 20);
  guint64 decrypted = 0;
  ck_assert_int_eq(member_receives("bob", frames, &decrypted), 20);
  ck_assert_uint_eq(decrypted, 20);
  // Carol's group has the same ID but is another group: nothing decrypts.
  ck_assert_int_eq(member_receives("carol", frames, &decrypted), 0);
  ck_assert_uint_eq(decrypted, 0);
  for (GstSample* s : frames)
    gst_sample_unref(s);
}
GST_END_TEST;

// A Welcome in a file, read by filesrc in 16-byte blocks (a byte stream, not
// one message per buffer): the member that mlsctl prepared joins from it,
// and decrypts what alice then sends.
GST_START_TEST(test_welcome_from_a_file_in_a_launch_line)
{
  prepare_members();
  mlsctl("key-package --state " + path("dave") + " --identity dave --out " + path("dave.kp"));
  mlsctl("add --state " + path("alice") + " --key-package " + path("dave.kp") + " --commit-out " +
         path("add-dave.msg") + " --welcome-out " + path("welcome-dave.msg"));
  // dave's directory holds dave's KeyPackage: it says who joins, and
  // another identity is refused rather than joining as somebody else.
  GstElement* wrong = gst_element_factory_make("mlskeyer", nullptr);
  g_object_set(wrong, "state-dir", path("dave").c_str(), "identity", "mallory", nullptr);
  GstBus* wrong_bus = gst_bus_new();
  gst_element_set_bus(wrong, wrong_bus);
  fail_unless(gst_element_set_state(wrong, GST_STATE_READY) == GST_STATE_CHANGE_FAILURE);
  GstMessage* refusal = gst_bus_pop_filtered(wrong_bus, GST_MESSAGE_ERROR);
  fail_unless(refusal != nullptr);
  GError* why = nullptr;
  gst_message_parse_error(refusal, &why, nullptr);
  fail_unless(why && strstr(why->message, "KeyPackage of \"dave\""), "%s", why ? why->message : "");
  g_clear_error(&why);
  gst_message_unref(refusal);
  gst_element_set_state(wrong, GST_STATE_NULL);
  gst_element_set_bus(wrong, nullptr);
  gst_object_unref(wrong_bus);
  gst_object_unref(wrong);

  const std::string line =
    "filesrc location=" + path("welcome-dave.msg") + " blocksize=16 ! mlskeyer name=k state-dir=" + path("dave");
  GstElement* p = gst_parse_launch(line.c_str(), nullptr);
  fail_unless(p != nullptr);
  GstBus* bus = gst_element_get_bus(p);
  gst_element_set_state(p, GST_STATE_PLAYING);
  bool joined = false;
  while (!joined) {
    GstMessage* msg = gst_bus_timed_pop_filtered(
      bus, 10 * GST_SECOND, static_cast<GstMessageType>(GST_MESSAGE_ELEMENT | GST_MESSAGE_WARNING | GST_MESSAGE_ERROR));
    fail_unless(msg != nullptr, "dave never joined from the file");
    if (GST_MESSAGE_TYPE(msg) != GST_MESSAGE_ELEMENT) {
      GError* e = nullptr;
      if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_WARNING)
        gst_message_parse_warning(msg, &e, nullptr);
      else
        gst_message_parse_error(msg, &e, nullptr);
      fail("dave's line: %s", e ? e->message : "?");
    }
    joined = gst_message_has_name(msg, "mlskeyer-epoch");
    gst_message_unref(msg);
  }
  GstElement* k = gst_bin_get_by_name(GST_BIN(p), "k");
  guint64 epoch = 0;
  g_object_get(k, "epoch", &epoch, nullptr);
  ck_assert_uint_eq(epoch, 2);  // alice added bob, then dave
  gst_object_unref(k);
  gst_element_set_state(p, GST_STATE_NULL);
  gst_object_unref(bus);
  gst_object_unref(p);

  const auto frames = alice_sends(10);
  guint64 decrypted = 0;
  ck_assert_int_eq(member_receives("dave", frames, &decrypted), 10);
  ck_assert_uint_eq(decrypted, 10);
  for (GstSample* s : frames)
    gst_sample_unref(s);
}
GST_END_TEST;

// A KeyPackage written to a file by a launch line ("mlskeyer ! filesink"):
// EOS sent to the pipeline (what gst-launch-1.0 -e does on Ctrl-C) reaches
// mlskeyer, ends its stream and so the pipeline; the file is one
// MLSMessage, a KeyPackage of that identity, which mlsctl adds to a group.
GST_START_TEST(test_key_package_to_a_file_and_eos)
{
  prepare_members();
  const std::string kp_path = path("erin.kp");
  const std::string line =
    "mlskeyer name=k identity=erin state-dir=" + path("erin") + " ! filesink location=" + kp_path;
  GstElement* p = gst_parse_launch(line.c_str(), nullptr);
  fail_unless(p != nullptr);
  // filesink writes through a buffer: count what mlskeyer sends instead.
  std::atomic<int> sent{ 0 };
  GstElement* k = gst_bin_get_by_name(GST_BIN(p), "k");
  testutil::count_buffers(k, "src", &sent);
  gst_object_unref(k);
  gst_element_set_state(p, GST_STATE_PLAYING);
  const gint64 until = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;
  while (sent == 0 && g_get_monotonic_time() < until)
    g_usleep(20000);
  fail_unless(sent == 1, "mlskeyer sent %d messages, not its KeyPackage", sent.load());
  fail_unless(gst_element_send_event(p, gst_event_new_eos()));
  GstBus* bus = gst_element_get_bus(p);
  GstMessage* msg =
    gst_bus_timed_pop_filtered(bus, 10 * GST_SECOND, static_cast<GstMessageType>(GST_MESSAGE_EOS | GST_MESSAGE_ERROR));
  fail_unless(msg && GST_MESSAGE_TYPE(msg) == GST_MESSAGE_EOS, "the pipeline did not end");
  gst_message_unref(msg);
  gst_object_unref(bus);
  gst_element_set_state(p, GST_STATE_NULL);
  gst_object_unref(p);

  gchar* contents = nullptr;
  gsize size = 0;
  fail_unless(g_file_get_contents(kp_path.c_str(), &contents, &size, nullptr));
  auto decoded = m::wire::decode<m::MLSMessage>(m::Bytes(contents, contents + size));
  g_free(contents);
  fail_unless(decoded.ok(), "the file is not one MLSMessage");
  const auto* kp = std::get_if<m::KeyPackage>(&decoded.value().message);
  fail_unless(kp != nullptr);
  const auto& id = kp->leaf_node.credential.identity;
  const std::string identity(id.begin(), id.end());  // ck_assert_str_eq keeps the pointer past the statement
  ck_assert_str_eq(identity.c_str(), "erin");
  mlsctl("add --state " + path("alice") + " --key-package " + kp_path + " --commit-out " + path("add-erin.msg") +
         " --welcome-out " + path("welcome-erin.msg"));
}
GST_END_TEST;

GST_START_TEST(test_join_through_pads_and_follow_commits)
{
  GstE2eeKeyring* keyring = gst_e2ee_keyring_new();
  GstHarness* bob = joining_member(keyring, "bob");
  // Bob publishes a KeyPackage; alice (the core, as another member) adds him.
  GstBuffer* kp_buf = gst_harness_pull(bob);
  fail_unless(kp_buf != nullptr);
  auto kp_msg = m::wire::decode<m::MLSMessage>(buffer_bytes(kp_buf));
  gst_buffer_unref(kp_buf);
  fail_unless(kp_msg.ok());
  const auto* kp = std::get_if<m::KeyPackage>(&kp_msg.value().message);
  fail_unless(kp != nullptr, "bob's first message is not a KeyPackage");
  ck_assert_uint_eq(epoch_of(bob), 0);

  const auto alice_kp = m::generate_key_package(1, text("alice"), 0, UINT64_MAX).value();
  auto alice = m::Group::create(alice_kp, text("room")).value();
  auto add = alice.commit({ *kp }, {}).value();
  alice = add.next;
  // A Welcome for somebody else first (the delivery service routes each
  // to its joiners, so this one came by mistake): refused with a warning,
  // nothing changes.
  const auto other_kp = m::generate_key_package(1, text("dave"), 0, UINT64_MAX).value();
  auto other = m::Group::create(alice_kp, text("other")).value().commit({ other_kp.key_package }, {}).value();
  fail_unless_equals_int(gst_harness_push(bob, message_buffer(*other.welcome)), GST_FLOW_OK);
  ck_assert_uint_eq(stat(bob, "messages-refused"), 1);
  fail_unless(was_warned(bob, "not for us"));
  ck_assert_uint_eq(epoch_of(bob), 0);
  fail_unless_equals_int(gst_harness_push(bob, message_buffer(*add.welcome)), GST_FLOW_OK);
  ck_assert_uint_eq(epoch_of(bob), 1);

  // Keys of epoch 1 for both members (S = 1, E = 4); bob encrypts with his.
  const auto expected = m::sframe_epoch(alice, 16, 4).value();
  fail_unless(gst_e2ee_keyring_has_key(keyring, kid(1, 4, 0, 1)));
  fail_unless(gst_e2ee_keyring_has_key(keyring, kid(1, 4, 1, 1)));
  guint64 encrypt = 0;
  fail_unless(gst_e2ee_keyring_get_encrypt_kid(keyring, &encrypt));
  ck_assert_uint_eq(encrypt, kid(1, 4, 1, 1));
  GstStructure* s = last_epoch_message(bob);
  fail_unless(s != nullptr);
  ck_assert_str_eq(gst_structure_get_string(s, "safety-code"), expected.safety_code.c_str());
  const GValue* members = gst_structure_get_value(s, "members");
  ck_assert_uint_eq(gst_value_array_get_size(members), 2);
  const GValue* joined = gst_structure_get_value(s, "joined");
  ck_assert_uint_eq(gst_value_array_get_size(joined), 2);  // everyone is new to a member that just joined
  gst_structure_free(s);

  // Alice commits an update: epoch 2, new encrypt KID at once, epoch 1's
  // keys kept for the overlap (300 ms), then gone.
  auto update = alice.commit({}, {}).value();
  alice = update.next;
  fail_unless_equals_int(gst_harness_push(bob, message_buffer(update.commit)), GST_FLOW_OK);
  ck_assert_uint_eq(epoch_of(bob), 2);
  fail_unless(gst_e2ee_keyring_get_encrypt_kid(keyring, &encrypt));
  ck_assert_uint_eq(encrypt, kid(1, 4, 1, 2));
  fail_unless(gst_e2ee_keyring_has_key(keyring, kid(1, 4, 0, 1)), "epoch 1 left before its overlap");
  s = last_epoch_message(bob);
  const std::string code2 = m::sframe_epoch(alice, 16, 4).value().safety_code;
  ck_assert_str_eq(gst_structure_get_string(s, "safety-code"), code2.c_str());
  ck_assert_uint_eq(gst_value_array_get_size(gst_structure_get_value(s, "joined")), 0);
  gst_structure_free(s);
  const gint64 until = g_get_monotonic_time() + 3 * G_USEC_PER_SEC;
  while (gst_e2ee_keyring_has_key(keyring, kid(1, 4, 0, 1)) && g_get_monotonic_time() < until)
    g_usleep(20000);
  fail_if(gst_e2ee_keyring_has_key(keyring, kid(1, 4, 0, 1)), "epoch 1's keys outlived the overlap");
  fail_unless(gst_e2ee_keyring_has_key(keyring, kid(1, 4, 0, 2)));

  // Garbage and a replayed commit: refused, epoch unchanged.
  const guint8 garbage[] = { 0, 1, 0, 9, 9, 9 };
  fail_unless_equals_int(gst_harness_push(bob, gst_buffer_new_memdup(garbage, sizeof garbage)), GST_FLOW_OK);
  fail_unless_equals_int(gst_harness_push(bob, message_buffer(update.commit)), GST_FLOW_OK);
  ck_assert_uint_eq(stat(bob, "messages-refused"), 3);  // with the Welcome for dave
  ck_assert_uint_eq(epoch_of(bob), 2);

  // Alice removes bob: his keys leave the keyring at once (he encrypts
  // nothing more, and the new epoch is not his to know), and he says so.
  auto removal = alice.commit({}, { 1 }).value();
  fail_unless_equals_int(gst_harness_push(bob, message_buffer(removal.commit)), GST_FLOW_OK);
  ck_assert_uint_eq(epoch_of(bob), 0);
  ck_assert_uint_eq(gst_e2ee_keyring_get_n_keys(keyring), 0);
  fail_if(gst_e2ee_keyring_get_encrypt_kid(keyring, &encrypt));
  GstMessage* removed = gst_bus_pop_filtered(GST_ELEMENT_BUS(bob->element), GST_MESSAGE_ELEMENT);
  while (removed && !gst_message_has_name(removed, "mlskeyer-removed")) {
    gst_message_unref(removed);
    removed = gst_bus_pop_filtered(GST_ELEMENT_BUS(bob->element), GST_MESSAGE_ELEMENT);
  }
  fail_unless(removed != nullptr, "no mlskeyer-removed message");
  gst_message_unref(removed);
  teardown_member(bob);
  gst_object_unref(keyring);
}
GST_END_TEST;

GST_START_TEST(test_create_mode_and_bad_settings)
{
  GstElement* e = gst_element_factory_make("mlskeyer", nullptr);
  // No identity, no state: refused with a message saying why.
  fail_unless(gst_element_set_state(e, GST_STATE_READY) == GST_STATE_CHANGE_FAILURE);
  g_object_set(e, "identity", "alice", nullptr);
  gst_util_set_object_arg(G_OBJECT(e), "mode", "create");
  fail_unless(gst_element_set_state(e, GST_STATE_READY) == GST_STATE_CHANGE_FAILURE);  // no group-id
  g_object_set(e, "group-id", "0123abcd", nullptr);
  fail_unless(gst_element_set_state(e, GST_STATE_READY) == GST_STATE_CHANGE_SUCCESS);
  guint64 epoch = 1;
  g_object_get(e, "epoch", &epoch, nullptr);
  ck_assert_uint_eq(epoch, 0);
  gchar** members = nullptr;
  gchar* code = nullptr;
  g_object_get(e, "members", &members, "safety-code", &code, nullptr);
  fail_unless(members && g_strv_length(members) == 1);
  ck_assert_str_eq(members[0], "0:alice");
  fail_unless(code && strlen(code) == 19);
  g_strfreev(members);
  g_free(code);
  // A live source of MLS messages: sinks downstream do not wait for it.
  GstPad* src = gst_element_get_static_pad(e, "src");
  GstQuery* latency = gst_query_new_latency();
  fail_unless(gst_pad_query(src, latency));
  gboolean live = FALSE;
  GstClockTime min = GST_CLOCK_TIME_NONE;
  gst_query_parse_latency(latency, &live, &min, nullptr);
  fail_unless(live);
  ck_assert_uint_eq(min, 0);
  gst_query_unref(latency);
  gst_object_unref(src);
  gst_element_set_state(e, GST_STATE_NULL);
  gst_object_unref(e);
}
GST_END_TEST;

// A member with three streams (contexts=3): each sframeenc encrypts under its
// own context's KID (key-context), and sframedec decrypts every one of them.
GST_START_TEST(test_streams_of_a_member_have_their_own_kids)
{
  const char* line =
    "mlskeyer mode=create identity=alice group-id=0a0b contexts=3 "
    "fakesrc num-buffers=3 sizetype=fixed sizemax=100 filltype=pattern ! sframeenc name=e1 key-context=1 ! "
    "sframedec name=d1 ! fakesink "
    "fakesrc num-buffers=3 sizetype=fixed sizemax=100 filltype=pattern ! sframeenc name=e2 key-context=2 ! "
    "sframedec name=d2 ! fakesink";
  GstElement* p = gst_parse_launch(line, nullptr);
  fail_unless(p != nullptr);
  const std::string error = testutil::play_to_eos(p, 20 * GST_SECOND);
  fail_unless(error.empty(), "%s", error.c_str());
  // A group of one at epoch 0: S = 0, E = 4, so KID = context << 4.
  const guint64 want[] = { 0, 1 << 4, 2 << 4 };
  for (int i = 1; i <= 2; i++) {
    gchar* name = g_strdup_printf("e%d", i);
    GstElement* e = gst_bin_get_by_name(GST_BIN(p), name);
    name[0] = 'd';
    GstElement* d = gst_bin_get_by_name(GST_BIN(p), name);
    g_free(name);
    GstStructure *es = nullptr, *ds = nullptr;
    g_object_get(e, "stats", &es, nullptr);
    g_object_get(d, "stats", &ds, nullptr);
    guint64 kid = 0, decrypted = 0;
    fail_unless(gst_structure_get_uint64(es, "kid", &kid));
    fail_unless(gst_structure_get_uint64(ds, "frames-decrypted", &decrypted));
    ck_assert_uint_eq(kid, want[i]);
    ck_assert_uint_eq(decrypted, 3);
    gst_structure_free(es);
    gst_structure_free(ds);
    gst_object_unref(e);
    gst_object_unref(d);
  }
  gst_object_unref(p);
}
GST_END_TEST;

// Two mlskeyers joined only by a delivery service (the core, in the test):
// bob's KeyPackage reaches alice, the group's committer, who commits the
// Add after commit-delay; the service orders it, alice adopts her commit
// when it comes back, bob joins from the Welcome, and both show the same
// epoch, members and safety code.
static void relay(GstHarness* from, m::DeliveryService& ds, std::initializer_list<GstHarness*> to)
{
  while (GstBuffer* b = gst_harness_try_pull(from)) {
    const m::Bytes msg = buffer_bytes(b);
    gst_buffer_unref(b);
    if (ds.submit(msg) != m::DeliveryService::Verdict::Accepted)
      continue;
    for (GstHarness* h : to)
      fail_unless_equals_int(gst_harness_push(h, gst_buffer_new_memdup(msg.data(), msg.size())), GST_FLOW_OK);
  }
}

// A harnessed mlskeyer creating group 0c0d as `identity`.
static GstHarness* creating_member(GstE2eeKeyring* keyring, const char* identity, const char* external_sender = "")
{
  GstElement* e = gst_element_factory_make("mlskeyer", nullptr);
  g_object_set(e, "identity", identity, "group-id", "0c0d", "commit-delay", 50u, nullptr);
  if (*external_sender)
    g_object_set(e, "external-sender", external_sender, nullptr);
  gst_util_set_object_arg(G_OBJECT(e), "mode", "create");
  GstContext* ctx = gst_e2ee_keyring_context_new(keyring);
  gst_element_set_context(e, ctx);
  gst_context_unref(ctx);
  GstBus* bus = gst_bus_new();
  gst_element_set_bus(e, bus);
  gst_object_unref(bus);
  GstHarness* h = gst_harness_new_with_element(e, "sink", "src");
  gst_object_unref(e);
  gst_harness_set_src_caps_str(h, "application/x-mls");
  gst_harness_play(h);
  return h;
}

GST_START_TEST(test_committer_adds_a_newcomer_through_the_delivery_service)
{
  GstE2eeKeyring* alice_ring = gst_e2ee_keyring_new();
  GstE2eeKeyring* bob_ring = gst_e2ee_keyring_new();
  GstHarness* alice = creating_member(alice_ring, "alice");
  GstHarness* bob = joining_member(bob_ring, "bob");

  m::DeliveryService ds(m::Bytes{ 0x0c, 0x0d });
  const gint64 until = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;
  while (epoch_of(bob) == 0 && g_get_monotonic_time() < until) {
    relay(bob, ds, { alice, bob });    // bob's KeyPackage to everyone, once PLAYING
    relay(alice, ds, { alice, bob });  // alice's commit and Welcome, once she made them
    g_usleep(10000);
  }
  ck_assert_uint_eq(epoch_of(alice), 1);
  ck_assert_uint_eq(epoch_of(bob), 1);
  gchar *code_a = nullptr, *code_b = nullptr;
  gchar **members = nullptr;
  g_object_get(alice->element, "safety-code", &code_a, nullptr);
  g_object_get(bob->element, "safety-code", &code_b, "members", &members, nullptr);
  fail_unless(code_a && code_b);
  ck_assert_str_eq(code_a, code_b);
  fail_unless(g_strv_length(members) == 2);
  ck_assert_str_eq(members[0], "0:alice");
  ck_assert_str_eq(members[1], "1:bob");
  g_free(code_a);
  g_free(code_b);
  g_strfreev(members);
  // Each encrypts with its own KID of epoch 1, and holds the other's.
  guint64 kid = 0;
  fail_unless(gst_e2ee_keyring_get_encrypt_kid(alice_ring, &kid));
  ck_assert_uint_eq(kid, 1);                       // leaf 0, epoch 1 (S = 1, E = 4)
  fail_unless(gst_e2ee_keyring_has_key(bob_ring, 1));
  fail_unless(gst_e2ee_keyring_get_encrypt_kid(bob_ring, &kid));
  ck_assert_uint_eq(kid, (1 << 4) | 1);             // leaf 1, epoch 1
  fail_unless(gst_e2ee_keyring_has_key(alice_ring, (1 << 4) | 1));
  ck_assert_uint_eq(ds.epoch().value(), 1);
  teardown_member(alice);
  teardown_member(bob);
  gst_object_unref(alice_ring);
  gst_object_unref(bob_ring);
}
GST_END_TEST;

// The service fans out what every member sent, then what it originated.
static void relay_round(m::DeliveryService& ds, const std::vector<GstHarness*>& members)
{
  for (GstHarness* from : members) {
    while (GstBuffer* b = gst_harness_try_pull(from)) {
      const m::Bytes msg = buffer_bytes(b);
      gst_buffer_unref(b);
      if (ds.submit(msg) != m::DeliveryService::Verdict::Accepted)
        continue;
      for (GstHarness* h : members)
        fail_unless_equals_int(gst_harness_push(h, gst_buffer_new_memdup(msg.data(), msg.size())), GST_FLOW_OK);
    }
  }
  for (const auto& msg : ds.take_own_messages())
    for (GstHarness* h : members)
      fail_unless_equals_int(gst_harness_push(h, gst_buffer_new_memdup(msg.data(), msg.size())), GST_FLOW_OK);
}

// Relays until `done` holds (or 5 s pass, and the test's asserts tell).
template <typename Done>
static void relay_until(m::DeliveryService& ds, const std::vector<GstHarness*>& members, Done done)
{
  const gint64 until = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;
  while (!done() && g_get_monotonic_time() < until) {
    relay_round(ds, members);
    g_usleep(10000);
  }
}

static std::string safety_code_of(GstHarness* h)
{
  gchar* code = nullptr;
  g_object_get(h->element, "safety-code", &code, nullptr);
  std::string out = code ? code : "";
  g_free(code);
  return out;
}

static bool was_removed(GstHarness* h)
{
  bool removed = false;
  while (GstMessage* msg = gst_bus_pop_filtered(GST_ELEMENT_BUS(h->element), GST_MESSAGE_ELEMENT)) {
    removed = removed || gst_message_has_name(msg, "mlskeyer-removed");
    gst_message_unref(msg);
  }
  return removed;
}

// A room of three through the delivery service, whose creator lists the
// service as the group's external sender: bob leaves with the `leave`
// action and carol is thrown out by the service. Each time the remaining
// members move to a new epoch with one safety code, and the removed member
// is told and holds no key any more.
GST_START_TEST(test_members_leave_and_are_removed_by_the_server)
{
  m::DeliveryService ds(m::Bytes{ 0x0c, 0x0d });
  const auto sender = ds.make_external_sender(text("room-server")).value();
  std::string hex;
  const m::Bytes encoded = m::wire::encode(sender).value();
  for (uint8_t b : encoded)
    hex += "0123456789abcdef"[b >> 4], hex += "0123456789abcdef"[b & 15];
  GstE2eeKeyring* rings[3] = { gst_e2ee_keyring_new(), gst_e2ee_keyring_new(), gst_e2ee_keyring_new() };
  GstHarness* alice = creating_member(rings[0], "alice", hex.c_str());
  GstHarness* bob = joining_member(rings[1], "bob", "commit-delay=50");
  std::vector<GstHarness*> room = { alice, bob };
  relay_until(ds, room, [&] { return epoch_of(bob) == 1; });
  GstHarness* carol = joining_member(rings[2], "carol", "commit-delay=50");
  room.push_back(carol);
  relay_until(ds, room, [&] { return epoch_of(carol) == 2; });
  ck_assert_uint_eq(epoch_of(alice), 2);
  ck_assert_uint_eq(ds.roster().size(), 3);
  fail_unless(safety_code_of(alice) == safety_code_of(carol));

  // bob leaves: alice, the committer, commits his proposal.
  gboolean proposed = FALSE;
  g_signal_emit_by_name(bob->element, "leave", &proposed);
  fail_unless(proposed);
  relay_until(ds, room, [&] { return epoch_of(alice) == 3 && epoch_of(carol) == 3; });
  ck_assert_uint_eq(epoch_of(carol), 3);
  fail_unless(was_removed(bob));
  ck_assert_uint_eq(epoch_of(bob), 0);
  guint64 kid = 0;
  fail_if(gst_e2ee_keyring_get_encrypt_kid(rings[1], &kid));
  fail_unless(safety_code_of(alice) == safety_code_of(carol));
  fail_unless(!ds.leaf_of(text("bob")));
  gboolean again = TRUE;
  g_signal_emit_by_name(bob->element, "leave", &again);
  fail_if(again);  // not a member any more

  // The server throws carol out.
  const auto proposal = ds.propose_removal(ds.leaf_of(text("carol")).value()).value();
  for (GstHarness* h : room)
    fail_unless_equals_int(gst_harness_push(h, gst_buffer_new_memdup(proposal.data(), proposal.size())),
                           GST_FLOW_OK);
  relay_until(ds, room, [&] { return epoch_of(alice) == 4; });
  ck_assert_uint_eq(epoch_of(alice), 4);
  fail_unless(was_removed(carol));
  fail_if(gst_e2ee_keyring_get_encrypt_kid(rings[2], &kid));
  gchar** members = nullptr;
  g_object_get(alice->element, "members", &members, nullptr);
  fail_unless(g_strv_length(members) == 1);
  ck_assert_str_eq(members[0], "0:alice");
  g_strfreev(members);
  ck_assert_uint_eq(ds.roster().size(), 1);
  for (GstHarness* h : room)
    teardown_member(h);
  for (auto* r : rings)
    gst_object_unref(r);
}
GST_END_TEST;

// update-interval: members commit updates of their own leaf on their own,
// the group moves on, and everyone agrees.
GST_START_TEST(test_members_update_their_leaves_periodically)
{
  m::DeliveryService ds(m::Bytes{ 0x0c, 0x0d });
  GstE2eeKeyring* rings[2] = { gst_e2ee_keyring_new(), gst_e2ee_keyring_new() };
  GstHarness* alice = creating_member(rings[0], "alice");
  GstHarness* bob = joining_member(rings[1], "bob", "update-interval=1");
  std::vector<GstHarness*> room = { alice, bob };
  relay_until(ds, room, [&] { return epoch_of(bob) == 1; });
  ck_assert_uint_eq(epoch_of(bob), 1);
  const std::string code = safety_code_of(bob);
  relay_until(ds, room, [&] { return epoch_of(alice) >= 2 && epoch_of(bob) == epoch_of(alice); });
  ck_assert_uint_ge(epoch_of(bob), 2);
  ck_assert_uint_eq(epoch_of(alice), epoch_of(bob));
  fail_unless(safety_code_of(alice) == safety_code_of(bob));
  fail_unless(safety_code_of(bob) != code);
  for (GstHarness* h : room)
    teardown_member(h);
  for (auto* r : rings)
    gst_object_unref(r);
}
GST_END_TEST;

// The delivery service's messages as a byte stream (a TCP source chunks it
// anywhere): the Welcome and the next commit, joined and cut into 50-byte
// buffers, make bob join and follow; a message cut short by the end of the
// stream is refused with a warning.
GST_START_TEST(test_messages_cut_from_a_byte_stream)
{
  GstE2eeKeyring* keyring = gst_e2ee_keyring_new();
  GstHarness* bob = joining_member(keyring, "bob");
  GstBuffer* kp_buf = gst_harness_pull(bob);
  fail_unless(kp_buf != nullptr);
  auto kp_msg = m::wire::decode<m::MLSMessage>(buffer_bytes(kp_buf)).value();
  gst_buffer_unref(kp_buf);
  const auto alice_kp = m::generate_key_package(1, text("alice"), 0, UINT64_MAX).value();
  auto add = m::Group::create(alice_kp, text("room")).value().commit({ std::get<m::KeyPackage>(kp_msg.message) }, {}).value();
  auto update = add.next.commit({}, {}).value();
  m::Bytes stream = m::wire::encode(*add.welcome).value();
  const m::Bytes commit = m::wire::encode(update.commit).value();
  stream.insert(stream.end(), commit.begin(), commit.end());
  for (size_t at = 0; at < stream.size(); at += 50) {
    const size_t n = std::min<size_t>(50, stream.size() - at);
    fail_unless_equals_int(gst_harness_push(bob, gst_buffer_new_memdup(stream.data() + at, n)), GST_FLOW_OK);
  }
  ck_assert_uint_eq(epoch_of(bob), 2);
  ck_assert_uint_eq(stat(bob, "messages-refused"), 0);

  // Half a commit, then the end of the stream.
  auto again = update.next.commit({}, {}).value();
  const m::Bytes next = m::wire::encode(again.commit).value();
  fail_unless_equals_int(gst_harness_push(bob, gst_buffer_new_memdup(next.data(), next.size() / 2)), GST_FLOW_OK);
  ck_assert_uint_eq(stat(bob, "messages-refused"), 0);  // it waits for the rest
  fail_unless(gst_harness_push_event(bob, gst_event_new_eos()));
  ck_assert_uint_eq(stat(bob, "messages-refused"), 1);
  fail_unless(was_warned(bob, "ended inside a message"));
  ck_assert_uint_eq(epoch_of(bob), 2);
  teardown_member(bob);
  gst_object_unref(keyring);
}
GST_END_TEST;

static Suite* mlskeyer_suite()
{
  Suite* s = suite_create("mlskeyer");
  TCase* tc = tcase_create("general");
  tcase_set_timeout(tc, 120);
  suite_add_tcase(s, tc);
  tcase_add_test(tc, test_mlsctl_members_decrypt_each_other_in_launch_lines);
  tcase_add_test(tc, test_welcome_from_a_file_in_a_launch_line);
  tcase_add_test(tc, test_key_package_to_a_file_and_eos);
  tcase_add_test(tc, test_join_through_pads_and_follow_commits);
  tcase_add_test(tc, test_messages_cut_from_a_byte_stream);
  tcase_add_test(tc, test_create_mode_and_bad_settings);
  tcase_add_test(tc, test_streams_of_a_member_have_their_own_kids);
  tcase_add_test(tc, test_committer_adds_a_newcomer_through_the_delivery_service);
  tcase_add_test(tc, test_members_leave_and_are_removed_by_the_server);
  tcase_add_test(tc, test_members_update_their_leaves_periodically);
  return s;
}

GST_CHECK_MAIN(mlskeyer);
