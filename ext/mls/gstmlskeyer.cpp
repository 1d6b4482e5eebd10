/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * SECTION:element-mlskeyer
 * @title: mlskeyer
 * @see_also: sframeenc, sframedec
 *
 * End-to-end layer: one member of an MLS group (RFC 9420) that keeps the
 * pipeline's shared SFrame keyring (GstContext "gst.e2ee.keyring") filled
 * with the keys of the group's current epoch, derived as RFC 9605 section
 * 5.2 says: one base_key per epoch from the MLS exporter ("SFrame 1.0 Base
 * Key", Nk bytes of the SFrame cipher suite), and for every member the KID
 * `context << (S + E) | leaf index << E | epoch mod 2^E`, E = `epoch-bits`,
 * S the bits of the ratchet tree's width in leaves. On a new epoch the
 * encrypting KID switches at once (sframeenc then asks upstream for a key
 * frame) and the previous epochs' keys stay for frames in flight
 * (`overlap-epochs`, `epoch-overlap`), then leave the keyring, which wipes
 * them.
 *
 * MLS messages travel through pads, so any reliable transport fits: the
 * sink pad takes what the delivery service distributes, in its order (one
 * TLS-serialized MLSMessage per buffer, or a byte stream of them such as
 * a file: Welcome, PublicMessage, PrivateMessage); the src pad gives what
 * this member sends (its KeyPackage when it waits to join). With `state-dir` (the directory format
 * of `mlsctl --state`), the member's state survives restarts, and a member
 * prepared with mlsctl needs no pads at all.
 *
 * Every epoch change is an element message `mlskeyer-epoch` (epoch, own
 * leaf index, members, who joined and who left, a safety code people can
 * compare); a message that does not apply (not for this group or epoch, a
 * bad signature, a Welcome for somebody else) is counted, posted as a
 * warning, and changes nothing.
 *
 * ## Example launch line
 * A member whose state mlsctl prepared, decrypting what another member of
 * the group sends:
 * |[
 * gst-launch-1.0 mlskeyer state-dir=bob  udpsrc port=5004 caps=application/x-rtp,media=application,clock-rate=90000,encoding-name=X-GST !
 *   rtpgstdepay ! sframedec ! vp8dec ! autovideosink
 * ]|
 *
 * Since: 0.1
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstmlskeyer.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <ctime>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include <unistd.h>

#include <gst/e2ee/e2ee.h>

#include "mls/message_stream.h"
#include "mls/sframe_epoch.h"
#include "mls/sframe_key_log.h"
#include "mls/sframe_key_plan.h"
#include "mls/state_dir.h"
#include "sframe/suite.h"

GST_DEBUG_CATEGORY_STATIC (mls_keyer_debug);
#define GST_CAT_DEFAULT mls_keyer_debug

using namespace gste2ee;

namespace {

constexpr guint kDefaultMlsSuite = 1;
constexpr guint kDefaultEpochBits = 4;
constexpr guint kDefaultOverlapEpochs = 1;
constexpr guint kDefaultEpochOverlapMs = 2000;
constexpr guint kDefaultContexts = 1;
constexpr guint kDefaultCommitDelayMs = 200;
constexpr guint kDefaultUpdateIntervalS = 600;
constexpr std::chrono::milliseconds kTick (100);  /* how often old epochs and pending commits are checked */
constexpr uint64_t kKeyPackageLifetimeS = 90 * 86400;

struct Stats {
  guint64 handled = 0, refused = 0, ignored = 0, epochs = 0;
  guint64 last_rekey_us = 0;  /* message arrival to the new epoch's keys in the keyring */
};

/* Everything the GObject instance (zero-filled C) cannot hold itself. */
struct Private {
  std::mutex lock;

  /* Properties. */
  std::string identity, group_id_hex, state_dir, key_log;
  guint mls_suite = kDefaultMlsSuite;
  GstE2eeCipherSuite sframe_suite = GST_E2EE_CIPHER_DEFAULT;
  GstMlsKeyerMode mode = GST_MLS_KEYER_MODE_JOIN;
  guint epoch_bits = kDefaultEpochBits;
  guint overlap_epochs = kDefaultOverlapEpochs;
  guint epoch_overlap_ms = kDefaultEpochOverlapMs;
  guint contexts = kDefaultContexts;
  guint commit_delay_ms = kDefaultCommitDelayMs;
  guint update_interval_s = kDefaultUpdateIntervalS;
  std::string external_sender_hex;

  /* The member. */
  std::optional<mls::Group> group;
  std::optional<mls::KeyPackageSecrets> key_package;  /* published, waiting for a Welcome */
  std::unique_ptr<mls::SframeKeyPlan> plan;
  std::vector<std::pair<uint32_t, mls::Bytes>> members;
  std::string safety_code;
  Stats stats;

  /* Commit policy: KeyPackages waiting to be added (by whoever commits this
   * epoch), and our own commit until the delivery service sends it back. */
  std::vector<mls::KeyPackage> pending_adds;
  uint64_t pending_since_us = 0;
  std::optional<mls::Group::CommitResult> own_commit;
  mls::Bytes own_commit_bytes;
  uint64_t leaf_fresh_us = 0;  /* when our leaf last got new keys (join, create, our commit) */
  bool leaving = false;        /* we proposed our removal; proposed again each epoch until committed */
  bool publish_key_package = false;  /* the ticker sends our KeyPackage once PLAYING */

  /* The ticker: a thread of ours that wakes every kTick for overlap expiry
   * and the commit policy, started at READY and joined when stopping, so it
   * never outlives the element (a clock callback would hold a reference). */
  std::thread ticker;
  std::mutex ticker_lock;
  std::condition_variable ticker_wake;
  bool ticker_stop = false;
  /* What goes out on src, from the ticker and the streaming thread: one at a
   * time, so stream-start, caps and segment precede everything. Recursive:
   * a downstream that hands a message straight back to our sink pad may
   * make us send again from inside a push. */
  std::recursive_mutex push_lock;
  bool src_started = false;     /* under push_lock */
  /* EOS asked for while a push held push_lock (see send_event), with its
   * sequence number: whoever holds the lock next sends it. */
  std::atomic<bool> eos_pending{ false };
  std::atomic<guint32> eos_seqnum{ 0 };
  uint64_t message_arrived_us = 0;  /* of the message being handled; 0 outside */

  /* Whole messages out of the sink pad's buffers, whether one per buffer or
   * a byte stream (filesrc, a TCP source). Streaming thread only. */
  mls::MessageStream inbox;
};

/* What happened under the lock that must be told once it is released. */
struct Outcome {
  GstMessage *epoch_message = nullptr;
  std::vector<mls::MLSMessage> to_send;  /* pushed on src once the lock is released */
  std::string warning;
  bool notify_epoch = false;
};

std::string
identity_text (const mls::Bytes & b)
{
  return std::string (b.begin (), b.end ());
}

bool
parse_hex (const std::string & hex, mls::Bytes * out)
{
  if (hex.empty ())
    return false;
  out->resize (hex.size () / 2);
  return mls::decode_hex (hex, out->data ());
}

} // namespace

struct _GstMlsKeyer {
  GstElement parent;
  GstPad *sinkpad, *srcpad;
  GstE2eeKeyring *keyring;  /* guarded by the object lock (keyring element API) */
  Private *priv;
};

G_DEFINE_TYPE (GstMlsKeyer, gst_mls_keyer, GST_TYPE_ELEMENT);
GST_ELEMENT_REGISTER_DEFINE (mlskeyer, "mlskeyer", GST_RANK_NONE, GST_TYPE_MLS_KEYER);

enum {
  PROP_0,
  PROP_IDENTITY,
  PROP_MLS_CIPHER_SUITE,
  PROP_SFRAME_CIPHER_SUITE,
  PROP_GROUP_ID,
  PROP_MODE,
  PROP_STATE_DIR,
  PROP_EPOCH_BITS,
  PROP_OVERLAP_EPOCHS,
  PROP_EPOCH_OVERLAP,
  PROP_CONTEXTS,
  PROP_COMMIT_DELAY,
  PROP_UPDATE_INTERVAL,
  PROP_EXTERNAL_SENDER,
  PROP_KEY_LOG,
  PROP_EPOCH,
  PROP_MEMBERS,
  PROP_SAFETY_CODE,
  PROP_STATS,
};

static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE ("sink", GST_PAD_SINK, GST_PAD_ALWAYS,
    GST_STATIC_CAPS ("application/x-mls"));
static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE ("src", GST_PAD_SRC, GST_PAD_ALWAYS,
    GST_STATIC_CAPS ("application/x-mls"));

GType
gst_mls_keyer_mode_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    { GST_MLS_KEYER_MODE_JOIN, "Join: publish a KeyPackage and wait for a Welcome", "join" },
    { GST_MLS_KEYER_MODE_CREATE, "Create: start a new group of one", "create" },
    { 0, NULL, NULL },
  };
  if (g_once_init_enter (&type))
    g_once_init_leave (&type, g_enum_register_static ("GstMlsKeyerMode", values));
  return type;
}

