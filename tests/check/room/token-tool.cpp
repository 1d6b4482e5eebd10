// SPDX-License-Identifier: LGPL-2.1-or-later
// gst-e2ee-room-token as an operator drives it: keygen writes an owner-only
// private key and a public JWK set (and never overwrites a private key),
// mint prints a token that verify accepts for its room only, and tokens
// that are expired, tampered or signed by a key not in the set are refused
// with the reason on stdout and a non-zero exit.
#include <glib.h>
#include <glib/gstdio.h>
#include <sys/stat.h>

#include <string>
#include <vector>

#include <check.h>

#include "run-suite.h"

namespace {

std::string g_dir;

struct Run {
  int status = -1;
  std::string out, err;
};

Run tool(std::vector<std::string> args)
{
  args.insert(args.begin(), TOKEN_TOOL_PATH);
  std::vector<char*> argv;
  for (auto& a : args)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  gchar* out = nullptr;
  gchar* err = nullptr;
  gint wait_status = 0;
  GError* error = nullptr;
  Run r;
  ck_assert_msg(g_spawn_sync(nullptr, argv.data(), nullptr, G_SPAWN_DEFAULT, nullptr, nullptr, &out, &err,
                    &wait_status, &error),
      "cannot run %s: %s", TOKEN_TOOL_PATH, error ? error->message : "?");
  r.status = WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : -1;
  r.out = out;
  r.err = err;
  g_free(out);
  g_free(err);
  return r;
}

std::string path(const char* name)
{
  return g_dir + "/" + name;
}

std::string mint(const std::string& key, const std::string& room, std::vector<std::string> extra = {})
{
  std::vector<std::string> args = { "mint", "--key", key, "--room", room, "--identity", "alice",
    "--permissions", "publish-audio,publish-video" };
  args.insert(args.end(), extra.begin(), extra.end());
  const Run r = tool(args);
  ck_assert_msg(r.status == 0, "mint: %s", r.err.c_str());
  ck_assert(!r.out.empty() && r.out.back() == '\n');
  return r.out.substr(0, r.out.size() - 1);
}

Run verify(const std::string& token, const std::string& room)
{
  return tool({ "verify", "--public-set", path("keys.jwks"), "--room", room, token });
}

void setup()
{
  gchar* dir = g_dir_make_tmp("room-token-XXXXXX", nullptr);
  ck_assert(dir != nullptr);
  g_dir = dir;
  g_free(dir);
}

void teardown()
{
  for (const char* f : { "ed.jwk", "ec.jwk", "other.jwk", "keys.jwks", "other.jwks" })
    g_remove(path(f).c_str());
  g_rmdir(g_dir.c_str());
}

} // namespace

START_TEST(test_keygen_mint_verify)
{
  for (const char* alg : { "EdDSA", "ES256" }) {
    const std::string key = path(std::string(alg) == "EdDSA" ? "ed.jwk" : "ec.jwk");
    const Run r = tool({ "keygen", "--kid", alg, "--alg", alg, "--private", key, "--public-set", path("keys.jwks") });
    ck_assert_msg(r.status == 0, "keygen %s: %s", alg, r.err.c_str());
    GStatBuf st;
    ck_assert(g_stat(key.c_str(), &st) == 0);
    ck_assert_msg((st.st_mode & 0777) == 0600, "private key mode %o", st.st_mode & 0777);
  }
  gchar* set = nullptr;
  ck_assert(g_file_get_contents(path("keys.jwks").c_str(), &set, nullptr, nullptr));
  const std::string set_text = set;
  g_free(set);
  ck_assert(set_text.find("\"d\"") == std::string::npos);  // public parts only
  ck_assert(set_text.find("\"EdDSA\"") != std::string::npos && set_text.find("\"ES256\"") != std::string::npos);

  // A private key is never overwritten, a kid never repeated.
  Run again = tool({ "keygen", "--kid", "x", "--private", path("ed.jwk"), "--public-set", path("keys.jwks") });
  ck_assert(again.status != 0 && again.err.find("never overwritten") != std::string::npos);
  again = tool({ "keygen", "--kid", "EdDSA", "--private", path("other.jwk"), "--public-set", path("keys.jwks") });
  ck_assert(again.status != 0 && again.err.find("already") != std::string::npos);

  for (const char* key : { "ed.jwk", "ec.jwk" }) {
    const std::string token = mint(path(key), "room-1");
    Run v = verify(token, "room-1");
    ck_assert_msg(v.status == 0, "%s: %s", key, v.out.c_str());
    ck_assert(v.out.find("identity alice") != std::string::npos);
    ck_assert(v.out.find("publish-audio,publish-video") != std::string::npos);
    v = verify(token, "room-2");
    ck_assert(v.status == 1 && v.out.find("refused (wrong-room)") != std::string::npos);
    std::string tampered = token;
    tampered[tampered.size() / 2] = tampered[tampered.size() / 2] == 'A' ? 'B' : 'A';
    ck_assert(verify(tampered, "room-1").status == 1);
  }

  // Expired: issued ten minutes ago for five.
  const std::string old = mint(path("ed.jwk"), "room-1",
      { "--issued-at", std::to_string(g_get_real_time() / G_USEC_PER_SEC - 600) });
  Run v = verify(old, "room-1");
  ck_assert_msg(v.status == 1 && v.out.find("refused (expired)") != std::string::npos, "%s", v.out.c_str());
  // A key the server does not know.
  ck_assert(tool({ "keygen", "--kid", "stranger", "--private", path("other.jwk"), "--public-set", path("other.jwks") })
                .status == 0);
  v = verify(mint(path("other.jwk"), "room-1"), "room-1");
  ck_assert_msg(v.status == 1 && v.out.find("refused (unknown-key)") != std::string::npos, "%s", v.out.c_str());
  // Longer-lived than the server allows.
  v = verify(mint(path("ed.jwk"), "room-1", { "--lifetime", "3600" }), "room-1");
  ck_assert(v.status == 1 && v.out.find("refused (lifetime-too-long)") != std::string::npos);
  // Bad options: one line on stderr.
  const Run bad = tool({ "mint", "--key", path("ed.jwk"), "--room", "r", "--identity", "a", "--permissions", "root" });
  ck_assert(bad.status != 0 && bad.err.find("unknown permission \"root\"") != std::string::npos);
  ck_assert(tool({ "mint", "--key", path("keys.jwks"), "--room", "r", "--identity", "a" }).status != 0);
}
END_TEST

int main()
{
  Suite* s = suite_create("room-token-tool");
  TCase* tc = tcase_create("tool");
  tcase_set_timeout(tc, 120);
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, test_keygen_mint_verify);
  suite_add_tcase(s, tc);
  return run_suite(s);
}
