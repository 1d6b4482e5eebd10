/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "room-element.h"

namespace gste2ee::room {

namespace {
constexpr int kJoinTimeoutMs = 10000;
}

GstStateChangeReturn room_element_before_change(GstElement* element, GstElement* transport,
    const RoomElementSettings& settings, GstStateChange transition, std::unique_ptr<RoomSession>* session,
    RoomSession::OnMessage on_message, RoomSession::OnAdmitted on_admitted)
{
  if (transition == GST_STATE_CHANGE_NULL_TO_READY) {
    if (!transport) {
      GST_ELEMENT_ERROR(element, CORE, MISSING_PLUGIN, ("the transport plugin (peertransport) is not installed"),
          (nullptr));
      return GST_STATE_CHANGE_FAILURE;
    }
    settings.configure_transport(transport);
  }
  if (transition == GST_STATE_CHANGE_READY_TO_PAUSED) {
    *session = std::make_unique<RoomSession>(element, transport, settings.session(), std::move(on_message),
        std::move(on_admitted));
    std::string error;
    if (!(*session)->start(kJoinTimeoutMs, &error)) {
      GST_ELEMENT_ERROR(element, RESOURCE, OPEN_READ_WRITE, ("%s", error.c_str()), (nullptr));
      session->reset();
      return GST_STATE_CHANGE_FAILURE;
    }
  }
  return GST_STATE_CHANGE_SUCCESS;
}

void add_linked(GstBin* bin, GstElement* e, GstPad* upstream)
{
  gst_bin_add(bin, e);
  gst_element_sync_state_with_parent(e);
  GstPad* sink = gst_element_get_static_pad(e, "sink");
  gst_pad_link(upstream, sink);
  gst_object_unref(sink);
}

void take_out(GstBin* bin, GstElement* e)
{
  gst_element_set_locked_state(e, TRUE);
  gst_element_set_state(e, GST_STATE_NULL);
  if (GST_OBJECT_PARENT(e) == GST_OBJECT(bin))
    gst_bin_remove(bin, e);
  gst_object_unref(e);
}

void take_out_all(GstBin* bin, std::vector<GstElement*>* elements)
{
  for (GstElement* e : *elements)
    take_out(bin, e);
  elements->clear();
}

std::string file_safe_name(const std::string& identity)
{
  std::string out;
  for (const char c : identity)
    out.push_back(g_ascii_isalnum(c) || c == '-' || c == '.' || c == '_' ? c : '_');
  if (out.empty() || out[0] == '.')
    out.insert(out.begin(), '_');
  return out;
}

} // namespace gste2ee::room
