// Files written whole or not at all, and secret files read only when no one
// else can read them. Used for key files, TLS identities and the node's
// home (DESIGN.md section 2: secrets on disk are mode 0600).
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <string_view>

#include "chain/status.h"

namespace hpchain {

// Writes `data` to `path` through a temporary file created with `mode` and
// O_EXCL, fsynced, renamed into place and the directory fsynced: a crash
// leaves either the old state or the whole new file. With `create_only`,
// AlreadyExists when `path` exists (secrets are never overwritten by
// accident). IoError on any OS failure, naming the path.
Status write_file_atomically(const std::filesystem::path& path, std::string_view data, mode_t mode,
                             bool create_only);

// Reads a file of at most `max_bytes`. NotFound; PermissionDenied when
// `private_only` and the file is readable or writable by group or others
// (the message gives its mode and the chmod that fixes it); Corruption when
// larger than `max_bytes`; IoError.
Result<std::string> read_file(const std::filesystem::path& path, size_t max_bytes, bool private_only);

}  // namespace hpchain
