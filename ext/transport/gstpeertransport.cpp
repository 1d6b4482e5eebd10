/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * SECTION:element-peertransport
 * @title: peertransport
 *
 * The hop-by-hop transport to one remote peer, as WebRTC has it: ICE
 * (RFC 8445, through libnice) finds a path, DTLS 1.2 (RFC 5763/5764, ECDSA
 * P-256, through OpenSSL) checks the peer's certificate against the
 * fingerprint from its SDP and exports SRTP keys, and SRTP / SRTCP (libsrtp2)
 * protect every packet. One socket carries it all (BUNDLE, rtcp-mux, RFC 7983
 * demultiplexing). Two of ours agree on AEAD AES-GCM; AES-CM with HMAC-SHA1
 * remains for peers that offer nothing else (webrtcbin).
 *
 * Clear RTP and RTCP go into request pads `sink_%u` (one per stream, as
 * into webrtcbin); what the peer sends leaves decrypted on one sometimes pad
 * per payload type, `src_<pt>`, with caps from the peer's SDP, and RTCP on
 * `rtcp_src`. Nothing leaves for the network before the keys exist (those
 * packets are counted in `stats` and, once connected, upstream is asked for
 * a key frame), and nothing unauthenticated from the network leaves on the
 * src pads.
 *
 * Signalling moves strings only: `create-offer` / `create-answer` give SDP,
 * `set-remote-description` takes the peer's, `on-local-candidate` and
 * `add-remote-candidate` trickle ICE candidates, `restart-ice` starts an ICE
 * restart (then offer again). `connection-state` says where it is; on
 * connection an element message `peertransport-connected` names the SRTP
 * profile and the selected candidate pair. A handshake that fails (a wrong
 * fingerprint) or never completes (`handshake-timeout`) is an error message;
 * a peer that goes silent (`peer-timeout`, or ICE consent freshness, RFC
 * 7675) is a warning message and the transport stops: the application may
 * remove it without stopping the rest of its pipeline. A transport with
 * nothing to send (a viewer) sends an empty RTCP receiver report every
 * second, so its peer never takes it for gone.
 *
 * ## Example launch line
 * Needs an application to carry the SDP; `examples/hop-by-hop` is one:
 * |[
 * videotestsrc ! vp8enc ! rtpvp8pay pt=96 ssrc=1111 ! peertransport name=t
 *   t.src_96 ! rtpjitterbuffer ! rtpvp8depay ! vp8dec ! autovideosink
 * ]|
 *
 * Since: 0.1
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstpeertransport.h"
#include "gstsrtpanydec.h"

#include <algorithm>
#include <atomic>
#include <bitset>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

#include <gst/video/video.h>
#include <nice/agent.h>
#include <openssl/crypto.h>

#include "sdp-offer-answer.h"
#include "transport/certificate.h"
#include "transport/dtls_srtp_link.h"

GST_DEBUG_CATEGORY_STATIC (peer_transport_debug);
#define GST_CAT_DEFAULT peer_transport_debug

using namespace gste2ee;
namespace sdp = gste2ee::transport_sdp;

namespace {

constexpr guint kDefaultHandshakeTimeoutMs = 10000;
constexpr guint kDefaultPeerTimeoutMs = 10000;
constexpr guint kTickMs = 50;
/* The DTLS handshake's first retransmission (then doubling, up to 60 s). */
constexpr uint64_t kDtlsInitialRetransmitUs = 200'000;
/* A peer with nothing to send (a viewer, or a camera alone in its room)
 * still sends an empty RTCP receiver report this often, so the other
 * side's peer-timeout only fires for a peer that is really gone. */
constexpr uint64_t kKeepaliveUs = 1000000;
/* RFC 8827: AEAD GCM first; AES-CM for peers that know nothing else. */
constexpr char kDefaultProfiles[] = "aead-aes-256-gcm,aead-aes-128-gcm,aes-128-cm-sha1-80";           /* DTLS retransmissions and the silence check */
constexpr size_t kMaxPacket = 65535;
constexpr size_t kStackPacket = 1500;   /* MTU-sized packets are protected without allocation */

enum class Negotiation { Idle, HaveLocalOffer, HaveRemoteOffer, Stable };

/* Everything the GObject instance (zero-filled C) cannot hold itself. */
struct Private {
  std::mutex lock;  /* all below, but for the properties marked otherwise */

  /* Properties, read when going to READY. */
  std::string certificate_file, stun_server, local_address;
  bool ice_lite = false;
  guint handshake_timeout_ms = kDefaultHandshakeTimeoutMs;
  guint peer_timeout_ms = kDefaultPeerTimeoutMs;
  std::string srtp_profiles = kDefaultProfiles;

  std::unique_ptr<transport::Certificate> cert;
  std::string fingerprint;

  /* ICE: one libnice agent, one stream, one component (rtcp-mux, BUNDLE),
   * driven by a main loop on a thread of ours. */
  GMainContext *context = nullptr;
  GMainLoop *loop = nullptr;
  GThread *thread = nullptr;
  NiceAgent *agent = nullptr;
  guint stream_id = 0;
  GSource *tick = nullptr;
  NiceComponentState ice_state = NICE_COMPONENT_STATE_DISCONNECTED;
  std::string selected_local, selected_remote;
  std::string negotiated_profile;  /* for the connected message, once keyed */

  Negotiation negotiation = Negotiation::Idle;
  bool controlling = false;
  sdp::RemoteDescription remote;
  bool have_remote = false;
  std::unique_ptr<transport::DtlsSrtpLink> link;
  transport::DtlsEndpoint::Role role = transport::DtlsEndpoint::Role::Client;

  GstPeerTransportState state = GST_PEER_TRANSPORT_NEW;
  uint64_t last_received_us = 0;
  uint64_t last_sent_us = 0;      /* SRTP or SRTCP, for the keepalive */
  guint32 keepalive_ssrc = 0;     /* the sender SSRC of our keepalive reports */
  /* When ICE first found the path: the handshake must complete within
   * handshake-timeout of it, whichever role waits (a DTLS server that never
   * hears a ClientHello has no timer of its own). */
  uint64_t path_found_us = 0;
  uint64_t drops_unknown_pt = 0;
  std::bitset<128> unknown_pts_logged;  /* each named once in the debug log */
  uint64_t unsent_without_keys = 0;  /* before the handshake ended, or after a failure */
  uint64_t unsent_oversized = 0;     /* larger than a datagram can be once protected */
  bool negotiation_needed_sent = false;

  /* Pads. src pads are created and pushed from the ICE thread only. */
  std::vector<GstPad *> sinks;
  /* Each sink pad's caps, recorded here as its caps event arrives (before
   * the pad itself stores it), so that whichever pad completes the set sees
   * all of them, and an offer made at once describes all of them. */
  std::map<GstPad *, GstCaps *> sink_caps;
  std::map<guint, GstPad *> src_by_pt;
  bool rtcp_src_started = false;
  guint next_sink = 0;
};

} // namespace

struct _GstPeerTransport {
  GstElement parent;
  GstPad *rtcp_src;
  Private *priv;
};

G_DEFINE_TYPE (GstPeerTransport, gst_peer_transport, GST_TYPE_ELEMENT);
GST_ELEMENT_REGISTER_DEFINE (peertransport, "peertransport", GST_RANK_NONE, GST_TYPE_PEER_TRANSPORT);

enum {
  PROP_0,
  PROP_CERTIFICATE_FILE,
  PROP_LOCAL_FINGERPRINT,
  PROP_STUN_SERVER,
  PROP_LOCAL_ADDRESS,
  PROP_ICE_LITE,
  PROP_HANDSHAKE_TIMEOUT,
  PROP_PEER_TIMEOUT,
  PROP_SRTP_PROFILES,
  PROP_CONNECTION_STATE,
  PROP_STATS,
};

enum {
  SIGNAL_CREATE_OFFER,
  SIGNAL_CREATE_ANSWER,
  SIGNAL_SET_REMOTE_DESCRIPTION,
  SIGNAL_ADD_REMOTE_CANDIDATE,
  SIGNAL_RESTART_ICE,
  SIGNAL_ON_LOCAL_CANDIDATE,
  SIGNAL_ON_NEGOTIATION_NEEDED,
  LAST_SIGNAL
};
static guint signals[LAST_SIGNAL];

static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE ("sink_%u", GST_PAD_SINK, GST_PAD_REQUEST,
    GST_STATIC_CAPS ("application/x-rtp; application/x-rtcp"));
