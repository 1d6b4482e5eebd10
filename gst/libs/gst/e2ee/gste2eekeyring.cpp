/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * SECTION:gste2eekeyring
 * @title: GstE2eeKeyring
 * @short_description: SFrame keys shared between gst-e2ee elements
 *
 * A keyring holds SFrame base keys by KID and the KID to encrypt with.
 * sframeenc and sframedec read it; an application or mlskeyer fills it while
 * the pipeline plays. Elements that have no keyring of their own find one
 * through the "gst.e2ee.keyring" GstContext, so one gst-launch-1.0 line shares
 * a single keyring without application code.
 *
 * Since: 0.1
 */
#include "gst/e2ee/gste2eekeyring.h"

#include <map>
#include <mutex>
#include <new>
#include <vector>

#include <openssl/crypto.h>

GST_DEBUG_CATEGORY_STATIC (gst_e2ee_keyring_debug);
#define GST_CAT_DEFAULT gst_e2ee_keyring_debug

namespace {

struct Entry {
  GstE2eeCipherSuite suite;
  std::vector<guint8> key;
  guint64 serial;
  ~Entry () { if (!key.empty ()) OPENSSL_cleanse (key.data (), key.size ()); }
};

/* Where a KID's counters stand; outlives the key so that a KID added again
 * never hands out a counter twice. */
struct CounterState {
  guint64 next = 0;
  bool exhausted = false;
};

struct State {
  std::mutex lock;
  std::map<guint64, Entry> keys;
  std::map<guint64, CounterState> counters;
  /* The KID each stream encrypts with, by stream context (0 is the
   * default every encoder uses unless told otherwise). */
  std::map<guint, guint64> encrypt_kids;
  guint64 next_serial = 1;
};

}  // namespace

struct _GstE2eeKeyring {
  GstObject parent;
  State *state;
  gint generation;  /* atomic */
};

enum { SIGNAL_CHANGED, LAST_SIGNAL };
static guint signals[LAST_SIGNAL];

G_DEFINE_TYPE_WITH_CODE (GstE2eeKeyring, gst_e2ee_keyring, GST_TYPE_OBJECT,
    GST_DEBUG_CATEGORY_INIT (gst_e2ee_keyring_debug, "e2eekeyring", 0, "gst-e2ee keyring"));

G_DEFINE_QUARK (gst-e2ee-keyring-error-quark, gst_e2ee_keyring_error);

static void
gst_e2ee_keyring_finalize (GObject * object)
{
  GstE2eeKeyring *self = GST_E2EE_KEYRING (object);
  delete self->state;  /* entries wipe their keys */
  G_OBJECT_CLASS (gst_e2ee_keyring_parent_class)->finalize (object);
}

static void
gst_e2ee_keyring_class_init (GstE2eeKeyringClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  gobject_class->finalize = gst_e2ee_keyring_finalize;

  /**
   * GstE2eeKeyring::changed:
   *
   * Emitted after a key was added or removed or the encrypt KID changed, from
   * the thread that made the change, with no lock held.
   */
  signals[SIGNAL_CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass),
      G_SIGNAL_RUN_LAST, 0, nullptr, nullptr, nullptr, G_TYPE_NONE, 0);
}

static void
gst_e2ee_keyring_init (GstE2eeKeyring * self)
{
  self->state = new State ();
}

static void
changed (GstE2eeKeyring * self)
{
  g_atomic_int_inc (&self->generation);
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}

GstE2eeKeyring *
gst_e2ee_keyring_new (void)
{
  return GST_E2EE_KEYRING (gst_object_ref_sink (g_object_new (GST_TYPE_E2EE_KEYRING, nullptr)));
}

gboolean
gst_e2ee_keyring_add_key (GstE2eeKeyring * keyring, guint64 kid, GstE2eeCipherSuite suite,
    const guint8 * base_key, gsize base_key_len, GError ** error)
{
  g_return_val_if_fail (GST_IS_E2EE_KEYRING (keyring), FALSE);
  if (!gst_e2ee_cipher_suite_is_valid (suite)) {
    g_set_error (error, GST_E2EE_KEYRING_ERROR, GST_E2EE_KEYRING_ERROR_INVALID,
        "unsupported SFrame cipher suite %d", (int) suite);
    return FALSE;
  }
  if (base_key == nullptr || base_key_len == 0) {
    g_set_error (error, GST_E2EE_KEYRING_ERROR, GST_E2EE_KEYRING_ERROR_INVALID, "empty key");
    return FALSE;
  }
  {
    std::lock_guard < std::mutex > guard (keyring->state->lock);
    State & s = *keyring->state;
    if (s.keys.count (kid)) {
      g_set_error (error, GST_E2EE_KEYRING_ERROR, GST_E2EE_KEYRING_ERROR_DUPLICATE,
          "KID %" G_GUINT64_FORMAT " already has a key; remove it first", kid);
      return FALSE;
    }
    Entry & e = s.keys[kid];
    e.suite = suite;
    e.key.assign (base_key, base_key + base_key_len);
    e.serial = s.next_serial++;
  }
  GST_DEBUG_OBJECT (keyring, "added KID %" G_GUINT64_FORMAT, kid);  /* never the key */
  changed (keyring);
  return TRUE;
}

