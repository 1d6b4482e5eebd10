// SPDX-License-Identifier: LGPL-2.1-or-later
// The mlswg vector kinds mls-vectors knows (one file per kind, one function
// per file): each checks case `index` of a file and returns "" or the first
// mismatch, named.
#pragma once

#include <string>

#include "json.h"

namespace mlsvec {

using Check = std::string (*)(const testjson::Value& test_case);

struct Kind {
  const char* name;      // the vector file's stem, e.g. "tree-math"
  const char* detect;    // a field only this kind's cases have
  Check check;
};

std::string check_tree_math(const testjson::Value& c);
std::string check_deserialization(const testjson::Value& c);
std::string check_crypto_basics(const testjson::Value& c);
std::string check_key_schedule(const testjson::Value& c);
std::string check_psk_secret(const testjson::Value& c);
std::string check_secret_tree(const testjson::Value& c);
std::string check_messages(const testjson::Value& c);
std::string check_transcript_hashes(const testjson::Value& c);
std::string check_message_protection(const testjson::Value& c);
std::string check_tree_validation(const testjson::Value& c);
std::string check_tree_operations(const testjson::Value& c);
std::string check_treekem(const testjson::Value& c);
std::string check_welcome(const testjson::Value& c);
std::string check_passive_client(const testjson::Value& c);

// Helpers for the checks.
std::string mismatch(const std::string& what, const std::vector<uint8_t>& got, const std::vector<uint8_t>& want);

} // namespace mlsvec
