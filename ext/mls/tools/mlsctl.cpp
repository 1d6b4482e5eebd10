// SPDX-License-Identifier: LGPL-2.1-or-later
// mlsctl: drives the MLS core through files, for integrators debugging a
// delivery service and for interoperability tests. Every message file holds
// one TLS-serialized MLSMessage; --state DIR keeps one client's state
// between calls (DIR/group.state, DIR/key-package.state, both mode 0600).
// A call that fails prints one line on stderr, exits non-zero, and leaves
// DIR as it was: new state is written to a temporary file and renamed into
// place only after everything else succeeded.
#include <cstdio>
#include <cstring>
#include <ctime>
#include <map>
#include <string>
#include <vector>

#include <openssl/crypto.h>

#include "mls/group.h"
#include "mls/state_dir.h"

namespace m = gste2ee::mls;

namespace {

const char kUsage[] =
  "usage: mlsctl COMMAND --state DIR [options]\n"
  "  key-package --identity NAME [--suite N] --out FILE\n"
  "  create      --identity NAME --group-id HEX [--suite N]\n"
  "  add         --key-package FILE [--key-package FILE ...] --commit-out FILE --welcome-out FILE\n"
  "  join        --welcome FILE\n"
  "  process     --message FILE\n"
  "  update      --commit-out FILE\n"
  "  remove      --identity NAME --commit-out FILE\n"
  "  export      --label STR --context HEX --length N\n"
  "  protect     --in FILE --out FILE\n"
  "  unprotect   --in FILE --out FILE\n"
  "  info\n"
  "Cipher suites 1-7 (default 1). Our own commits (add, update, remove) move the\n"
  "state to the new epoch at once: send the commit before anything else.\n";

struct Failure {
  std::string message;
};

[[noreturn]] void die(const std::string& message)
{
  throw Failure{ message };  // caught in main(): one line, non-zero exit
}

template <typename T>
T check(m::Result<T> r, const char* what)
{
  if (!r)
    die(std::string(what) + ": " + r.message() + " (" + m::error_name(r.error()) + ")");
  return std::move(r).value();
}

m::Bytes read_file(const std::string& path)
{
  m::Bytes out;
  std::string error;
  if (!m::read_file(path, &out, &error))
    die(error);
  return out;
}

// Atomically (temporary file, then rename), mode 0600.
void write_file(const std::string& path, const m::Bytes& data)
{
  std::string error;
  if (!m::write_file_atomic(path, data, &error))
    die(error);
}

m::Bytes from_hex(const std::string& hex)
{
  if (hex.size() % 2)
    die("odd-length hex: " + hex);
  m::Bytes out(hex.size() / 2);
  if (!m::decode_hex(hex, out.data()))
    die("not hex: " + hex);
  return out;
}

std::string to_hex(const uint8_t* d, size_t n)
{
  static const char digits[] = "0123456789abcdef";
  std::string s;
  for (size_t i = 0; i < n; i++) {
    s += digits[d[i] >> 4];
    s += digits[d[i] & 15];
  }
  return s;
}

struct Args {
  std::string command;
  std::map<std::string, std::vector<std::string>> opts;