static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE ("src_%u", GST_PAD_SRC, GST_PAD_SOMETIMES,
    GST_STATIC_CAPS ("application/x-rtp"));
static GstStaticPadTemplate rtcp_src_template = GST_STATIC_PAD_TEMPLATE ("rtcp_src", GST_PAD_SRC, GST_PAD_ALWAYS,
    GST_STATIC_CAPS ("application/x-rtcp"));

GType
gst_peer_transport_state_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    { GST_PEER_TRANSPORT_NEW, "No path yet", "new" },
    { GST_PEER_TRANSPORT_CHECKING, "ICE connectivity checks", "checking" },
    { GST_PEER_TRANSPORT_HANDSHAKING, "DTLS-SRTP handshake", "handshaking" },
    { GST_PEER_TRANSPORT_CONNECTED, "Keys in place, media flows", "connected" },
    { GST_PEER_TRANSPORT_FAILED, "Failed: no path, failed handshake or lost peer", "failed" },
    { GST_PEER_TRANSPORT_CLOSED, "Closed by the peer", "closed" },
    { 0, NULL, NULL },
  };
  if (g_once_init_enter (&type))
    g_once_init_leave (&type, g_enum_register_static ("GstPeerTransportState", values));
  return type;
}

static uint64_t
now_us ()
{
  return static_cast<uint64_t> (g_get_monotonic_time ());
}

static const char *
state_nick (GstPeerTransportState s)
{
  GEnumClass *klass = G_ENUM_CLASS (g_type_class_peek (GST_TYPE_PEER_TRANSPORT_STATE));
  GEnumValue *v = klass ? g_enum_get_value (klass, s) : nullptr;
  return v ? v->value_nick : "unknown";
}

/* Called with the lock held; the notify goes out once it is released. */
static bool
set_state_locked (GstPeerTransport * self, GstPeerTransportState s)
{
  Private *p = self->priv;
  if (p->state == s)
    return false;
  /* Failed and closed are final for this association. */
  if (p->state == GST_PEER_TRANSPORT_FAILED || p->state == GST_PEER_TRANSPORT_CLOSED)
    return false;
  GST_INFO_OBJECT (self, "%s -> %s", state_nick (p->state), state_nick (s));
  p->state = s;
  return true;
}

static void
send_datagrams (GstPeerTransport * self, NiceAgent * agent, guint stream_id, std::vector<transport::Datagram> &out)
{
  for (auto &d : out) {
    if (nice_agent_send (agent, stream_id, 1, static_cast<guint> (d.size ()), reinterpret_cast<const gchar *> (d.data ())) < 0)
      GST_DEBUG_OBJECT (self, "ICE did not take a %zu-byte datagram (no path yet)", d.size ());
  }
  out.clear ();
}

/* What happened under the lock that must be told once it is released. */
struct Outcome {
  bool state_changed = false;
  bool connected = false;
  std::string error, warning;
};

static void
report (GstPeerTransport * self, const Outcome & o)
{
  Private *p = self->priv;
  if (o.state_changed)
    g_object_notify (G_OBJECT (self), "connection-state");
  if (o.connected) {
    std::string profile, local, remote;
    std::vector<GstPad *> sinks;
    {
      std::lock_guard<std::mutex> g (p->lock);
      profile = p->negotiated_profile;
      local = p->selected_local;
      remote = p->selected_remote;
      for (GstPad *pad : p->sinks)
        sinks.push_back (GST_PAD (gst_object_ref (pad)));
    }
    GST_INFO_OBJECT (self, "connected: %s over %s <-> %s", profile.c_str (), local.c_str (), remote.c_str ());
    gst_element_post_message (GST_ELEMENT (self), gst_message_new_element (GST_OBJECT (self),
            gst_structure_new ("peertransport-connected", "srtp-profile", G_TYPE_STRING, profile.c_str (),
                "local-candidate", G_TYPE_STRING, local.c_str (), "remote-candidate", G_TYPE_STRING, remote.c_str (),
                NULL)));
    /* What upstream sent before the keys was dropped: a decoder on the far
     * side needs a key frame to start. */
    for (GstPad *pad : sinks) {
      gst_pad_push_event (pad, gst_video_event_new_upstream_force_key_unit (GST_CLOCK_TIME_NONE, TRUE, 0));
      gst_object_unref (pad);
    }
  }
  if (!o.error.empty ())
    GST_ELEMENT_ERROR (self, RESOURCE, FAILED, ("Peer transport failed: %s", o.error.c_str ()), (NULL));
  if (!o.warning.empty ()) {
    GST_ELEMENT_WARNING (self, RESOURCE, READ, ("Peer transport lost its peer: %s", o.warning.c_str ()), (NULL));
    gst_element_post_message (GST_ELEMENT (self), gst_message_new_element (GST_OBJECT (self),
            gst_structure_new ("peertransport-peer-lost", "reason", G_TYPE_STRING, o.warning.c_str (), NULL)));
  }
}

/* After any call into the link: the state it implies. Lock held. */
static void
follow_link_locked (GstPeerTransport * self, Outcome * o)
{
  Private *p = self->priv;
  if (!p->link)
    return;
  if (p->link->became_keyed ()) {
    p->negotiated_profile = transport::srtp_profile_name (p->link->profile ());
    o->state_changed |= set_state_locked (self, GST_PEER_TRANSPORT_CONNECTED);
    o->connected = true;
    p->last_received_us = now_us ();
  }
  const auto ds = p->link->dtls_state ();
  if (ds == transport::DtlsEndpoint::State::Failed && p->state != GST_PEER_TRANSPORT_FAILED) {
    o->error = p->link->error ();
    o->state_changed |= set_state_locked (self, GST_PEER_TRANSPORT_FAILED);
  } else if (ds == transport::DtlsEndpoint::State::Closed && p->state != GST_PEER_TRANSPORT_CLOSED) {
    o->state_changed |= set_state_locked (self, GST_PEER_TRANSPORT_CLOSED);
  }
}

/* ---- Receiving: the ICE thread ---- */

/* Stream IDs made here: the element has many sink pads, none of them
 * upstream of what it receives. */
static void
push_stream_start (GstPeerTransport * self, GstPad * pad, const std::string & suffix)
{
  gchar *id = g_strdup_printf ("peertransport/%s/%08x%08x/%s", GST_OBJECT_NAME (self), g_random_int (),
      g_random_int (), suffix.c_str ());
  gst_pad_push_event (pad, gst_event_new_stream_start (id));
  g_free (id);
}

static GstPad *
src_pad_for_pt (GstPeerTransport * self, guint pt)
{
  Private *p = self->priv;
  std::string caps_str;
  {
    std::lock_guard<std::mutex> g (p->lock);
    auto it = p->src_by_pt.find (pt);
    if (it != p->src_by_pt.end ())
      return it->second;
    auto c = p->remote.caps_by_pt.find (pt);
    if (c == p->remote.caps_by_pt.end ()) {
      p->drops_unknown_pt++;
      if (!p->unknown_pts_logged.test (pt)) {
        p->unknown_pts_logged.set (pt);
        GST_WARNING_OBJECT (self, "dropping RTP with payload type %u: not in the remote description", pt);
      }
      return nullptr;
    }
    caps_str = c->second;
  }
  gchar *name = g_strdup_printf ("src_%u", pt);
  GstPad *pad = gst_pad_new_from_static_template (&src_template, name);
  g_free (name);
  gst_pad_use_fixed_caps (pad);
  gst_pad_set_active (pad, TRUE);
  push_stream_start (self, pad, std::to_string (pt));
  GstCaps *caps = gst_caps_from_string (caps_str.c_str ());
  gst_pad_push_event (pad, gst_event_new_caps (caps));
  gst_caps_unref (caps);
  GstSegment segment;
  gst_segment_init (&segment, GST_FORMAT_TIME);
  gst_pad_push_event (pad, gst_event_new_segment (&segment));
  gst_element_add_pad (GST_ELEMENT (self), pad);
  std::lock_guard<std::mutex> g (p->lock);
  p->src_by_pt[pt] = pad;
  return pad;
}

static void
start_rtcp_src (GstPeerTransport * self)
{
  GstPad *pad = self->rtcp_src;
  push_stream_start (self, pad, "rtcp");
  GstCaps *caps = gst_caps_new_empty_simple ("application/x-rtcp");
  gst_pad_push_event (pad, gst_event_new_caps (caps));
  gst_caps_unref (caps);
  GstSegment segment;
  gst_segment_init (&segment, GST_FORMAT_TIME);
  gst_pad_push_event (pad, gst_event_new_segment (&segment));
}

