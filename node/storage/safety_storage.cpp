#include "node/storage/safety_storage.h"

#include <cstring>

#include "chain/file.h"
#include "chain/hash.h"

namespace hpchain::storage {

namespace {

constexpr std::string_view kMagic = "HPCSAFE1";
constexpr size_t kMaxRecordBytes = 1 << 20;  // a state holds two certificates: far below this

void put_be32(std::string& out, uint32_t v) {
  for (int i = 3; i >= 0; --i) out.push_back(static_cast<char>(v >> (8 * i)));
}

}  // namespace

Status FileSafetyStorage::save(const consensus::SafetyState& state) {
  const Bytes record = consensus::encode_safety_state(state);
  const Hash32 sum = sha256(record);
  std::string frame(kMagic);
  put_be32(frame, static_cast<uint32_t>(record.size()));
  frame.append(record.begin(), record.end());
  frame.append(sum.bytes.begin(), sum.bytes.end());
  return write_file_atomically(path_, frame, 0600, /*create_only=*/false);
}

Result<consensus::SafetyState> FileSafetyStorage::load() {
  auto read = read_file(path_, kMagic.size() + 4 + kMaxRecordBytes + Hash32::kSize, /*private_only=*/false);
  if (!read.is_ok() && read.status().code() == StatusCode::kNotFound) return consensus::SafetyState{};
  HPC_ASSIGN_OR_RETURN(std::string frame, std::move(read));
  const auto corrupt = [&](const std::string& why) {
    return Status::corruption("safety state " + path_.string() + ": " + why +
                              "; refusing to sign (restore the file from a backup of this validator, never from another)");
  };
  if (frame.size() < kMagic.size() + 4 + Hash32::kSize || frame.compare(0, kMagic.size(), kMagic) != 0) {
    return corrupt("not a safety state file");
  }
  uint32_t length = 0;
  for (size_t i = 0; i < 4; ++i) length = (length << 8) | static_cast<uint8_t>(frame[kMagic.size() + i]);
  if (frame.size() != kMagic.size() + 4 + length + Hash32::kSize) return corrupt("its length does not match its size");
  const ByteSpan record(reinterpret_cast<const uint8_t*>(frame.data()) + kMagic.size() + 4, length);
  const Hash32 sum = sha256(record);
  if (std::memcmp(sum.bytes.data(), frame.data() + frame.size() - Hash32::kSize, Hash32::kSize) != 0) {
    return corrupt("checksum mismatch");
  }
  auto state = consensus::decode_safety_state(record);
  if (!state.is_ok()) return corrupt(state.status().message());
  return state;
}

}  // namespace hpchain::storage
