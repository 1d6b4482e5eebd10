/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Keeps an element's SFrame core (Encryptor / Decryptor) in step with its
 * static key property and the shared keyring. Used from the streaming thread
 * with the element's state lock held; never logs key bytes. */
#pragma once

#include <map>

#include <gst/e2ee/e2ee.h>

#include "sframe/sframe.h"

namespace gste2ee::glue {

/* Parses a hex string into key bytes; false for empty, odd or non-hex. */
bool parse_hex_key (const gchar * hex, sframe::SecretBytes * out);

/* The static `key` / `key-id` / `cipher-suite` properties. `version` moves on
 * every change so the streaming thread notices it. */
struct StaticKey {
  bool set = false;
  bool invalid = false;  /* a value was given but did not parse */
  uint64_t kid = 0;
  GstE2eeCipherSuite suite = GST_E2EE_CIPHER_DEFAULT;
  sframe::SecretBytes key;
  uint64_t version = 0;
};

class EncryptKeys {
public:
  /* The KID for the next frame: the static key if set, else the keyring's
   * encrypt KID. Adds the key to the encryptor when it is new; fails with
   * UnknownKeyId when there is no usable key. */
  sframe::Result<uint64_t> select (const StaticKey & st, GstE2eeKeyring * keyring);
  /* After CounterExhausted on a keyring key: reserves the next block of
   * counters from the keyring. False if the keyring has none left. */
  bool refill (GstE2eeKeyring * keyring, uint64_t kid);
  bool is_keyring_key (uint64_t kid) const { return have_ring_key_ && ring_kid_ == kid; }
  sframe::Encryptor & encryptor () { return enc_; }
  /* Which of the keyring's per-stream encrypt KIDs this encoder follows. */
  void set_context (guint context)
  {
    if (context != context_) {
      context_ = context;
      seen_keyring_ = nullptr;  /* look again on the next frame */
    }
  }
  guint context () const { return context_; }

private:
  void drop_ring_key ();
  sframe::Result<uint64_t> select_from_keyring (GstE2eeKeyring * keyring);

  sframe::Encryptor enc_;  /* lives as long as the element: counters never restart */
  bool static_in_enc_ = false;
  uint64_t static_kid_ = 0;
  uint64_t static_version_ = 0;
  GstE2eeKeyring *seen_keyring_ = nullptr;  /* identity only, not a reference */
  guint seen_generation_ = 0;
  bool have_ring_key_ = false;
  uint64_t ring_kid_ = 0;
  uint64_t ring_serial_ = 0;
  guint context_ = 0;
};

class DecryptKeys {
public:
  explicit DecryptKeys (size_t replay_window) : dec_ (replay_window) {}
  /* Adds new keys, replaces keys whose keyring serial changed, starts the
   * overlap period of keys that left the keyring and wipes those whose period
   * ended. */
  void sync (const StaticKey & st, GstE2eeKeyring * keyring, gint64 now_us, gint64 overlap_us);
  sframe::Decryptor & decryptor () { return dec_; }

  /* Where a key in the decryptor came from. */
  struct Source {
    bool from_keyring = false;
    uint64_t serial = 0;
    gint64 retire_at = 0;  /* 0: not retiring */
  };

private:
  void sync_keyring (const StaticKey & st, GstE2eeKeyring * keyring, gint64 now_us, gint64 overlap_us);

  sframe::Decryptor dec_;
  std::map<uint64_t, Source> keys_;
  uint64_t static_version_ = 0;
  bool static_in_dec_ = false;
  uint64_t static_kid_ = 0;
  GstE2eeKeyring *seen_keyring_ = nullptr;
  guint seen_generation_ = 0;
  bool retiring_ = false;
};

} // namespace gste2ee::glue
