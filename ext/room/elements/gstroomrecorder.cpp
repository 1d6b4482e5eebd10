/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * SECTION:element-roomrecorder
 *
 * Records a gst-e2ee room with one launch line: it joins as a recorder
 * (the token needs the `record` permission, and every participant is told
 * a recorder is present), receives every participant's streams from the
 * server and writes one WebM file (VP8 video + Opus audio) per participant
 * into the directory `location`, plus one per screen share. A participant's
 * file is finished when it leaves; every file when the recorder stops or
 * gets EOS (gst-launch-1.0 -e). In an e2ee room it records by default the
 * ciphertext only (e2ee-recording=ciphertext): it stays out of the MLS
 * group and writes one <identity>.sframe-archive per participant, which
 * gst-e2ee-room-archive decrypts later with a member's key log; with
 * e2ee-recording=member it is an MLS member of the group, its files are in
 * the clear, and the room's members see it as a recorder in their group.
 * docs/elements/roomrecorder.md.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstroomrecorder.h"
#include "room-archives.h"
#include "room-element.h"
#include "room-receiver.h"
#include "room-recordings.h"

#include <glib/gstdio.h>

#include <memory>

GST_DEBUG_CATEGORY_STATIC (room_recorder_debug);
#define GST_CAT_DEFAULT room_recorder_debug

namespace r = gste2ee::room;

namespace {

enum {
  PROP_LOCATION = r::RoomElementSettings::kFirstProperty + r::RoomElementSettings::kPropertyCount,
  PROP_MAX_SIZE_TIME,
  PROP_E2EE_RECORDING,
};

enum E2eeRecording {
  E2EE_RECORDING_CIPHERTEXT,
  E2EE_RECORDING_MEMBER,
};

// How long stopping waits for the files to be written.
constexpr int kFinishTimeoutMs = 10000;

} // namespace

struct _GstRoomRecorder {
  GstBin parent;
  r::RoomElementSettings settings;
  std::mutex lock;              // the three properties below
  std::string location;
  guint64 max_size_time;
  E2eeRecording e2ee_recording;
  GstElement *transport;
  std::unique_ptr<r::RoomSession> session;
  std::unique_ptr<r::RoomReceiver> receiver;
  std::unique_ptr<r::Recordings> recordings;
  std::unique_ptr<r::Archives> archives;  /* instead, for ciphertext */
};

#define GST_TYPE_ROOM_E2EE_RECORDING (gst_room_e2ee_recording_get_type ())
static GType
gst_room_e2ee_recording_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {E2EE_RECORDING_CIPHERTEXT, "Archive the SFrame ciphertext, outside the MLS group (decrypted later with a "
          "member's key log by gst-e2ee-room-archive)", "ciphertext"},
    {E2EE_RECORDING_MEMBER, "Join the MLS group as a member every participant sees, and write WebM in the clear",
        "member"},
    {0, nullptr, nullptr},
  };
  if (g_once_init_enter (&type))
    g_once_init_leave (&type, g_enum_register_static ("GstRoomE2eeRecording", values));
  return type;
}

G_DEFINE_TYPE (GstRoomRecorder, gst_room_recorder, GST_TYPE_BIN);
GST_ELEMENT_REGISTER_DEFINE (roomrecorder, "roomrecorder", GST_RANK_NONE, GST_TYPE_ROOM_RECORDER);

static void
on_message (GstRoomRecorder * self, const r::Message & m)
{
  if (m.type () == "track") {
    self->receiver->on_track (m);
  } else if (m.type () == "participant" && m.str ("event") != "joined" && m.str ("event") != "present") {
    /* left or removed: its files are complete */
    if (self->recordings)
      self->recordings->finish (m.str ("identity"));
    if (self->archives)
      self->archives->finish (m.str ("identity"));
  }
}

/* The directory, made if missing (owner-only: recordings are the meeting),
 * and writable. */
static bool
location_usable (GstRoomRecorder * self, std::string * dir)
{
  std::lock_guard < std::mutex > g (self->lock);
  *dir = self->location;
  if (!g_file_test (dir->c_str (), G_FILE_TEST_EXISTS))
    g_mkdir_with_parents (dir->c_str (), 0700);
  return g_file_test (dir->c_str (), G_FILE_TEST_IS_DIR) && g_access (dir->c_str (), W_OK) == 0;
}

static void
finish_files (GstRoomRecorder * self)
{
  if (self->archives)
    self->archives->finish_all ();
  if (self->recordings && !self->recordings->finish_all (kFinishTimeoutMs))
    GST_ELEMENT_WARNING (self, RESOURCE, CLOSE, ("some recordings were not finished within %d s",
            kFinishTimeoutMs / 1000), (nullptr));
}

