// SPDX-License-Identifier: LGPL-2.1-or-later
// The signalling format: frames cut from a byte stream however it arrives,
// oversized and empty frames ending the stream at once, and messages parsed
// strictly against their type's fields.
#include "room/framing.h"
#include "room/message.h"

#include <check.h>

#include "run-suite.h"

#include <string>

namespace r = gste2ee::room;

namespace {

bool push(r::FrameReader& reader, const std::string& bytes)
{
  return reader.push(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
}

std::string parse_error(const std::string& text)
{
  r::Message m;
  std::string error;
  ck_assert_msg(!r::parse_message(text, &m, &error), "accepted %s", text.c_str());
  ck_assert(!error.empty());
  return error;
}

} // namespace

START_TEST(test_frames_from_any_split)
{
  const std::string stream = r::encode_frame("{\"type\":\"leave\"}") + r::encode_frame("ab") + r::encode_frame("c");
  // Byte by byte, and all at once: the same three messages.
  for (const size_t step : { size_t(1), size_t(3), stream.size() }) {
    r::FrameReader reader;
    std::vector<std::string> got;
    for (size_t at = 0; at < stream.size(); at += step) {
      ck_assert(push(reader, stream.substr(at, step)));
      while (auto m = reader.next())
        got.push_back(*m);
    }
    ck_assert_uint_eq(got.size(), 3);
    ck_assert(got[0] == "{\"type\":\"leave\"}" && got[1] == "ab" && got[2] == "c");
  }
}
END_TEST

START_TEST(test_bad_lengths_break_the_stream)
{
  r::FrameReader reader(1024);
  // A length over the maximum is refused as soon as its prefix arrives,
  // before any of its body is buffered.
  ck_assert(!push(reader, std::string("\x00\x00\x04\x01", 4)));
  ck_assert(reader.broken());
  ck_assert(std::string(reader.error()).find("longer") != std::string::npos);
  ck_assert(!push(reader, r::encode_frame("ok")));  // stays broken
  ck_assert(!reader.next().has_value());

  r::FrameReader empty;
  ck_assert(push(empty, r::encode_frame("x")));
  ck_assert(!push(empty, std::string(4, '\0')));
  ck_assert(!empty.next().has_value());  // nothing after a broken stream, not even what came before
  r::FrameReader huge;
  ck_assert(!push(huge, std::string("\xff\xff\xff\xff", 4)));
}
END_TEST

START_TEST(test_messages_round_trip)
{
  r::Message join("join");
  join.set("room", "abc").set("token", "t.o.k").set("mode", "e2ee");
  r::Message back;
  std::string error;
  ck_assert_msg(r::parse_message(join.to_json(), &back, &error), "%s", error.c_str());
  ck_assert(back.type() == "join" && back.str("room") == "abc" && back.str("token") == "t.o.k");
  r::Message revoke("revoke");
  revoke.set("identity", "mallory \"the\" \\ one\n").set("until", uint64_t(1800000000));
  ck_assert(r::parse_message(revoke.to_json(), &back, &error));
  ck_assert(back.str("identity") == "mallory \"the\" \\ one\n" && back.number("until") == 1800000000);
  ck_assert(!back.has("jti"));
  ck_assert(r::parse_message("{\"type\":\"lock\",\"room\":\"x\",\"locked\":true}", &back, &error));
  ck_assert(back.flag("locked"));
}
END_TEST

START_TEST(test_strict_parsing)
{
  ck_assert(parse_error("{\"type\":\"dance\"}").find("unknown message type") != std::string::npos);
  ck_assert(parse_error("{\"room\":\"x\"}").find("\"type\"") != std::string::npos);
  ck_assert(parse_error("[\"join\"]").find("\"type\"") != std::string::npos);
  ck_assert(parse_error("{\"type\":\"leave\",\"extra\":1}").find("no field") != std::string::npos);
  ck_assert(parse_error("{\"type\":\"join\",\"room\":\"x\",\"mode\":\"e2ee\"}").find("\"token\"") != std::string::npos);
  ck_assert(parse_error("{\"type\":\"lock\",\"room\":\"x\",\"locked\":\"yes\"}").find("wrong type") != std::string::npos);
  ck_assert(parse_error("{\"type\":\"revoke\",\"identity\":\"x\",\"until\":-5}").find("wrong type") != std::string::npos);
  ck_assert(parse_error("{\"type\":\"revoke\",\"identity\":\"x\",\"until\":1.5}").find("wrong type") != std::string::npos);
  // Nesting, duplicates, trailing bytes, invalid UTF-8.
  ck_assert(parse_error("{\"type\":\"mls\",\"data\":{\"a\":1}}").find("JSON") != std::string::npos);
  parse_error("{\"type\":\"mls\",\"data\":\"a\",\"data\":\"b\"}");
  parse_error("{\"type\":\"leave\"} x");
  parse_error("{\"type\":\"mls\",\"data\":\"\xff\"}");
  parse_error("");
}
END_TEST

int main()
{
  Suite* s = suite_create("room-messages");
  TCase* tc = tcase_create("messages");
  tcase_add_test(tc, test_frames_from_any_split);
  tcase_add_test(tc, test_bad_lengths_break_the_stream);
  tcase_add_test(tc, test_messages_round_trip);
  tcase_add_test(tc, test_strict_parsing);
  suite_add_tcase(s, tc);
  return run_suite(s);
}
