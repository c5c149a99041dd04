#include "chain/key_file.h"

#include <nlohmann/json.hpp>

#include "chain/file.h"

namespace hpchain {
namespace {

std::string key_json(const PrivateKey& key) {
  const PublicKey pub = key.public_key();
  nlohmann::json j = {
      {"type", "secp256k1"},
      {"private_key", hex_encode(key.secret())},
      {"public_key", hex_encode(pub.span())},
      {"address", pub.address().to_string()},
  };
  return j.dump(2) + "\n";
}

Result<PrivateKey> parse_key_json(const std::string& text, const std::filesystem::path& path) {
  const auto corrupt = [&](const std::string& why) {
    return Status::corruption("key file " + path.string() + ": " + why);
  };
  const nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return corrupt("not a JSON object");
  for (const char* field : {"type", "private_key", "public_key", "address"}) {
    if (!j.contains(field) || !j[field].is_string()) return corrupt(std::string("missing field ") + field);
  }
  if (j["type"] != "secp256k1") return corrupt("unknown key type " + j["type"].get<std::string>());
  auto secret = hex_decode(j["private_key"].get<std::string>());
  if (!secret.is_ok()) return corrupt("private_key: " + secret.status().message());
  auto key = PrivateKey::from_bytes(*secret);
  if (!key.is_ok()) return corrupt(key.status().message());
  const PublicKey pub = key->public_key();
  if (j["public_key"].get<std::string>() != hex_encode(pub.span())) {
    return corrupt("public_key does not match private_key");
  }
  if (j["address"].get<std::string>() != pub.address().to_string()) {
    return corrupt("address does not match private_key");
  }
  return key;
}

}  // namespace

Status write_key_file(const std::filesystem::path& path, const PrivateKey& key) {
  return write_file_atomically(path, key_json(key), 0600, /*create_only=*/true);
}

Result<PrivateKey> load_key_file(const std::filesystem::path& path) {
  // A key file is a few hundred bytes; refuse to slurp anything large.
  auto text = read_file(path, 64 * 1024, /*private_only=*/true);
  if (!text.is_ok()) return text.status().with_context("key file");
  return parse_key_json(text.value(), path);
}

}  // namespace hpchain