/* The arrival time on the pipeline clock, as udpsrc stamps packets, so that
 * a jitter buffer downstream sees the network's timing. */
static void
stamp (GstPeerTransport * self, GstBuffer * buf)
{
  GstClock *clock = gst_element_get_clock (GST_ELEMENT (self));
  if (!clock)
    return;
  const GstClockTime now = gst_clock_get_time (clock);
  const GstClockTime base = gst_element_get_base_time (GST_ELEMENT (self));
  gst_object_unref (clock);
  if (now >= base)
    GST_BUFFER_PTS (buf) = GST_BUFFER_DTS (buf) = now - base;
}

static void
on_receive (NiceAgent * agent, guint stream_id, guint component_id, guint len, gchar * data, gpointer user_data)
{
  (void) component_id;
  GstPeerTransport *self = GST_PEER_TRANSPORT (user_data);
  Private *p = self->priv;
  if (len == 0 || len > kMaxPacket)
    return;
  GstBuffer *buf = gst_buffer_new_allocate (NULL, len, NULL);
  GstMapInfo map;
  gst_buffer_map (buf, &map, GST_MAP_WRITE);
  memcpy (map.data, data, len);
  size_t size = len;
  std::vector<transport::Datagram> out;
  Outcome o;
  transport::PacketKind kind;
  guint pt = 0;
  {
    std::lock_guard<std::mutex> g (p->lock);
    if (!p->link) {
      /* No remote description yet: nothing to talk DTLS or SRTP with. */
      gst_buffer_unmap (buf, &map);
      gst_buffer_unref (buf);
      return;
    }
    kind = p->link->receive (map.data, &size, now_us (), &out);
    if (kind == transport::PacketKind::Rtp)  /* at least an RTP header long */
      pt = map.data[1] & 0x7f;
    if (kind == transport::PacketKind::Rtp || kind == transport::PacketKind::Rtcp || kind == transport::PacketKind::Dtls)
      p->last_received_us = now_us ();
    follow_link_locked (self, &o);
  }
  gst_buffer_unmap (buf, &map);
  send_datagrams (self, agent, stream_id, out);
  report (self, o);
  if (kind != transport::PacketKind::Rtp && kind != transport::PacketKind::Rtcp) {
    gst_buffer_unref (buf);
    return;
  }
  gst_buffer_set_size (buf, static_cast<gssize> (size));
  stamp (self, buf);
  GstPad *pad;
  if (kind == transport::PacketKind::Rtp) {
    pad = src_pad_for_pt (self, pt);
    if (!pad) {
      gst_buffer_unref (buf);
      return;
    }
  } else {
    pad = self->rtcp_src;
    if (!p->rtcp_src_started) {  /* only this thread pushes */
      start_rtcp_src (self);
      p->rtcp_src_started = true;
    }
  }
  const GstFlowReturn r = gst_pad_push (pad, buf);
  if (r != GST_FLOW_OK && r != GST_FLOW_NOT_LINKED && r != GST_FLOW_FLUSHING)
    GST_DEBUG_OBJECT (pad, "downstream returned %s", gst_flow_get_name (r));
}

/* ---- ICE events (libnice signals; the ICE thread or the caller's) ---- */

static void
on_new_candidate (NiceAgent * agent, NiceCandidate * candidate, gpointer user_data)
{
  GstPeerTransport *self = GST_PEER_TRANSPORT (user_data);
  gchar *line = nice_agent_generate_local_candidate_sdp (agent, candidate);
  if (!line)
    return;
  /* "a=candidate:..." -> "candidate:...", as webrtcbin's on-ice-candidate. */
  const char *c = g_str_has_prefix (line, "a=") ? line + 2 : line;
  g_signal_emit (self, signals[SIGNAL_ON_LOCAL_CANDIDATE], 0, 0u, c);
  g_free (line);
}

static void
on_gathering_done (NiceAgent * agent, guint stream_id, gpointer user_data)
{
  (void) agent;
  (void) stream_id;
  g_signal_emit (GST_PEER_TRANSPORT (user_data), signals[SIGNAL_ON_LOCAL_CANDIDATE], 0, 0u, "");
}

static std::string
candidate_text (NiceCandidate * c)
{
  gchar addr[NICE_ADDRESS_STRING_LEN];
  nice_address_to_string (&c->addr, addr);
  return std::string (nice_candidate_type_to_string (c->type)) + " " + addr + ":" +
      std::to_string (nice_address_get_port (&c->addr));
}

static void
on_selected_pair (NiceAgent * agent, guint stream_id, guint component_id, NiceCandidate * local,
    NiceCandidate * remote, gpointer user_data)
{
  (void) agent;
  (void) stream_id;
  (void) component_id;
  GstPeerTransport *self = GST_PEER_TRANSPORT (user_data);
  std::lock_guard<std::mutex> g (self->priv->lock);
  self->priv->selected_local = candidate_text (local);
  self->priv->selected_remote = candidate_text (remote);
}

static void
on_component_state (NiceAgent * agent, guint stream_id, guint component_id, guint state, gpointer user_data)
{
  (void) component_id;
  GstPeerTransport *self = GST_PEER_TRANSPORT (user_data);
  Private *p = self->priv;
  std::vector<transport::Datagram> out;
  Outcome o;
  {
    std::lock_guard<std::mutex> g (p->lock);
    p->ice_state = static_cast<NiceComponentState> (state);
    GST_DEBUG_OBJECT (self, "ICE %s", nice_component_state_to_string (p->ice_state));
    switch (p->ice_state) {
    case NICE_COMPONENT_STATE_GATHERING:
    case NICE_COMPONENT_STATE_CONNECTING:
      if (p->state == GST_PEER_TRANSPORT_NEW)
        o.state_changed = set_state_locked (self, GST_PEER_TRANSPORT_CHECKING);
      break;
    case NICE_COMPONENT_STATE_CONNECTED:
    case NICE_COMPONENT_STATE_READY:
      if (p->state == GST_PEER_TRANSPORT_NEW || p->state == GST_PEER_TRANSPORT_CHECKING) {
        o.state_changed = set_state_locked (self, GST_PEER_TRANSPORT_HANDSHAKING);
        p->path_found_us = now_us ();
      }
      if (p->link && p->role == transport::DtlsEndpoint::Role::Client &&
          p->link->dtls_state () == transport::DtlsEndpoint::State::New)
        p->link->start (now_us (), &out);
      follow_link_locked (self, &o);
      break;
    case NICE_COMPONENT_STATE_FAILED:
      if (p->state == GST_PEER_TRANSPORT_CONNECTED)
        o.warning = "ICE consent lost (RFC 7675): the peer stopped answering";
      else if (p->state != GST_PEER_TRANSPORT_FAILED)
        o.error = "ICE found no working candidate pair";
      o.state_changed = set_state_locked (self, GST_PEER_TRANSPORT_FAILED);
      p->link.reset ();
      break;
    default:
      break;
    }
  }
  send_datagrams (self, agent, stream_id, out);
  report (self, o);
}

/* Every kTickMs on the ICE thread: DTLS retransmissions and handshake
 * timeout, and the peer-timeout check. */
