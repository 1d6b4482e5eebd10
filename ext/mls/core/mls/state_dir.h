// SPDX-License-Identifier: LGPL-2.1-or-later
// One member's state on disk, the format `mlsctl --state DIR` and
// `mlskeyer state-dir=DIR` share: DIR/group.state (Group::save()) and
// DIR/key-package.state (a KeyPackage we published, with its private keys:
// struct { KeyPackage kp; opaque init<V>; opaque enc<V>; opaque sig<V>; }),
// both mode 0600 in a directory of mode 0700. Writes are atomic (a temporary
// file, synced, then renamed), so a crash leaves the previous state; the
// bytes read, which hold private keys, are wiped once decoded.
#pragma once

#include <optional>
#include <string>

#include "mls/group.h"

namespace gste2ee::mls {

// Whole-file helpers; false with `error` set (the path and the reason).
bool read_file(const std::string& path, Bytes* out, std::string* error);
bool write_file_atomic(const std::string& path, const Bytes& data, std::string* error);

class StateDir {
public:
  explicit StateDir(std::string dir) : dir_(std::move(dir)) {}
  const std::string& path() const { return dir_; }
  std::string group_path() const { return dir_ + "/group.state"; }
  std::string key_package_path() const { return dir_ + "/key-package.state"; }

  bool ensure(std::string* error) const;  // creates DIR (0700) if missing
  bool has_group() const;
  bool has_key_package() const;

  bool load_group(std::optional<Group>* out, std::string* error) const;
  bool save_group(const Group& group, std::string* error) const;
  bool load_key_package(KeyPackageSecrets* out, std::string* error) const;
  bool save_key_package(const KeyPackageSecrets& kp, std::string* error) const;
  // After a join: the KeyPackage's init key is used up.
  void remove_key_package() const;

private:
  std::string dir_;
};

} // namespace gste2ee::mls
