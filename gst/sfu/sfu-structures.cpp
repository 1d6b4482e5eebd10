/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "sfu-structures.h"

namespace gste2ee::sfu {

bool
participant_pair (Forwarder & forwarder, const char *sub, const char *pub, ParticipantId * s, ParticipantId * p)
{
  if (!sub || !pub)
    return false;
  /* Naming a participant before its pads exist is allowed: it is created. */
  *s = forwarder.add_participant (sub);
  *p = forwarder.add_participant (pub);
  return *s != *p;
}

GstStructure *
subscriptions_structure (const Forwarder & forwarder)
{
  GstStructure *s = gst_structure_new_empty ("subscriptions");
  auto names = forwarder.participants ();
  for (const auto & sub : names) {
    GstStructure *entry = gst_structure_new_empty ("subscriber");
    for (const auto & pub : names) {
      if (pub == sub)
        continue;
      Subscription sn = forwarder.subscription (*forwarder.find (sub),
          *forwarder.find (pub));
      GstStructure *one = gst_structure_new ("subscription", "subscribed", G_TYPE_BOOLEAN, sn.subscribed,
          "paused", G_TYPE_BOOLEAN, sn.paused, "max-layer", G_TYPE_INT, sn.max_layer, NULL);
      gst_structure_set (entry, pub.c_str (), GST_TYPE_STRUCTURE, one, NULL);
      gst_structure_free (one);
    }
    gst_structure_set (s, sub.c_str (), GST_TYPE_STRUCTURE, entry, NULL);
    gst_structure_free (entry);
  }
  return s;
}

namespace {

struct ApplyCtx {
  Forwarder *forwarder;
  const gchar *subscriber;
  bool ok;
};

static gboolean
apply_one (GQuark field, const GValue * value, gpointer data)
{
  ApplyCtx *ctx = static_cast<ApplyCtx *>(data);
  if (!GST_VALUE_HOLDS_STRUCTURE (value)) {
    ctx->ok = false;
    return TRUE;
  }
  const GstStructure *one = gst_value_get_structure (value);
  ParticipantId s, p;
  if (!participant_pair (*ctx->forwarder, ctx->subscriber, g_quark_to_string (field), &s, &p)) {
    ctx->ok = false;
    return TRUE;
  }
  Subscription sn = ctx->forwarder->subscription (s, p);
  gboolean b;
  gint layer;
  if (gst_structure_get_boolean (one, "subscribed", &b))
    sn.subscribed = b;
  if (gst_structure_get_boolean (one, "paused", &b))
    sn.paused = b;
  if (gst_structure_get_int (one, "max-layer", &layer) && layer >= 0)
    sn.max_layer = layer;
  ctx->ok = ctx->forwarder->set_subscription (s, p, sn) && ctx->ok;
  return TRUE;
}

static gboolean
apply_subscriber (GQuark field, const GValue * value, gpointer data)
{
  ApplyCtx *ctx = static_cast<ApplyCtx *>(data);
  if (!GST_VALUE_HOLDS_STRUCTURE (value)) {
    ctx->ok = false;
    return TRUE;
  }
  ctx->subscriber = g_quark_to_string (field);
  gst_structure_foreach (gst_value_get_structure (value), apply_one, ctx);
  return TRUE;
}

} // namespace

bool
apply_subscriptions (Forwarder & forwarder, const GstStructure * s)
{
  ApplyCtx ctx { &forwarder, NULL, true };
  gst_structure_foreach (s, apply_subscriber, &ctx);
  return ctx.ok;
}

GstStructure *
stats_structure (const Forwarder & forwarder)
{
  GstStructure *s = gst_structure_new_empty ("sfuforward-stats");
  for (const auto & st : forwarder.stats ()) {
    GstStructure *p = gst_structure_new ("participant",
        "packets-in", G_TYPE_UINT64, st.packets_in, "bytes-in", G_TYPE_UINT64, st.bytes_in,
        "packets-out", G_TYPE_UINT64, st.packets_out, "bytes-out", G_TYPE_UINT64, st.bytes_out,
        "keyframe-requests-received", G_TYPE_UINT64, st.keyframe_requests_in,
        "nacks-received", G_TYPE_UINT64, st.nacks_in, "nacks-served", G_TYPE_UINT64, st.nacks_served, NULL);
    GstStructure *drops = gst_structure_new_empty ("drops");
    for (int d = 1; d < kDropKinds; d++)
      gst_structure_set (drops, drop_name (static_cast<Drop>(d)), G_TYPE_UINT64, st.drops[d], NULL);
    gst_structure_set (p, "drops", GST_TYPE_STRUCTURE, drops, NULL);
    gst_structure_free (drops);
    GstStructure *streams = gst_structure_new_empty ("streams");
    for (const auto & str : st.streams) {
      gchar key[16];
      g_snprintf (key, sizeof key, "ssrc-%08x", str.ssrc);
      GstStructure *one = gst_structure_new ("stream", "ssrc", G_TYPE_UINT, str.ssrc, "layer", G_TYPE_INT, str.layer,
          "rid", G_TYPE_STRING, str.rid.c_str (), "packets", G_TYPE_UINT64, str.packets, "bytes", G_TYPE_UINT64,
          str.bytes, "keyframe-requests", G_TYPE_UINT64, str.keyframe_requests, NULL);
      gst_structure_set (streams, key, GST_TYPE_STRUCTURE, one, NULL);
      gst_structure_free (one);
    }
    gst_structure_set (p, "streams", GST_TYPE_STRUCTURE, streams, NULL);
    gst_structure_free (streams);
    GstStructure *layers = gst_structure_new_empty ("current-layer");
    for (const auto & [pub, layer] : st.current_layer)
      gst_structure_set (layers, pub.c_str (), G_TYPE_INT, layer, NULL);
    gst_structure_set (p, "current-layer", GST_TYPE_STRUCTURE, layers, NULL);
    gst_structure_free (layers);
    gst_structure_set (s, st.name.c_str (), GST_TYPE_STRUCTURE, p, NULL);
    gst_structure_free (p);
  }
  return s;
}

} // namespace gste2ee::sfu