static uint64_t
now_us ()
{
  return static_cast<uint64_t> (g_get_monotonic_time ());
}

/* ---- The keyring ---- */

/* Applies the plan's changes; keys are copied by the keyring, which wipes
 * them when they leave it. Lock held (ours; the keyring has its own). */
static void
apply_changes_locked (GstMlsKeyer * self, GstE2eeKeyring * keyring, const mls::SframeKeyPlan::Changes & c)
{
  Private *p = self->priv;
  if (!keyring || c.empty ())
    return;
  for (uint64_t kid : c.remove)
    gst_e2ee_keyring_remove_key (keyring, kid);
  for (uint64_t kid : c.add) {
    GError *err = nullptr;
    gst_e2ee_keyring_remove_key (keyring, kid);  /* a KID of a wrapped epoch the plan already let go */
    if (!gst_e2ee_keyring_add_key (keyring, kid, p->sframe_suite, c.base_key.data (), c.base_key.size (), &err)) {
      GST_WARNING_OBJECT (self, "KID %" G_GUINT64_FORMAT ": %s", kid, err->message);
      g_error_free (err);
    }
  }
  for (guint context = 0; context < c.encrypt.size (); context++) {
    GError *err = nullptr;
    if (!gst_e2ee_keyring_set_encrypt_kid_for_context (keyring, context, c.encrypt[context], &err)) {
      GST_WARNING_OBJECT (self, "encrypt KID %" G_GUINT64_FORMAT ": %s", c.encrypt[context], err->message);
      g_error_free (err);
    }
  }
}

static GstE2eeKeyring *
keyring_ref (GstMlsKeyer * self)
{
  GST_OBJECT_LOCK (self);
  GstE2eeKeyring *k = self->keyring ? GST_E2EE_KEYRING (gst_object_ref (self->keyring)) : nullptr;
  GST_OBJECT_UNLOCK (self);
  return k;
}

static GValue
member_array (const std::vector<std::pair<uint32_t, mls::Bytes>> &members)
{
  GValue array = G_VALUE_INIT;
  gst_value_array_init (&array, members.size ());
  for (const auto &m : members) {
    GValue v = G_VALUE_INIT;
    g_value_init (&v, GST_TYPE_STRUCTURE);
    GstStructure *s = gst_structure_new ("member", "leaf-index", G_TYPE_UINT, m.first, "identity", G_TYPE_STRING,
        identity_text (m.second).c_str (), NULL);
    g_value_take_boxed (&v, s);
    gst_value_array_append_and_take_value (&array, &v);
  }
  return array;
}

static GValue
identity_array (const std::vector<std::string> &ids)
{
  GValue array = G_VALUE_INIT;
  gst_value_array_init (&array, ids.size ());
  for (const auto &id : ids) {
    GValue v = G_VALUE_INIT;
    g_value_init (&v, G_TYPE_STRING);
    g_value_set_string (&v, id.c_str ());
    gst_value_array_append_and_take_value (&array, &v);
  }
  return array;
}

/* The group is in a (possibly new) epoch: keys into the keyring, and the
 * epoch message for the bus. Lock held. */
static bool
enter_epoch_locked (GstMlsKeyer * self, GstE2eeKeyring * keyring, Outcome * o)
{
  Private *p = self->priv;
  auto suite = sframe::suite_info (static_cast<uint16_t> (p->sframe_suite));
  if (!suite) {
    o->warning = "unknown SFrame cipher suite";
    return false;
  }
  auto epoch = mls::sframe_epoch (*p->group, suite.value ()->key_size, p->epoch_bits);
  if (!epoch) {
    o->warning = std::string ("cannot derive the epoch's SFrame keys: ") + epoch.message ();
    return false;
  }
  const mls::SframeEpoch &e = epoch.value ();
  if (p->plan && p->plan->has_epoch () && e.epoch <= p->plan->current_epoch ())
    return true;  /* a proposal kept for later: same epoch, same keys */
  if (!p->plan) {
    mls::SframeKeyPlan::Config config;
    config.overlap_epochs = p->overlap_epochs;
    config.overlap_us = static_cast<uint64_t> (p->epoch_overlap_ms) * 1000;
    config.contexts = p->contexts;
    p->plan = std::make_unique<mls::SframeKeyPlan> (config);
  }
  mls::SframeKeyPlan::Changes changes;
  if (!p->plan->enter (e, now_us (), &changes)) {
    o->warning = "the group is too large for epoch-bits: a KID would not fit 64 bits";
    return false;
  }
  apply_changes_locked (self, keyring, changes);
  if (!p->key_log.empty ()) {
    mls::KeyLogEntry entry;
    entry.epoch = e.epoch;
    entry.sframe_suite = static_cast<uint16_t> (p->sframe_suite);
    entry.epoch_bits = p->epoch_bits;
    entry.base_key = e.base_key;
    std::string error;
    if (!mls::append_key_log (p->key_log, entry, &error))
      o->warning = "key-log: " + error;  /* the keys are in use; only the archive's future is at stake */
  }
  if (p->message_arrived_us != 0)
    p->stats.last_rekey_us = now_us () - p->message_arrived_us;

  std::vector<std::string> joined, left;
  std::set<std::string> before, after;
  for (const auto &m : p->members)
    before.insert (identity_text (m.second));
  for (const auto &m : e.members)
    after.insert (identity_text (m.second));
  for (const auto &id : after)
    if (!before.count (id))
      joined.push_back (id);
  for (const auto &id : before)
    if (!after.count (id))
      left.push_back (id);
  p->members = e.members;
  p->safety_code = e.safety_code;
  p->stats.epochs++;

  GstStructure *s = gst_structure_new ("mlskeyer-epoch", "epoch", G_TYPE_UINT64, static_cast<guint64> (e.epoch),
      "own-leaf-index", G_TYPE_UINT, e.own_index, "safety-code", G_TYPE_STRING, e.safety_code.c_str (), NULL);
  GValue members = member_array (e.members), j = identity_array (joined), l = identity_array (left);
  gst_structure_take_value (s, "members", &members);
  gst_structure_take_value (s, "joined", &j);
  gst_structure_take_value (s, "left", &l);
  o->epoch_message = gst_message_new_element (GST_OBJECT (self), s);
  o->notify_epoch = true;
  GST_INFO_OBJECT (self, "epoch %" G_GUINT64_FORMAT ", %zu members, own leaf %u, safety code %s", e.epoch,
      e.members.size (), e.own_index, e.safety_code.c_str ());
  return true;
}

