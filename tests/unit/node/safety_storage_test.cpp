// The validator's safety state file: round trips, refusal of torn or edited
// files, and a writer killed (SIGKILL) at random instants mid-save, after
// which the file always loads, never behind what the writer had
// acknowledged as saved.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <random>
#include <thread>

#include "node/storage/safety_storage.h"
#include "tests/common/temp_dir.h"

namespace hpchain::storage {
namespace {

consensus::SafetyState state_at(uint64_t round) {
  consensus::SafetyState s;
  s.epoch = 3;
  s.last_voted_round = round;
  s.one_chain_round = round > 0 ? round - 1 : 0;
  s.highest_timeout_round = round / 2;
  s.last_proposed_round = round;
  return s;
}

TEST(FileSafetyStorage, ANewValidatorLoadsTheDefaultStateAndSavesRoundTrip) {
  testing::TempDir dir;
  FileSafetyStorage storage(dir.path() / "safety_state");
  EXPECT_EQ(storage.load().value(), consensus::SafetyState{});
  ASSERT_TRUE(storage.save(state_at(7)).is_ok());
  EXPECT_EQ(storage.load().value(), state_at(7));
  ASSERT_TRUE(storage.save(state_at(8)).is_ok());
  EXPECT_EQ(FileSafetyStorage(storage.path()).load().value(), state_at(8));  // a new process's view
  struct stat info;
  ASSERT_EQ(::stat(storage.path().c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
}

TEST(FileSafetyStorage, TornOrEditedFilesAreCorruptionAndALeftoverTemporaryIsIgnored) {
  testing::TempDir dir;
  FileSafetyStorage storage(dir.path() / "safety_state");
  ASSERT_TRUE(storage.save(state_at(5)).is_ok());
  std::ofstream(storage.path().string() + ".tmp") << "half a write";  // a crash before the rename
  EXPECT_EQ(storage.load().value(), state_at(5));
  std::string bytes;
  {
    std::ifstream in(storage.path(), std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  const auto write = [&](const std::string& content) {
    std::ofstream(storage.path(), std::ios::binary | std::ios::trunc) << content;
  };
  std::string flipped = bytes;
  flipped[14] ^= 0x01;
  write(flipped);
  auto bad = storage.load();
  EXPECT_EQ(bad.status().code(), StatusCode::kCorruption);
  EXPECT_NE(bad.status().message().find("checksum mismatch"), std::string::npos) << bad.status().message();
  EXPECT_NE(bad.status().message().find(storage.path().string()), std::string::npos);
  write(bytes.substr(0, bytes.size() - 5));
  EXPECT_EQ(storage.load().status().code(), StatusCode::kCorruption);
  write("not a state");
  EXPECT_NE(storage.load().status().message().find("not a safety state file"), std::string::npos);
}

// A child process saves rounds 1, 2, 3, ... and reports each on a pipe once
// save returned; the parent kills it at a random instant. The file must
// load, at the last reported round or the one being saved.
TEST(FileSafetyStorage, AWriterKilledMidSaveLeavesTheLastAcknowledgedStateOrTheNext) {
  testing::TempDir dir;
  const auto path = dir.path() / "safety_state";
  std::mt19937 rng(17);
  uint64_t start = 1;
  for (int trial = 0; trial < 25; ++trial) {
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      ::close(fds[0]);
      FileSafetyStorage storage(path);
      for (uint64_t round = start;; ++round) {
        if (!storage.save(state_at(round)).is_ok()) ::_exit(3);
        if (::write(fds[1], &round, sizeof round) != sizeof round) ::_exit(4);
      }
    }
    ::close(fds[1]);
    std::this_thread::sleep_for(std::chrono::microseconds(200 + rng() % 20'000));
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    ASSERT_TRUE(WIFSIGNALED(status)) << "the writer stopped by itself: " << status;
    uint64_t acked = start - 1, round = 0;
    while (::read(fds[0], &round, sizeof round) == sizeof round) acked = round;
    ::close(fds[0]);
    const auto loaded = FileSafetyStorage(path).load();
    ASSERT_TRUE(loaded.is_ok()) << loaded.status().message();
    EXPECT_GE(loaded->last_voted_round, acked) << "trial " << trial;
    EXPECT_LE(loaded->last_voted_round, acked + 1) << "trial " << trial;
    EXPECT_EQ(loaded.value(), state_at(loaded->last_voted_round));
    start = loaded->last_voted_round + 1;
  }
  // The kills landed among many saves, not before the first of each trial.
  EXPECT_GT(start, 50u);
}

}  // namespace
}  // namespace hpchain::storage
