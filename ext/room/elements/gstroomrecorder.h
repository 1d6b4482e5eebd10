/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

#define GST_TYPE_ROOM_RECORDER (gst_room_recorder_get_type ())
G_DECLARE_FINAL_TYPE (GstRoomRecorder, gst_room_recorder, GST, ROOM_RECORDER, GstBin)

GST_ELEMENT_REGISTER_DECLARE (roomrecorder);

G_END_DECLS
