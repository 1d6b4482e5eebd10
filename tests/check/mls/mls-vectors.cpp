// SPDX-License-Identifier: LGPL-2.1-or-later
// mls-vectors FILE: runs every case of one mlswg/mls-implementations test
// vector file (any file of a kind below, not only ours) as a Check suite, one
// Check test per case, and exits non-zero if any case fails. Cases of cipher
// suites this build does not support would fail, not skip: all seven are.
#include <cstdio>
#include <cstring>
#include <string>

#include "mls-vectors.h"

#include <check.h>

using namespace mlsvec;

namespace {

// One line per implemented kind: tests/check/mls/meson.build registers a
// meson test per vector file whose kind is here.
const Kind kKinds[] = {
  { "tree-math", "n_leaves", check_tree_math },
  { "deserialization", "vlbytes_header", check_deserialization },
  { "crypto-basics", "encrypt_with_label", check_crypto_basics },
  { "key-schedule", "initial_init_secret", check_key_schedule },
  { "psk_secret", "psks", check_psk_secret },
  { "secret-tree", "encryption_secret", check_secret_tree },
  { "messages", "mls_welcome", check_messages },
  { "transcript-hashes", "authenticated_content", check_transcript_hashes },
  { "message-protection", "application_priv", check_message_protection },
  { "tree-validation", "resolutions", check_tree_validation },
  { "tree-operations", "tree_before", check_tree_operations },
  { "treekem", "update_paths", check_treekem },
  { "passive-client", "initial_epoch_authenticator", check_passive_client },
  { "welcome", "signer_pub", check_welcome },
};

testjson::Value g_file;
const Kind* g_kind = nullptr;

START_TEST(test_case)
{
  const testjson::Value& c = g_file[static_cast<size_t>(_i)];
  const std::string err = g_kind->check(c);
  ck_assert_msg(err.empty(), "%s case %d: %s", g_kind->name, _i, err.c_str());
}
END_TEST

const Kind* detect(const std::string& path, const testjson::Value& file)
{
  for (const Kind& k : kKinds)
    if (path.find(k.name) != std::string::npos)
      return &k;
  if (file.is_array() && file.size() > 0 && file[0].is_object())
    for (const Kind& k : kKinds)
      if (file[0].has(k.detect))
        return &k;
  return nullptr;
}

} // namespace

namespace mlsvec {

std::string mismatch(const std::string& what, const std::vector<uint8_t>& got, const std::vector<uint8_t>& want)
{
  if (got == want)
    return "";
  return what + ": got " + testjson::to_hex(got) + ", want " + testjson::to_hex(want);
}

} // namespace mlsvec

int main(int argc, char** argv)
{
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s VECTOR-FILE.json\n", argv[0]);
    return 2;
  }
  g_file = testjson::load_file(argv[1]);
  g_kind = detect(argv[1], g_file);
  if (!g_kind || !g_file.is_array() || g_file.size() == 0) {
    std::fprintf(stderr, "%s: not a vector file of a kind mls-vectors knows\n", argv[1]);
    return 2;
  }
  Suite* s = suite_create(g_kind->name);
  TCase* tc = tcase_create("cases");
  tcase_set_timeout(tc, 600);
  tcase_add_loop_test(tc, test_case, 0, static_cast<int>(g_file.size()));
  suite_add_tcase(s, tc);
  SRunner* sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  const int failures = srunner_ntests_failed(sr);
  srunner_free(sr);
  std::printf("%s: %zu cases, %d failed\n", g_kind->name, g_file.size(), failures);
  return failures == 0 ? 0 : 1;
}
