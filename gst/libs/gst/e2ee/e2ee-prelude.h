/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Export macro of libgste2ee-1.0 (the library builds with hidden visibility). */
#pragma once

#include <gst/gst.h>

#ifdef BUILDING_GST_E2EE
#define GST_E2EE_API __attribute__((visibility ("default"))) extern
#else
#define GST_E2EE_API extern
#endif
