// SPDX-License-Identifier: LGPL-2.1-or-later
// gst-e2ee-room-token: join-token signing keys and tokens, for operators and
// tests (docs/deployment.md).
//   keygen  makes a key pair: the private JWK (mode 0600, never overwritten)
//           for whoever mints tokens, the public key added to the JWK set the
//           room server is configured with (--keys);
//   mint    prints a signed token for one identity and one room;
//   verify  checks a token as the server would (without spending its jti).
#include "command-line.h"
#include "room/join_token.h"
#include "mls/primitives.h"
#include "room/base64url.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <openssl/crypto.h>

#include <algorithm>

#include <cstdio>
#include <cstring>
#include <ctime>
#include <string>

namespace r = gste2ee::room;

namespace {

const char kSummary[] =
  "Commands:\n"
  "  keygen --kid KID [--alg EdDSA|ES256] --private FILE --public-set FILE\n"
  "  mint   --key FILE --room ROOM --identity NAME [--lifetime S] [--permissions LIST]\n"
  "         [--jti ID] [--issued-at T] [--not-before T]\n"
  "  verify --public-set FILE --room ROOM [--max-lifetime S] TOKEN\n"
  "Permissions: publish-audio, publish-video, share-screen, record, admin (comma-separated).\n"
  "Times are seconds since the epoch; --issued-at defaults to now.";

struct Options {
  gchar* kid = nullptr;
  gchar* alg = nullptr;
  gchar* private_file = nullptr;
  gchar* public_set = nullptr;
  gchar* key = nullptr;
  gchar* room = nullptr;
  gchar* identity = nullptr;
  gchar* permissions = nullptr;
  gchar* jti = nullptr;
  gint64 lifetime = 300;
  gint64 max_lifetime = 300;
  gint64 issued_at = -1;
  gint64 not_before = 0;

  ~Options()
  {
    for (gchar* s : { kid, alg, private_file, public_set, key, room, identity, permissions, jti })
      g_free(s);
  }
};

int fail(const std::string& message)
{
  return gste2ee::room::command_failed("gst-e2ee-room-token", message);
}

bool read_text(const char* path, std::string* out, std::string* error)
{
  gchar* contents = nullptr;
  gsize length = 0;
  GError* err = nullptr;
  if (!g_file_get_contents(path, &contents, &length, &err)) {
    *error = err->message;
    g_error_free(err);
    return false;
  }
  out->assign(contents, length);
  // The file may hold a private key.
  OPENSSL_cleanse(contents, length);
  g_free(contents);
  return true;
}

bool write_text(const char* path, const std::string& text, int mode, std::string* error)
{
  GError* err = nullptr;
  if (!g_file_set_contents_full(path, text.data(), gssize(text.size()),
          G_FILE_SET_CONTENTS_CONSISTENT, mode, &err)) {
    *error = err->message;
    g_error_free(err);
    return false;
  }
  return true;
}

bool load_set(const char* path, std::vector<r::SigningKey>* keys, std::string* error)
{
  std::string text;
  if (!read_text(path, &text, error))
    return false;
  if (!r::parse_jwk_set(text, keys, error)) {
    *error = std::string(path) + ": " + *error;
    return false;
  }
  return true;
}

int keygen(const Options& o)
{
  if (!o.kid || !o.private_file || !o.public_set)
    return fail("keygen needs --kid, --private and --public-set");
  const auto alg = r::jws_alg_from_name(o.alg ? o.alg : "EdDSA");
  if (!alg)
    return fail("--alg must be EdDSA or ES256");
  if (g_file_test(o.private_file, G_FILE_TEST_EXISTS))
    return fail(std::string(o.private_file) + " exists: a private key is never overwritten");
  std::vector<r::SigningKey> set;
  std::string error;
  if (g_file_test(o.public_set, G_FILE_TEST_EXISTS) && !load_set(o.public_set, &set, &error))
    return fail(error);
  for (const auto& k : set)
    if (k.kid == o.kid)
      return fail(std::string("kid ") + o.kid + " is already in " + o.public_set);
  auto key = r::generate_signing_key(*alg, o.kid);
  if (!key)
    return fail("key generation failed");
  std::string jwk = r::to_jwk(*key, true) + "\n";
  const bool written = write_text(o.private_file, jwk, 0600, &error);
  OPENSSL_cleanse(jwk.data(), jwk.size());
  if (!written)
    return fail(error);
  set.push_back(std::move(*key));
  if (!write_text(o.public_set, r::to_jwk_set(set), 0644, &error))
    return fail(error);
  std::printf("kid %s (%s): private key in %s, public key added to %s\n", o.kid, r::jws_alg_name(*alg),
      o.private_file, o.public_set);
  return 0;
}

int mint(const Options& o)
{
  if (!o.key || !o.room || !o.identity)
    return fail("mint needs --key, --room and --identity");
  std::string text, error;
  if (!read_text(o.key, &text, &error))
    return fail(error);
  gste2ee::json::Value jwk;
  r::SigningKey key;
  const bool parsed = gste2ee::json::parse(text, &jwk, &error, 2) && r::parse_jwk(jwk, &key, &error);
  OPENSSL_cleanse(text.data(), text.size());
  if (!parsed)
    return fail(std::string(o.key) + ": " + error);
  if (!key.can_sign())
    return fail(std::string(o.key) + " holds no private key (\"d\")");
  r::JoinClaims c;
  c.identity = o.identity;
  c.room = o.room;
  c.iat = o.issued_at >= 0 ? uint64_t(o.issued_at) : uint64_t(std::time(nullptr));
  if (o.lifetime <= 0)
    return fail("--lifetime must be positive");
  c.exp = c.iat + uint64_t(o.lifetime);
  c.nbf = uint64_t(std::max<gint64>(o.not_before, 0));
  if (o.permissions && !r::parse_permission_list(o.permissions, &c.permissions, &error))
    return fail(error);
  if (o.jti) {
    c.jti = o.jti;
  } else {
    // 128 random bits: unguessable and, in practice, never repeated.
    auto id = gste2ee::mls::prim::random_bytes(16);
    if (!id)
      return fail("no randomness");
    c.jti = r::base64url_encode(id.value());
  }
  const std::string token = r::mint_join_token(key, c);
  if (token.empty())
    return fail("signing failed");
  std::printf("%s\n", token.c_str());
  return 0;
}

int verify(const Options& o, const char* token)
{
  if (!o.public_set || !o.room || !token)
    return fail("verify needs --public-set, --room and the token");
  std::vector<r::SigningKey> set;
  std::string error;
  if (!load_set(o.public_set, &set, &error))
    return fail(error);
  r::TokenPolicy policy;
  policy.max_lifetime_s = uint64_t(std::max<gint64>(o.max_lifetime, 1));
  r::TokenVerifier verifier(std::move(set), policy);
  const auto v = verifier.verify(token, o.room, uint64_t(std::time(nullptr)));
  if (!v.accepted()) {
    std::printf("refused (%s): %s\n", r::token_refusal_name(v.refusal), v.reason.c_str());
    return 1;
  }
  std::printf("accepted: identity %s, room %s, permissions [%s], expires in %lld s\n", v.claims.identity.c_str(),
      v.claims.room.c_str(), r::permission_list(v.claims.permissions).c_str(),
      static_cast<long long>(v.claims.exp) - static_cast<long long>(std::time(nullptr)));
  return 0;
}

} // namespace

