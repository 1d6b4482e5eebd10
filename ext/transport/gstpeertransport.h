/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

#define GST_TYPE_PEER_TRANSPORT (gst_peer_transport_get_type ())
G_DECLARE_FINAL_TYPE (GstPeerTransport, gst_peer_transport, GST, PEER_TRANSPORT, GstElement)

/* The states a peer transport goes through, as connection-state shows them. */
typedef enum {
  GST_PEER_TRANSPORT_NEW,
  GST_PEER_TRANSPORT_CHECKING,     /* ICE looks for a path */
  GST_PEER_TRANSPORT_HANDSHAKING,  /* the path works; DTLS-SRTP keying */
  GST_PEER_TRANSPORT_CONNECTED,    /* keys in place: media flows */
  GST_PEER_TRANSPORT_FAILED,       /* no path, failed handshake or lost peer: nothing flows */
  GST_PEER_TRANSPORT_CLOSED,       /* the peer closed DTLS */
} GstPeerTransportState;

GType gst_peer_transport_state_get_type (void);
#define GST_TYPE_PEER_TRANSPORT_STATE (gst_peer_transport_state_get_type ())

GST_ELEMENT_REGISTER_DECLARE (peertransport);

G_END_DECLS
