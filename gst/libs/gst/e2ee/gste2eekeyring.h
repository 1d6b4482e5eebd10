/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* GstE2eeKeyring: SFrame base keys by KID, shared by the elements of a
 * pipeline (sframeenc, sframedec) and whoever manages keys (an application,
 * mlskeyer). Elements find it through the GstContext "gst.e2ee.keyring".
 *
 * Counters: a sending key's counter must never repeat. The keyring hands out
 * disjoint blocks of counters per KID (gst_e2ee_keyring_reserve_counters), so
 * two encoders that share a KID, or an encoder that is recreated, never reuse a
 * nonce while the keyring lives; a KID that is removed and added again keeps its
 * position. */
#pragma once

#include <gst/e2ee/e2ee-prelude.h>
#include <gst/e2ee/gste2eecipher.h>

G_BEGIN_DECLS

#define GST_E2EE_KEYRING_CONTEXT_TYPE "gst.e2ee.keyring"

#define GST_TYPE_E2EE_KEYRING (gst_e2ee_keyring_get_type ())
GST_E2EE_API
G_DECLARE_FINAL_TYPE (GstE2eeKeyring, gst_e2ee_keyring, GST, E2EE_KEYRING, GstObject)

#define GST_E2EE_KEYRING_ERROR (gst_e2ee_keyring_error_quark ())
GST_E2EE_API GQuark gst_e2ee_keyring_error_quark (void);

typedef enum {
  GST_E2EE_KEYRING_ERROR_INVALID,     /* bad suite, empty key, ... */
  GST_E2EE_KEYRING_ERROR_DUPLICATE,   /* KID already present */
  GST_E2EE_KEYRING_ERROR_UNKNOWN_KID,
  GST_E2EE_KEYRING_ERROR_EXHAUSTED,   /* the KID has no counters left */
} GstE2eeKeyringError;

/* Called for each key, with the keyring's lock held: copy what is needed and
 * do not call back into the keyring. `serial` changes whenever a KID is added
 * again, so a key that was replaced between two looks is noticed. */
typedef void (*GstE2eeKeyringForeachFunc) (guint64 kid, GstE2eeCipherSuite suite,
    const guint8 * base_key, gsize base_key_len, guint64 serial, gpointer user_data);

GST_E2EE_API GstE2eeKeyring *gst_e2ee_keyring_new (void);

GST_E2EE_API gboolean gst_e2ee_keyring_add_key (GstE2eeKeyring * keyring, guint64 kid,
    GstE2eeCipherSuite suite, const guint8 * base_key, gsize base_key_len, GError ** error);
/* Same, with the key as a hex string (for bindings and action signals). */
GST_E2EE_API gboolean gst_e2ee_keyring_add_key_hex (GstE2eeKeyring * keyring, guint64 kid,
    GstE2eeCipherSuite suite, const gchar * hex_key, GError ** error);
GST_E2EE_API gboolean gst_e2ee_keyring_remove_key (GstE2eeKeyring * keyring, guint64 kid);
GST_E2EE_API gboolean gst_e2ee_keyring_has_key (GstE2eeKeyring * keyring, guint64 kid);
GST_E2EE_API guint gst_e2ee_keyring_get_n_keys (GstE2eeKeyring * keyring);

/* The KID sframeenc encrypts with; it must be present. One per stream
 * context: several streams of one sender (audio, video, screen) each encrypt
 * under a KID of their own (sframeenc's key-context property picks which);
 * the calls without a context are context 0. Removing a KID unsets it for
 * every context using it; unset_encrypt_kid unsets all contexts. */
GST_E2EE_API gboolean gst_e2ee_keyring_set_encrypt_kid (GstE2eeKeyring * keyring, guint64 kid,
    GError ** error);
GST_E2EE_API gboolean gst_e2ee_keyring_set_encrypt_kid_for_context (GstE2eeKeyring * keyring,
    guint context, guint64 kid, GError ** error);
GST_E2EE_API void gst_e2ee_keyring_unset_encrypt_kid (GstE2eeKeyring * keyring);
GST_E2EE_API gboolean gst_e2ee_keyring_get_encrypt_kid (GstE2eeKeyring * keyring, guint64 * kid);
GST_E2EE_API gboolean gst_e2ee_keyring_get_encrypt_kid_for_context (GstE2eeKeyring * keyring,
    guint context, guint64 * kid);

/* Incremented on every change; elements compare it per buffer (one atomic
 * read) and resynchronise only when it moved. */
GST_E2EE_API guint gst_e2ee_keyring_get_generation (GstE2eeKeyring * keyring);

GST_E2EE_API void gst_e2ee_keyring_foreach (GstE2eeKeyring * keyring,
    GstE2eeKeyringForeachFunc func, gpointer user_data);

/* Reserves `count` consecutive counters of `kid` for one encoder; no other
 * caller ever receives them. */
GST_E2EE_API gboolean gst_e2ee_keyring_reserve_counters (GstE2eeKeyring * keyring, guint64 kid,
    guint64 count, guint64 * first, guint64 * last, GError ** error);

/* GstContext plumbing ("gst.e2ee.keyring", persistent). */
GST_E2EE_API GstContext *gst_e2ee_keyring_context_new (GstE2eeKeyring * keyring);
GST_E2EE_API GstE2eeKeyring *gst_e2ee_keyring_from_context (GstContext * context);

/* For elements: `slot` is the element's keyring pointer, guarded by the
 * element's object lock.
 * - set_context: takes the keyring from a "gst.e2ee.keyring" context if the
 *   slot is empty.
 * - handle_query: answers a context query from the slot; TRUE if answered.
 * - ensure: if the slot is empty, asks neighbours (context query downstream
 *   and upstream), then the application (need-context), and finally creates a
 *   keyring and announces it (have-context) so the rest of the pipeline shares
 *   it. Returns a new reference to the slot's keyring. Call without holding
 *   locks: the application may answer synchronously. */
GST_E2EE_API void gst_e2ee_keyring_element_set_context (GstElement * element,
    GstE2eeKeyring ** slot, GstContext * context);
GST_E2EE_API gboolean gst_e2ee_keyring_element_handle_query (GstElement * element,
    GstE2eeKeyring ** slot, GstQuery * query);
GST_E2EE_API GstE2eeKeyring *gst_e2ee_keyring_element_ensure (GstElement * element,
    GstE2eeKeyring ** slot);

G_END_DECLS