static gboolean
on_tick (gpointer user_data)
{
  GstPeerTransport *self = GST_PEER_TRANSPORT (user_data);
  Private *p = self->priv;
  std::vector<transport::Datagram> out;
  Outcome o;
  NiceAgent *agent;
  guint stream_id;
  {
    std::lock_guard<std::mutex> g (p->lock);
    agent = p->agent;
    stream_id = p->stream_id;
    const uint64_t now = now_us ();
    if (p->link) {
      const uint64_t due = p->link->next_timer_us ();
      if (due != 0 && now >= due)
        p->link->on_timer (now, &out);
      follow_link_locked (self, &o);
    }
    if (p->state == GST_PEER_TRANSPORT_HANDSHAKING && p->path_found_us != 0 &&
        now > p->path_found_us + static_cast<uint64_t> (p->handshake_timeout_ms) * 1000) {
      o.error = "the DTLS handshake did not complete within " + std::to_string (p->handshake_timeout_ms) +
          " ms of ICE finding a path";
      o.state_changed = set_state_locked (self, GST_PEER_TRANSPORT_FAILED);
      p->link.reset ();
    }
    if (p->state == GST_PEER_TRANSPORT_CONNECTED && p->link && now >= p->last_sent_us + kKeepaliveUs) {
      /* RTCP RR (RFC 3550 6.4.2) with no report blocks: V=2, RC=0, PT=201,
       * length 1 (two 32-bit words), our SSRC. */
      transport::Datagram rr (8 + transport::SrtpSession::kMaxTrailer);
      const guint32 ssrc = p->keepalive_ssrc;
      const uint8_t header[8] = { 0x80, 201, 0, 1, uint8_t (ssrc >> 24), uint8_t (ssrc >> 16), uint8_t (ssrc >> 8),
          uint8_t (ssrc) };
      memcpy (rr.data (), header, sizeof header);
      size_t size = sizeof header;
      if (p->link->protect (rr.data (), &size, rr.size ())) {
        rr.resize (size);
        out.push_back (std::move (rr));
      }
      p->last_sent_us = now;
    }
    if (p->state == GST_PEER_TRANSPORT_CONNECTED && p->peer_timeout_ms > 0 &&
        now > p->last_received_us + static_cast<uint64_t> (p->peer_timeout_ms) * 1000) {
      o.warning = "nothing received from the peer for " + std::to_string (p->peer_timeout_ms) + " ms";
      o.state_changed = set_state_locked (self, GST_PEER_TRANSPORT_FAILED);
      p->link.reset ();
    }
  }
  send_datagrams (self, agent, stream_id, out);
  report (self, o);
  return G_SOURCE_CONTINUE;
}

/* ---- Sending: the sink pads' streaming threads ---- */

static GstFlowReturn
sink_chain (GstPad * pad, GstObject * parent, GstBuffer * buf)
{
  (void) pad;
  GstPeerTransport *self = GST_PEER_TRANSPORT (parent);
  Private *p = self->priv;
  GstMapInfo map;
  if (!gst_buffer_map (buf, &map, GST_MAP_READ)) {
    gst_buffer_unref (buf);
    return GST_FLOW_OK;
  }
  if (map.size > kMaxPacket - transport::SrtpSession::kMaxTrailer) {  /* no UDP datagram holds it */
    gst_buffer_unmap (buf, &map);
    gst_buffer_unref (buf);
    std::lock_guard<std::mutex> g (p->lock);
    p->unsent_oversized++;
    return GST_FLOW_OK;
  }
  /* Protected in a copy: upstream's buffer stays as it was, and an MTU-sized
   * packet needs no allocation. */
  uint8_t stack[kStackPacket + transport::SrtpSession::kMaxTrailer];
  std::vector<uint8_t> heap;
  uint8_t *data = stack;
  size_t capacity = sizeof stack;
  if (map.size > kStackPacket) {
    heap.resize (map.size + transport::SrtpSession::kMaxTrailer);
    data = heap.data ();
    capacity = heap.size ();
  }
  size_t size = map.size;
  memcpy (data, map.data, size);
  gst_buffer_unmap (buf, &map);
  gst_buffer_unref (buf);
  NiceAgent *agent = nullptr;
  guint stream_id = 0;
  {
    std::lock_guard<std::mutex> g (p->lock);
    if (p->link && p->state == GST_PEER_TRANSPORT_CONNECTED) {
      if (p->link->protect (data, &size, capacity) && p->agent) {
        agent = NICE_AGENT (g_object_ref (p->agent));
        stream_id = p->stream_id;
        p->last_sent_us = now_us ();
      }
    } else {
      p->unsent_without_keys++;  /* never in clear: no keys, no sending */
    }
  }
  if (agent) {
    nice_agent_send (agent, stream_id, 1, static_cast<guint> (size), reinterpret_cast<const gchar *> (data));
    g_object_unref (agent);
  }
  return GST_FLOW_OK;
}

/* Every sink pad has caps: an offer can describe them all. */
static gboolean
sink_event (GstPad * pad, GstObject * parent, GstEvent * event)
{
  GstPeerTransport *self = GST_PEER_TRANSPORT (parent);
  Private *p = self->priv;
  if (GST_EVENT_TYPE (event) == GST_EVENT_CAPS) {
    GstCaps *caps;
    gst_event_parse_caps (event, &caps);
    bool emit = false;
    {
      std::lock_guard<std::mutex> g (p->lock);
      GstCaps *&slot = p->sink_caps[pad];
      gst_caps_replace (&slot, caps);
      bool all = true;
      for (GstPad *s : p->sinks)
        if (!p->sink_caps.count (s))
          all = false;
      if (all && !p->negotiation_needed_sent) {
        p->negotiation_needed_sent = true;
        emit = true;
      }
    }
    gst_event_unref (event);
    if (emit)
      g_signal_emit (self, signals[SIGNAL_ON_NEGOTIATION_NEEDED], 0);
    return TRUE;
  }
  /* Nothing is downstream of the sink pads but the network. */
  gst_event_unref (event);
  return TRUE;
}

/* The sink pads and the src pads are separate directions of the network,
 * not one stream: events and queries never cross between them. */
static GstIterator *
no_internal_links (GstPad * pad, GstObject * parent)
{
  (void) pad;
  (void) parent;
  return nullptr;
}

static GstPad *
request_new_pad (GstElement * element, GstPadTemplate * templ, const gchar * name, const GstCaps * caps)
{
  (void) name;
  (void) caps;
  GstPeerTransport *self = GST_PEER_TRANSPORT (element);
  Private *p = self->priv;
  gchar *pad_name;
  {
    std::lock_guard<std::mutex> g (p->lock);
    guint index = p->next_sink++;
    if (name && sscanf (name, "sink_%u", &index) == 1) {
      for (GstPad *s : p->sinks)
        if (g_strcmp0 (GST_PAD_NAME (s), name) == 0)
          return nullptr;
      p->next_sink = std::max (p->next_sink, index + 1);
    }
    pad_name = g_strdup_printf ("sink_%u", index);
  }
  GstPad *pad = gst_pad_new_from_template (templ, pad_name);
  g_free (pad_name);
  gst_pad_set_chain_function (pad, sink_chain);
  gst_pad_set_event_function (pad, sink_event);
  gst_pad_set_iterate_internal_links_function (pad, no_internal_links);
  {
    std::lock_guard<std::mutex> g (p->lock);
    p->sinks.push_back (pad);
  }
  gst_pad_set_active (pad, TRUE);
  gst_element_add_pad (element, pad);
  return pad;
}

static void
release_pad (GstElement * element, GstPad * pad)
{
  Private *p = GST_PEER_TRANSPORT (element)->priv;
  {
    std::lock_guard<std::mutex> g (p->lock);
    p->sinks.erase (std::remove (p->sinks.begin (), p->sinks.end (), pad), p->sinks.end ());
    auto it = p->sink_caps.find (pad);
    if (it != p->sink_caps.end ()) {
      gst_caps_unref (it->second);
      p->sink_caps.erase (it);
    }
  }
  gst_element_remove_pad (element, pad);
}

/* ---- Signalling (action signals, any application thread) ---- */

static void
collect_local (GstPeerTransport * self, sdp::LocalDescription * local)
{
  Private *p = self->priv;
  gchar *ufrag = nullptr, *pwd = nullptr;
  nice_agent_get_local_credentials (p->agent, p->stream_id, &ufrag, &pwd);
  local->ufrag = ufrag ? ufrag : "";
  local->pwd = pwd ? pwd : "";
  g_free (ufrag);
  g_free (pwd);
  local->fingerprint = p->fingerprint;
  local->ice_lite = p->ice_lite;
  GSList *cands = nice_agent_get_local_candidates (p->agent, p->stream_id, 1);
  for (GSList *l = cands; l; l = l->next) {
    gchar *line = nice_agent_generate_local_candidate_sdp (p->agent, static_cast<NiceCandidate *> (l->data));
    if (line)
      local->candidates.push_back (g_str_has_prefix (line, "a=") ? line + 2 : line);
    g_free (line);
  }
  g_slist_free_full (cands, reinterpret_cast<GDestroyNotify> (nice_candidate_free));
}

/* The caps of every sink pad that has them, in pad order; refs returned. */
static std::vector<GstCaps *>
rtp_sink_caps (GstPeerTransport * self)
{
  std::vector<GstCaps *> caps;
  std::lock_guard<std::mutex> g (self->priv->lock);
  for (GstPad *pad : self->priv->sinks) {
    auto it = self->priv->sink_caps.find (pad);
    if (it != self->priv->sink_caps.end () &&
        gst_structure_has_name (gst_caps_get_structure (it->second, 0), "application/x-rtp"))
      caps.push_back (gst_caps_ref (it->second));
  }
  return caps;
}

