#include "chain/file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

namespace hpchain {
namespace {

Status os_error(const std::string& what, const std::filesystem::path& path) {
  return Status::io_error(what + " " + path.string() + ": " + std::strerror(errno));
}

Status write_all(int fd, std::string_view data, const std::filesystem::path& path) {
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

// Makes a rename durable: the directory entry itself is fsynced.
Status sync_directory(const std::filesystem::path& dir) {
  const int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return os_error("cannot open directory", dir);
  const int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return os_error("cannot fsync directory", dir);
  return Status::ok();
}

}  // namespace

Status write_file_atomically(const std::filesystem::path& path, std::string_view data, mode_t mode,
                             bool create_only) {
  std::error_code ec;
  if (create_only && std::filesystem::exists(path, ec)) {
    return Status::already_exists(path.string() + " already exists; not overwriting it");
  }
  const std::filesystem::path tmp = path.string() + ".tmp";
  ::unlink(tmp.c_str());  // a leftover of a crash mid-write
  // O_EXCL and the final mode at creation: a secret is never readable by
  // others, not even between create and chmod.
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) return os_error("cannot create", tmp);
  Status st = write_all(fd, data, tmp);
  if (st.is_ok() && ::fsync(fd) != 0) st = os_error("cannot fsync", tmp);
  if (::close(fd) != 0 && st.is_ok()) st = os_error("cannot close", tmp);
  if (st.is_ok() && ::rename(tmp.c_str(), path.c_str()) != 0) st = os_error("cannot rename to", path);
  if (!st.is_ok()) {
    ::unlink(tmp.c_str());
    return st;
  }
  return sync_directory(path.parent_path());
}

Result<std::string> read_file(const std::filesystem::path& path, size_t max_bytes, bool private_only) {
  struct stat info;
  if (::stat(path.c_str(), &info) != 0) {
    if (errno == ENOENT) return Status::not_found(path.string() + " does not exist");
    return os_error("cannot stat", path);
  }
  if (private_only && (info.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof(mode), "%04o", static_cast<unsigned>(info.st_mode & 07777));
    return Status::permission_denied(path.string() + " has mode " + mode +
                                     " and can be read or written by other users; run: chmod 600 " + path.string());
  }
  if (static_cast<uint64_t>(info.st_size) > max_bytes) {
    return Status::corruption(path.string() + " is " + std::to_string(info.st_size) + " bytes, more than the " +
                              std::to_string(max_bytes) + " expected");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return os_error("cannot open", path);
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return os_error("cannot read", path);
  return text.str();
}

}  // namespace hpchain