static void push_message (GstMlsKeyer * self, const mls::MLSMessage & msg);

static void
report (GstMlsKeyer * self, Outcome & o)
{
  if (o.epoch_message)
    gst_element_post_message (GST_ELEMENT (self), o.epoch_message);
  o.epoch_message = nullptr;
  if (o.notify_epoch) {
    g_object_notify (G_OBJECT (self), "epoch");
    g_object_notify (G_OBJECT (self), "members");
  }
  if (!o.warning.empty ())
    GST_ELEMENT_WARNING (self, STREAM, DECRYPT, ("MLS: %s", o.warning.c_str ()), (NULL));
  for (const auto &m : o.to_send)
    push_message (self, m);
  o.to_send.clear ();
}

/* The member's state to disk, if it has a directory. Lock held. */
static void
persist_locked (GstMlsKeyer * self, Outcome * o)
{
  Private *p = self->priv;
  if (p->state_dir.empty () || !p->group)
    return;
  std::string error;
  if (!mls::StateDir (p->state_dir).save_group (*p->group, &error))
    o->warning = "the state is not saved (a restart will not rejoin this epoch): " + error;
}

/* ---- Commit policy: one deterministic committer per epoch ---- */

/* Whether a KeyPackage's member is already in the group (its signature key
 * is a leaf's). */
static bool
in_group (const mls::Group & g, const mls::KeyPackage & kp)
{
  for (const auto &m : g.members ()) {
    const mls::LeafNode *leaf = g.tree ().leaf (m.first);
    if (leaf && leaf->signature_key == kp.leaf_node.signature_key)
      return true;
  }
  return false;
}

/* After any epoch change: what is in the group needs adding no more. */
static void
prune_pending_locked (Private * p)
{
  if (!p->group)
    return;
  p->pending_adds.erase (std::remove_if (p->pending_adds.begin (), p->pending_adds.end (),
          [&](const mls::KeyPackage & kp) { return in_group (*p->group, kp); }), p->pending_adds.end ());
  if (p->pending_adds.empty () && p->group->pending_removals ().empty ())
    p->pending_since_us = 0;
}

static bool
is_leaving (const mls::Group & g, uint32_t leaf)
{
  const auto r = g.pending_removals ();
  return std::binary_search (r.begin (), r.end (), leaf);
}

/* The committer of an epoch is the member with the lowest leaf index that
 * no proposal removes (a member cannot commit its own removal): every member
 * computes the same, so exactly one commits what is pending (the delivery
 * service settles any race anyway: first commit wins). */
static bool
is_committer_locked (const Private * p)
{
  if (!p->group)
    return false;
  for (const auto &m : p->group->members ())
    if (!is_leaving (*p->group, m.first))
      return m.first == p->group->own_leaf ();
  return false;
}

/* Called on the tick. The committer commits what is pending (KeyPackages,
 * Remove proposals) once it waited commit-delay; any member commits an
 * update of its own leaf every update-interval. Returns the commit to send;
 * it is adopted, and its Welcome sent, only when the delivery service sends
 * it back. */
static std::vector<mls::MLSMessage>
maybe_commit_locked (GstMlsKeyer * self, Outcome * o)
{
  Private *p = self->priv;
  std::vector<mls::MLSMessage> out;
  if (p->own_commit || !p->group || is_leaving (*p->group, p->group->own_leaf ()))
    return out;
  const uint64_t now = now_us ();
  const bool pending = p->pending_since_us != 0 &&
      now >= p->pending_since_us + static_cast<uint64_t> (p->commit_delay_ms) * 1000;
  const bool update_due = p->update_interval_s != 0 &&
      now >= p->leaf_fresh_us + static_cast<uint64_t> (p->update_interval_s) * G_USEC_PER_SEC;
  if (!(pending && is_committer_locked (p)) && !update_due)
    return out;
  auto result = p->group->commit (p->pending_adds, {});
  if (!result) {
    o->warning = std::string ("cannot commit the pending KeyPackages (dropped): ") + result.message ();
    p->pending_adds.clear ();
    p->pending_since_us = 0;
    p->leaf_fresh_us = now;  /* no retry on every tick */
    return out;
  }
  auto bytes = mls::wire::encode (result.value ().commit);
  if (!bytes)
    return out;
  p->own_commit_bytes = std::move (bytes).value ();
  /* The Welcome waits for the delivery service to take the commit: sent
   * now, a commit that loses its epoch would leave the newcomers in a group
   * nobody else is in. */
  out.push_back (result.value ().commit);
  p->own_commit.emplace (std::move (result).value ());
  GST_INFO_OBJECT (self, "committing %zu Add(s), %zu Remove(s)%s for epoch %" G_GUINT64_FORMAT,
      p->pending_adds.size (), p->group->pending_removals ().size (), update_due ? " and an update" : "",
      p->group->epoch ());
  return out;
}

/* ---- MLS messages from the delivery service (the sink pad) ---- */