gboolean
gst_e2ee_keyring_add_key_hex (GstE2eeKeyring * keyring, guint64 kid, GstE2eeCipherSuite suite,
    const gchar * hex_key, GError ** error)
{
  g_return_val_if_fail (GST_IS_E2EE_KEYRING (keyring), FALSE);
  const gsize len = hex_key ? strlen (hex_key) : 0;
  if (len == 0 || len % 2 != 0) {
    g_set_error (error, GST_E2EE_KEYRING_ERROR, GST_E2EE_KEYRING_ERROR_INVALID,
        "key must be a non-empty even number of hex digits");
    return FALSE;
  }
  std::vector < guint8 > key (len / 2);
  for (gsize i = 0; i < key.size (); i++) {
    const int hi = g_ascii_xdigit_value (hex_key[2 * i]);
    const int lo = g_ascii_xdigit_value (hex_key[2 * i + 1]);
    if (hi < 0 || lo < 0) {
      OPENSSL_cleanse (key.data (), key.size ());
      g_set_error (error, GST_E2EE_KEYRING_ERROR, GST_E2EE_KEYRING_ERROR_INVALID,
          "key is not hexadecimal");
      return FALSE;
    }
    key[i] = static_cast < guint8 > (hi << 4 | lo);
  }
  const gboolean ok = gst_e2ee_keyring_add_key (keyring, kid, suite, key.data (), key.size (), error);
  OPENSSL_cleanse (key.data (), key.size ());
  return ok;
}

gboolean
gst_e2ee_keyring_remove_key (GstE2eeKeyring * keyring, guint64 kid)
{
  g_return_val_if_fail (GST_IS_E2EE_KEYRING (keyring), FALSE);
  {
    std::lock_guard < std::mutex > guard (keyring->state->lock);
    State & s = *keyring->state;
    if (s.keys.erase (kid) == 0)
      return FALSE;
    for (auto it = s.encrypt_kids.begin (); it != s.encrypt_kids.end ();)
      it = it->second == kid ? s.encrypt_kids.erase (it) : std::next (it);
  }
  GST_DEBUG_OBJECT (keyring, "removed KID %" G_GUINT64_FORMAT, kid);
  changed (keyring);
  return TRUE;
}

gboolean
gst_e2ee_keyring_has_key (GstE2eeKeyring * keyring, guint64 kid)
{
  g_return_val_if_fail (GST_IS_E2EE_KEYRING (keyring), FALSE);
  std::lock_guard < std::mutex > guard (keyring->state->lock);
  return keyring->state->keys.count (kid) != 0;
}

guint
gst_e2ee_keyring_get_n_keys (GstE2eeKeyring * keyring)
{
  g_return_val_if_fail (GST_IS_E2EE_KEYRING (keyring), 0);
  std::lock_guard < std::mutex > guard (keyring->state->lock);
  return static_cast < guint > (keyring->state->keys.size ());
}

gboolean
gst_e2ee_keyring_set_encrypt_kid_for_context (GstE2eeKeyring * keyring, guint context, guint64 kid,
    GError ** error)
{
  g_return_val_if_fail (GST_IS_E2EE_KEYRING (keyring), FALSE);
  {
    std::lock_guard < std::mutex > guard (keyring->state->lock);
    State & s = *keyring->state;
    if (!s.keys.count (kid)) {
      g_set_error (error, GST_E2EE_KEYRING_ERROR, GST_E2EE_KEYRING_ERROR_UNKNOWN_KID,
          "no key with KID %" G_GUINT64_FORMAT, kid);
      return FALSE;
    }
    auto it = s.encrypt_kids.find (context);
    if (it != s.encrypt_kids.end () && it->second == kid)
      return TRUE;
    s.encrypt_kids[context] = kid;
  }
  GST_DEBUG_OBJECT (keyring, "stream context %u encrypts with KID %" G_GUINT64_FORMAT, context, kid);
  changed (keyring);
  return TRUE;
}

