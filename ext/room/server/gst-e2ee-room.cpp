// SPDX-License-Identifier: LGPL-2.1-or-later
// gst-e2ee-room: the room server (docs/deployment.md).
//   serve      signalling over TLS 1.3, join tokens, rooms, the admin socket
//   make-cert  a self-signed certificate for a first deployment or a test
//   admin      one command on the admin socket (list, create, admit, deny,
//              kick, revoke-identity, revoke-token, lock, screen-share, end)
#include "../tools/command-line.h"
#include "room-daemon.h"
#include "room/signing_key.h"
#include "room/tls_identity.h"

#include <glib-unix.h>
#include <gst/gst.h>
#include <gst/e2ee/e2ee.h>
#include <openssl/err.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>

namespace r = gste2ee::room;

namespace {

const char kSummary[] =
  "Commands:\n"
  "  serve --cert FILE --key FILE --keys JWKS [--listen HOST] [--port N] [--admin-socket PATH] [--media-address IP]\n"
  "        [--peer-timeout MS]\n"
  "        [--max-token-lifetime S] [--clock-skew S] [--log-identities] [--create-room e2ee|hop-by-hop\n"
  "        [--waiting-room]]\n"
  "  make-cert --name HOST [--name HOST...] [--days N] --cert FILE --key FILE\n"
  "  admin [--admin-socket PATH] list | create MODE [waiting-room] | admit ROOM ID | deny ROOM ID |\n"
  "        kick ROOM ID | revoke-identity ID UNTIL | revoke-token JTI UNTIL | lock ROOM on|off |\n"
  "        screen-share ROOM ID allow|deny | end ROOM\n"
  "The admin socket defaults to $XDG_RUNTIME_DIR/gst-e2ee-room.sock.";

struct Options {
  gchar* cert = nullptr;
  gchar* key = nullptr;
  gchar* keys = nullptr;
  gchar* listen = nullptr;
  gint port = 7443;
  gchar* admin_socket = nullptr;
  gint64 max_lifetime = 300;
  gint64 clock_skew = 30;
  gboolean log_identities = FALSE;
  gchar* create_room = nullptr;
  gchar* media_address = nullptr;
  gboolean waiting_room = FALSE;
  gchar** names = nullptr;
  gint days = 365;
  gint peer_timeout = 10000;

  ~Options()
  {
    for (gchar* s : { cert, key, keys, listen, admin_socket, create_room, media_address })
      g_free(s);
    g_strfreev(names);
  }
};

int fail(const std::string& message)
{
  return gste2ee::room::command_failed("gst-e2ee-room", message);
}

std::string admin_socket_path(const Options& o)
{
  if (o.admin_socket)
    return o.admin_socket;
  return std::string(g_get_user_runtime_dir()) + "/gst-e2ee-room.sock";
}

SSL_CTX* server_tls(const Options& o, std::string* error)
{
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  if (!ctx || SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION) != 1
      || SSL_CTX_use_certificate_chain_file(ctx, o.cert) != 1
      || SSL_CTX_use_PrivateKey_file(ctx, o.key, SSL_FILETYPE_PEM) != 1 || SSL_CTX_check_private_key(ctx) != 1) {
    char buf[256];
    ERR_error_string_n(ERR_get_error(), buf, sizeof buf);
    *error = std::string("TLS certificate ") + o.cert + " / key " + o.key + ": " + buf;
    SSL_CTX_free(ctx);
    return nullptr;
  }
  return ctx;
}