  const std::string& one(const std::string& name) const
  {
    auto it = opts.find(name);
    if (it == opts.end() || it->second.empty())
      die("missing --" + name);
    if (it->second.size() > 1)
      die("--" + name + " given more than once");
    return it->second.front();
  }
  std::string get(const std::string& name, const std::string& fallback) const
  {
    return opts.count(name) ? one(name) : fallback;
  }
  const std::vector<std::string>& all(const std::string& name) const
  {
    auto it = opts.find(name);
    if (it == opts.end())
      die("missing --" + name);
    return it->second;
  }
};

uint16_t suite_arg(const Args& a)
{
  const std::string s = a.get("suite", "1");
  if (s.size() != 1 || s[0] < '1' || s[0] > '7')
    die("--suite must be 1-7");
  return static_cast<uint16_t>(s[0] - '0');
}

m::MLSMessage message_file(const std::string& path)
{
  return check(m::wire::decode<m::MLSMessage>(read_file(path)), ("message in " + path).c_str());
}

void write_message(const std::string& path, const m::MLSMessage& msg)
{
  write_file(path, check(m::wire::encode(msg), "encoding"));
}

// The state directory, in the format mlskeyer's state-dir shares.
struct State {
  m::StateDir dir;
  m::Group group() const
  {
    std::optional<m::Group> g;
    std::string error;
    if (!dir.load_group(&g, &error))
      die("state: " + error);
    return std::move(*g);
  }
  void save(const m::Group& g) const
  {
    std::string error;
    if (!dir.save_group(g, &error))
      die(error);
  }
  m::KeyPackageSecrets key_package() const
  {
    m::KeyPackageSecrets kp;
    std::string error;
    if (!dir.load_key_package(&kp, &error))
      die(error);
    return kp;
  }
  void save(const m::KeyPackageSecrets& kp) const
  {
    std::string error;
    if (!dir.save_key_package(kp, &error))
      die(error);
  }
};

void run(const Args& a)
{
  State st{ m::StateDir(a.one("state")) };
  std::string error;
  if (!st.dir.ensure(&error))
    die(error);
  const std::string& c = a.command;
  const uint64_t now = static_cast<uint64_t>(std::time(nullptr));
  const uint64_t day = 86400;

  if (c == "key-package") {
    const std::string id = a.one("identity");
    auto kp = check(m::generate_key_package(suite_arg(a), m::Bytes(id.begin(), id.end()), now - day, now + 90 * day),
                    "KeyPackage");
    m::MLSMessage msg;
    msg.message.emplace<m::KeyPackage>(kp.key_package);
    write_message(a.one("out"), msg);
    st.save(kp);
  } else if (c == "create") {
    const std::string id = a.one("identity");
    auto kp = check(m::generate_key_package(suite_arg(a), m::Bytes(id.begin(), id.end()), now - day, now + 90 * day),
                    "KeyPackage");
    st.save(check(m::Group::create(kp, from_hex(a.one("group-id"))), "create"));
  } else if (c == "join") {
    const auto kp = st.key_package();
    const auto msg = message_file(a.one("welcome"));
    const auto* welcome = std::get_if<m::Welcome>(&msg.message);
    if (!welcome)
      die("--welcome is not a Welcome");
    st.save(check(m::Group::join(*welcome, kp, std::nullopt, {}), "join"));
    st.dir.remove_key_package();  // its init key is used up
  } else if (c == "add" || c == "update" || c == "remove") {
    const m::Group g = st.group();
    std::vector<m::KeyPackage> adds;
    std::vector<uint32_t> removes;
    if (c == "add") {
      for (const auto& path : a.all("key-package")) {
        const auto msg = message_file(path);
        const auto* kp = std::get_if<m::KeyPackage>(&msg.message);
        if (!kp)
          die(path + " is not a KeyPackage");
        adds.push_back(*kp);
      }
    } else if (c == "remove") {
      const std::string id = a.one("identity");
      bool found = false;
      for (const auto& [index, identity] : g.members())
        if (identity == m::Bytes(id.begin(), id.end())) {
          removes.push_back(index);
          found = true;
        }
      if (!found)
        die("no member with identity " + id);
    }
    auto result = check(g.commit(adds, removes), c.c_str());
    write_message(a.one("commit-out"), result.commit);
    if (c == "add")
      write_message(a.one("welcome-out"), *result.welcome);
    st.save(result.next);
  } else if (c == "process") {
    st.save(check(st.group().handle(message_file(a.one("message")), {}), "process"));
  } else if (c == "export") {
    const std::string label = a.one("label");
    char* end = nullptr;
    const unsigned long length = std::strtoul(a.one("length").c_str(), &end, 10);
    if (*end || length == 0 || length > 65535)
      die("--length must be 1-65535");
    auto secret = check(st.group().export_secret(m::Bytes(label.begin(), label.end()), from_hex(a.one("context")),
                                                 length),
                        "export");
    std::printf("%s\n", to_hex(secret.data(), secret.size()).c_str());
  } else if (c == "protect") {
    auto [next, msg] = check(st.group().protect(read_file(a.one("in"))), "protect");
    write_message(a.one("out"), msg);
    st.save(next);
  } else if (c == "unprotect") {
    auto [next, data] = check(st.group().unprotect(message_file(a.one("in"))), "unprotect");
    write_file(a.one("out"), data.bytes());
    st.save(next);
  } else if (c == "info") {
    const m::Group g = st.group();
    std::printf("epoch: %llu\nown index: %u\ncipher suite: %u\nmembers:\n",
                static_cast<unsigned long long>(g.epoch()), g.own_leaf(), g.context().cipher_suite);
    for (const auto& [index, id] : g.members())
      std::printf("  %u %s\n", index, std::string(id.begin(), id.end()).c_str());
  } else {
    die("unknown command " + c);
  }
}

} // namespace

int main(int argc, char** argv)
{
  if (argc < 2 || std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0) {
    std::fputs(kUsage, argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  try {
    Args a;
    a.command = argv[1];
    for (int i = 2; i < argc; i++) {
      if (std::strncmp(argv[i], "--", 2) != 0 || i + 1 >= argc)
        die(std::string("expected --option VALUE at ") + argv[i]);
      a.opts[argv[i] + 2].push_back(argv[i + 1]);
      i++;
    }
    run(a);
  } catch (const Failure& f) {
    std::fprintf(stderr, "mlsctl: %s\n", f.message.c_str());
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "mlsctl: %s\n", e.what());
    return 1;
  }
  return 0;
}
