// Runs a shell command and captures its standard output: for tests that
// drive a real binary (hpchain-compute, hpchaind) as a subprocess.
#pragma once

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <string>

namespace hpchain::testing {

struct CommandOutcome {
  int exit_code;    // -1 when it did not exit normally
  std::string out;  // standard output (redirect stderr in `command` to keep it)
};

inline CommandOutcome run_command(const std::string& command) {
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return {-1, "popen failed: " + command};
  std::string out;
  std::array<char, 4096> buffer;
  size_t n = 0;
  while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0) out.append(buffer.data(), n);
  const int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

}  // namespace hpchain::testing
