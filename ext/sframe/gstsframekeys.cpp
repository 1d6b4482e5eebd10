/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "gstsframekeys.h"

#include <set>

GST_DEBUG_CATEGORY_EXTERN (gst_sframe_debug);
#define GST_CAT_DEFAULT gst_sframe_debug

namespace gste2ee::glue {

namespace {

/* Counters reserved from the keyring at a time: few enough that a restart
 * wastes little of the 64-bit space, many enough that the keyring lock is
 * taken once per ~18 minutes of 60 fps video. */
constexpr guint64 kCounterBlock = 1 << 16;

sframe::CipherSuite
core_suite (GstE2eeCipherSuite s)
{
  return static_cast < sframe::CipherSuite > (s);
}

struct RingKey {
  uint64_t kid;
  bool found = false;
  GstE2eeCipherSuite suite = GST_E2EE_CIPHER_DEFAULT;
  sframe::SecretBytes key;
  uint64_t serial = 0;
};

void
find_ring_key (guint64 kid, GstE2eeCipherSuite suite, const guint8 * key, gsize len,
    guint64 serial, gpointer user_data)
{
  auto *want = static_cast < RingKey * >(user_data);
  if (kid != want->kid)
    return;
  want->found = true;
  want->suite = suite;
  want->key = sframe::SecretBytes (sframe::ByteView (key, len));
  want->serial = serial;
}

}  // namespace

bool
parse_hex_key (const gchar * hex, sframe::SecretBytes * out)
{
  const size_t len = hex ? strlen (hex) : 0;
  if (len == 0 || len % 2 != 0)
    return false;
  sframe::SecretBytes key (len / 2);
  for (size_t i = 0; i < key.size (); i++) {
    const int hi = g_ascii_xdigit_value (hex[2 * i]);
    const int lo = g_ascii_xdigit_value (hex[2 * i + 1]);
    if (hi < 0 || lo < 0)
      return false;  /* `key` wipes itself */
    key.data ()[i] = static_cast < uint8_t > (hi << 4 | lo);
  }
  *out = std::move (key);
  return true;
}

/* ------------------------------------------------------------ EncryptKeys */

void
EncryptKeys::drop_ring_key ()
{
  if (have_ring_key_)
    (void) enc_.remove_key (ring_kid_);  /* the encryptor keeps its counter */
  have_ring_key_ = false;
}

sframe::Result<uint64_t> EncryptKeys::select (const StaticKey & st, GstE2eeKeyring * keyring)
{
  if (!st.set) {
    if (static_in_enc_)
      (void) enc_.remove_key (static_kid_);
    static_in_enc_ = false;
    return select_from_keyring (keyring);
  }
  if (!static_in_enc_ || st.version != static_version_) {
    if (static_in_enc_)
      (void) enc_.remove_key (static_kid_);
    static_in_enc_ = false;
    if (have_ring_key_ && ring_kid_ == st.kid)
      drop_ring_key ();
    auto added = enc_.add_key (st.kid, core_suite (st.suite), st.key.view ());
    if (!added)
      return added.failure ();
    static_in_enc_ = true;
    static_kid_ = st.kid;
    static_version_ = st.version;
  }
  return static_kid_;
}

sframe::Result<uint64_t> EncryptKeys::select_from_keyring (GstE2eeKeyring * keyring)
{
  if (!keyring) {
    drop_ring_key ();
    return sframe::failed (sframe::Error::UnknownKeyId, "no key: set the key property or fill the keyring");
  }
  const guint generation = gst_e2ee_keyring_get_generation (keyring);
  if (keyring != seen_keyring_ || generation != seen_generation_) {
    seen_keyring_ = keyring;
    seen_generation_ = generation;
    RingKey want;
    if (!gst_e2ee_keyring_get_encrypt_kid_for_context (keyring, context_, &want.kid)) {
      drop_ring_key ();
    } else {
      gst_e2ee_keyring_foreach (keyring, find_ring_key, &want);
      const bool same = have_ring_key_ && want.found && ring_kid_ == want.kid && ring_serial_ == want.serial;
      if (!same) {
        drop_ring_key ();
        guint64 first = 0, last = 0;
        GError *err = nullptr;
        if (want.found && gst_e2ee_keyring_reserve_counters (keyring, want.kid, kCounterBlock, &first, &last, &err)) {
          auto added = enc_.add_key (want.kid, core_suite (want.suite), want.key.view (), { first, last });
          if (!added)
            return added.failure ();
          have_ring_key_ = true;
          ring_kid_ = want.kid;
          ring_serial_ = want.serial;
          GST_DEBUG ("encrypting with keyring KID %" G_GUINT64_FORMAT, want.kid);
        } else if (err) {
          GST_WARNING ("keyring KID %" G_GUINT64_FORMAT ": %s", want.kid, err->message);
          g_clear_error (&err);
        }
      }
    }
  }
  if (!have_ring_key_)
    return sframe::failed (sframe::Error::UnknownKeyId, "the keyring has no encrypt key");
  return ring_kid_;
}

bool
EncryptKeys::refill (GstE2eeKeyring * keyring, uint64_t kid)
{
  if (!keyring || !is_keyring_key (kid))
    return false;
  guint64 first = 0, last = 0;
  if (!gst_e2ee_keyring_reserve_counters (keyring, kid, kCounterBlock, &first, &last, nullptr))
    return false;
  return enc_.grant_counters (kid, { first, last }).ok ();
}

/* ------------------------------------------------------------ DecryptKeys */

void
DecryptKeys::sync (const StaticKey & st, GstE2eeKeyring * keyring, gint64 now_us, gint64 overlap_us)
{
  if (static_in_dec_ && (!st.set || st.version != static_version_)) {
    (void) dec_.remove_key (static_kid_);
    keys_.erase (static_kid_);
    static_in_dec_ = false;
  }
  if (st.set && !static_in_dec_ && !st.invalid) {
    /* The static key wins over a keyring key with the same KID. */
    if (keys_.count (st.kid)) {
      (void) dec_.remove_key (st.kid);
      keys_.erase (st.kid);
    }
    if (dec_.add_key (st.kid, core_suite (st.suite), st.key.view ())) {
      static_in_dec_ = true;
      static_kid_ = st.kid;
      keys_[st.kid] = Source ();
    }
    static_version_ = st.version;
    seen_keyring_ = nullptr;  /* re-read the keyring around the new static KID */
  }

  if (keyring && (keyring != seen_keyring_ || gst_e2ee_keyring_get_generation (keyring) != seen_generation_))
    sync_keyring (st, keyring, now_us, overlap_us);

  if (retiring_) {
    retiring_ = false;
    for (auto it = keys_.begin (); it != keys_.end ();) {
      if (it->second.retire_at != 0 && it->second.retire_at <= now_us) {
        GST_DEBUG ("overlap over: wiping KID %" G_GUINT64_FORMAT, it->first);
        (void) dec_.remove_key (it->first);
        it = keys_.erase (it);
      } else {
        retiring_ = retiring_ || it->second.retire_at != 0;
        ++it;
      }
    }
  }
}

void
DecryptKeys::sync_keyring (const StaticKey & st, GstE2eeKeyring * keyring, gint64 now_us, gint64 overlap_us)
{
  seen_keyring_ = keyring;
  seen_generation_ = gst_e2ee_keyring_get_generation (keyring);

  struct Walk {
    DecryptKeys *self;
    const StaticKey *st;
    std::set<uint64_t> present;
  } walk { this, &st, {} };

  /* Runs under the keyring lock: only touches this object. */
  auto visit = [](guint64 kid, GstE2eeCipherSuite suite, const guint8 * key, gsize len,
      guint64 serial, gpointer user_data) {
    auto *w = static_cast < Walk * >(user_data);
    DecryptKeys *self = w->self;
    if (w->st->set && self->static_in_dec_ && kid == self->static_kid_)
      return;
    w->present.insert (kid);
    auto it = self->keys_.find (kid);
    if (it != self->keys_.end () && it->second.from_keyring && it->second.serial == serial) {
      it->second.retire_at = 0;  /* back in the keyring: keep it */
      return;
    }
    if (it != self->keys_.end ()) {
      /* Replaced under the same KID: the old key must not decrypt any more. */
      (void) self->dec_.remove_key (kid);
      self->keys_.erase (it);
    }
    /* Derived on first use: an epoch of a large group brings thousands of
     * KIDs, of which only the speakers' ever carry a frame. */
    auto added = self->dec_.add_key_deferred (kid, core_suite (suite), sframe::ByteView (key, len));
    if (!added) {
      GST_WARNING ("cannot use keyring KID %" G_GUINT64_FORMAT ": %s", kid, added.message ());
      return;
    }
    Source src;
    src.from_keyring = true;
    src.serial = serial;
    self->keys_[kid] = src;
  };
  gst_e2ee_keyring_foreach (keyring, visit, &walk);

  for (auto & [kid, src] : keys_) {
    if (src.from_keyring && !walk.present.count (kid) && src.retire_at == 0)
      src.retire_at = now_us + overlap_us;
    retiring_ = retiring_ || src.retire_at != 0;
  }
}

} // namespace gste2ee::glue
