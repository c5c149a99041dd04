// The validator's safety state on disk (consensus::SafetyStorage): one small
// file, replaced whole on every save through chain/file.h's atomic write
// (a temporary file, fsync, rename, directory fsync), so a crash at any
// instant leaves the previous state or the new one, never a mix. The file
// is framed and checksummed: a torn or edited file is Corruption, and the
// node refuses to sign rather than forget a vote.
//
// Frame: "HPCSAFE1" ‖ be32 length ‖ SafetyStateRecord bytes ‖ SHA-256 of
// those bytes. Mode 0600 (it holds signed votes).
#pragma once

#include <filesystem>

#include "consensus/safety_rules.h"

namespace hpchain::storage {

class FileSafetyStorage final : public consensus::SafetyStorage {
 public:
  explicit FileSafetyStorage(std::filesystem::path path) : path_(std::move(path)) {}

  // The default state when the file does not exist (a validator that never
  // signed); Corruption naming the file for a bad frame or checksum;
  // IoError when it cannot be read.
  Result<consensus::SafetyState> load() override;
  // Returns only once the state is durable (see above).
  Status save(const consensus::SafetyState& state) override;

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace hpchain::storage
