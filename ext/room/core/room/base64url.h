// SPDX-License-Identifier: LGPL-2.1-or-later
// base64url without padding (RFC 4648 section 5, as JWS and JWK use it).
// Decoding is strict: only the URL-safe alphabet, no padding, no whitespace,
// and the unused bits of the last character must be zero, so every byte
// string has exactly one accepted text (a token cannot be altered into
// another text that decodes the same).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gste2ee::room {

std::string base64url_encode(const uint8_t* data, size_t size);
std::string base64url_encode(const std::vector<uint8_t>& bytes);
std::string base64url_encode(std::string_view text);

// The bytes, or nullopt if `text` is not canonical unpadded base64url.
std::optional<std::vector<uint8_t>> base64url_decode(std::string_view text);

} // namespace gste2ee::room