static GstStateChangeReturn
gst_room_recorder_change_state (GstElement * element, GstStateChange transition)
{
  GstRoomRecorder *self = GST_ROOM_RECORDER (element);
  if (transition == GST_STATE_CHANGE_NULL_TO_READY) {
    std::string dir;
    if (!location_usable (self, &dir)) {
      GST_ELEMENT_ERROR (self, RESOURCE, OPEN_WRITE, ("cannot record into \"%s\": not a writable directory",
              dir.c_str ()), (nullptr));
      return GST_STATE_CHANGE_FAILURE;
    }
  }
  if (transition == GST_STATE_CHANGE_READY_TO_PAUSED) {
    r::Recordings::Options o;
    bool ciphertext;
    {
      std::lock_guard < std::mutex > g (self->lock);
      o.directory = self->location;
      o.max_size_time = self->max_size_time;
      ciphertext = self->e2ee_recording == E2EE_RECORDING_CIPHERTEXT;
    }
    o.mode = self->settings.session ().mode;
    ciphertext = ciphertext && o.mode == r::RoomMode::EndToEnd;
    self->settings.set_mls_member (!ciphertext);
    if (ciphertext) {
      self->archives = std::make_unique < r::Archives > (GST_BIN (self), o.directory,
          [self] (guint32 ssrc) { self->receiver->request_key_frame (ssrc); });
    } else {
      o.request_key_frame = [self] (guint32 ssrc) { self->receiver->request_key_frame (ssrc); };
      self->recordings = std::make_unique < r::Recordings > (GST_BIN (self), o);
    }
  }
  /* While the pipeline still plays: a paused file sink would hold the
   * muxer's last writes until it plays again. */
  if (transition == GST_STATE_CHANGE_PLAYING_TO_PAUSED)
    finish_files (self);
  if (r::room_element_before_change (element, self->transport, self->settings, transition, &self->session,
          [self] (const r::Message & m) { on_message (self, m); }, nullptr) == GST_STATE_CHANGE_FAILURE) {
    if (transition == GST_STATE_CHANGE_READY_TO_PAUSED) {
      self->recordings.reset ();
      self->archives.reset ();
    }
    return GST_STATE_CHANGE_FAILURE;
  }
  GstStateChangeReturn ret = GST_ELEMENT_CLASS (gst_room_recorder_parent_class)->change_state (element, transition);
  if (transition == GST_STATE_CHANGE_READY_TO_PAUSED && ret != GST_STATE_CHANGE_FAILURE) {
    self->receiver->describe_reception (self->settings.session ().mode);
    ret = GST_STATE_CHANGE_NO_PREROLL;
  }
  if (transition == GST_STATE_CHANGE_PAUSED_TO_READY) {
    self->session.reset ();
    self->recordings.reset ();
    self->archives.reset ();
    self->receiver->stop ();
  }
  return ret;
}

/* EOS (gst-launch-1.0 -e, or the application's): every file is finished,
 * then the recorder posts EOS, so the pipeline ends after the files are
 * complete. */
static gboolean
gst_room_recorder_send_event (GstElement * element, GstEvent * event)
{
  GstRoomRecorder *self = GST_ROOM_RECORDER (element);
  if (GST_EVENT_TYPE (event) != GST_EVENT_EOS)
    return GST_ELEMENT_CLASS (gst_room_recorder_parent_class)->send_event (element, event);
  const guint32 seqnum = gst_event_get_seqnum (event);
  gst_event_unref (event);
  finish_files (self);
  GstMessage *eos = gst_message_new_eos (GST_OBJECT (self));
  gst_message_set_seqnum (eos, seqnum);
  gst_element_post_message (element, eos);
  return TRUE;
}

/* A file's EOS is ours; so is the EOS of anything else inside (the
 * transport's sinks): the recorder ends only as send_event says. */
static void
gst_room_recorder_handle_message (GstBin * bin, GstMessage * msg)
{
  GstRoomRecorder *self = GST_ROOM_RECORDER (bin);
  if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_EOS) {
    if (self->recordings)
      self->recordings->take_message (msg);
    gst_message_unref (msg);
    return;
  }
  GST_BIN_CLASS (gst_room_recorder_parent_class)->handle_message (bin, msg);
}

static void
gst_room_recorder_set_property (GObject * object, guint id, const GValue * value, GParamSpec * pspec)
{
  GstRoomRecorder *self = GST_ROOM_RECORDER (object);
  if (id == PROP_LOCATION) {
    std::lock_guard < std::mutex > g (self->lock);
    const gchar *s = g_value_get_string (value);
    self->location = s ? s : ".";
  } else if (id == PROP_MAX_SIZE_TIME) {
    std::lock_guard < std::mutex > g (self->lock);
    self->max_size_time = g_value_get_uint64 (value);
  } else if (id == PROP_E2EE_RECORDING) {
    std::lock_guard < std::mutex > g (self->lock);
    self->e2ee_recording = static_cast < E2eeRecording > (g_value_get_enum (value));
  } else if (!self->settings.set (id, value)) {
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, id, pspec);
  }
}

