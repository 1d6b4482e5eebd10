// SPDX-License-Identifier: LGPL-2.1-or-later
// The room server's TLS certificate for a first deployment or a test: a
// self-signed P-256 certificate whose subjectAltName holds the names and
// addresses clients connect to (clients verify it against this same file
// as their trust anchor). A production server uses a certificate from its
// CA instead (docs/deployment.md).
#pragma once

#include <string>
#include <vector>

namespace gste2ee::room {

// Writes `cert_path` (PEM certificate, 0644) and `key_path` (PEM private
// key, 0600, never overwritten) valid for `days`. `names` are DNS names or
// IPv4/IPv6 addresses.
bool make_self_signed_certificate(const std::vector<std::string>& names, int days, const std::string& cert_path,
    const std::string& key_path, std::string* error);

} // namespace gste2ee::room