static bool
agent_ready (GstPeerTransport * self, const char *what)
{
  if (!self->priv->agent) {
    GST_ELEMENT_WARNING (self, CORE, STATE_CHANGE, ("%s needs the element in the READY state or above", what), (NULL));
    return false;
  }
  return true;
}

/* Our description: the sink pads' caps, our ICE credentials and
 * candidates, our fingerprint and DTLS `setup`; an offer, or with `offer`
 * the answer to it. NULL (and a warning) when it cannot be made. */
static gchar *
describe (GstPeerTransport * self, const std::string & setup, const sdp::RemoteDescription * offer)
{
  std::vector<GstCaps *> caps = rtp_sink_caps (self);
  sdp::LocalDescription local;
  collect_local (self, &local);
  local.setup = setup;
  std::string error;
  gchar *text = offer ? sdp::make_answer (local, *offer, caps, &error) : sdp::make_offer (local, caps, &error);
  for (GstCaps *c : caps)
    gst_caps_unref (c);
  if (!text)
    GST_ELEMENT_WARNING (self, LIBRARY, SETTINGS, ("Cannot create an %s: %s", offer ? "answer" : "offer",
            error.c_str ()), (NULL));
  return text;
}

static gchar *
create_offer (GstPeerTransport * self)
{
  Private *p = self->priv;
  if (!agent_ready (self, "create-offer"))
    return nullptr;
  gchar *text = describe (self, "actpass", nullptr);
  if (!text)
    return nullptr;
  bool first;
  {
    std::lock_guard<std::mutex> g (p->lock);
    p->negotiation = Negotiation::HaveLocalOffer;
    first = !p->have_remote;
    if (first)
      p->controlling = !p->ice_lite;  /* the offerer controls, unless it is ICE-lite */
  }
  if (first)
    g_object_set (p->agent, "controlling-mode", !p->ice_lite, NULL);
  return text;
}

static gchar *
create_answer (GstPeerTransport * self)
{
  Private *p = self->priv;
  if (!agent_ready (self, "create-answer"))
    return nullptr;
  sdp::RemoteDescription offer;
  std::string setup;
  {
    std::lock_guard<std::mutex> g (p->lock);
    if (p->negotiation != Negotiation::HaveRemoteOffer) {
      GST_ELEMENT_WARNING (self, LIBRARY, SETTINGS, ("Cannot create an answer: no remote offer was set"), (NULL));
      return nullptr;
    }
    offer = p->remote;
    setup = p->role == transport::DtlsEndpoint::Role::Client ? "active" : "passive";
  }
  gchar *text = describe (self, setup, &offer);
  if (!text)
    return nullptr;
  std::lock_guard<std::mutex> g (p->lock);
  p->negotiation = Negotiation::Stable;
  return text;
}

static bool
add_candidate (GstPeerTransport * self, const std::string & candidate)
{
  Private *p = self->priv;
  const std::string line = "a=" + candidate;
  NiceCandidate *c = nice_agent_parse_remote_candidate_sdp (p->agent, p->stream_id, line.c_str ());
  if (!c)
    return false;
  if (c->transport != NICE_CANDIDATE_TRANSPORT_UDP) {  /* ICE-TCP is off */
    nice_candidate_free (c);
    return true;
  }
  GSList *list = g_slist_append (nullptr, c);
  const int added = nice_agent_set_remote_candidates (p->agent, p->stream_id, 1, list);
  g_slist_free_full (list, reinterpret_cast<GDestroyNotify> (nice_candidate_free));
  return added >= 0;
}

/* "aead-aes-256-gcm,aes-128-cm-sha1-80" into profiles, by the nicks of
 * GstSrtpProfile (srtpanydec's enum); false for an unknown name. */
static bool
parse_profiles (const std::string & text, std::vector<transport::SrtpProfile> *out)
{
  GEnumClass *klass = G_ENUM_CLASS (g_type_class_ref (gst_srtp_profile_get_type ()));
  gchar **names = g_strsplit (text.c_str (), ",", -1);
  bool ok = true;
  out->clear ();
  for (gchar **n = names; *n && ok; n++) {
    GEnumValue *v = g_enum_get_value_by_nick (klass, g_strstrip (*n));
    if (v)
      out->push_back (static_cast<transport::SrtpProfile> (v->value));
    else
      ok = false;
  }
  g_strfreev (names);
  g_type_class_unref (klass);
  return ok && !out->empty ();
}

static gboolean
set_remote_description (GstPeerTransport * self, const gchar * text)
{
  Private *p = self->priv;
  if (!agent_ready (self, "set-remote-description"))
    return FALSE;
  sdp::RemoteDescription remote;
  std::string error;
  if (!sdp::parse_remote (text, &remote, &error)) {
    GST_ELEMENT_WARNING (self, STREAM, FORMAT, ("Refused the remote description: %s", error.c_str ()), (NULL));
    return FALSE;
  }
  /* Decided under the lock; libnice is called without it, because libnice
   * emits its signals (which take the lock) from inside its calls. */
  bool is_answer, restart, first;
  transport::DtlsEndpoint::Role role;
  {
    std::lock_guard<std::mutex> g (p->lock);
    is_answer = p->negotiation == Negotiation::HaveLocalOffer;
    first = !p->have_remote;
    restart = p->have_remote && remote.ufrag != p->remote.ufrag;
    role = p->role;
    if (!first && !transport::fingerprints_equal (remote.fingerprint, p->remote.fingerprint))
      error = "the peer's certificate fingerprint changed: a new DTLS association is not supported";
    if (!p->link && error.empty ()) {
      /* RFC 5763 section 5 and RFC 8842: the answerer picks active when it
       * may; the offerer follows what the answer says. */
      if (is_answer) {
        if (remote.setup == "active")
          role = transport::DtlsEndpoint::Role::Server;
        else if (remote.setup == "passive")
          role = transport::DtlsEndpoint::Role::Client;
        else
          error = "the answer's a=setup must be active or passive, not " + remote.setup;
      } else {
        role = remote.setup == "active" ? transport::DtlsEndpoint::Role::Server : transport::DtlsEndpoint::Role::Client;
      }
    }
  }
  if (!error.empty ()) {
    GST_ELEMENT_WARNING (self, STREAM, FORMAT, ("Refused the remote description: %s", error.c_str ()), (NULL));
    return FALSE;
  }
  if (!is_answer && first) {
    /* We answer: full ICE is controlled, unless the offerer is ICE-lite. */
    const bool controlling = remote.ice_lite && !p->ice_lite;
    {
      std::lock_guard<std::mutex> g (p->lock);
      p->controlling = controlling;
    }
    g_object_set (p->agent, "controlling-mode", controlling, NULL);
  }
  if (restart && !is_answer)
    nice_agent_restart_stream (p->agent, p->stream_id);
  if (!nice_agent_set_remote_credentials (p->agent, p->stream_id, remote.ufrag.c_str (), remote.pwd.c_str ())) {
    GST_ELEMENT_WARNING (self, STREAM, FORMAT, ("Refused the remote description: bad ICE credentials"), (NULL));
    return FALSE;
  }
  std::vector<transport::Datagram> out;
  std::vector<std::string> candidates = remote.candidates;
  Outcome o;
  {
    std::lock_guard<std::mutex> g (p->lock);
    if (!p->link) {
      transport::DtlsEndpoint::Config config;
      config.role = role;
      config.remote_fingerprint = remote.fingerprint;
      config.handshake_timeout_us = static_cast<uint64_t> (p->handshake_timeout_ms) * 1000;
      /* A first flight sent as ICE finds its path is often lost (the peer's
       * agent has not taken the pair yet): RFC 6347's 1 s first
       * retransmission made a third of joins a second slower, measured
       * (room-bench). As WebRTC stacks do, retry sooner, doubling from there. */
      config.initial_retransmit_us = kDtlsInitialRetransmitUs;
      parse_profiles (p->srtp_profiles, &config.profiles);  /* checked when set */
      p->link = transport::DtlsSrtpLink::create (config, *p->cert, &error);
      if (!p->link) {
        GST_ELEMENT_ERROR (self, LIBRARY, INIT, ("Cannot set up DTLS: %s", error.c_str ()), (NULL));
        return FALSE;
      }
      p->role = role;
      /* ICE may have found the path already (the peer's checks came first). */
      if (role == transport::DtlsEndpoint::Role::Client &&
          (p->ice_state == NICE_COMPONENT_STATE_CONNECTED || p->ice_state == NICE_COMPONENT_STATE_READY))
        p->link->start (now_us (), &out);
    }
    p->remote = std::move (remote);
    p->have_remote = true;
    p->negotiation = is_answer ? Negotiation::Stable : Negotiation::HaveRemoteOffer;
    follow_link_locked (self, &o);
  }
  for (const auto &c : candidates)
    if (!add_candidate (self, c))
      GST_WARNING_OBJECT (self, "ignored a remote candidate libnice cannot parse");
  send_datagrams (self, p->agent, p->stream_id, out);
  report (self, o);
  return TRUE;
}

