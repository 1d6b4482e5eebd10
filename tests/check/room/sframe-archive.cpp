// SPDX-License-Identifier: LGPL-2.1-or-later
// The ciphertext archive format (room/sframe_archive.h): what the writer
// appends reads back exactly; a file never replaced; a last record cut
// short (a recorder that died) is tolerated and reported; anything
// malformed is refused with the reason; and 20000 mutations of an archive
// and of a key log (both are files someone may hand the decrypting tool)
// are parsed without a crash, here and in the sanitized build.
#include "room/sframe_archive.h"
#include "mls/sframe_key_log.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <random>
#include <string>
#include <vector>

#include <check.h>
#include "run-suite.h"

namespace r = gste2ee::room;

namespace {

std::string temp_path()
{
  char path[] = "/tmp/archive-XXXXXX";
  const int fd = mkstemp(path);
  ck_assert_int_ge(fd, 0);
  close(fd);
  unlink(path);
  return path;
}

std::vector<uint8_t> read_all(const std::string& path)
{
  std::vector<uint8_t> out;
  if (FILE* f = fopen(path.c_str(), "rb")) {
    uint8_t buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
      out.insert(out.end(), buf, buf + n);
    fclose(f);
  }
  return out;
}

std::vector<uint8_t> written_archive()
{
  const std::string path = temp_path();
  r::ArchiveWriter w;
  std::string error;
  ck_assert_msg(w.open(path, &error), "%s", error.c_str());
  ck_assert(w.add_stream(0, "video", "video/x-vp8"));
  ck_assert(w.add_stream(1, "audio", "audio/x-opus"));
  const uint8_t a[] = { 1, 2, 3 }, b[] = { 9 };
  ck_assert(w.add_frame(0, 1000, a, sizeof a));
  ck_assert(w.add_frame(1, r::kArchiveNoPts, b, sizeof b));
  ck_assert(w.add_frame(0, 2000, nullptr, 0));
  ck_assert_uint_eq(w.frames(), 3);
  ck_assert(w.close());
  ck_assert(!w.add_frame(0, 3000, a, sizeof a));  // closed
  struct stat st;
  ck_assert(stat(path.c_str(), &st) == 0 && (st.st_mode & 0777) == 0600);
  // Never replaces a file.
  r::ArchiveWriter again;
  ck_assert(!again.open(path, &error));
  ck_assert(error.find("cannot create") != std::string::npos);
  auto bytes = read_all(path);
  unlink(path.c_str());
  return bytes;
}

} // namespace

START_TEST(test_round_trip)
{
  const auto bytes = written_archive();
  r::Archive a;
  std::string error;
  ck_assert_msg(r::parse_archive(bytes, &a, &error), "%s", error.c_str());
  ck_assert(!a.truncated);
  ck_assert_uint_eq(a.streams.size(), 2);
  ck_assert(a.streams[0].kind == "video" && a.streams[0].caps == "video/x-vp8");
  ck_assert(a.streams[1].id == 1 && a.streams[1].kind == "audio" && a.streams[1].caps == "audio/x-opus");
  ck_assert_uint_eq(a.frames.size(), 3);
  ck_assert(a.frames[0].stream == 0 && a.frames[0].pts_ns == 1000 && a.frames[0].data == std::vector<uint8_t>({ 1, 2, 3 }));
  ck_assert(a.frames[1].stream == 1 && a.frames[1].pts_ns == r::kArchiveNoPts && a.frames[1].data.size() == 1);
  ck_assert(a.frames[2].pts_ns == 2000 && a.frames[2].data.empty());
}
END_TEST

// Every cut of the last record keeps what came before it.
START_TEST(test_cut_short)
{
  const auto bytes = written_archive();
  for (size_t cut = 1; cut < 5 + 9; cut++) {  // the last record: 5 + 9 bytes, no data
    std::vector<uint8_t> shorter(bytes.begin(), bytes.end() - static_cast<long>(cut));
    r::Archive a;
    std::string error;
    ck_assert_msg(r::parse_archive(shorter, &a, &error), "cut %zu: %s", cut, error.c_str());
    ck_assert(a.truncated);
    ck_assert_uint_eq(a.frames.size(), 2);
  }
}
END_TEST