gboolean
gst_e2ee_keyring_set_encrypt_kid (GstE2eeKeyring * keyring, guint64 kid, GError ** error)
{
  return gst_e2ee_keyring_set_encrypt_kid_for_context (keyring, 0, kid, error);
}

void
gst_e2ee_keyring_unset_encrypt_kid (GstE2eeKeyring * keyring)
{
  g_return_if_fail (GST_IS_E2EE_KEYRING (keyring));
  {
    std::lock_guard < std::mutex > guard (keyring->state->lock);
    if (keyring->state->encrypt_kids.empty ())
      return;
    keyring->state->encrypt_kids.clear ();
  }
  changed (keyring);
}

gboolean
gst_e2ee_keyring_get_encrypt_kid_for_context (GstE2eeKeyring * keyring, guint context, guint64 * kid)
{
  g_return_val_if_fail (GST_IS_E2EE_KEYRING (keyring), FALSE);
  std::lock_guard < std::mutex > guard (keyring->state->lock);
  auto it = keyring->state->encrypt_kids.find (context);
  if (it == keyring->state->encrypt_kids.end ())
    return FALSE;
  if (kid)
    *kid = it->second;
  return TRUE;
}

gboolean
gst_e2ee_keyring_get_encrypt_kid (GstE2eeKeyring * keyring, guint64 * kid)
{
  return gst_e2ee_keyring_get_encrypt_kid_for_context (keyring, 0, kid);
}

guint
gst_e2ee_keyring_get_generation (GstE2eeKeyring * keyring)
{
  g_return_val_if_fail (GST_IS_E2EE_KEYRING (keyring), 0);
  return static_cast < guint > (g_atomic_int_get (&keyring->generation));
}

void
gst_e2ee_keyring_foreach (GstE2eeKeyring * keyring, GstE2eeKeyringForeachFunc func, gpointer user_data)
{
  g_return_if_fail (GST_IS_E2EE_KEYRING (keyring));
  g_return_if_fail (func != nullptr);
  std::lock_guard < std::mutex > guard (keyring->state->lock);
  for (const auto & [kid, e]:keyring->state->keys)
    func (kid, e.suite, e.key.data (), e.key.size (), e.serial, user_data);
}

gboolean
gst_e2ee_keyring_reserve_counters (GstE2eeKeyring * keyring, guint64 kid, guint64 count,
    guint64 * first, guint64 * last, GError ** error)
{
  g_return_val_if_fail (GST_IS_E2EE_KEYRING (keyring), FALSE);
  g_return_val_if_fail (count > 0 && first && last, FALSE);
  std::lock_guard < std::mutex > guard (keyring->state->lock);
  State & s = *keyring->state;
  if (!s.keys.count (kid)) {
    g_set_error (error, GST_E2EE_KEYRING_ERROR, GST_E2EE_KEYRING_ERROR_UNKNOWN_KID,
        "no key with KID %" G_GUINT64_FORMAT, kid);
    return FALSE;
  }
  CounterState & c = s.counters[kid];
  if (c.exhausted) {
    g_set_error (error, GST_E2EE_KEYRING_ERROR, GST_E2EE_KEYRING_ERROR_EXHAUSTED,
        "KID %" G_GUINT64_FORMAT " has used all its counters", kid);
    return FALSE;
  }
  *first = c.next;
  if (G_MAXUINT64 - c.next < count - 1) {
    *last = G_MAXUINT64;
    c.exhausted = true;
  } else {
    *last = c.next + (count - 1);
    if (*last == G_MAXUINT64)
      c.exhausted = true;
    else
      c.next = *last + 1;
  }
  return TRUE;
}

/* ---------------------------------------------------------------- contexts */

GstContext *
gst_e2ee_keyring_context_new (GstE2eeKeyring * keyring)
{
  g_return_val_if_fail (GST_IS_E2EE_KEYRING (keyring), nullptr);
  GstContext *context = gst_context_new (GST_E2EE_KEYRING_CONTEXT_TYPE, TRUE);
  GstStructure *s = gst_context_writable_structure (context);
  gst_structure_set (s, "keyring", GST_TYPE_E2EE_KEYRING, keyring, nullptr);
  return context;
}

GstE2eeKeyring *
gst_e2ee_keyring_from_context (GstContext * context)
{
  g_return_val_if_fail (GST_IS_CONTEXT (context), nullptr);
  if (g_strcmp0 (gst_context_get_context_type (context), GST_E2EE_KEYRING_CONTEXT_TYPE) != 0)
    return nullptr;
  GstE2eeKeyring *keyring = nullptr;
  gst_structure_get (gst_context_get_structure (context), "keyring", GST_TYPE_E2EE_KEYRING,
      &keyring, nullptr);
  return keyring;
}

