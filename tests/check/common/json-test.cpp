// SPDX-License-Identifier: LGPL-2.1-or-later
// The vector reader is itself tested: a reader that accepted garbage or
// misread a number would let every vector test pass on the wrong data.
#include <csignal>
#include <filesystem>
#include <string>

// After the C++ headers: check.h defines a `fail` macro that breaks <ios>.
#include <check.h>

#include "json.h"

using testjson::Value;

static Value parse_ok(const std::string& text)
{
  Value v;
  std::string error;
  ck_assert_msg(testjson::parse(text, &v, &error), "rejected %s: %s", text.c_str(), error.c_str());
  return v;
}

// Compared as whole strings: ck_assert_str_eq would keep a pointer into
// the temporary Value after it is gone, and strings may hold NUL.
static void expect_string(const std::string& json, const std::string& want)
{
  const std::string got = parse_ok(json).str();
  ck_assert_msg(got == want, "%s read as '%s'", json.c_str(), got.c_str());
}
static void expect_number_text(const std::string& json)
{
  const std::string got = parse_ok(json).number_text();
  ck_assert_msg(got == json, "%s read as '%s'", json.c_str(), got.c_str());
}

static std::string parse_error(const std::string& text)
{
  Value v;
  std::string error;
  ck_assert_msg(!testjson::parse(text, &v, &error), "accepted invalid JSON: %s", text.c_str());
  ck_assert_msg(!error.empty(), "no reason given for %s", text.c_str());
  return error;
}

START_TEST(test_scalars)
{
  ck_assert(parse_ok("null").is_null());
  ck_assert(parse_ok(" true ").boolean());
  ck_assert(!parse_ok("false").boolean());
  expect_string("\"abc\"", "abc");
  ck_assert_uint_eq(parse_ok("0").u64(), 0);
  ck_assert_uint_eq(parse_ok("18446744073709551615").u64(), UINT64_MAX);
  ck_assert_uint_eq(parse_ok("9007199254740993").u64(), 9007199254740993ULL);  // 2^53+1: not a double
  // Valid JSON numbers that are not uint64 parse, keep their text, and are
  // refused only by u64().
  expect_number_text("-12.5e+3");
  expect_number_text("18446744073709551616");
  expect_number_text("-0");
}
END_TEST

START_TEST(test_containers)
{
  const Value v = parse_ok("{\"a\": [1, 2, {\"b\": null}], \"c\": {}, \"d\": [], \"e\": \"0aff\"}");
  ck_assert(v.is_object());
  ck_assert_uint_eq(v.size(), 4);
  ck_assert_uint_eq(v["a"].size(), 3);
  ck_assert_uint_eq(v["a"][1].u64(), 2);
  ck_assert(v["a"][2]["b"].is_null());
  ck_assert(v["a"][2].has("b"));
  ck_assert(!v.has("b"));
  ck_assert(!v.find("zz").has_value());
  ck_assert_uint_eq(v["c"].size(), 0);
  ck_assert_uint_eq(v["d"].size(), 0);
  ck_assert(v["e"].hex() == (std::vector<uint8_t>{ 0x0a, 0xff }));
  ck_assert(parse_ok("[]").is_array());
  ck_assert(parse_ok("\"\"").hex().empty());
}
END_TEST

START_TEST(test_strings)
{
  expect_string(R"("\"\\\/\b\f\n\r\t")", "\"\\/\b\f\n\r\t");
  expect_string(R"("\u0041\u00e9\u20AC")", "A\xc3\xa9\xe2\x82\xac");
  expect_string(R"("\ud83d\ude00")", "\xf0\x9f\x98\x80");  // surrogate pair
  expect_string("\"\xc3\xa9\xf0\x9f\x98\x80\"", "\xc3\xa9\xf0\x9f\x98\x80");
  expect_string(R"("a\u0000b")", std::string("a\0b", 3));
}
END_TEST

