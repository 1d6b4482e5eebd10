/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "gst/e2ee/gste2eecipher.h"

GType
gst_e2ee_cipher_suite_get_type (void)
{
  static GType type = 0;
  /* Nicks are the RFC names in kebab-case (DESIGN.md fixes them). */
  static const GEnumValue values[] = {
    {GST_E2EE_CIPHER_AES_128_CTR_HMAC_SHA256_80, "AES_128_CTR_HMAC_SHA256_80 (RFC 9605)", "aes-128-ctr-hmac-sha256-80"},
    {GST_E2EE_CIPHER_AES_128_CTR_HMAC_SHA256_64, "AES_128_CTR_HMAC_SHA256_64 (RFC 9605)", "aes-128-ctr-hmac-sha256-64"},
    {GST_E2EE_CIPHER_AES_128_CTR_HMAC_SHA256_32, "AES_128_CTR_HMAC_SHA256_32 (RFC 9605)", "aes-128-ctr-hmac-sha256-32"},
    {GST_E2EE_CIPHER_AES_128_GCM_SHA256_128, "AES_128_GCM_SHA256_128 (RFC 9605)", "aes-128-gcm-sha256-128"},
    {GST_E2EE_CIPHER_AES_256_GCM_SHA512_128, "AES_256_GCM_SHA512_128 (RFC 9605)", "aes-256-gcm-sha512-128"},
    {GST_E2EE_CIPHER_AES_256_CTR_HMAC_SHA512_80, "AES_256_CTR_HMAC_SHA512_80 (draft-barnes-sframe-iana-256)", "aes-256-ctr-hmac-sha512-80"},
    {GST_E2EE_CIPHER_AES_256_CTR_HMAC_SHA512_64, "AES_256_CTR_HMAC_SHA512_64 (draft-barnes-sframe-iana-256)", "aes-256-ctr-hmac-sha512-64"},
    {GST_E2EE_CIPHER_AES_256_CTR_HMAC_SHA512_32, "AES_256_CTR_HMAC_SHA512_32 (draft-barnes-sframe-iana-256)", "aes-256-ctr-hmac-sha512-32"},
    {0, nullptr, nullptr},
  };
  if (g_once_init_enter (&type)) {
    GType t = g_enum_register_static ("GstE2eeCipherSuite", values);
    g_once_init_leave (&type, t);
  }
  return type;
}

gboolean
gst_e2ee_cipher_suite_is_valid (gint suite)
{
  return suite >= 1 && suite <= 8;
}
