// SPDX-License-Identifier: LGPL-2.1-or-later
#include "mls/sframe_epoch.h"

#include <cstdio>

#include <openssl/evp.h>

namespace gste2ee::mls {

unsigned sframe_index_bits(uint32_t leaf_count)
{
  unsigned s = 0;
  while (s < 32 && (uint64_t{ 1 } << s) < leaf_count)
    s++;
  return s;
}

bool sframe_kid(const SframeKidLayout& layout, uint64_t context, uint32_t index, uint64_t epoch, uint64_t* kid)
{
  const unsigned s = layout.index_bits, e = layout.epoch_bits;
  if (s + e >= 64 || (s < 32 && (uint64_t{ index } >> s) != 0))
    return false;
  const unsigned context_bits = 64 - s - e;
  if (context_bits < 64 && (context >> context_bits) != 0)
    return false;
  const uint64_t epoch_mask = e == 0 ? 0 : (e >= 64 ? ~uint64_t{ 0 } : (uint64_t{ 1 } << e) - 1);
  *kid = (context << (s + e)) | (uint64_t{ index } << e) | (epoch & epoch_mask);
  return true;
}

std::string safety_code(const SecretBytes& epoch_authenticator)
{
  static const char kLabel[] = "gst-e2ee safety code";
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  const bool ok = ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr) == 1 &&
                  EVP_DigestUpdate(ctx, kLabel, sizeof kLabel - 1) == 1 &&
                  EVP_DigestUpdate(ctx, epoch_authenticator.data(), epoch_authenticator.size()) == 1 &&
                  EVP_DigestFinal_ex(ctx, md, &len) == 1;
  EVP_MD_CTX_free(ctx);
  if (!ok || len < 8)
    return {};
  std::string code;
  for (int g = 0; g < 4; g++) {
    char part[8];
    std::snprintf(part, sizeof part, g ? " %04u" : "%04u", ((unsigned{ md[2 * g] } << 8) | md[2 * g + 1]) % 10000);
    code += part;
  }
  return code;
}

Result<SframeEpoch> sframe_epoch(const Group& group, size_t nk, unsigned epoch_bits)
{
  if (nk == 0 || epoch_bits > 32)
    return Failure{ Error::InvalidArgument, "SFrame key size 0 or more than 32 epoch bits" };
  auto base = group.export_secret(to_bytes("SFrame 1.0 Base Key"), Bytes{}, nk);
  if (!base)
    return base.failure();
  SframeEpoch e;
  e.epoch = group.epoch();
  e.base_key = std::move(base).value();
  e.layout.index_bits = sframe_index_bits(group.tree().n_leaves());
  e.layout.epoch_bits = epoch_bits;
  e.own_index = group.own_leaf();
  e.members = group.members();
  e.safety_code = safety_code(group.epoch_authenticator());
  return e;
}

} // namespace gste2ee::mls