static void
handle_message_locked (GstMlsKeyer * self, GstE2eeKeyring * keyring, const mls::Bytes & bytes, Outcome * o)
{
  Private *p = self->priv;
  auto decoded = mls::wire::decode<mls::MLSMessage> (bytes);
  if (!decoded) {
    p->stats.refused++;
    o->warning = std::string ("refused a buffer that is not an MLSMessage: ") + decoded.message ();
    return;
  }
  const mls::MLSMessage &msg = decoded.value ();
  if (const auto *welcome = std::get_if<mls::Welcome> (&msg.message)) {
    if (p->group || !p->key_package) {
      p->stats.ignored++;  /* already a member: Welcomes are for the others */
      return;
    }
    /* The delivery service routes a Welcome to the members it names (see
     * DeliveryService::recipients()); one that names none of our
     * KeyPackages reached us by mistake: counted and told, never used. */
    auto crypto = mls::Crypto::for_suite (welcome->cipher_suite);
    auto ref = crypto ? mls::key_package_ref (crypto.value (), p->key_package->key_package)
        : mls::Result<mls::Bytes> (crypto.failure ());
    const bool for_us = ref && std::any_of (welcome->secrets.begin (), welcome->secrets.end (),
        [&](const mls::EncryptedGroupSecrets & e) { return e.new_member == ref.value (); });
    if (!for_us) {
      p->stats.refused++;
      o->warning = "refused a Welcome not for us (it names none of our KeyPackages)";
      return;
    }
    auto joined = mls::Group::join (*welcome, *p->key_package, std::nullopt, {});
    if (!joined) {
      p->stats.refused++;
      o->warning = std::string ("a Welcome we cannot use: ") + joined.message ();
      return;
    }
    p->group.emplace (std::move (joined).value ());
    p->key_package.reset ();
    p->leaf_fresh_us = now_us ();
    if (!p->state_dir.empty ())
      mls::StateDir (p->state_dir).remove_key_package ();
    p->stats.handled++;
    enter_epoch_locked (self, keyring, o);
    persist_locked (self, o);
    return;
  }
  if (const auto *kp = std::get_if<mls::KeyPackage> (&msg.message)) {
    /* Somebody asks to join: kept for whoever commits this epoch. */
    if (!p->group || in_group (*p->group, *kp)) {
      p->stats.ignored++;
      return;
    }
    for (const auto &pending : p->pending_adds)
      if (pending.leaf_node.signature_key == kp->leaf_node.signature_key) {
        p->stats.ignored++;
        return;
      }
    if (p->pending_since_us == 0)
      p->pending_since_us = now_us ();
    p->pending_adds.push_back (*kp);
    p->stats.handled++;
    return;
  }
  if (!std::holds_alternative<mls::PublicMessage> (msg.message) &&
      !std::holds_alternative<mls::PrivateMessage> (msg.message)) {
    p->stats.ignored++;  /* GroupInfo is for external joiners */
    return;
  }
  if (p->own_commit && bytes == p->own_commit_bytes) {
    /* Our commit, back from the delivery service: it won the epoch, and
     * its newcomers get their Welcome. */
    if (p->own_commit->welcome)
      o->to_send.push_back (std::move (*p->own_commit->welcome));
    p->group.emplace (std::move (p->own_commit->next));
    p->own_commit.reset ();
    p->own_commit_bytes.clear ();
    p->stats.handled++;
    p->leaf_fresh_us = now_us ();
    prune_pending_locked (p);
    enter_epoch_locked (self, keyring, o);
    persist_locked (self, o);
    return;
  }
  if (!p->group) {
    p->stats.ignored++;  /* handshake of a group we are not in (yet) */
    return;
  }
  auto next = p->group->handle (msg, {});
  if (!next && next.error () == mls::Error::RemovedFromGroup) {
    /* A member committed our removal: the group goes on without us. Our keys
     * leave the keyring now (nothing more is encrypted for a group we are
     * not in, and the epochs we knew are over for us), and the saved state
     * goes, so a restart does not rejoin an epoch that ended. */
    if (p->plan)
      apply_changes_locked (self, keyring, p->plan->clear ());
    if (keyring)
      gst_e2ee_keyring_unset_encrypt_kid (keyring);
    const uint64_t epoch = p->group->epoch ();
    p->group.reset ();
    p->plan.reset ();
    p->members.clear ();
    p->safety_code.clear ();
    p->leaving = false;
    p->pending_adds.clear ();
    p->pending_since_us = 0;
    if (!p->state_dir.empty ())
      ::unlink (mls::StateDir (p->state_dir).group_path ().c_str ());
    p->stats.handled++;
    o->epoch_message = gst_message_new_element (GST_OBJECT (self), gst_structure_new ("mlskeyer-removed",
            "epoch", G_TYPE_UINT64, static_cast<guint64> (epoch + 1), NULL));
    o->notify_epoch = true;
    GST_INFO_OBJECT (self, "removed from the group at epoch %" G_GUINT64_FORMAT, epoch + 1);
    return;
  }
  if (!next) {
    p->stats.refused++;
    o->warning = std::string ("refused a handshake message: ") + next.message () + " (" +
        mls::error_name (next.error ()) + ")";
    return;
  }
  const bool new_epoch = next.value ().epoch () != p->group->epoch ();
  p->group.emplace (std::move (next).value ());
  p->stats.handled++;
  if (!new_epoch) {
    /* A proposal, kept for whoever commits this epoch. */
    if (p->pending_since_us == 0)
      p->pending_since_us = now_us ();
    return;
  }
  if (p->own_commit) {
    /* Another commit took the epoch: ours lost the race; what it carried
     * and the winner did not stays pending for the next. */
    p->own_commit.reset ();
    p->own_commit_bytes.clear ();
  }
  prune_pending_locked (p);
  if (p->leaving) {
    /* The commit came without our removal: ask again in this epoch. */
    auto again = p->group->propose_remove (p->group->own_leaf ());
    if (again)
      o->to_send.push_back (std::move (again).value ());
  }
  /* Keys first: media uses the new epoch while the state goes to disk. */
  enter_epoch_locked (self, keyring, o);
  persist_locked (self, o);
}

static void
handle_bytes (GstMlsKeyer * self, GstE2eeKeyring * keyring, const mls::Bytes & bytes, uint64_t arrived)
{
  Outcome o;
  {
    std::lock_guard<std::mutex> g (self->priv->lock);
    self->priv->message_arrived_us = arrived;
    handle_message_locked (self, keyring, bytes, &o);
    self->priv->message_arrived_us = 0;
  }
  report (self, o);
}

static void
refuse_bytes (GstMlsKeyer * self, const char *why)
{
  {
    std::lock_guard<std::mutex> g (self->priv->lock);
    self->priv->stats.refused++;
  }
  GST_ELEMENT_WARNING (self, STREAM, DECODE, ("MLS: refused bytes that are not an MLSMessage: %s", why), (NULL));
}

static GstFlowReturn
sink_chain (GstPad * pad, GstObject * parent, GstBuffer * buf)
{
  (void) pad;
  GstMlsKeyer *self = GST_MLS_KEYER (parent);
  GstMapInfo map;
  if (!gst_buffer_map (buf, &map, GST_MAP_READ)) {
    gst_buffer_unref (buf);
    return GST_FLOW_OK;
  }
  const uint64_t arrived = now_us ();
  auto pieces = self->priv->inbox.feed (map.data, map.size);
  gst_buffer_unmap (buf, &map);
  gst_buffer_unref (buf);
  GstE2eeKeyring *keyring = keyring_ref (self);
  for (const auto &piece : pieces) {
    if (piece.refused)
      refuse_bytes (self, piece.refused);
    else
      handle_bytes (self, keyring, piece.message, arrived);
  }
  gst_clear_object (&keyring);
  return GST_FLOW_OK;
}

/* ---- What this member sends (the src pad) ---- */

/* Stream-start, caps and segment before the first thing sent. push_lock
 * held. */
