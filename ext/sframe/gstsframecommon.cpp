/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "gstsframecommon.h"

namespace gste2ee::glue {

void
install_common_properties (GObjectClass * klass, bool encrypting)
{
  const auto rw = static_cast < GParamFlags > (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS
      | GST_PARAM_MUTABLE_PLAYING);
  g_object_class_install_property (klass, PROP_CIPHER_SUITE,
      g_param_spec_enum ("cipher-suite", "Cipher suite",
          "SFrame cipher suite of the static key (RFC 9605 section 4.5; keyring keys carry their own)",
          GST_TYPE_E2EE_CIPHER_SUITE, GST_E2EE_CIPHER_DEFAULT, rw));
  g_object_class_install_property (klass, PROP_KEY,
      g_param_spec_string ("key", "Key", encrypting
          ? "Static SFrame base key, hexadecimal (write-only, never logged; takes precedence over the keyring)"
          : "Static SFrame base key, hexadecimal (write-only, never logged; used beside the keyring's keys)",
          nullptr, static_cast < GParamFlags > (G_PARAM_WRITABLE | G_PARAM_STATIC_STRINGS
              | GST_PARAM_MUTABLE_PLAYING)));
  g_object_class_install_property (klass, PROP_KEY_ID,
      g_param_spec_uint64 ("key-id", "Key ID", "KID of the static key", 0, G_MAXUINT64, 0, rw));
  g_object_class_install_property (klass, PROP_CLEAR_PREFIX,
      g_param_spec_enum ("clear-prefix", "Clear prefix",
          "Leading bytes left unencrypted but authenticated (vp8: 10 bytes of key frames, 3 of delta frames; "
          "opus: the TOC byte); sender and receiver must agree",
          GST_TYPE_SFRAME_CLEAR_PREFIX, GST_SFRAME_CLEAR_PREFIX_NONE, rw));
  g_object_class_install_property (klass, PROP_KEYRING,
      g_param_spec_object ("keyring", "Keyring", encrypting
          ? "Shared SFrame keyring whose encrypt KID is used when no static key is set"
          : "Shared SFrame keyring whose keys are all used for decryption",
          GST_TYPE_E2EE_KEYRING, rw));
}

static void
set_keyring (GstElement * element, GstE2eeKeyring ** slot, CommonState & st, GstE2eeKeyring * keyring)
{
  GST_OBJECT_LOCK (element);
  std::swap (*slot, keyring);
  GstE2eeKeyring *now = *slot ? GST_E2EE_KEYRING (gst_object_ref (*slot)) : nullptr;
  GST_OBJECT_UNLOCK (element);
  {
    std::lock_guard < std::mutex > guard (st.lock);
    std::swap (st.keyring, now);
  }
  gst_clear_object (&now);
  gst_clear_object (&keyring);
}

bool
set_common_property (GstElement * element, GstE2eeKeyring ** slot, CommonState & st,
    guint prop_id, const GValue * value)
{
  if (prop_id == PROP_KEYRING) {
    set_keyring (element, slot, st, GST_E2EE_KEYRING (g_value_dup_object (value)));
    return true;
  }
  std::lock_guard < std::mutex > guard (st.lock);
  StaticKey & key = st.static_key;
  switch (prop_id) {
    case PROP_CIPHER_SUITE:
      key.suite = static_cast < GstE2eeCipherSuite > (g_value_get_enum (value));
      break;
    case PROP_KEY:{
      const gchar *hex = g_value_get_string (value);
      /* NULL unsets the key; an empty string is a key that does not parse,
       * so that key="" fails at start instead of silently meaning "no key". */
      key.set = hex != NULL;
      key.invalid = key.set && (!*hex || !parse_hex_key (hex, &key.key));
      if (!key.set || key.invalid) {
        key.set = false;
        key.key.wipe ();
      }
      break;
    }
    case PROP_KEY_ID:
      key.kid = g_value_get_uint64 (value);
      break;
    case PROP_CLEAR_PREFIX:
      st.prefix = static_cast < GstSFrameClearPrefix > (g_value_get_enum (value));
      return true;
    default:
      return false;
  }
  key.version++;  /* the streaming thread re-applies the static key */
  return true;
}

bool
get_common_property (GstElement * element, GstE2eeKeyring ** slot, CommonState & st,
    guint prop_id, GValue * value)
{
  if (prop_id == PROP_KEYRING) {
    GST_OBJECT_LOCK (element);
    g_value_set_object (value, *slot);
    GST_OBJECT_UNLOCK (element);
    return true;
  }
  std::lock_guard < std::mutex > guard (st.lock);
  switch (prop_id) {
    case PROP_CIPHER_SUITE:
      g_value_set_enum (value, st.static_key.suite);
      return true;
    case PROP_KEY_ID:
      g_value_set_uint64 (value, st.static_key.kid);
      return true;
    case PROP_CLEAR_PREFIX:
      g_value_set_enum (value, st.prefix);
      return true;
    default:
      return false;  /* `key` is write-only: never read back */
  }
}

bool
start_common (GstElement * element, GstE2eeKeyring ** slot, CommonState & st)
{
  bool invalid, has_static;
  {
    std::lock_guard < std::mutex > guard (st.lock);
    invalid = st.static_key.invalid;
    has_static = st.static_key.set;
    st.mode = Mode::Frame;  /* until caps say otherwise */
  }
  if (invalid) {
    GST_ELEMENT_ERROR (element, LIBRARY, SETTINGS, ("Invalid SFrame key"),
        ("the key property must be an even number of hexadecimal digits"));
    return false;
  }
  /* Without a static key, keys come from the pipeline's shared keyring. */
  GstE2eeKeyring *keyring = has_static ? nullptr : gst_e2ee_keyring_element_ensure (element, slot);
  if (!keyring) {
    GST_OBJECT_LOCK (element);
    keyring = *slot ? GST_E2EE_KEYRING (gst_object_ref (*slot)) : nullptr;
    GST_OBJECT_UNLOCK (element);
  }
  std::lock_guard < std::mutex > guard (st.lock);
  std::swap (st.keyring, keyring);
  gst_clear_object (&keyring);
  return true;
}

void
stop_common (CommonState & st)
{
  std::lock_guard < std::mutex > guard (st.lock);
  gst_clear_object (&st.keyring);
}

void
update_mode (CommonState & st, GstEvent * caps_event)
{
  GstCaps *caps = nullptr;
  gst_event_parse_caps (caps_event, &caps);
  std::lock_guard < std::mutex > guard (st.lock);
  st.mode = mode_for_caps (caps);
}

} // namespace gste2ee::glue
