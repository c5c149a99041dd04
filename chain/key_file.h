// Key files: a secp256k1 private key as JSON on disk, mode 0600.
//
//   {"type": "secp256k1", "private_key": "<64 hex>",
//    "public_key": "<66 hex>", "address": "0x<40 hex>"}
//
// public_key and address are redundant and checked on load, so a
// hand-edited or truncated file is caught rather than silently used.
#pragma once

#include <filesystem>

#include "chain/keys.h"

namespace hpchain {

// Writes `key` to `path`, which must not exist yet (AlreadyExists otherwise:
// keys are never overwritten by accident). The file is created with mode
// 0600, written, fsynced and only then renamed into place, so a crash leaves
// either no file or a complete one. IoError on any OS failure.
Status write_key_file(const std::filesystem::path& path, const PrivateKey& key);

// Loads a key file. Errors:
//   NotFound           no such file;
//   PermissionDenied   the file is readable or writable by group or others
//                      (the message says which mode it has and how to fix it);
//   Corruption         not JSON, missing fields, bad hex, or public_key /
//                      address inconsistent with private_key;
//   IoError            the OS failed to read it.
Result<PrivateKey> load_key_file(const std::filesystem::path& path);

}  // namespace hpchain
