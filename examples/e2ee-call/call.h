// SPDX-License-Identifier: LGPL-2.1-or-later
// An end-to-end encrypted call on loopback, the parts a room server and its
// participants will be, in one process:
//   - the server: one pipeline with sfuforward (UDP in and out per
//     participant) and the group's MLS delivery service (the core of
//     ext/mls), which is also the group's external sender;
//   - each participant: one pipeline with mlskeyer (its MLS messages through
//     appsink / appsrc to and from the delivery service), a test video
//     pattern and tone, each encoded (VP8, Opus), encrypted whole by sframeenc
//     under the member's own per-epoch key (one key context per stream) and
//     packetized by rtpsframepay; and what the server forwards, through
//     rtpbin, rtpsframedepay, sframedec and the decoders, counted per sender.
// The example (e2ee-call.cpp) and its test (tests/check/pipelines/
// e2ee-call.cpp) drive the same Call: join one after another, leave, kick.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <gst/gst.h>

namespace mls_call {

enum class Kind { Video = 0, Audio = 1 };

struct Participant {
  int index = 0;
  std::string name;
  GstElement* pipeline = nullptr;
  GstElement* keyer = nullptr;
  // Under Call::lock():
  guint64 epoch = 0;
  bool removed = false;
  std::map<guint64, std::string> safety_codes;     // by epoch
  std::map<std::pair<int, Kind>, guint64> decoded;  // by (sender, stream): frames out of the decoders
  std::vector<GstElement*> decryptors;              // sframedec of each received stream
  std::vector<GstBuffer*> captured;                 // own video ciphertext, when capturing
  bool capturing = false;
};

class Call {
public:
  // `verbose`: print each epoch and member change as it happens.
  explicit Call(bool verbose);
  ~Call();
  Call(const Call&) = delete;
  Call& operator=(const Call&) = delete;

  // The server pipeline and the delivery service. False with *error set.
  bool start_server(std::string* error);
  // Participant `i` (0 creates the group, the others join), publishing and
  // receiving at once.
  bool add_participant(int i, const std::string& name, std::string* error);
  // Polls until `done` holds or `ms` pass; true if it held.
  template <typename Done>
  bool wait_until(Done done, int ms)
  {
    for (int waited = 0; waited < ms; waited += 20) {
      if (done())
        return true;
      g_usleep(20000);
    }
    return done();
  }
  guint64 epoch_of(int i);
  bool removed(int i);
  // `leave` on participant i's mlskeyer.
  bool leave(int i);
  // The server throws participant i out (a Remove proposal as external sender).
  bool kick(int i, std::string* error);

  // Frames participant `receiver` decoded from `sender`'s stream.
  guint64 decoded(int receiver, int sender, Kind kind);
  // Frames participant i's decryptors refused (unknown KID, authentication).
  guint64 refused(int i);
  // Safety codes each participant showed, by epoch.
  std::map<guint64, std::string> safety_codes(int i);
  std::string members(int i);

  // Keeps copies of participant i's video SFrame frames from now on.
  void start_capture(int i);
  std::vector<GstBuffer*> take_capture(int i);
  // Feeds frames to a fresh sframedec in participant i's pipeline (its
  // keyring); returns how many it decrypted.
  guint64 replay_to(int i, const std::vector<GstBuffer*>& frames, guint64* refused);

  void print_summary();
  std::string error();  // the first error any pipeline posted ("" if none)

  // Used by the pipelines' callbacks.
  std::mutex& lock() { return lock_; }
  void on_bus_message(Participant* p, GstMessage* msg);
  void from_member(int index, const std::vector<guint8>& message);
  void on_stream(Participant* p, GstPad* pad);
  int participants() const { return static_cast<int>(people_.size()); }

private:
  void fan_out(const std::vector<guint8>& message);
  bool verbose_;
  std::mutex lock_;
  std::mutex ds_lock_;  // one delivery order for everyone
  struct Server;
  std::unique_ptr<Server> server_;
  std::vector<std::unique_ptr<Participant>> people_;
  std::string error_;
  guint port_base_ = 0;
};

// SSRC of participant i's stream.
guint32 ssrc_of(int i, Kind kind);

} // namespace mls_call
