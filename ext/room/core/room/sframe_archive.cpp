// SPDX-License-Identifier: LGPL-2.1-or-later
#include "room/sframe_archive.h"

#include <fcntl.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace gste2ee::room {

namespace {

constexpr uint8_t kStreamRecord = 1, kFrameRecord = 2;
constexpr size_t kMagicSize = sizeof kArchiveMagic - 1;

void put_be(uint8_t* out, uint64_t v, int bytes)
{
  for (int i = bytes - 1; i >= 0; i--, v >>= 8)
    out[i] = static_cast<uint8_t>(v);
}

uint64_t get_be(const uint8_t* in, int bytes)
{
  uint64_t v = 0;
  for (int i = 0; i < bytes; i++)
    v = v << 8 | in[i];
  return v;
}

} // namespace

ArchiveWriter::~ArchiveWriter()
{
  close();
}

bool ArchiveWriter::open(const std::string& path, std::string* error)
{
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd_ < 0) {
    if (error)
      *error = "cannot create " + path + ": " + std::strerror(errno);
    return false;
  }
  if (::write(fd_, kArchiveMagic, kMagicSize) != static_cast<ssize_t>(kMagicSize)) {
    if (error)
      *error = "cannot write " + path + ": " + std::strerror(errno);
    close();
    return false;
  }
  return true;
}

// One writev per record: a record is never interleaved with another and,
// short of a full disk, never half-written unless the process dies in it.
bool ArchiveWriter::write_record(uint8_t type, const uint8_t* head, size_t head_size, const uint8_t* data,
                                 size_t size)
{
  if (fd_ < 0 || head_size + size > kMaxArchiveRecord)
    return false;
  uint8_t prefix[5];
  prefix[0] = type;
  put_be(prefix + 1, head_size + size, 4);
  struct iovec iov[3] = { { prefix, sizeof prefix }, { const_cast<uint8_t*>(head), head_size },
                          { const_cast<uint8_t*>(data), size } };
  const ssize_t want = static_cast<ssize_t>(sizeof prefix + head_size + size);
  return ::writev(fd_, iov, 3) == want;
}

bool ArchiveWriter::add_stream(uint8_t id, const std::string& kind, const std::string& caps)
{
  const std::string text = kind + " " + caps;
  return write_record(kStreamRecord, &id, 1, reinterpret_cast<const uint8_t*>(text.data()), text.size());
}

bool ArchiveWriter::add_frame(uint8_t stream, uint64_t pts_ns, const uint8_t* data, size_t size)
{
  uint8_t head[9];
  head[0] = stream;
  put_be(head + 1, pts_ns, 8);
  if (!write_record(kFrameRecord, head, sizeof head, data, size))
    return false;
  frames_++;
  return true;
}

bool ArchiveWriter::close()
{
  if (fd_ < 0)
    return false;
  const bool ok = ::fsync(fd_) == 0;
  const bool closed = ::close(fd_) == 0;
  fd_ = -1;
  return ok && closed;
}

bool parse_archive(const std::vector<uint8_t>& bytes, Archive* out, std::string* error)
{
  auto fail = [&](const std::string& why) {
    if (error)
      *error = why;
    return false;
  };
  if (bytes.size() < kMagicSize || std::memcmp(bytes.data(), kArchiveMagic, kMagicSize) != 0)
    return fail("not a gst-e2ee SFrame archive (no \"GSTE2EE-SFRAME-ARCHIVE 1\" line)");
  size_t pos = kMagicSize;
  while (pos < bytes.size()) {
    if (bytes.size() - pos < 5) {
      out->truncated = true;
      return true;
    }
    const uint8_t type = bytes[pos];
    const size_t len = get_be(&bytes[pos + 1], 4);
    if (len > kMaxArchiveRecord)
      return fail("a record of " + std::to_string(len) + " bytes at offset " + std::to_string(pos));
    if (bytes.size() - pos - 5 < len) {
      out->truncated = true;
      return true;
    }
    const uint8_t* body = &bytes[pos + 5];
    if (type == kStreamRecord) {
      if (len < 2)
        return fail("an empty stream record at offset " + std::to_string(pos));
      ArchiveStream s;
      s.id = body[0];
      const std::string text(reinterpret_cast<const char*>(body + 1), len - 1);
      const auto space = text.find(' ');
      s.kind = text.substr(0, space);
      s.caps = space == std::string::npos ? "" : text.substr(space + 1);
      for (const auto& other : out->streams)
        if (other.id == s.id)
          return fail("stream " + std::to_string(s.id) + " declared twice");
      out->streams.push_back(std::move(s));
    } else if (type == kFrameRecord) {
      if (len < 9)
        return fail("a frame record without its header at offset " + std::to_string(pos));
      ArchiveFrame f;
      f.stream = body[0];
      bool known = false;
      for (const auto& s : out->streams)
        known |= s.id == f.stream;
      if (!known)
        return fail("a frame of undeclared stream " + std::to_string(f.stream));
      f.pts_ns = get_be(body + 1, 8);
      f.data.assign(body + 9, body + len);
      out->frames.push_back(std::move(f));
    } else {
      return fail("unknown record type " + std::to_string(type) + " at offset " + std::to_string(pos));
    }
    pos += 5 + len;
  }
  return true;
}

} // namespace gste2ee::room