int main(int argc, char** argv)
{
  Options o;
  const GOptionEntry entries[] = {
    { "kid", 0, 0, G_OPTION_ARG_STRING, &o.kid, "Key ID (keygen)", "KID" },
    { "alg", 0, 0, G_OPTION_ARG_STRING, &o.alg, "EdDSA (default) or ES256 (keygen)", "ALG" },
    { "private", 0, 0, G_OPTION_ARG_FILENAME, &o.private_file, "Private JWK to write (keygen)", "FILE" },
    { "public-set", 0, 0, G_OPTION_ARG_FILENAME, &o.public_set, "JWK set of public keys (keygen, verify)", "FILE" },
    { "key", 0, 0, G_OPTION_ARG_FILENAME, &o.key, "Private JWK to sign with (mint)", "FILE" },
    { "room", 0, 0, G_OPTION_ARG_STRING, &o.room, "Room ID, the token's aud (mint, verify)", "ROOM" },
    { "identity", 0, 0, G_OPTION_ARG_STRING, &o.identity, "Identity, the token's sub (mint)", "NAME" },
    { "lifetime", 0, 0, G_OPTION_ARG_INT64, &o.lifetime, "Seconds from iat to exp (mint; default 300)", "S" },
    { "permissions", 0, 0, G_OPTION_ARG_STRING, &o.permissions, "Granted permissions (mint)", "LIST" },
    { "jti", 0, 0, G_OPTION_ARG_STRING, &o.jti, "Token ID (mint; default 128 random bits)", "ID" },
    { "issued-at", 0, 0, G_OPTION_ARG_INT64, &o.issued_at, "iat (mint; default now)", "T" },
    { "not-before", 0, 0, G_OPTION_ARG_INT64, &o.not_before, "nbf (mint; default none)", "T" },
    { "max-lifetime", 0, 0, G_OPTION_ARG_INT64, &o.max_lifetime, "Longest accepted lifetime (verify; default 300)",
      "S" },
    {},
  };
  GOptionContext* ctx = g_option_context_new("keygen|mint|verify [TOKEN] - join tokens for gst-e2ee-room");
  g_option_context_set_description(ctx, kSummary);
  g_option_context_add_main_entries(ctx, entries, nullptr);
  std::string parse_error;
  if (!gste2ee::room::parse_command_line(ctx, &argc, &argv, &parse_error))
    return fail(parse_error);
  const char* command = argc >= 2 ? argv[1] : "";
  if (std::strcmp(command, "keygen") == 0 && argc == 2)
    return keygen(o);
  if (std::strcmp(command, "mint") == 0 && argc == 2)
    return mint(o);
  if (std::strcmp(command, "verify") == 0 && argc == 3)
    return verify(o, argv[2]);
  return fail("usage: gst-e2ee-room-token keygen|mint|verify [TOKEN] [options] (see --help)");
}