static void
start_src_locked (GstMlsKeyer * self)
{
  if (self->priv->src_started)
    return;
  self->priv->src_started = true;
  gchar *id = gst_pad_create_stream_id (self->srcpad, GST_ELEMENT (self), "mls");
  gst_pad_push_event (self->srcpad, gst_event_new_stream_start (id));
  g_free (id);
  GstCaps *caps = gst_caps_new_empty_simple ("application/x-mls");
  gst_pad_push_event (self->srcpad, gst_event_new_caps (caps));
  gst_caps_unref (caps);
  GstSegment seg;
  gst_segment_init (&seg, GST_FORMAT_BYTES);
  gst_pad_push_event (self->srcpad, gst_event_new_segment (&seg));
}

/* Sends a pending EOS unless a push in progress holds push_lock (which
 * then sends it: every holder calls this after releasing the lock). */
static void
push_pending_eos (GstMlsKeyer * self)
{
  Private *p = self->priv;
  if (!p->eos_pending)
    return;
  std::unique_lock<std::recursive_mutex> g (p->push_lock, std::try_to_lock);
  if (!g.owns_lock () || !p->eos_pending.exchange (false))
    return;
  start_src_locked (self);
  GstEvent *eos = gst_event_new_eos ();
  gst_event_set_seqnum (eos, p->eos_seqnum);
  gst_pad_push_event (self->srcpad, eos);
}

static void
push_message (GstMlsKeyer * self, const mls::MLSMessage & msg)
{
  auto bytes = mls::wire::encode (msg);
  if (!bytes)
    return;
  {
    std::lock_guard<std::recursive_mutex> g (self->priv->push_lock);
    start_src_locked (self);
    GstBuffer *buf = gst_buffer_new_memdup (bytes.value ().data (), bytes.value ().size ());
    const GstFlowReturn r = gst_pad_push (self->srcpad, buf);
    if (r != GST_FLOW_OK && r != GST_FLOW_NOT_LINKED)
      GST_DEBUG_OBJECT (self, "pushing an MLS message: %s", gst_flow_get_name (r));
  }
  push_pending_eos (self);
}

/* The pipeline ends (gst-launch-1.0 -e on Ctrl-C sends EOS to its source
 * elements, which this element is flagged as): what this member sends
 * ends too, so a file it was written to is complete. Never waits for a
 * push in progress: gst_element_send_event() holds the pipeline's state
 * lock, and that push may be a sink's first buffer, waiting in preroll for
 * the very state change the lock holds up; the push sends EOS when it
 * returns (push_message). */
static gboolean
send_event (GstElement * element, GstEvent * event)
{
  GstMlsKeyer *self = GST_MLS_KEYER (element);
  if (GST_EVENT_TYPE (event) != GST_EVENT_EOS)
    return GST_ELEMENT_CLASS (gst_mls_keyer_parent_class)->send_event (element, event);
  self->priv->eos_seqnum = gst_event_get_seqnum (event);
  self->priv->eos_pending = true;
  gst_event_unref (event);
  push_pending_eos (self);
  return TRUE;
}

/* ---- Starting and stopping ---- */

static bool
start_member (GstMlsKeyer * self, GstE2eeKeyring * keyring, Outcome * o, std::string * error)
{
  Private *p = self->priv;
  std::lock_guard<std::mutex> g (p->lock);
  p->plan.reset ();
  p->members.clear ();
  p->safety_code.clear ();
  p->group.reset ();
  p->key_package.reset ();
  std::optional<mls::StateDir> dir;
  if (!p->state_dir.empty ()) {
    dir.emplace (p->state_dir);
    if (!dir->ensure (error))
      return false;
  }
  if (dir && dir->has_group ()) {
    /* A member that was here before (or that mlsctl prepared). */
    if (!dir->load_group (&p->group, error))
      return false;
    p->leaf_fresh_us = now_us ();
    if (!enter_epoch_locked (self, keyring, o)) {
      *error = o->warning;
      return false;
    }
    return true;
  }
  /* Join with the KeyPackage published before (by `mlsctl key-package`, or
   * by this element before a restart that came before the Welcome): its
   * credential says who we are. */
  if (p->mode == GST_MLS_KEYER_MODE_JOIN && dir && dir->has_key_package ()) {
    mls::KeyPackageSecrets kp;
    if (!dir->load_key_package (&kp, error))
      return false;
    const std::string saved = identity_text (kp.key_package.leaf_node.credential.identity);
    if (!p->identity.empty () && p->identity != saved) {
      *error = "state-dir holds the KeyPackage of \"" + saved + "\", not of identity \"" + p->identity + "\"";
      return false;
    }
    p->key_package.emplace (std::move (kp));
    return true;
  }
  const uint64_t now = static_cast<uint64_t> (std::time (nullptr));
  if (p->identity.empty ()) {
    *error = "identity is not set (and state-dir holds neither a group nor a KeyPackage)";
    return false;
  }
  const mls::Bytes identity (p->identity.begin (), p->identity.end ());
  if (p->mode == GST_MLS_KEYER_MODE_CREATE) {
    mls::Bytes group_id;
    if (!parse_hex (p->group_id_hex, &group_id)) {
      *error = "mode=create needs group-id, in hex";
      return false;
    }
    auto kp = mls::generate_key_package (static_cast<uint16_t> (p->mls_suite), identity, now - 86400,
        now + kKeyPackageLifetimeS);
    std::vector<mls::ExternalSender> senders;
    if (!p->external_sender_hex.empty ()) {
      mls::Bytes encoded;
      auto sender = parse_hex (p->external_sender_hex, &encoded) ?
          mls::wire::decode<mls::ExternalSender> (encoded) :
          mls::Result<mls::ExternalSender> (mls::failed (mls::Error::Malformed, "not hex"));
      if (!sender) {
        *error = std::string ("external-sender is not a TLS-serialized ExternalSender in hex: ") +
            sender.message ();
        return false;
      }
      senders.push_back (std::move (sender).value ());
    }
    auto created = kp ? mls::Group::create (kp.value (), group_id, senders) :
        mls::Result<mls::Group> (kp.failure ());
    if (!created) {
      *error = std::string ("cannot create the group: ") + created.message ();
      return false;
    }
    p->group.emplace (std::move (created).value ());
    p->leaf_fresh_us = now_us ();
    persist_locked (self, o);
    if (!enter_epoch_locked (self, keyring, o)) {
      *error = o->warning;
      return false;
    }
    return true;
  }
  /* Join with a new KeyPackage, kept for a restart before the Welcome. */
  auto kp = mls::generate_key_package (static_cast<uint16_t> (p->mls_suite), identity, now - 86400,
      now + kKeyPackageLifetimeS);
  if (!kp) {
    *error = std::string ("cannot make a KeyPackage: ") + kp.message ();
    return false;
  }
  p->key_package.emplace (std::move (kp).value ());
  if (dir && !dir->save_key_package (*p->key_package, error))
    return false;
  return true;
}

