// SPDX-License-Identifier: LGPL-2.1-or-later
// What the room's programs (gst-e2ee-room, gst-e2ee-room-token,
// gst-e2ee-room-archive) do alike with their command line: GOption parsing,
// and one-line errors prefixed with the program's name.
#pragma once

#include <glib.h>

#include <cstdio>
#include <string>

namespace gste2ee::room {

// Prints "PROGRAM: message" on stderr; returns the exit status 1.
inline int command_failed(const char* program, const std::string& message)
{
  std::fprintf(stderr, "%s: %s\n", program, message.c_str());
  return 1;
}

// Parses and frees `ctx`. False with `error` set if the options are wrong.
inline bool parse_command_line(GOptionContext* ctx, int* argc, char*** argv, std::string* error)
{
  GError* err = nullptr;
  const bool parsed = g_option_context_parse(ctx, argc, argv, &err);
  g_option_context_free(ctx);
  if (!parsed) {
    *error = err->message;
    g_error_free(err);
  }
  return parsed;
}

} // namespace gste2ee::room
