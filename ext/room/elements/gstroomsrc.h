/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

#define GST_TYPE_ROOM_SRC (gst_room_src_get_type ())
G_DECLARE_FINAL_TYPE (GstRoomSrc, gst_room_src, GST, ROOM_SRC, GstBin)

GST_ELEMENT_REGISTER_DECLARE (roomsrc);

G_END_DECLS
