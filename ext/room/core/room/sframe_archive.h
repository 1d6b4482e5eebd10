// SPDX-License-Identifier: LGPL-2.1-or-later
// The ciphertext archive of an e2ee room: what roomrecorder writes when it
// records a participant without being in the MLS group, and what
// gst-e2ee-room-archive decrypts later with a member's key log. The SFrame
// frames exactly as the participant's sframeenc made them (the recorder
// cannot read them), with their timing and which stream each belongs to.
//
// A file is a magic line and then records, each whole:
//   "GSTE2EE-SFRAME-ARCHIVE 1\n"
//   record = type (1 byte) | body length (4 bytes, big-endian) | body
//   type 1, a stream: id (1 byte) | kind and caps as text "KIND CAPS"
//     (KIND video, audio or screen; CAPS the frames' caps once decrypted)
//   type 2, a frame: stream id (1 byte) | PTS in ns (8 bytes, big-endian,
//     all ones: none) | the SFrame frame
// Records are appended as frames arrive, so a recorder that dies leaves a
// file whose last record at most is cut short; the reader stops there and
// says so. GStreamer-free.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace gste2ee::room {

inline constexpr char kArchiveMagic[] = "GSTE2EE-SFRAME-ARCHIVE 1\n";
inline constexpr size_t kMaxArchiveRecord = 16 << 20;  // a frame larger than this is refused
inline constexpr uint64_t kArchiveNoPts = UINT64_MAX;

// Appends to one archive file. Not thread-safe: the caller serialises.
class ArchiveWriter {
public:
  ArchiveWriter() = default;
  ~ArchiveWriter();
  ArchiveWriter(const ArchiveWriter&) = delete;
  ArchiveWriter& operator=(const ArchiveWriter&) = delete;

  // Creates `path` (owner-only; never replacing a file) and writes the magic.
  bool open(const std::string& path, std::string* error);
  bool add_stream(uint8_t id, const std::string& kind, const std::string& caps);
  bool add_frame(uint8_t stream, uint64_t pts_ns, const uint8_t* data, size_t size);
  // Flushes to disk and closes; later calls fail.
  bool close();
  bool is_open() const { return fd_ >= 0; }
  uint64_t frames() const { return frames_; }

private:
  bool write_record(uint8_t type, const uint8_t* head, size_t head_size, const uint8_t* data, size_t size);
  int fd_ = -1;
  uint64_t frames_ = 0;
};

struct ArchiveStream {
  uint8_t id = 0;
  std::string kind, caps;
};

struct ArchiveFrame {
  uint8_t stream = 0;
  uint64_t pts_ns = kArchiveNoPts;
  std::vector<uint8_t> data;
  bool decrypted = false;  // for the reader's use: data now holds the plaintext
};

struct Archive {
  std::vector<ArchiveStream> streams;
  std::vector<ArchiveFrame> frames;
  bool truncated = false;  // the last record was cut short (the writer died)
};

// Parses a whole archive. False with `error` if it is not one, or a record
// is malformed (a frame of an undeclared stream, a stream declared twice, a
// record over kMaxArchiveRecord); a cut-short last record only sets
// `truncated`.
bool parse_archive(const std::vector<uint8_t>& bytes, Archive* out, std::string* error);

} // namespace gste2ee::room
