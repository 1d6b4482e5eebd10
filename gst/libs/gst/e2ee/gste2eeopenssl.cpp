/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "gst/e2ee/gste2eeopenssl.h"

#include <openssl/crypto.h>

gboolean
gst_e2ee_openssl_init (void)
{
  return OPENSSL_init_crypto (OPENSSL_INIT_NO_ATEXIT, nullptr) == 1;
}