int serve(const Options& o)
{
  // Only the server runs pipelines: `admin` and `make-cert` never load
  // GStreamer (a registry update there would only slow them down, and race
  // the server's own).
  gst_init(nullptr, nullptr);
  if (!o.cert || !o.key || !o.keys)
    return fail("serve needs --cert, --key and --keys");
  gchar* text = nullptr;
  gsize length = 0;
  GError* err = nullptr;
  if (!g_file_get_contents(o.keys, &text, &length, &err)) {
    const int rc = fail(err->message);
    g_error_free(err);
    return rc;
  }
  std::vector<r::SigningKey> keys;
  std::string error;
  const bool parsed = r::parse_jwk_set(std::string(text, length), &keys, &error);
  g_free(text);
  if (!parsed)
    return fail(std::string(o.keys) + ": " + error);
  if (keys.empty())
    return fail(std::string(o.keys) + ": no keys: no token could be accepted");
  r::TokenPolicy policy;
  policy.max_lifetime_s = static_cast<uint64_t>(std::max<gint64>(o.max_lifetime, 1));
  policy.clock_skew_s = static_cast<uint64_t>(std::max<gint64>(o.clock_skew, 0));
  SSL_CTX* tls = server_tls(o, &error);
  if (!tls)
    return fail(error);
  const std::string host = o.listen ? o.listen : "127.0.0.1";
  r::DaemonOptions options;
  options.log_identities = o.log_identities;
  // ICE candidates where the signalling listens, unless told otherwise.
  options.peer_timeout_ms = static_cast<guint>(std::clamp(o.peer_timeout, 100, 600000));
  options.media_address = o.media_address ? o.media_address : (host == "0.0.0.0" || host == "::") ? "" : host;
  auto daemon = std::make_unique<r::RoomDaemon>(r::RoomServer(r::TokenVerifier(std::move(keys), policy)), tls,
      options);
  SSL_CTX_free(tls);
  uint16_t port = 0;
  if (!daemon->start_media(&error))
    return fail(error);
  if (o.port < 0 || o.port > 65535 || !daemon->listen(host, static_cast<uint16_t>(o.port), &port, &error))
    return fail(error.empty() ? "--port must be 0-65535" : error);
  const std::string admin = admin_socket_path(o);
  if (!daemon->open_admin_socket(admin, &error))
    return fail(error);
  std::printf("gst-e2ee-room: listening on %s:%u (TLS 1.3), admin socket %s\n", host.c_str(), port, admin.c_str());
  if (o.create_room) {
    const auto mode = r::room_mode_from_name(o.create_room);
    if (!mode)
      return fail("--create-room must be e2ee or hop-by-hop");
    const std::string id = daemon->core().create_room(*mode, o.waiting_room);
    if (id.empty())
      return fail("no randomness for a room ID");
    std::printf("room %s [%s]%s\n", id.c_str(), r::room_mode_name(*mode), o.waiting_room ? " with a waiting room" : "");
  }
  std::fflush(stdout);
  // A participant that disconnects while we write to it must not end the
  // server: writes report EPIPE instead.
  signal(SIGPIPE, SIG_IGN);
  GMainLoop* loop = g_main_loop_new(nullptr, FALSE);
  auto quit = [](gpointer l) -> gboolean {
    g_main_loop_quit(static_cast<GMainLoop*>(l));
    return G_SOURCE_REMOVE;
  };
  g_unix_signal_add(SIGINT, quit, loop);
  g_unix_signal_add(SIGTERM, quit, loop);
  g_main_loop_run(loop);
  daemon.reset();
  g_main_loop_unref(loop);
  return 0;
}

int make_cert(const Options& o)
{
  if (!o.names || !o.cert || !o.key)
    return fail("make-cert needs --name, --cert and --key");
  std::vector<std::string> names;
  for (gchar** n = o.names; *n; n++)
    names.push_back(*n);
  std::string error;
  if (!r::make_self_signed_certificate(names, o.days, o.cert, o.key, &error))
    return fail(error);
  std::printf("certificate %s (self-signed, give it to clients as their CA file), key %s\n", o.cert, o.key);
  return 0;
}

// The admin command line as a message.
bool admin_message(int argc, char** argv, r::Message* m, std::string* error)
{
  const std::string cmd = argc > 0 ? argv[0] : "";
  auto arity = [&](int n) {
    if (argc != n + 1)
      *error = cmd + " takes " + std::to_string(n) + " argument(s)";
    return argc == n + 1;
  };
  auto until = [&](const char* text, uint64_t* out) {
    char* end = nullptr;
    *out = g_ascii_strtoull(text, &end, 10);
    if (!end || *end || !*text)
      *error = "UNTIL is seconds since the epoch";
    return end && !*end && *text;
  };
  if (cmd == "list" && arity(0)) {
    *m = r::Message("list");
  } else if (cmd == "create" && (argc == 2 || argc == 3)) {
    *m = r::Message("create").set("mode", argv[1]);
    if (argc == 3)
      m->set("waiting-room", std::strcmp(argv[2], "waiting-room") == 0);
  } else if ((cmd == "admit" || cmd == "deny" || cmd == "kick") && arity(2)) {
    *m = r::Message(cmd).set("room", argv[1]).set("identity", argv[2]);
  } else if ((cmd == "revoke-identity" || cmd == "revoke-token") && arity(2)) {
    uint64_t t = 0;
    if (!until(argv[2], &t))
      return false;
    *m = r::Message("revoke").set(cmd == "revoke-token" ? "jti" : "identity", argv[1]).set("until", t);
  } else if (cmd == "lock" && arity(2)) {
    *m = r::Message("lock").set("room", argv[1]).set("locked", std::strcmp(argv[2], "on") == 0);
  } else if (cmd == "screen-share" && arity(3)) {
    *m = r::Message("screen-share").set("room", argv[1]).set("identity", argv[2])
             .set("allow", std::strcmp(argv[3], "allow") == 0);
  } else if (cmd == "end" && arity(1)) {
    *m = r::Message("end").set("room", argv[1]);
  } else {
    if (error->empty())
      *error = "unknown admin command (see --help)";
    return false;
  }
  return true;
}