static void
gst_room_recorder_get_property (GObject * object, guint id, GValue * value, GParamSpec * pspec)
{
  GstRoomRecorder *self = GST_ROOM_RECORDER (object);
  if (id == PROP_LOCATION) {
    std::lock_guard < std::mutex > g (self->lock);
    g_value_set_string (value, self->location.c_str ());
  } else if (id == PROP_MAX_SIZE_TIME) {
    std::lock_guard < std::mutex > g (self->lock);
    g_value_set_uint64 (value, self->max_size_time);
  } else if (id == PROP_E2EE_RECORDING) {
    std::lock_guard < std::mutex > g (self->lock);
    g_value_set_enum (value, self->e2ee_recording);
  } else if (!self->settings.get (id, value)) {
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, id, pspec);
  }
}

static void
gst_room_recorder_finalize (GObject * object)
{
  GstRoomRecorder *self = GST_ROOM_RECORDER (object);
  self->session.reset ();
  self->archives.~unique_ptr ();
  self->recordings.~unique_ptr ();
  self->receiver.~unique_ptr ();
  self->session.~unique_ptr ();
  self->location.~basic_string ();
  self->lock.~mutex ();
  self->settings.~RoomElementSettings ();
  G_OBJECT_CLASS (gst_room_recorder_parent_class)->finalize (object);
}

static void
gst_room_recorder_init (GstRoomRecorder * self)
{
  new (&self->settings) r::RoomElementSettings ();
  self->settings.set_recorder (true);
  new (&self->lock) std::mutex ();
  new (&self->location) std::string (".");
  self->max_size_time = 0;
  new (&self->session) std::unique_ptr < r::RoomSession > ();
  new (&self->recordings) std::unique_ptr < r::Recordings > ();
  new (&self->archives) std::unique_ptr < r::Archives > ();
  self->e2ee_recording = E2EE_RECORDING_CIPHERTEXT;
  self->transport = gst_element_factory_make ("peertransport", "transport");
  if (self->transport)
    gst_bin_add (GST_BIN (self), self->transport);
  new (&self->receiver) std::unique_ptr < r::RoomReceiver > (new r::RoomReceiver (GST_BIN (self), self->transport,
          [self] (GstPad * rtp, const r::ReceivedStream & s) {
            if (self->recordings)
              self->recordings->add_stream (rtp, s);
            else if (self->archives)
              self->archives->add_stream (rtp, s);
          }));
  GST_OBJECT_FLAG_SET (self, GST_ELEMENT_FLAG_SOURCE);
}

static void
gst_room_recorder_class_init (GstRoomRecorderClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBinClass *bin_class = GST_BIN_CLASS (klass);
  GST_DEBUG_CATEGORY_INIT (room_recorder_debug, "roomrecorder", 0, "Record a gst-e2ee room");
  gobject_class->set_property = gst_room_recorder_set_property;
  gobject_class->get_property = gst_room_recorder_get_property;
  gobject_class->finalize = gst_room_recorder_finalize;
  r::RoomElementSettings::install (gobject_class);
  const auto rw = static_cast < GParamFlags > (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY);
  g_object_class_install_property (gobject_class, PROP_LOCATION, g_param_spec_string ("location", "Location",
          "The directory the files go to (made, owner-only, if missing): <identity>.webm per participant, "
          "<identity>-screen.webm per screen share (an e2ee room's ciphertext: <identity>.sframe-archive), -2, -3... "
          "added rather than overwriting a file", ".", rw));
  g_object_class_install_property (gobject_class, PROP_MAX_SIZE_TIME, g_param_spec_uint64 ("max-size-time",
          "Max size time", "Close a file and start the next (<identity>.001.webm, ...) after this much time, in "
          "nanoseconds, so a crash loses at most that much; 0: one file per participant", 0, G_MAXUINT64, 0, rw));
  g_object_class_install_property (gobject_class, PROP_E2EE_RECORDING, g_param_spec_enum ("e2ee-recording",
          "E2EE recording", "How an e2ee room is recorded: ciphertext (default) archives every participant's SFrame "
          "frames, <identity>.sframe-archive, without ever holding a key; member joins the MLS group (everyone sees "
          "it there) and writes WebM in the clear. Hop-by-hop rooms are always recorded to WebM",
          GST_TYPE_ROOM_E2EE_RECORDING, E2EE_RECORDING_CIPHERTEXT, rw));
  gst_type_mark_as_plugin_api (GST_TYPE_ROOM_E2EE_RECORDING, (GstPluginAPIFlags) 0);
  element_class->change_state = GST_DEBUG_FUNCPTR (gst_room_recorder_change_state);
  element_class->send_event = GST_DEBUG_FUNCPTR (gst_room_recorder_send_event);
  bin_class->handle_message = GST_DEBUG_FUNCPTR (gst_room_recorder_handle_message);
  gst_element_class_set_static_metadata (element_class, "Room recorder (gst-e2ee)", "Sink/File/Network",
      "Joins a gst-e2ee room as a visible recorder (record permission) and writes one WebM file per participant, "
      "audio and video together, finished when the participant leaves or the recorder stops; in an e2ee room, by "
      "default, a ciphertext archive per participant instead",
      "gst-e2ee <gst-e2ee@example.org>");
}
