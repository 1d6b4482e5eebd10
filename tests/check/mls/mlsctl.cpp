// SPDX-License-Identifier: LGPL-2.1-or-later
// mlsctl as a user drives it: Alice creates a group and adds Bob through
// files, both export the same secret, Bob commits an update that Alice
// processes, application data crosses, Alice removes Bob. Refusals (a
// garbage message, a replayed commit, a missing option) exit non-zero with
// one line on stderr and leave the state directory byte for byte as it was.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <sys/stat.h>

#include <check.h>

namespace {

std::string g_dir;

// Runs mlsctl with `args`; returns its exit status, stdout in `out`.
int mlsctl(const std::string& args, std::string* out = nullptr)
{
  const std::string cmd = std::string(MLSCTL_PATH) + " " + args + " >" + g_dir + "/out.txt 2>" + g_dir + "/err.txt";
  const int status = std::system(cmd.c_str());
  if (out) {
    std::ifstream f(g_dir + "/out.txt");
    *out = std::string(std::istreambuf_iterator<char>(f), {});
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string slurp(const std::string& path)
{
  std::ifstream f(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

std::string stderr_text()
{
  return slurp(g_dir + "/err.txt");
}

void ok(const std::string& args)
{
  ck_assert_msg(mlsctl(args) == 0, "mlsctl %s: %s", args.c_str(), stderr_text().c_str());
}

// A refused call: non-zero, one line of error, state unchanged.
void refused(const std::string& args, const std::string& state_dir)
{
  const std::string before = slurp(state_dir + "/group.state");
  ck_assert_msg(mlsctl(args) != 0, "mlsctl %s succeeded", args.c_str());
  const std::string err = stderr_text();
  ck_assert_msg(err.rfind("mlsctl: ", 0) == 0 && err.find('\n') == err.size() - 1, "error output: %s", err.c_str());
  ck_assert(slurp(state_dir + "/group.state") == before);
}

} // namespace

START_TEST(test_two_members_through_files)
{
  char tmpl[] = "/tmp/mlsctl-test-XXXXXX";
  ck_assert(mkdtemp(tmpl));
  g_dir = tmpl;
  const std::string A = g_dir + "/alice", B = g_dir + "/bob", f = g_dir + "/";

  ok("create --state " + A + " --identity alice --group-id 0a0b0c --suite " + std::to_string(_i));
  ok("key-package --state " + B + " --identity bob --suite " + std::to_string(_i) + " --out " + f + "bob.kp");
  ok("add --state " + A + " --key-package " + f + "bob.kp --commit-out " + f + "c1 --welcome-out " + f + "w1");
  ok("join --state " + B + " --welcome " + f + "w1");
  struct stat sb;
  ck_assert(stat((B + "/group.state").c_str(), &sb) == 0 && (sb.st_mode & 077) == 0);  // owner only

  std::string ea, eb;
  ck_assert(mlsctl("export --state " + A + " --label sframe --context 00 --length 16", &ea) == 0);
  ck_assert(mlsctl("export --state " + B + " --label sframe --context 00 --length 16", &eb) == 0);
  ck_assert_uint_eq(ea.size(), 33);
  ck_assert_str_eq(ea.c_str(), eb.c_str());

  std::string info;
  ck_assert(mlsctl("info --state " + B, &info) == 0);
  ck_assert_msg(info.find("epoch: 1") != std::string::npos && info.find("alice") != std::string::npos &&
                  info.find("bob") != std::string::npos,
                "%s", info.c_str());

  ok("update --state " + B + " --commit-out " + f + "c2");
  ok("process --state " + A + " --message " + f + "c2");
  ck_assert(mlsctl("export --state " + A + " --label sframe --context 00 --length 16", &ea) == 0);
  ck_assert(mlsctl("export --state " + B + " --label sframe --context 00 --length 16", &eb) == 0);
  ck_assert_str_eq(ea.c_str(), eb.c_str());

  {
    std::ofstream(f + "hello.txt") << "hello";
  }
  ok("protect --state " + B + " --in " + f + "hello.txt --out " + f + "m1");
  ok("unprotect --state " + A + " --in " + f + "m1 --out " + f + "back.txt");
  const std::string back = slurp(f + "back.txt");  // (a temporary would die inside the macro)
  ck_assert_str_eq(back.c_str(), "hello");

  {
    std::ofstream(f + "garbage") << "not an MLS message";
  }
  refused("process --state " + A + " --message " + f + "garbage", A);
  refused("process --state " + A + " --message " + f + "c2", A);       // replayed commit
  refused("unprotect --state " + A + " --in " + f + "m1 --out " + f + "again.txt", A);  // replayed message
  refused("remove --state " + A + " --identity nobody --commit-out " + f + "c3", A);
  refused("export --state " + A + " --label x --context zz --length 16", A);
  refused("add --state " + A + " --commit-out " + f + "c3", A);        // missing --key-package

  ok("remove --state " + A + " --identity bob --commit-out " + f + "c3");
  ck_assert(mlsctl("info --state " + A, &info) == 0);
  ck_assert(info.find("bob") == std::string::npos);
  refused("process --state " + B + " --message " + f + "c3", B);       // the removed member cannot follow
  std::system(("rm -rf " + g_dir).c_str());
}
END_TEST

int main()
{
  Suite* s = suite_create("mlsctl");
  TCase* tc = tcase_create("mlsctl");
  tcase_set_timeout(tc, 300);
  tcase_add_loop_test(tc, test_two_members_through_files, 1, 4);  // suites 1-3
  suite_add_tcase(s, tc);
  SRunner* sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  const int failed_count = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed_count == 0 ? 0 : 1;
}