static gboolean
add_remote_candidate (GstPeerTransport * self, guint mline, const gchar * line)
{
  (void) mline;  /* BUNDLE: one transport whatever the m-line */
  Private *p = self->priv;
  if (!agent_ready (self, "add-remote-candidate"))
    return FALSE;
  if (!line || !*line || g_str_has_prefix (line, "a=end-of-candidates") || g_str_has_prefix (line, "end-of-candidates")) {
    nice_agent_peer_candidate_gathering_done (p->agent, p->stream_id);
    return TRUE;
  }
  const std::string c = sdp::candidate_attribute (line);
  if (c.empty () || !add_candidate (self, c)) {
    GST_WARNING_OBJECT (self, "refused a remote candidate that is not an ICE candidate line");
    return FALSE;
  }
  return TRUE;
}

static gboolean
restart_ice (GstPeerTransport * self)
{
  Private *p = self->priv;
  if (!agent_ready (self, "restart-ice"))
    return FALSE;
  if (!nice_agent_restart_stream (p->agent, p->stream_id))
    return FALSE;
  std::lock_guard<std::mutex> g (p->lock);
  /* The next offer carries the new credentials; the DTLS association and
   * its keys stay (RFC 8445 section 9: a restart does not renegotiate
   * the layers above). */
  p->negotiation = Negotiation::Idle;
  return TRUE;
}

/* ---- Properties, stats and the state change ---- */

static GstStructure *
make_stats (GstPeerTransport * self)
{
  Private *p = self->priv;
  std::lock_guard<std::mutex> g (p->lock);
  transport::LinkStats ls;
  std::string profile, dtls = "new";
  guint64 retransmissions = 0;
  if (p->link) {
    ls = p->link->stats ();
    if (p->link->keyed ())
      profile = transport::srtp_profile_name (p->link->profile ());
    dtls = transport::dtls_state_name (p->link->dtls_state ());
    retransmissions = p->link->dtls_retransmissions ();
  }
  return gst_structure_new ("application/x-peertransport-stats",
      "connection-state", G_TYPE_STRING, state_nick (p->state),
      "ice-state", G_TYPE_STRING, nice_component_state_to_string (p->ice_state),
      "dtls-state", G_TYPE_STRING, dtls.c_str (),
      "dtls-role", G_TYPE_STRING, p->link ? (p->role == transport::DtlsEndpoint::Role::Client ? "client" : "server") : "",
      "ice-controlling", G_TYPE_BOOLEAN, p->controlling,
      "srtp-profile", G_TYPE_STRING, profile.c_str (),
      "local-candidate", G_TYPE_STRING, p->selected_local.c_str (),
      "remote-candidate", G_TYPE_STRING, p->selected_remote.c_str (),
      "rtp-sent", G_TYPE_UINT64, static_cast<guint64> (ls.rtp_sent),
      "rtcp-sent", G_TYPE_UINT64, static_cast<guint64> (ls.rtcp_sent),
      "rtp-received", G_TYPE_UINT64, static_cast<guint64> (ls.rtp_received),
      "rtcp-received", G_TYPE_UINT64, static_cast<guint64> (ls.rtcp_received),
      "drops-authentication", G_TYPE_UINT64, static_cast<guint64> (ls.drops_authentication),
      "drops-replay", G_TYPE_UINT64, static_cast<guint64> (ls.drops_replay),
      "drops-unknown", G_TYPE_UINT64, static_cast<guint64> (ls.drops_unknown),
      "drops-without-keys", G_TYPE_UINT64, static_cast<guint64> (ls.drops_without_keys),
      "drops-unknown-payload-type", G_TYPE_UINT64, static_cast<guint64> (p->drops_unknown_pt),
      "unsent-without-keys", G_TYPE_UINT64, static_cast<guint64> (ls.unsent_without_keys + p->unsent_without_keys),
      "unsent-unprotectable", G_TYPE_UINT64, static_cast<guint64> (ls.unsent_unprotectable + p->unsent_oversized),
      "dtls-received", G_TYPE_UINT64, static_cast<guint64> (ls.dtls_received),
      "dtls-retransmissions", G_TYPE_UINT64, retransmissions,
      NULL);
}