START_TEST(test_rejects)
{
  static const char* const bad[] = {
    "", " ", "nul", "tru", "True", "[1,]", "[1 2]", "{\"a\":1,}", "{\"a\" 1}", "{a:1}", "{\"a\":1,\"a\":2}",
    "[", "{", "\"abc", "01", "-", "+1", "1.", ".5", "1e", "1e+", "0x10", "1.2.3", "--1", "NaN", "Infinity",
    "\"\t\"", "\"\\x\"", "\"\\u12\"", "\"\\u12g4\"", "\"\\ud800\"", "\"\\udc00\"", "\"\\ud800\\u0041\"",
    "\"\xff\"", "\"\xc0\xaf\"", "\"\xed\xa0\x80\"", "\"\xf4\x90\x80\x80\"", "\"\xe2\x82\"", "1 2", "[] []",
    "\xef\xbb\xbf{}",  // a byte order mark (RFC 8259 section 8.1)
  };
  for (const char* text : bad)
    parse_error(text);
  ck_assert(parse_error("[1,\n  x]").find("line 2, column 3") != std::string::npos);
}
END_TEST

START_TEST(test_depth_limit)
{
  ck_assert(parse_ok(std::string(200, '[') + std::string(200, ']')).is_array());
  parse_error(std::string(100000, '['));  // must fail cleanly, not overflow the stack
}
END_TEST

// Shape mismatches abort (a broken vector file must not pass silently).
START_TEST(test_missing_member_aborts)
{
  (void) parse_ok("{\"a\": 1}")["b"];
}
END_TEST

START_TEST(test_wrong_type_aborts)
{
  (void) parse_ok("\"1\"").u64();
}
END_TEST

START_TEST(test_negative_u64_aborts)
{
  (void) parse_ok("-1").u64();
}
END_TEST

START_TEST(test_fraction_u64_aborts)
{
  (void) parse_ok("1.0").u64();
}
END_TEST

START_TEST(test_overflow_u64_aborts)
{
  (void) parse_ok("18446744073709551616").u64();
}
END_TEST

START_TEST(test_bad_hex_aborts)
{
  (void) testjson::from_hex("0g");
}
END_TEST

START_TEST(test_odd_hex_aborts)
{
  (void) testjson::from_hex("abc");
}
END_TEST

START_TEST(test_index_out_of_range_aborts)
{
  (void) parse_ok("[1]")[1];
}
END_TEST

START_TEST(test_hex_round_trip)
{
  const std::vector<uint8_t> all = [] {
    std::vector<uint8_t> b(256);
    for (size_t i = 0; i < b.size(); i++)
      b[i] = static_cast<uint8_t>(i);
    return b;
  }();
  const std::string hex = testjson::to_hex(all);
  ck_assert_uint_eq(hex.size(), 512);
  ck_assert(hex.compare(0, 8, "00010203") == 0);
  ck_assert(testjson::from_hex(hex) == all);
  ck_assert(testjson::from_hex("ABCDEF") == (std::vector<uint8_t>{ 0xab, 0xcd, 0xef }));
}
END_TEST

// Every vector file in the tree parses (the MLS ones too, once copied in).
START_TEST(test_all_vector_files_parse)
{
  size_t files = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(VECTORS_DIR)) {
    if (entry.path().extension() != ".json")
      continue;
    const Value v = testjson::load_file(entry.path().string());
    ck_assert_msg(v.is_object() || v.is_array(), "%s: not an object or array", entry.path().c_str());
    files++;
  }
  ck_assert_msg(files >= 4, "only %zu vector files under %s", files, VECTORS_DIR);
}
END_TEST

int main()
{
  Suite* s = suite_create("json");
  TCase* tc = tcase_create("json");
  tcase_add_test(tc, test_scalars);
  tcase_add_test(tc, test_containers);
  tcase_add_test(tc, test_strings);
  tcase_add_test(tc, test_rejects);
  tcase_add_test(tc, test_depth_limit);
  tcase_add_test_raise_signal(tc, test_missing_member_aborts, SIGABRT);
  tcase_add_test_raise_signal(tc, test_wrong_type_aborts, SIGABRT);
  tcase_add_test_raise_signal(tc, test_negative_u64_aborts, SIGABRT);
  tcase_add_test_raise_signal(tc, test_fraction_u64_aborts, SIGABRT);
  tcase_add_test_raise_signal(tc, test_overflow_u64_aborts, SIGABRT);
  tcase_add_test_raise_signal(tc, test_bad_hex_aborts, SIGABRT);
  tcase_add_test_raise_signal(tc, test_odd_hex_aborts, SIGABRT);
  tcase_add_test_raise_signal(tc, test_index_out_of_range_aborts, SIGABRT);
  tcase_add_test(tc, test_hex_round_trip);
  tcase_add_test(tc, test_all_vector_files_parse);
  suite_add_tcase(s, tc);
  SRunner* sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  const int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed == 0 ? 0 : 1;
}
