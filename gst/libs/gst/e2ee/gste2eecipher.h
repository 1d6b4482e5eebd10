/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The SFrame cipher suites as a GEnum shared by every element and the keyring:
 * RFC 9605 section 4.5 (1-5) and draft-barnes-sframe-iana-256 (6-8). */
#pragma once

#include <gst/e2ee/e2ee-prelude.h>

G_BEGIN_DECLS

typedef enum {
  GST_E2EE_CIPHER_AES_128_CTR_HMAC_SHA256_80 = 1,
  GST_E2EE_CIPHER_AES_128_CTR_HMAC_SHA256_64 = 2,
  GST_E2EE_CIPHER_AES_128_CTR_HMAC_SHA256_32 = 3,
  GST_E2EE_CIPHER_AES_128_GCM_SHA256_128 = 4,
  GST_E2EE_CIPHER_AES_256_GCM_SHA512_128 = 5,
  GST_E2EE_CIPHER_AES_256_CTR_HMAC_SHA512_80 = 6,
  GST_E2EE_CIPHER_AES_256_CTR_HMAC_SHA512_64 = 7,
  GST_E2EE_CIPHER_AES_256_CTR_HMAC_SHA512_32 = 8,
} GstE2eeCipherSuite;

#define GST_E2EE_CIPHER_DEFAULT GST_E2EE_CIPHER_AES_128_GCM_SHA256_128

#define GST_TYPE_E2EE_CIPHER_SUITE (gst_e2ee_cipher_suite_get_type ())
GST_E2EE_API GType gst_e2ee_cipher_suite_get_type (void);

/* TRUE for the values 1-8 above. */
GST_E2EE_API gboolean gst_e2ee_cipher_suite_is_valid (gint suite);

G_END_DECLS
