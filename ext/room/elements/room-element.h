/* SPDX-License-Identifier: LGPL-2.1-or-later */
// What roomsink and roomsrc do alike around their state changes.
#pragma once

#include "room-session.h"
#include "room-settings.h"

#include <gst/gst.h>

#include <memory>
#include <string>
#include <vector>

namespace gste2ee::room {

// Before the parent class's change: NULL -> READY checks that the transport
// exists and configures it; READY -> PAUSED joins the room (a new session).
// FAILURE, with an element error saying why, stops the change.
GstStateChangeReturn room_element_before_change(GstElement* element, GstElement* transport,
    const RoomElementSettings& settings, GstStateChange transition, std::unique_ptr<RoomSession>* session,
    RoomSession::OnMessage on_message, RoomSession::OnAdmitted on_admitted);

// Puts `e` (made while playing) into `bin` in the bin's state and links
// `upstream` to its "sink" pad.
void add_linked(GstBin* bin, GstElement* e, GstPad* upstream);

// Stops `e` and takes it out of `bin` (if still there), dropping our
// reference: for elements made while playing, so a restart starts clean.
void take_out(GstBin* bin, GstElement* e);
void take_out_all(GstBin* bin, std::vector<GstElement*>* elements);

// A participant's identity as a file name in a recorder's directory:
// letters, digits and "-._" only, never hidden, ".", or "..".
std::string file_safe_name(const std::string& identity);

} // namespace gste2ee::room