int admin(const Options& o, int argc, char** argv)
{
  r::Message m;
  std::string error;
  if (!admin_message(argc, argv, &m, &error))
    return fail(error);
  const std::string path = admin_socket_path(o);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof addr.sun_path)
    return fail(path + ": path too long");
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0 || connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    if (fd >= 0)
      close(fd);
    return fail(path + ": no server there (" + std::strerror(errno) + ")");
  }
  const std::string frame = r::encode_frame(m.to_json());
  if (write(fd, frame.data(), frame.size()) != static_cast<ssize_t>(frame.size())) {
    close(fd);
    return fail("cannot send the command");
  }
  r::FrameReader reader;
  std::optional<std::string> answer;
  uint8_t buf[4096];
  while (!answer) {
    const ssize_t n = read(fd, buf, sizeof buf);
    if (n <= 0 || !reader.push(buf, static_cast<size_t>(n)))
      break;
    answer = reader.next();
  }
  close(fd);
  r::Message reply;
  if (!answer || !r::parse_message(*answer, &reply, &error) || reply.type() != "reply")
    return fail("no answer from the server");
  std::printf("%s%s", reply.str("text").c_str(), reply.str("text").empty() || reply.str("text").back() != '\n' ? "\n" : "");
  return reply.flag("ok") ? 0 : 1;
}

} // namespace

int main(int argc, char** argv)
{
  gst_e2ee_openssl_init();  // before any TLS: GStreamer threads outlive exit()
  Options o;
  const GOptionEntry entries[] = {
    { "cert", 0, 0, G_OPTION_ARG_FILENAME, &o.cert, "TLS certificate chain, PEM (serve, make-cert)", "FILE" },
    { "key", 0, 0, G_OPTION_ARG_FILENAME, &o.key, "TLS private key, PEM (serve, make-cert)", "FILE" },
    { "keys", 0, 0, G_OPTION_ARG_FILENAME, &o.keys, "JWK set of the join-token keys (serve)", "JWKS" },
    { "listen", 0, 0, G_OPTION_ARG_STRING, &o.listen, "Address to listen on (serve; default 127.0.0.1)", "HOST" },
    { "port", 0, 0, G_OPTION_ARG_INT, &o.port, "TCP port (serve; default 7443, 0 = any)", "N" },
    { "admin-socket", 0, 0, G_OPTION_ARG_FILENAME, &o.admin_socket, "Admin socket path (serve, admin)", "PATH" },
    { "max-token-lifetime", 0, 0, G_OPTION_ARG_INT64, &o.max_lifetime, "Longest accepted exp - iat (default 300)",
      "S" },
    { "clock-skew", 0, 0, G_OPTION_ARG_INT64, &o.clock_skew, "Tolerated clock skew (default 30)", "S" },
    { "log-identities", 0, 0, G_OPTION_ARG_NONE, &o.log_identities, "Log participants' identities (serve)",
      nullptr },
    { "media-address", 0, 0, G_OPTION_ARG_STRING, &o.media_address,
      "Local address for the media (ICE) (serve; default: the --listen address)", "IP" },
    { "peer-timeout", 0, 0, G_OPTION_ARG_INT, &o.peer_timeout,
      "A participant whose media is silent this long is removed (serve; ms, default 10000)", "MS" },
    { "create-room", 0, 0, G_OPTION_ARG_STRING, &o.create_room, "Create a room at start (serve)", "MODE" },
    { "waiting-room", 0, 0, G_OPTION_ARG_NONE, &o.waiting_room, "The created room has a waiting room", nullptr },
    { "name", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o.names, "Host name or address (make-cert)", "HOST" },
    { "days", 0, 0, G_OPTION_ARG_INT, &o.days, "Certificate lifetime (make-cert; default 365)", "N" },
    {},
  };
  GOptionContext* ctx = g_option_context_new("serve|make-cert|admin ... - the gst-e2ee room server");
  g_option_context_set_description(ctx, kSummary);
  g_option_context_add_main_entries(ctx, entries, nullptr);
  std::string parse_error;
  if (!gste2ee::room::parse_command_line(ctx, &argc, &argv, &parse_error))
    return fail(parse_error);
  const char* command = argc >= 2 ? argv[1] : "";
  if (std::strcmp(command, "serve") == 0 && argc == 2)
    return serve(o);
  if (std::strcmp(command, "make-cert") == 0 && argc == 2)
    return make_cert(o);
  if (std::strcmp(command, "admin") == 0)
    return admin(o, argc - 2, argv + 2);
  return fail("usage: gst-e2ee-room serve|make-cert|admin ... (see --help)");
}
