#include "chain/key_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace hpchain {
namespace {

Status os_error(const std::string& what, const std::filesystem::path& path) {
  return Status::io_error(what + " " + path.string() + ": " + std::strerror(errno));
}

Status write_all(int fd, const std::string& data, const std::filesystem::path& path) {
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return os_error("cannot write", path);
    }
    done += static_cast<size_t>(n);
  }
  return Status::ok();
}

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
  std::error_code ec;
  if (std::filesystem::exists(path, ec)) {
    return Status::already_exists("key file " + path.string() + " already exists; not overwriting it");
  }
  const std::filesystem::path tmp = path.string() + ".tmp";
  // O_EXCL + mode 0600 at creation: the secret is never readable by others,
  // not even for the moment between create and chmod.
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return os_error("cannot create", tmp);
  Status st = write_all(fd, key_json(key), tmp);
  if (st.is_ok() && ::fsync(fd) != 0) st = os_error("cannot fsync", tmp);
  if (::close(fd) != 0 && st.is_ok()) st = os_error("cannot close", tmp);
  if (st.is_ok() && ::rename(tmp.c_str(), path.c_str()) != 0) st = os_error("cannot rename to", path);
  if (!st.is_ok()) ::unlink(tmp.c_str());
  return st;
}

Result<PrivateKey> load_key_file(const std::filesystem::path& path) {
  struct stat info;
  if (::stat(path.c_str(), &info) != 0) {
    if (errno == ENOENT) return Status::not_found("key file " + path.string() + " does not exist");
    return os_error("cannot stat", path);
  }
  if ((info.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof(mode), "%04o", static_cast<unsigned>(info.st_mode & 07777));
    return Status::permission_denied("key file " + path.string() + " has mode " + mode +
                                      " and can be read or written by other users; run: chmod 600 " +
                                      path.string());
  }
  // A key file is a few hundred bytes; refuse to slurp anything large.
  if (info.st_size > 64 * 1024) {
    return Status::corruption("key file " + path.string() + " is " + std::to_string(info.st_size) +
                              " bytes, far larger than a key file");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return os_error("cannot open", path);
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return os_error("cannot read", path);
  return parse_key_json(text.str(), path);
}

}  // namespace hpchain
