// SPDX-License-Identifier: LGPL-2.1-or-later
#include "mls/state_dir.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "mls/codec.h"
#include "mls/messages.h"

namespace gste2ee::mls {

namespace {

void wipe(Bytes& b)
{
  if (!b.empty())
    OPENSSL_cleanse(b.data(), b.size());
}

} // namespace

bool read_file(const std::string& path, Bytes* out, std::string* error)
{
  FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) {
    *error = "cannot read " + path + ": " + std::strerror(errno);
    return false;
  }
  out->clear();
  uint8_t buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0)
    out->insert(out->end(), buf, buf + n);
  OPENSSL_cleanse(buf, sizeof buf);
  const bool bad = std::ferror(f);
  std::fclose(f);
  if (bad) {
    *error = "cannot read " + path;
    return false;
  }
  return true;
}

bool write_file_atomic(const std::string& path, const Bytes& data, std::string* error)
{
  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd < 0) {
    *error = "cannot write " + tmp + ": " + std::strerror(errno);
    return false;
  }
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      *error = "cannot write " + tmp + ": " + std::strerror(errno);
      ::close(fd);
      ::unlink(tmp.c_str());
      return false;
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    *error = "cannot write " + tmp;
    ::unlink(tmp.c_str());
    return false;
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    *error = "cannot replace " + path + ": " + std::strerror(errno);
    ::unlink(tmp.c_str());
    return false;
  }
  return true;
}

bool StateDir::ensure(std::string* error) const
{
  if (::mkdir(dir_.c_str(), 0700) != 0 && errno != EEXIST) {
    *error = "cannot create " + dir_ + ": " + std::strerror(errno);
    return false;
  }
  return true;
}

bool StateDir::has_group() const
{
  return ::access(group_path().c_str(), F_OK) == 0;
}

bool StateDir::has_key_package() const
{
  return ::access(key_package_path().c_str(), F_OK) == 0;
}

bool StateDir::load_group(std::optional<Group>* out, std::string* error) const
{
  Bytes bytes;
  if (!read_file(group_path(), &bytes, error))
    return false;
  auto g = Group::load(bytes);
  wipe(bytes);
  if (!g) {
    *error = group_path() + ": " + g.message();
    return false;
  }
  out->emplace(std::move(g).value());
  return true;
}

bool StateDir::save_group(const Group& group, std::string* error) const
{
  auto bytes = group.save();
  if (!bytes) {
    *error = std::string("saving the group state: ") + bytes.message();
    return false;
  }
  const bool ok = write_file_atomic(group_path(), bytes.value(), error);
  wipe(bytes.value());
  return ok;
}

bool StateDir::load_key_package(KeyPackageSecrets* out, std::string* error) const
{
  Bytes bytes;
  if (!read_file(key_package_path(), &bytes, error))
    return false;
  Reader r(bytes);
  KeyPackageSecrets s;
  const bool ok = read(r, s.key_package) && wire::read(r, s.init_priv) && wire::read(r, s.encryption_priv) &&
                  wire::read(r, s.signature_priv) && r.finish();
  wipe(bytes);
  if (!ok) {
    *error = key_package_path() + " is damaged";
    return false;
  }
  *out = std::move(s);
  return true;
}

bool StateDir::save_key_package(const KeyPackageSecrets& s, std::string* error) const
{
  Writer w;
  if (!write(w, s.key_package) || !w.opaque(s.init_priv) || !w.opaque(s.encryption_priv) ||
      !w.opaque(s.signature_priv)) {
    *error = "cannot encode the KeyPackage state";
    return false;
  }
  Bytes bytes = w.take();
  const bool ok = write_file_atomic(key_package_path(), bytes, error);
  wipe(bytes);
  return ok;
}

void StateDir::remove_key_package() const
{
  ::unlink(key_package_path().c_str());
}

} // namespace gste2ee::mls