static void
on_tick (GstMlsKeyer * self)
{
  Private *p = self->priv;
  GstE2eeKeyring *keyring = keyring_ref (self);
  Outcome o;
  {
    std::lock_guard<std::mutex> g (p->lock);
    if (p->plan) {
      const uint64_t due = p->plan->next_expiry_us ();
      if (due != 0 && now_us () >= due)
        apply_changes_locked (self, keyring, p->plan->expire (now_us ()));
    }
    o.to_send = maybe_commit_locked (self, &o);
    GST_OBJECT_LOCK (self);
    const bool playing = GST_STATE (self) == GST_STATE_PLAYING;
    GST_OBJECT_UNLOCK (self);
    if (p->publish_key_package && p->key_package && playing) {
      mls::MLSMessage kp;
      kp.message.emplace<mls::KeyPackage> (p->key_package->key_package);
      o.to_send.insert (o.to_send.begin (), std::move (kp));
      p->publish_key_package = false;
    }
  }
  gst_clear_object (&keyring);
  report (self, o);
}

/* The `leave` action: propose our own removal; the epoch's committer takes
 * us out, and the mlskeyer-removed message follows when its commit arrives. */
static gboolean
leave_group (GstMlsKeyer * self)
{
  Private *p = self->priv;
  Outcome o;
  {
    std::lock_guard<std::mutex> g (p->lock);
    if (!p->group)
      return FALSE;
    auto proposal = p->group->propose_remove (p->group->own_leaf ());
    if (!proposal) {
      GST_WARNING_OBJECT (self, "cannot propose leaving: %s", proposal.message ());
      return FALSE;
    }
    p->leaving = true;
    o.to_send.push_back (std::move (proposal).value ());
  }
  GST_INFO_OBJECT (self, "leaving the group");
  report (self, o);
  return TRUE;
}

static void
run_ticker (GstMlsKeyer * self)
{
  Private *p = self->priv;
  std::unique_lock<std::mutex> lk (p->ticker_lock);
  while (!p->ticker_wake.wait_for (lk, kTick, [p] { return p->ticker_stop; })) {
    lk.unlock ();
    on_tick (self);
    lk.lock ();
  }
}

static void
stop_member (GstMlsKeyer * self)
{
  Private *p = self->priv;
  if (p->ticker.joinable ()) {
    {
      std::lock_guard<std::mutex> g (p->ticker_lock);
      p->ticker_stop = true;
    }
    p->ticker_wake.notify_all ();
    p->ticker.join ();
  }
  {
    std::lock_guard<std::recursive_mutex> g (p->push_lock);
    p->src_started = false;
    p->eos_pending = false;
  }
  GstE2eeKeyring *keyring = keyring_ref (self);
  std::lock_guard<std::mutex> g (p->lock);
  /* Our keys leave the keyring with us: nothing decrypts or encrypts with
   * this member's view of the group once it stopped. */
  if (p->plan)
    apply_changes_locked (self, keyring, p->plan->clear ());
  if (keyring) {
    guint64 kid;
    if (gst_e2ee_keyring_get_encrypt_kid (keyring, &kid) && !gst_e2ee_keyring_has_key (keyring, kid))
      gst_e2ee_keyring_unset_encrypt_kid (keyring);
  }
  gst_clear_object (&keyring);
  p->plan.reset ();
  p->group.reset ();
  p->key_package.reset ();
  p->pending_adds.clear ();
  p->pending_since_us = 0;
  p->own_commit.reset ();
  p->own_commit_bytes.clear ();
  p->leaving = false;
  p->publish_key_package = false;
}

static GstStateChangeReturn
change_state (GstElement * element, GstStateChange transition)
{
  GstMlsKeyer *self = GST_MLS_KEYER (element);
  Private *p = self->priv;
  if (transition == GST_STATE_CHANGE_NULL_TO_READY) {
    GstE2eeKeyring *keyring = gst_e2ee_keyring_element_ensure (element, &self->keyring);
    Outcome o;
    std::string error;
    const bool ok = start_member (self, keyring, &o, &error);
    gst_clear_object (&keyring);
    report (self, o);
    if (!ok) {
      GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS, ("Cannot start the MLS member: %s", error.c_str ()), (NULL));
      return GST_STATE_CHANGE_FAILURE;
    }
    p->ticker_stop = false;
    try {
      p->ticker = std::thread (run_ticker, self);
    } catch (const std::system_error & e) {
      GST_ELEMENT_ERROR (self, RESOURCE, FAILED, ("Cannot start the MLS member's timer thread: %s", e.what ()), (NULL));
      stop_member (self);
      return GST_STATE_CHANGE_FAILURE;
    }
  }
  GstStateChangeReturn ret = GST_ELEMENT_CLASS (gst_mls_keyer_parent_class)->change_state (element, transition);
  if (ret == GST_STATE_CHANGE_FAILURE)
    return ret;
  if (transition == GST_STATE_CHANGE_READY_TO_PAUSED) {
    /* A member waiting to join publishes its KeyPackage, from the ticker
     * once PLAYING: pushing here, in the application's set_state, would block
     * it in a prerolling sink downstream. */
    std::lock_guard<std::mutex> g (p->lock);
    p->publish_key_package = p->key_package.has_value ();
  }
  if (transition == GST_STATE_CHANGE_READY_TO_NULL)
    stop_member (self);
  /* Like a live source, it sends what the group's life brings, not data to
   * preroll with: sinks after its src pad must not wait for it in PAUSED. */
  if (transition == GST_STATE_CHANGE_READY_TO_PAUSED || transition == GST_STATE_CHANGE_PLAYING_TO_PAUSED)
    return GST_STATE_CHANGE_NO_PREROLL;
  return ret;
}

/* ---- Context, properties, class ---- */

static void
set_context (GstElement * element, GstContext * context)
{
  GstMlsKeyer *self = GST_MLS_KEYER (element);
  gst_e2ee_keyring_element_set_context (element, &self->keyring, context);
  GST_ELEMENT_CLASS (gst_mls_keyer_parent_class)->set_context (element, context);
}

static gboolean
pad_query (GstPad * pad, GstObject * parent, GstQuery * query)
{
  GstMlsKeyer *self = GST_MLS_KEYER (parent);
  if (gst_e2ee_keyring_element_handle_query (GST_ELEMENT (self), &self->keyring, query))
    return TRUE;
  if (GST_QUERY_TYPE (query) == GST_QUERY_LATENCY && pad == self->srcpad) {
    /* A live source (it sends only while PLAYING, and returns NO_PREROLL):
     * what it sends is due as soon as it is sent. */
    gst_query_set_latency (query, TRUE, 0, GST_CLOCK_TIME_NONE);
    return TRUE;
  }
  return gst_pad_query_default (pad, parent, query);
}

static gboolean
sink_event (GstPad * pad, GstObject * parent, GstEvent * event)
{
  /* The messages are a stream of their own: nothing to forward to src. A
   * flush or a new stream drops a partial message; one left at the end of
   * the stream never gets its end. */
  (void) pad;
  GstMlsKeyer *self = GST_MLS_KEYER (parent);
  switch (GST_EVENT_TYPE (event)) {
    case GST_EVENT_FLUSH_STOP:
    case GST_EVENT_STREAM_START:
      self->priv->inbox.clear ();
      break;
    case GST_EVENT_EOS:
      if (self->priv->inbox.pending () > 0) {
        self->priv->inbox.clear ();
        refuse_bytes (self, "the stream ended inside a message");
      }
      break;
    default:
      break;
  }
  gst_event_unref (event);
  return TRUE;
}

static GstIterator *
no_internal_links (GstPad * pad, GstObject * parent)
{
  (void) pad;
  (void) parent;
  return nullptr;
}

