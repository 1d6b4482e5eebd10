/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libgste2ee-1.0: the types shared by the gst-e2ee plugins. */
#pragma once

#include <gst/e2ee/e2ee-prelude.h>
#include <gst/e2ee/gste2eecipher.h>
#include <gst/e2ee/gste2eekeyring.h>
#include <gst/e2ee/gste2eeopenssl.h>