static void
set_property (GObject * object, guint prop_id, const GValue * value, GParamSpec * pspec)
{
  Private *p = GST_PEER_TRANSPORT (object)->priv;
  std::lock_guard<std::mutex> g (p->lock);
  const gchar *str;
  switch (prop_id) {
    case PROP_CERTIFICATE_FILE:
      str = g_value_get_string (value);
      p->certificate_file = str ? str : "";
      break;
    case PROP_STUN_SERVER:
      str = g_value_get_string (value);
      p->stun_server = str ? str : "";
      break;
    case PROP_LOCAL_ADDRESS:
      str = g_value_get_string (value);
      p->local_address = str ? str : "";
      break;
    case PROP_ICE_LITE:
      p->ice_lite = g_value_get_boolean (value);
      break;
    case PROP_HANDSHAKE_TIMEOUT:
      p->handshake_timeout_ms = g_value_get_uint (value);
      break;
    case PROP_PEER_TIMEOUT:
      p->peer_timeout_ms = g_value_get_uint (value);
      break;
    case PROP_SRTP_PROFILES: {
      str = g_value_get_string (value);
      std::vector<transport::SrtpProfile> profiles;
      if (str && parse_profiles (str, &profiles))
        p->srtp_profiles = str;
      else
        g_warning ("peertransport: srtp-profiles '%s' is not a comma-separated list of "
            "aead-aes-256-gcm, aead-aes-128-gcm, aes-128-cm-sha1-80, aes-128-cm-sha1-32; kept '%s'",
            str ? str : "", p->srtp_profiles.c_str ());
      break;
    }
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
}

static void
get_property (GObject * object, guint prop_id, GValue * value, GParamSpec * pspec)
{
  GstPeerTransport *self = GST_PEER_TRANSPORT (object);
  Private *p = self->priv;
  if (prop_id == PROP_STATS) {
    g_value_take_boxed (value, make_stats (self));
    return;
  }
  std::lock_guard<std::mutex> g (p->lock);
  switch (prop_id) {
    case PROP_CERTIFICATE_FILE:
      g_value_set_string (value, p->certificate_file.empty () ? nullptr : p->certificate_file.c_str ());
      break;
    case PROP_LOCAL_FINGERPRINT:
      g_value_set_string (value, p->fingerprint.empty () ? nullptr : p->fingerprint.c_str ());
      break;
    case PROP_STUN_SERVER:
      g_value_set_string (value, p->stun_server.empty () ? nullptr : p->stun_server.c_str ());
      break;
    case PROP_LOCAL_ADDRESS:
      g_value_set_string (value, p->local_address.empty () ? nullptr : p->local_address.c_str ());
      break;
    case PROP_ICE_LITE:
      g_value_set_boolean (value, p->ice_lite);
      break;
    case PROP_HANDSHAKE_TIMEOUT:
      g_value_set_uint (value, p->handshake_timeout_ms);
      break;
    case PROP_PEER_TIMEOUT:
      g_value_set_uint (value, p->peer_timeout_ms);
      break;
    case PROP_SRTP_PROFILES:
      g_value_set_string (value, p->srtp_profiles.c_str ());
      break;
    case PROP_CONNECTION_STATE:
      g_value_set_enum (value, p->state);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
}

static gpointer
run_ice_loop (gpointer data)
{
  Private *p = static_cast<Private *> (data);
  g_main_context_push_thread_default (p->context);
  g_main_loop_run (p->loop);
  g_main_context_pop_thread_default (p->context);
  return nullptr;
}

static gboolean
quit_loop (gpointer data)
{
  g_main_loop_quit (static_cast<GMainLoop *> (data));
  return G_SOURCE_REMOVE;
}

/* "host:port" or "host" (port 3478) into libnice's STUN settings. */
static bool
set_stun_server (NiceAgent * agent, const std::string & server, std::string * error)
{
  std::string host = server;
  guint port = 3478;
  const size_t colon = server.rfind (':');
  if (colon != std::string::npos && server.find (':') == colon) {
    host = server.substr (0, colon);
    char *end = nullptr;
    const unsigned long v = strtoul (server.c_str () + colon + 1, &end, 10);
    if (!end || *end || v == 0 || v > 65535) {
      *error = "stun-server: bad port in '" + server + "'";
      return false;
    }
    port = static_cast<guint> (v);
  }
  NiceAddress addr;
  nice_address_init (&addr);
  if (!nice_address_set_from_string (&addr, host.c_str ())) {
    *error = "stun-server: '" + host + "' is not an IP address";
    return false;
  }
  g_object_set (agent, "stun-server", host.c_str (), "stun-server-port", port, NULL);
  return true;
}

static bool
start_ice (GstPeerTransport * self, std::string * error)
{
  Private *p = self->priv;
  std::string cert_file, stun, local_address;
  bool lite;
  {
    std::lock_guard<std::mutex> g (p->lock);
    cert_file = p->certificate_file;
    stun = p->stun_server;
    local_address = p->local_address;
    lite = p->ice_lite;
  }
  std::unique_ptr<transport::Certificate> cert;
  if (cert_file.empty ()) {
    cert = transport::Certificate::generate (error);
  } else {
    gchar *pem = nullptr;
    GError *err = nullptr;
    if (!g_file_get_contents (cert_file.c_str (), &pem, nullptr, &err)) {
      *error = std::string ("certificate-file: ") + err->message;
      g_error_free (err);
      return false;
    }
    cert = transport::Certificate::from_pem (pem, error);
    OPENSSL_cleanse (pem, strlen (pem));  /* it holds the private key */
    g_free (pem);
    if (!cert)
      *error = "certificate-file " + cert_file + ": " + *error;
  }
  if (!cert)
    return false;

  GMainContext *context = g_main_context_new ();
  const auto options = static_cast<NiceAgentOption> (NICE_AGENT_OPTION_ICE_TRICKLE | NICE_AGENT_OPTION_CONSENT_FRESHNESS |
      (lite ? NICE_AGENT_OPTION_LITE_MODE : 0));
  NiceAgent *agent = nice_agent_new_full (context, NICE_COMPATIBILITY_RFC5245, options);
  g_object_set (agent, "ice-tcp", FALSE, "upnp", FALSE, NULL);
  if (!stun.empty () && !set_stun_server (agent, stun, error)) {
    g_object_unref (agent);
    g_main_context_unref (context);
    return false;
  }
  if (!local_address.empty ()) {
    NiceAddress addr;
    nice_address_init (&addr);
    if (!nice_address_set_from_string (&addr, local_address.c_str ()) || !nice_agent_add_local_address (agent, &addr)) {
      *error = "local-address: '" + local_address + "' is not a local IP address";
      g_object_unref (agent);
      g_main_context_unref (context);
      return false;
    }
  }
  const guint stream_id = nice_agent_add_stream (agent, 1);
  nice_agent_set_stream_name (agent, stream_id, "application");
  g_signal_connect (agent, "new-candidate-full", G_CALLBACK (on_new_candidate), self);
  g_signal_connect (agent, "candidate-gathering-done", G_CALLBACK (on_gathering_done), self);
  g_signal_connect (agent, "component-state-changed", G_CALLBACK (on_component_state), self);
  g_signal_connect (agent, "new-selected-pair-full", G_CALLBACK (on_selected_pair), self);
  nice_agent_attach_recv (agent, stream_id, 1, context, on_receive, self);
  {
    std::lock_guard<std::mutex> g (p->lock);
    p->fingerprint = cert->fingerprint ();
    p->cert = std::move (cert);
    p->context = context;
    p->agent = agent;
    p->stream_id = stream_id;
    p->loop = g_main_loop_new (context, FALSE);
    p->tick = g_timeout_source_new (kTickMs);
    g_source_set_callback (p->tick, on_tick, self, nullptr);
    g_source_attach (p->tick, context);
    p->state = GST_PEER_TRANSPORT_NEW;
  }
  p->thread = g_thread_new ("peertransport-ice", run_ice_loop, p);
  if (!nice_agent_gather_candidates (agent, stream_id)) {
    *error = "ICE found no local address to gather candidates on";
    return false;
  }
  return true;
}

static void
stop_ice (GstPeerTransport * self)
{
  Private *p = self->priv;
  if (p->thread) {
    GSource *quit = g_idle_source_new ();
    g_source_set_callback (quit, quit_loop, p->loop, nullptr);
    g_source_attach (quit, p->context);
    g_source_unref (quit);
    g_thread_join (p->thread);
    p->thread = nullptr;
  }
  std::lock_guard<std::mutex> g (p->lock);
  if (p->tick) {
    g_source_destroy (p->tick);
    g_source_unref (p->tick);
    p->tick = nullptr;
  }
  if (p->agent) {
    g_signal_handlers_disconnect_by_data (p->agent, self);
    g_object_unref (p->agent);
    p->agent = nullptr;
  }
  g_clear_pointer (&p->loop, g_main_loop_unref);
  g_clear_pointer (&p->context, g_main_context_unref);
  p->link.reset ();
  p->cert.reset ();
  p->remote = {};
  p->have_remote = false;
  p->negotiation = Negotiation::Idle;
  p->ice_state = NICE_COMPONENT_STATE_DISCONNECTED;
  p->selected_local.clear ();
  p->selected_remote.clear ();
  p->negotiated_profile.clear ();
  p->path_found_us = 0;
  p->negotiation_needed_sent = false;
}

static void
remove_src_pads (GstPeerTransport * self)
{
  std::map<guint, GstPad *> pads;
  {
    std::lock_guard<std::mutex> g (self->priv->lock);
    pads.swap (self->priv->src_by_pt);
    self->priv->rtcp_src_started = false;
  }
  for (auto &e : pads) {
    gst_pad_set_active (e.second, FALSE);
    gst_element_remove_pad (GST_ELEMENT (self), e.second);
  }
}

static GstStateChangeReturn
change_state (GstElement * element, GstStateChange transition)
{
  GstPeerTransport *self = GST_PEER_TRANSPORT (element);
  if (transition == GST_STATE_CHANGE_NULL_TO_READY) {
    std::string error;
    if (!start_ice (self, &error)) {
      GST_ELEMENT_ERROR (self, RESOURCE, OPEN_READ_WRITE, ("Cannot start the peer transport: %s", error.c_str ()), (NULL));
      stop_ice (self);
      return GST_STATE_CHANGE_FAILURE;
    }
  }
  GstStateChangeReturn ret = GST_ELEMENT_CLASS (gst_peer_transport_parent_class)->change_state (element, transition);
  if (ret == GST_STATE_CHANGE_FAILURE)
    return ret;
  if (transition == GST_STATE_CHANGE_READY_TO_NULL) {
    if (gst_debug_category_get_threshold (GST_CAT_DEFAULT) >= GST_LEVEL_INFO) {
      GstStructure *stats = make_stats (self);
      gchar *text = gst_structure_to_string (stats);
      GST_INFO_OBJECT (self, "stopping: %s", text);
      g_free (text);
      gst_structure_free (stats);
    }
    stop_ice (self);
    remove_src_pads (self);
  }
  /* The network does not wait for the pipeline: live, like udpsrc. */
  if (transition == GST_STATE_CHANGE_READY_TO_PAUSED || transition == GST_STATE_CHANGE_PLAYING_TO_PAUSED)
    ret = GST_STATE_CHANGE_NO_PREROLL;
  return ret;
}

static void
gst_peer_transport_init (GstPeerTransport * self)
{
  self->priv = new Private ();
  self->priv->keepalive_ssrc = g_random_int ();
  self->rtcp_src = gst_pad_new_from_static_template (&rtcp_src_template, "rtcp_src");
  gst_pad_use_fixed_caps (self->rtcp_src);
  gst_pad_set_iterate_internal_links_function (self->rtcp_src, no_internal_links);
  gst_element_add_pad (GST_ELEMENT (self), self->rtcp_src);
}

static void
finalize (GObject * object)
{
  GstPeerTransport *self = GST_PEER_TRANSPORT (object);
  stop_ice (self);
  for (auto &e : self->priv->sink_caps)
    gst_caps_unref (e.second);
  delete self->priv;
  G_OBJECT_CLASS (gst_peer_transport_parent_class)->finalize (object);
}

static void
gst_peer_transport_class_init (GstPeerTransportClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  const auto rw = static_cast<GParamFlags> (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY);
  const auto ro = static_cast<GParamFlags> (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  GST_DEBUG_CATEGORY_INIT (peer_transport_debug, "peertransport", 0, "ICE + DTLS-SRTP transport to one peer");
  gobject_class->set_property = set_property;
  gobject_class->get_property = get_property;
  gobject_class->finalize = finalize;

  g_object_class_install_property (gobject_class, PROP_CERTIFICATE_FILE,
      g_param_spec_string ("certificate-file", "Certificate file",
          "PEM file with this endpoint's DTLS certificate and its private key (ECDSA P-256); "
          "unset: a new certificate per session", NULL, rw));
  g_object_class_install_property (gobject_class, PROP_LOCAL_FINGERPRINT,
      g_param_spec_string ("local-fingerprint", "Local fingerprint",
          "SHA-256 fingerprint of our DTLS certificate, as the SDP says it (from READY on)", NULL, ro));
  g_object_class_install_property (gobject_class, PROP_STUN_SERVER,
      g_param_spec_string ("stun-server", "STUN server",
          "IP address[:port] of a STUN server for server-reflexive candidates (port 3478 if not given); "
          "unset: host candidates only", NULL, rw));
  g_object_class_install_property (gobject_class, PROP_LOCAL_ADDRESS,
      g_param_spec_string ("local-address", "Local address",
          "Gather candidates on this local IP address only (unset: every interface)", NULL, rw));
  g_object_class_install_property (gobject_class, PROP_ICE_LITE,
      g_param_spec_boolean ("ice-lite", "ICE-lite",
          "Run ICE-lite (RFC 8445 section 2.5), as a server with a public address may: answer checks, never send them",
          FALSE, rw));
  g_object_class_install_property (gobject_class, PROP_HANDSHAKE_TIMEOUT,
      g_param_spec_uint ("handshake-timeout", "Handshake timeout",
          "Milliseconds the DTLS handshake may take from its start before the transport fails with an error",
          100, 600000, kDefaultHandshakeTimeoutMs, rw));
  g_object_class_install_property (gobject_class, PROP_PEER_TIMEOUT,
      g_param_spec_uint ("peer-timeout", "Peer timeout",
          "Milliseconds without one authenticated packet from a connected peer before it counts as lost "
          "(a warning, and the transport stops; a peer with nothing to send still sends an empty RTCP receiver report "
          "every second); 0: only ICE consent freshness (about 30 s) decides",
          0, 600000, kDefaultPeerTimeoutMs, rw));
  g_object_class_install_property (gobject_class, PROP_SRTP_PROFILES,
      g_param_spec_string ("srtp-profiles", "SRTP profiles",
          "DTLS-SRTP protection profiles offered (as client) or accepted (as server), most preferred first, "
          "comma-separated: aead-aes-256-gcm, aead-aes-128-gcm, aes-128-cm-sha1-80, aes-128-cm-sha1-32",
          kDefaultProfiles, rw));
  g_object_class_install_property (gobject_class, PROP_CONNECTION_STATE,
      g_param_spec_enum ("connection-state", "Connection state", "Where the transport is (notified on change)",
          GST_TYPE_PEER_TRANSPORT_STATE, GST_PEER_TRANSPORT_NEW, ro));
  g_object_class_install_property (gobject_class, PROP_STATS,
      g_param_spec_boxed ("stats", "Statistics",
          "connection-state, ice-state, dtls-state, dtls-role, ice-controlling, srtp-profile (empty until keyed), "
          "local-candidate and remote-candidate of the selected pair, rtp-/rtcp-sent, rtp-/rtcp-received, "
          "drops-authentication, drops-replay, drops-unknown (not DTLS/SRTP), drops-without-keys, "
          "drops-unknown-payload-type, unsent-without-keys, unsent-unprotectable, dtls-received, dtls-retransmissions",
          GST_TYPE_STRUCTURE, ro));

  /**
   * GstPeerTransport::create-offer:
   *
   * Returns: (transfer full) (nullable): an SDP offer with one m-line per
   * sink pad that has RTP caps, in one BUNDLE group, with the candidates
   * gathered so far; NULL (and a warning message) when no sink pad has caps.
   */
  signals[SIGNAL_CREATE_OFFER] = g_signal_new_class_handler ("create-offer", G_TYPE_FROM_CLASS (klass),
      static_cast<GSignalFlags> (G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION), G_CALLBACK (create_offer), NULL, NULL, NULL,
      G_TYPE_STRING, 0);
  /**
   * GstPeerTransport::create-answer:
   *
   * Returns: (transfer full) (nullable): the SDP answer to the offer given to
   * set-remote-description; NULL (and a warning message) without one.
   */
  signals[SIGNAL_CREATE_ANSWER] = g_signal_new_class_handler ("create-answer", G_TYPE_FROM_CLASS (klass),
      static_cast<GSignalFlags> (G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION), G_CALLBACK (create_answer), NULL, NULL, NULL,
      G_TYPE_STRING, 0);
  /**
   * GstPeerTransport::set-remote-description:
   * @sdp: the peer's offer, or its answer to our offer
   *
   * Returns: FALSE (and a warning message saying why) for a description
   * this transport cannot use.
   */
  signals[SIGNAL_SET_REMOTE_DESCRIPTION] = g_signal_new_class_handler ("set-remote-description",
      G_TYPE_FROM_CLASS (klass), static_cast<GSignalFlags> (G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION),
      G_CALLBACK (set_remote_description), NULL, NULL, NULL, G_TYPE_BOOLEAN, 1, G_TYPE_STRING);
  /**
   * GstPeerTransport::add-remote-candidate:
   * @mline: the m-line index (ignored: all media share one transport)
   * @candidate: "candidate:..." (or "a=candidate:..."); empty or
   *   "a=end-of-candidates" when the peer has no more
   *
   * Returns: FALSE for a line that is not an ICE candidate.
   */
  signals[SIGNAL_ADD_REMOTE_CANDIDATE] = g_signal_new_class_handler ("add-remote-candidate",
      G_TYPE_FROM_CLASS (klass), static_cast<GSignalFlags> (G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION),
      G_CALLBACK (add_remote_candidate), NULL, NULL, NULL, G_TYPE_BOOLEAN, 2, G_TYPE_UINT, G_TYPE_STRING);
  /**
   * GstPeerTransport::restart-ice:
   *
   * New ICE credentials; offer again (create-offer) to carry them to the
   * peer. The DTLS association and its keys stay.
   */
  signals[SIGNAL_RESTART_ICE] = g_signal_new_class_handler ("restart-ice", G_TYPE_FROM_CLASS (klass),
      static_cast<GSignalFlags> (G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION), G_CALLBACK (restart_ice), NULL, NULL, NULL,
      G_TYPE_BOOLEAN, 0);
  /**
   * GstPeerTransport::on-local-candidate:
   * @mline: always 0 (BUNDLE)
   * @candidate: "candidate:..." for the peer's add-ice-candidate, or an
   *   empty string when gathering is done
   */
  signals[SIGNAL_ON_LOCAL_CANDIDATE] = g_signal_new ("on-local-candidate", G_TYPE_FROM_CLASS (klass),
      G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_STRING);
  /**
   * GstPeerTransport::on-negotiation-needed:
   *
   * Every sink pad has caps: create-offer can describe them. Emitted once,
   * from a streaming thread.
   */
  signals[SIGNAL_ON_NEGOTIATION_NEEDED] = g_signal_new ("on-negotiation-needed", G_TYPE_FROM_CLASS (klass),
      G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gst_element_class_add_static_pad_template (element_class, &sink_template);
  gst_element_class_add_static_pad_template (element_class, &src_template);
  gst_element_class_add_static_pad_template (element_class, &rtcp_src_template);
  gst_element_class_set_static_metadata (element_class, "Peer transport (ICE, DTLS-SRTP)",
      "Network/Transport", "Carries RTP and RTCP to one peer over ICE with DTLS-SRTP keys (AEAD GCM first), "
      "configured by SDP offer/answer", "gst-e2ee developers");
  element_class->change_state = change_state;
  element_class->request_new_pad = request_new_pad;
  element_class->release_pad = release_pad;
  gst_type_mark_as_plugin_api (GST_TYPE_PEER_TRANSPORT_STATE, static_cast<GstPluginAPIFlags> (0));
}