static GstStructure *
make_stats (Private * p)
{
  return gst_structure_new ("application/x-mlskeyer-stats",
      "messages-handled", G_TYPE_UINT64, p->stats.handled,
      "messages-refused", G_TYPE_UINT64, p->stats.refused,
      "messages-ignored", G_TYPE_UINT64, p->stats.ignored,
      "epochs", G_TYPE_UINT64, p->stats.epochs,
      "last-rekey-us", G_TYPE_UINT64, p->stats.last_rekey_us,
      NULL);
}

static void
set_property (GObject * object, guint prop_id, const GValue * value, GParamSpec * pspec)
{
  Private *p = GST_MLS_KEYER (object)->priv;
  std::lock_guard<std::mutex> g (p->lock);
  const gchar *str;
  switch (prop_id) {
    case PROP_IDENTITY:
      str = g_value_get_string (value);
      p->identity = str ? str : "";
      break;
    case PROP_MLS_CIPHER_SUITE:
      p->mls_suite = g_value_get_uint (value);
      break;
    case PROP_SFRAME_CIPHER_SUITE:
      p->sframe_suite = static_cast<GstE2eeCipherSuite> (g_value_get_enum (value));
      break;
    case PROP_GROUP_ID:
      str = g_value_get_string (value);
      p->group_id_hex = str ? str : "";
      break;
    case PROP_MODE:
      p->mode = static_cast<GstMlsKeyerMode> (g_value_get_enum (value));
      break;
    case PROP_STATE_DIR:
      str = g_value_get_string (value);
      p->state_dir = str ? str : "";
      break;
    case PROP_KEY_LOG:
      str = g_value_get_string (value);
      p->key_log = str ? str : "";
      break;
    case PROP_EPOCH_BITS:
      p->epoch_bits = g_value_get_uint (value);
      break;
    case PROP_OVERLAP_EPOCHS:
      p->overlap_epochs = g_value_get_uint (value);
      break;
    case PROP_EPOCH_OVERLAP:
      p->epoch_overlap_ms = g_value_get_uint (value);
      break;
    case PROP_CONTEXTS:
      p->contexts = g_value_get_uint (value);
      break;
    case PROP_COMMIT_DELAY:
      p->commit_delay_ms = g_value_get_uint (value);
      break;
    case PROP_UPDATE_INTERVAL:
      p->update_interval_s = g_value_get_uint (value);
      break;
    case PROP_EXTERNAL_SENDER:
      str = g_value_get_string (value);
      p->external_sender_hex = str ? str : "";
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
}

static void
get_property (GObject * object, guint prop_id, GValue * value, GParamSpec * pspec)
{
  Private *p = GST_MLS_KEYER (object)->priv;
  std::lock_guard<std::mutex> g (p->lock);
  switch (prop_id) {
    case PROP_IDENTITY:
      g_value_set_string (value, p->identity.empty () ? nullptr : p->identity.c_str ());
      break;
    case PROP_MLS_CIPHER_SUITE:
      g_value_set_uint (value, p->mls_suite);
      break;
    case PROP_SFRAME_CIPHER_SUITE:
      g_value_set_enum (value, p->sframe_suite);
      break;
    case PROP_GROUP_ID:
      g_value_set_string (value, p->group_id_hex.empty () ? nullptr : p->group_id_hex.c_str ());
      break;
    case PROP_MODE:
      g_value_set_enum (value, p->mode);
      break;
    case PROP_STATE_DIR:
      g_value_set_string (value, p->state_dir.empty () ? nullptr : p->state_dir.c_str ());
      break;
    case PROP_KEY_LOG:
      g_value_set_string (value, p->key_log.empty () ? nullptr : p->key_log.c_str ());
      break;
    case PROP_EPOCH_BITS:
      g_value_set_uint (value, p->epoch_bits);
      break;
    case PROP_OVERLAP_EPOCHS:
      g_value_set_uint (value, p->overlap_epochs);
      break;
    case PROP_EPOCH_OVERLAP:
      g_value_set_uint (value, p->epoch_overlap_ms);
      break;
    case PROP_CONTEXTS:
      g_value_set_uint (value, p->contexts);
      break;
    case PROP_COMMIT_DELAY:
      g_value_set_uint (value, p->commit_delay_ms);
      break;
    case PROP_UPDATE_INTERVAL:
      g_value_set_uint (value, p->update_interval_s);
      break;
    case PROP_EXTERNAL_SENDER:
      g_value_set_string (value, p->external_sender_hex.empty () ? nullptr : p->external_sender_hex.c_str ());
      break;
    case PROP_EPOCH:
      g_value_set_uint64 (value, p->group ? p->group->epoch () : 0);
      break;
    case PROP_MEMBERS: {
      GPtrArray *ids = g_ptr_array_new ();
      for (const auto &m : p->members)
        g_ptr_array_add (ids, g_strdup_printf ("%u:%s", m.first, identity_text (m.second).c_str ()));
      g_ptr_array_add (ids, nullptr);
      g_value_take_boxed (value, g_ptr_array_free (ids, FALSE));
      break;
    }
    case PROP_SAFETY_CODE:
      g_value_set_string (value, p->safety_code.empty () ? nullptr : p->safety_code.c_str ());
      break;
    case PROP_STATS:
      g_value_take_boxed (value, make_stats (p));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
}

static void
gst_mls_keyer_init (GstMlsKeyer * self)
{
  self->priv = new Private ();
  self->sinkpad = gst_pad_new_from_static_template (&sink_template, "sink");
  gst_pad_set_chain_function (self->sinkpad, sink_chain);
  gst_pad_set_event_function (self->sinkpad, sink_event);
  gst_pad_set_query_function (self->sinkpad, pad_query);
  gst_pad_set_iterate_internal_links_function (self->sinkpad, no_internal_links);
  gst_element_add_pad (GST_ELEMENT (self), self->sinkpad);
  self->srcpad = gst_pad_new_from_static_template (&src_template, "src");
  gst_pad_use_fixed_caps (self->srcpad);
  gst_pad_set_query_function (self->srcpad, pad_query);
  gst_pad_set_iterate_internal_links_function (self->srcpad, no_internal_links);
  gst_element_add_pad (GST_ELEMENT (self), self->srcpad);
  /* A source of MLS messages: the bin hands it EOS (see send_event). Not a
   * sink: a pipeline's end never waits for the delivery service's stream. */
  GST_OBJECT_FLAG_SET (self, GST_ELEMENT_FLAG_SOURCE);
}

static void
finalize (GObject * object)
{
  GstMlsKeyer *self = GST_MLS_KEYER (object);
  stop_member (self);
  gst_clear_object (&self->keyring);
  delete self->priv;
  G_OBJECT_CLASS (gst_mls_keyer_parent_class)->finalize (object);
}

static void
gst_mls_keyer_class_init (GstMlsKeyerClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  const auto rw = static_cast<GParamFlags> (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY);
  const auto ro = static_cast<GParamFlags> (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  GST_DEBUG_CATEGORY_INIT (mls_keyer_debug, "mlskeyer", 0, "SFrame keys from an MLS group");
  gobject_class->set_property = set_property;
  gobject_class->get_property = get_property;
  gobject_class->finalize = finalize;

  g_object_class_install_property (gobject_class, PROP_IDENTITY,
      g_param_spec_string ("identity", "Identity",
          "This member's identity in its basic credential (needed unless state-dir holds a group, or a KeyPackage to join with, whose identity it then must match)", NULL, rw));
  g_object_class_install_property (gobject_class, PROP_MLS_CIPHER_SUITE,
      g_param_spec_uint ("mls-cipher-suite", "MLS cipher suite",
          "RFC 9420 cipher suite of a group this member creates or of its KeyPackage (1-7)", 1, 7,
          kDefaultMlsSuite, rw));
  g_object_class_install_property (gobject_class, PROP_SFRAME_CIPHER_SUITE,
      g_param_spec_enum ("sframe-cipher-suite", "SFrame cipher suite",
          "RFC 9605 cipher suite of the keys put in the keyring (independent of the MLS suite); every member "
          "and sframeenc/sframedec must use the same", GST_TYPE_E2EE_CIPHER_SUITE, GST_E2EE_CIPHER_DEFAULT, rw));
  g_object_class_install_property (gobject_class, PROP_GROUP_ID,
      g_param_spec_string ("group-id", "Group ID", "The group's ID in hex, for mode=create", NULL, rw));
  g_object_class_install_property (gobject_class, PROP_MODE,
      g_param_spec_enum ("mode", "Mode",
          "Without a saved group: create one, or publish a KeyPackage on src and wait for a Welcome on sink",
          GST_TYPE_MLS_KEYER_MODE, GST_MLS_KEYER_MODE_JOIN, rw));
  g_object_class_install_property (gobject_class, PROP_STATE_DIR,
      g_param_spec_string ("state-dir", "State directory",
          "Directory of this member's state, the format of mlsctl --state (group.state, key-package.state, mode "
          "0600): loaded when going to READY, saved on every change; unset: the state lives only in memory",
          NULL, rw));
  g_object_class_install_property (gobject_class, PROP_KEY_LOG,
      g_param_spec_string ("key-log", "Key log",
          "File to which every epoch's SFrame base key is appended (created 0600), so that an archive of the "
          "room's ciphertext (roomrecorder) can be decrypted later with gst-e2ee-room-archive; as secret as the "
          "meeting itself. Unset (default): keys never leave memory",
          NULL, rw));
  g_object_class_install_property (gobject_class, PROP_EPOCH_BITS,
      g_param_spec_uint ("epoch-bits", "Epoch bits",
          "E of RFC 9605 section 5.2: low bits of the epoch in each KID; at most 2^E - 1 old epochs are kept",
          1, 16, kDefaultEpochBits, rw));
  g_object_class_install_property (gobject_class, PROP_OVERLAP_EPOCHS,
      g_param_spec_uint ("overlap-epochs", "Overlap epochs",
          "Previous epochs whose keys stay for frames in flight (capped at 2^epoch-bits - 1)", 0, 65535,
          kDefaultOverlapEpochs, rw));
  g_object_class_install_property (gobject_class, PROP_EPOCH_OVERLAP,
      g_param_spec_uint ("epoch-overlap", "Epoch overlap",
          "Milliseconds a replaced epoch's keys stay for frames in flight before they leave the keyring", 0,
          600000, kDefaultEpochOverlapMs, rw));
  g_object_class_install_property (gobject_class, PROP_CONTEXTS,
      g_param_spec_uint ("contexts", "Contexts",
          "Streams per member (audio, video, screen...): each member gets this many KIDs per epoch, context values "
          "0..contexts-1, and each of this member's streams encrypts under its own (sframeenc key-context)", 1, 16,
          kDefaultContexts, rw));
  g_object_class_install_property (gobject_class, PROP_COMMIT_DELAY,
      g_param_spec_uint ("commit-delay", "Commit delay",
          "Milliseconds the epoch's committer (the member with the lowest leaf index that no proposal removes) "
          "waits, gathering KeyPackages and Remove proposals, before it commits them", 0, 60000,
          kDefaultCommitDelayMs,
          static_cast<GParamFlags> (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING)));
  g_object_class_install_property (gobject_class, PROP_UPDATE_INTERVAL,
      g_param_spec_uint ("update-interval", "Update interval",
          "Seconds between this member's updates of its own leaf (a commit with fresh leaf and path keys, for "
          "post-compromise security; the epoch and the SFrame keys change with it); 0: never", 0, 86400 * 30,
          kDefaultUpdateIntervalS,
          static_cast<GParamFlags> (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING)));
  g_object_class_install_property (gobject_class, PROP_EXTERNAL_SENDER,
      g_param_spec_string ("external-sender", "External sender",
          "For mode=create: the room server's ExternalSender (RFC 9420 section 12.1.8.1, TLS-serialized, in hex) "
          "for the group's external_senders extension, so its Remove proposals are committed like a member's",
          NULL, rw));
  g_object_class_install_property (gobject_class, PROP_EPOCH,
      g_param_spec_uint64 ("epoch", "Epoch", "The group's current epoch (0 before joining); notified on change",
          0, G_MAXUINT64, 0, ro));
  g_object_class_install_property (gobject_class, PROP_MEMBERS,
      g_param_spec_boxed ("members", "Members", "The group's members as \"leaf-index:identity\"; notified on change",
          G_TYPE_STRV, ro));
  g_object_class_install_property (gobject_class, PROP_SAFETY_CODE,
      g_param_spec_string ("safety-code", "Safety code",
          "Four groups of four digits from the epoch authenticator: the same for every member of an epoch",
          NULL, ro));
  g_object_class_install_property (gobject_class, PROP_STATS,
      g_param_spec_boxed ("stats", "Statistics",
          "messages-handled, messages-refused, messages-ignored (not for a member in this state), epochs, "
          "last-rekey-us (a message's arrival to its epoch's keys in the keyring)",
          GST_TYPE_STRUCTURE, ro));

  /**
   * GstMlsKeyer::leave:
   *
   * Proposes this member's removal from the group (a Remove proposal of its
   * own leaf on src). The epoch's committer commits it; when that commit
   * arrives the member's keys leave the keyring and `mlskeyer-removed` is
   * posted. Returns FALSE when not a member.
   */
  g_signal_new_class_handler ("leave", G_TYPE_FROM_CLASS (klass),
      static_cast<GSignalFlags> (G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION), G_CALLBACK (leave_group), NULL, NULL, NULL,
      G_TYPE_BOOLEAN, 0);

  gst_element_class_add_static_pad_template (element_class, &sink_template);
  gst_element_class_add_static_pad_template (element_class, &src_template);
  gst_element_class_set_static_metadata (element_class, "MLS keyer", "Filter/Network/Key",
      "Runs one member of an MLS group and keeps the pipeline's SFrame keyring filled with the keys of the "
      "group's epochs (RFC 9605 section 5.2)", "gst-e2ee developers");
  element_class->change_state = change_state;
  element_class->send_event = send_event;
  element_class->set_context = set_context;
  gst_type_mark_as_plugin_api (GST_TYPE_MLS_KEYER_MODE, static_cast<GstPluginAPIFlags> (0));
}