void
gst_e2ee_keyring_element_set_context (GstElement * element, GstE2eeKeyring ** slot,
    GstContext * context)
{
  GstE2eeKeyring *keyring = gst_e2ee_keyring_from_context (context);
  if (!keyring)
    return;
  GST_OBJECT_LOCK (element);
  if (*slot == nullptr) {
    *slot = keyring;
    keyring = nullptr;
  }
  GST_OBJECT_UNLOCK (element);
  if (keyring)
    gst_object_unref (keyring);
}

gboolean
gst_e2ee_keyring_element_handle_query (GstElement * element, GstE2eeKeyring ** slot,
    GstQuery * query)
{
  if (GST_QUERY_TYPE (query) != GST_QUERY_CONTEXT)
    return FALSE;
  const gchar *type = nullptr;
  if (!gst_query_parse_context_type (query, &type)
      || g_strcmp0 (type, GST_E2EE_KEYRING_CONTEXT_TYPE) != 0)
    return FALSE;
  GST_OBJECT_LOCK (element);
  GstE2eeKeyring *keyring = *slot ? GST_E2EE_KEYRING (gst_object_ref (*slot)) : nullptr;
  GST_OBJECT_UNLOCK (element);
  if (!keyring)
    return FALSE;
  GstContext *context = gst_e2ee_keyring_context_new (keyring);
  gst_query_set_context (query, context);
  gst_context_unref (context);
  gst_object_unref (keyring);
  return TRUE;
}

static GstE2eeKeyring *
slot_ref (GstElement * element, GstE2eeKeyring ** slot)
{
  GST_OBJECT_LOCK (element);
  GstE2eeKeyring *keyring = *slot ? GST_E2EE_KEYRING (gst_object_ref (*slot)) : nullptr;
  GST_OBJECT_UNLOCK (element);
  return keyring;
}

static gboolean
query_peers (GstElement * element, GstE2eeKeyring ** slot, GstPadDirection direction)
{
  GstQuery *query = gst_query_new_context (GST_E2EE_KEYRING_CONTEXT_TYPE);
  GstIterator *it = direction == GST_PAD_SRC ? gst_element_iterate_src_pads (element)
      : gst_element_iterate_sink_pads (element);
  gboolean found = FALSE;
  GValue item = G_VALUE_INIT;
  while (!found && gst_iterator_next (it, &item) == GST_ITERATOR_OK) {
    GstPad *pad = GST_PAD (g_value_get_object (&item));
    if (gst_pad_peer_query (pad, query)) {
      GstContext *context = nullptr;
      gst_query_parse_context (query, &context);
      if (context) {
        gst_e2ee_keyring_element_set_context (element, slot, context);
        found = TRUE;
      }
    }
    g_value_reset (&item);
  }
  g_value_unset (&item);
  gst_iterator_free (it);
  gst_query_unref (query);
  return found;
}

GstE2eeKeyring *
gst_e2ee_keyring_element_ensure (GstElement * element, GstE2eeKeyring ** slot)
{
  GstE2eeKeyring *keyring = slot_ref (element, slot);
  if (keyring)
    return keyring;

  /* 1. neighbours, 2. the application (it may call gst_element_set_context
   * from a synchronous bus handler, which fills the slot). */
  if (!query_peers (element, slot, GST_PAD_SRC))
    query_peers (element, slot, GST_PAD_SINK);
  if ((keyring = slot_ref (element, slot)))
    return keyring;
  GstMessage *msg = gst_message_new_need_context (GST_OBJECT (element),
      GST_E2EE_KEYRING_CONTEXT_TYPE);
  gst_element_post_message (element, msg);
  if ((keyring = slot_ref (element, slot)))
    return keyring;

  /* 3. nobody has one: create it and tell the pipeline, which then hands it
   * to every element that asks later. */
  GstE2eeKeyring *created = gst_e2ee_keyring_new ();
  GST_OBJECT_LOCK (element);
  if (*slot == nullptr)
    *slot = GST_E2EE_KEYRING (gst_object_ref (created));
  GST_OBJECT_UNLOCK (element);
  gst_object_unref (created);
  keyring = slot_ref (element, slot);
  GstContext *context = gst_e2ee_keyring_context_new (keyring);
  gst_element_set_context (element, context);
  gst_element_post_message (element, gst_message_new_have_context (GST_OBJECT (element), context));
  GST_INFO_OBJECT (element, "created a new keyring %s", GST_OBJECT_NAME (keyring));
  return keyring;
}
