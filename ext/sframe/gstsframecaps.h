/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What sframeenc and sframedec share about the data they carry: the mode
 * chosen from the caps, the caps each side announces, and the clear prefix. */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

typedef enum {
  GST_SFRAME_CLEAR_PREFIX_NONE = 0,
  GST_SFRAME_CLEAR_PREFIX_VP8 = 1,
  GST_SFRAME_CLEAR_PREFIX_OPUS = 2,
} GstSFrameClearPrefix;

#define GST_TYPE_SFRAME_CLEAR_PREFIX (gst_sframe_clear_prefix_get_type ())
GType gst_sframe_clear_prefix_get_type (void);

G_END_DECLS

#ifdef __cplusplus
#include <cstddef>
#include <cstdint>

namespace gste2ee::glue {

enum class Mode { Frame, Packet };

/* Packet mode for application/x-rtp, frame mode for anything else (and for
 * input without caps). */
Mode mode_for_caps (const GstCaps * caps);

/* Bytes left in clear at the start of a frame (or RTP payload): vp8 keeps the
 * 10 bytes of a key frame's header or 3 of a delta frame (bit 0 of the first
 * byte clear marks a key frame), opus its TOC byte. `data` is what the
 * receiver also sees in clear, so both sides compute the same length. */
size_t clear_prefix_size (GstSFrameClearPrefix prefix, const uint8_t * data, size_t size);

/* Splits an RTP packet (RFC 3550 section 5.1) into the part that stays in
 * clear (fixed header, CSRCs, header extension) and the payload, excluding
 * padding. False for anything that is not a well-formed RTP packet. */
bool rtp_layout (const uint8_t * data, size_t size, size_t * header_len, size_t * payload_len);

/* sframeenc: input caps -> output caps and back. Frame mode output is
 * application/x-sframe carrying the input caps as the string field
 * original-caps; RTP caps are kept. */
GstCaps *encrypted_caps_from_plain (const GstCaps * caps);
GstCaps *plain_caps_from_encrypted (const GstCaps * caps);

} // namespace gste2ee::glue
#endif
