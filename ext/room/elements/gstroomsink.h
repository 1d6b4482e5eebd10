/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

#define GST_TYPE_ROOM_SINK (gst_room_sink_get_type ())
G_DECLARE_FINAL_TYPE (GstRoomSink, gst_room_sink, GST, ROOM_SINK, GstBin)

GST_ELEMENT_REGISTER_DECLARE (roomsink);

G_END_DECLS
