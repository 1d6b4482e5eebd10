/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* How the gst-e2ee plugins start OpenSSL in a process they share with
 * GStreamer's threads. */
#pragma once

#include <gst/e2ee/e2ee-prelude.h>

G_BEGIN_DECLS

/* Initialises libcrypto without its exit-time teardown (OPENSSL_INIT_NO_ATEXIT).
 * By default OpenSSL frees its global and per-thread state in an atexit
 * handler, while GStreamer's pooled streaming threads may still be alive: a
 * thread that ends during or after that teardown frees its thread-local
 * OpenSSL state (random generators, error queue) a second time, and the
 * process dies in exit() ("double free or corruption"). The process's memory
 * goes with it anyway. Every gst-e2ee plugin calls this in its plugin_init,
 * before any other OpenSSL call; applications that use OpenSSL themselves
 * may call it first thing in main(). Only the first initialisation of
 * libcrypto in a process decides, so it does nothing if OpenSSL was already
 * started with the atexit handler. Returns FALSE if OpenSSL cannot start. */
GST_E2EE_API gboolean gst_e2ee_openssl_init (void);

G_END_DECLS
