/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The SDP side of one peer transport (RFC 8829's offer/answer as webrtcbin
 * speaks it, on GstSDPMessage): what we tell the peer (ICE credentials and
 * candidates, the DTLS fingerprint and role, one BUNDLE group with rtcp-mux)
 * and what we take from its description. Only strings cross the API, so
 * signalling code moves text and nothing else. */
#pragma once

#include <map>
#include <string>
#include <vector>

#include <gst/gst.h>

namespace gste2ee::transport_sdp {

struct LocalDescription {
  std::string ufrag, pwd;
  std::string fingerprint;  /* SHA-256, "AB:CD:..." */
  std::string setup;        /* "actpass" (offer), "active" or "passive" (answer) */
  std::vector<std::string> candidates;  /* "candidate:..." as ICE gathered them so far */
  bool ice_lite = false;
};

struct RemoteDescription {
  std::string ufrag, pwd, fingerprint, setup;
  std::vector<std::string> candidates;
  bool ice_lite = false;
  bool rtcp_mux = true;
  /* Every payload type the peer described, as RTP caps (media,
   * encoding-name, clock-rate and its fmtp parameters). */
  std::map<guint, std::string> caps_by_pt;
  /* What an answer needs of the offer: its text. */
  std::string text;
};

/* An offer with one m-line per entry of `media` (RTP caps of what we send:
 * media, payload, clock-rate, encoding-name; ssrc when known), all in one
 * BUNDLE group. NULL with `error` set when a caps cannot be described. */
gchar *make_offer (const LocalDescription & local, const std::vector<GstCaps *> &media, std::string * error);

/* The answer to `offer`: every m-line accepted with the offer's formats,
 * direction mirrored, our ssrcs named where a caps of `media` has that m-line's
 * media type, one BUNDLE group. */
gchar *make_answer (const LocalDescription & local, const RemoteDescription & offer,
    const std::vector<GstCaps *> &media, std::string * error);

/* Reads a peer's offer or answer. Refuses (false, `error` set) what we
 * cannot talk to: no ICE credentials, no SHA-256 fingerprint, a transport
 * other than UDP/TLS/RTP/SAVPF, media outside the first BUNDLE transport
 * without rtcp-mux. */
bool parse_remote (const char *text, RemoteDescription * remote, std::string * error);

/* "candidate:..." from an "a=candidate:..." or "candidate:..." line; empty
 * for the end-of-candidates marker (an empty line or "a=end-of-candidates"). */
std::string candidate_attribute (const char *line);

} /* namespace gste2ee::transport_sdp */