START_TEST(test_malformed_refused)
{
  const auto good = written_archive();
  const size_t magic = sizeof r::kArchiveMagic - 1;
  auto refused = [](std::vector<uint8_t> bytes, const char* why) {
    r::Archive a;
    std::string error;
    ck_assert(!r::parse_archive(bytes, &a, &error));
    ck_assert_msg(error.find(why) != std::string::npos, "%s", error.c_str());
  };
  std::vector<uint8_t> bad = good;
  bad[0] = 'X';
  refused(bad, "not a gst-e2ee SFrame archive");
  refused({}, "not a gst-e2ee SFrame archive");
  bad = good;
  bad[magic] = 7;  // record type
  refused(bad, "unknown record type");
  bad = good;
  bad[magic + 1] = 0x7f;  // a length of 2 GB
  refused(bad, "bytes at offset");
  // A frame before its stream is declared.
  bad.assign(good.begin(), good.begin() + static_cast<long>(magic));
  const uint8_t frame[] = { 2, 0, 0, 0, 10, 5, 0, 0, 0, 0, 0, 0, 0, 1, 42 };
  bad.insert(bad.end(), frame, frame + sizeof frame);
  refused(bad, "undeclared stream 5");
  // The same stream twice.
  bad.assign(good.begin(), good.begin() + static_cast<long>(magic));
  const uint8_t stream[] = { 1, 0, 0, 0, 3, 4, 'v', ' ' };
  bad.insert(bad.end(), stream, stream + sizeof stream);
  bad.insert(bad.end(), stream, stream + sizeof stream);
  refused(bad, "declared twice");
  // A frame record too short for its header.
  bad.assign(good.begin(), good.begin() + static_cast<long>(magic));
  bad.insert(bad.end(), stream, stream + sizeof stream);
  const uint8_t stub[] = { 2, 0, 0, 0, 2, 4, 0 };
  bad.insert(bad.end(), stub, stub + sizeof stub);
  refused(bad, "without its header");
}
END_TEST

START_TEST(test_mutations_parse_or_refuse)
{
  const auto archive = written_archive();
  const std::string log = "epoch=1 sframe-cipher-suite=4 epoch-bits=4 base-key=00112233445566778899aabbccddeeff\n"
                          "epoch=2 sframe-cipher-suite=4 epoch-bits=4 base-key=ffeeddccbbaa99887766554433221100\n";
  std::mt19937 rng(9605);
  size_t archives_ok = 0, archives_refused = 0, logs_ok = 0, logs_refused = 0;
  auto mutate = [&](std::vector<uint8_t> b) {
    for (int n = 1 + static_cast<int>(rng() % 3); n > 0; n--) {
      const size_t at = b.empty() ? 0 : rng() % b.size();
      switch (rng() % 4) {
        case 0: b.insert(b.begin() + static_cast<long>(at), static_cast<uint8_t>(rng())); break;
        case 1: if (!b.empty()) b[at] ^= static_cast<uint8_t>(1u << (rng() % 8)); break;
        case 2: b.resize(at); break;
        default: if (!b.empty()) b[at] = static_cast<uint8_t>(rng()); break;
      }
    }
    return b;
  };
  for (int i = 0; i < 20000; i++) {
    r::Archive a;
    std::string error;
    const auto bytes = mutate(archive);
    if (r::parse_archive(bytes, &a, &error)) {
      archives_ok++;
      for (const auto& f : a.frames) {  // what parses is consistent
        bool declared = false;
        for (const auto& st : a.streams)
          declared |= st.id == f.stream;
        ck_assert(declared);
      }
    } else {
      archives_refused++;
      ck_assert(!error.empty());
    }
    const auto text = mutate(std::vector<uint8_t>(log.begin(), log.end()));
    std::vector<gste2ee::mls::KeyLogEntry> entries;
    if (gste2ee::mls::parse_key_log(std::string(text.begin(), text.end()), &entries, &error)) {
      logs_ok++;
      for (const auto& e : entries)
        ck_assert(!e.base_key.empty() && e.sframe_suite >= 1 && e.epoch_bits <= 32);
    } else {
      logs_refused++;
    }
  }
  // Both outcomes are reached: the mutations test the checks, not only the
  // first one.
  ck_assert_msg(archives_ok > 1000 && archives_refused > 1000 && logs_ok > 500 && logs_refused > 1000,
      "archives %zu/%zu, logs %zu/%zu", archives_ok, archives_refused, logs_ok, logs_refused);
}
END_TEST

int main()
{
  Suite* s = suite_create("sframe-archive");
  TCase* tc = tcase_create("archive");
  tcase_add_test(tc, test_round_trip);
  tcase_add_test(tc, test_cut_short);
  tcase_add_test(tc, test_malformed_refused);
  tcase_add_test(tc, test_mutations_parse_or_refuse);
  suite_add_tcase(s, tc);
  return run_suite(s);
}
