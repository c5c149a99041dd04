// Runs the real hpchain-compute binary (path from CMake) and checks its JSON
// against the library's own result for the same job, its exit codes for bad
// arguments, and the argument parser directly.
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "compute/cpu_backend.h"
#include "compute/planner.h"
#include "test_support.h"
#include "tests/common/run_command.h"
#include "tests/common/temp_dir.h"
#include "tools/compute/cli_args.h"

namespace hpchain::compute {
namespace {

// Runs the binary with `arguments` (shell words), capturing stdout; stderr
// goes to /dev/null.
using Outcome = hpchain::testing::CommandOutcome;

Outcome run_cli(const std::string& arguments) {
  return hpchain::testing::run_command(std::string(HPCHAIN_COMPUTE_CLI) + " " + arguments + " 2>/dev/null");
}

// Starts the binary with `args`, samples its resident memory for `seconds`,
// kills it, and returns the largest VmRSS seen in KiB (0 if it had exited).
long peak_rss_kib_then_kill(std::vector<std::string> args, double seconds) {
  args.insert(args.begin(), HPCHAIN_COMPUTE_CLI);
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  EXPECT_EQ(posix_spawn(&pid, argv[0], nullptr, nullptr, argv.data(), environ), 0);
  long peak = 0;
  const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (std::chrono::steady_clock::now() < end) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    for (std::string line; std::getline(status, line);) {
      if (line.rfind("VmRSS:", 0) == 0) peak = std::max(peak, std::stol(line.substr(6)));
    }
  }
  kill(pid, SIGKILL);
  int wstatus = 0;
  waitpid(pid, &wstatus, 0);
  EXPECT_TRUE(WIFSIGNALED(wstatus)) << "the run ended by itself before it was cancelled";
  return peak;
}

TEST(Cli, TheLargestJobRunsInBoundedMemory) {
  // 2^62 samples (the documented maximum) and 10^12 units: memory must not
  // depend on either. Once, 1e12 samples took 792 MB before any work and
  // 2^62 ended in std::bad_alloc.
  constexpr long kBoundKiB = 64 * 1024;
  EXPECT_LT(peak_rss_kib_then_kill({"run", "--kernel", "pi", "--samples", "4611686018427387904",
                                    "--seed", "1", "--threads", "2"}, 1.5),
            kBoundKiB);
  EXPECT_LT(peak_rss_kib_then_kill({"run", "--kernel", "pi", "--samples", "4611686018427387904",
                                    "--seed", "1", "--threads", "1", "--partitions", "1e12"}, 1.5),
            kBoundKiB);
  // A small unit of that job runs to completion, also in bounded memory.
  hpchain::testing::TempDir dir;
  const Outcome unit = run_cli("run --kernel pi --samples 4611686018427387904 --seed 1 --threads 2 "
                               "--unit 999999999999/1e12 --out " + (dir.path() / "unit").string());
  EXPECT_EQ(unit.exit_code, 0);
  rusage usage{};
  ASSERT_EQ(getrusage(RUSAGE_CHILDREN, &usage), 0);
  EXPECT_LT(usage.ru_maxrss, kBoundKiB);  // the largest finished child, in KiB
}

std::string json_digest(const std::string& arguments) {
  const Outcome o = run_cli(arguments + " --json");
  EXPECT_EQ(o.exit_code, 0) << arguments;
  return o.exit_code == 0 ? nlohmann::json::parse(o.out)["digest"].get<std::string>() : "";
}

TEST(Cli, UnitsRunSeparatelyMergeToTheWholeRunDigestForEveryKernel) {
  hpchain::testing::TempDir dir;
  const std::vector<std::string> jobs = {
      "--kernel pi --samples 100003 --seed 2",
      "--kernel eemumu --param sqrt_s=91 --samples 50001 --seed 3",
      "--kernel european_option --param strike=90 --samples 40001 --seed 4",
      "--kernel param_scan --param kernel=eemumu --param scan=sqrt_s --param from=80 --param to=100 "
      "--param points=4 --samples 20000 --seed 5"};
  for (size_t j = 0; j < jobs.size(); ++j) {
    std::string files;
    for (int u = 0; u < 3; ++u) {
      const std::string file = (dir.path() / ("job" + std::to_string(j) + "-" + std::to_string(u))).string();
      const Outcome o = run_cli("run " + jobs[j] + " --unit " + std::to_string(u) + "/3 --out " + file);
      ASSERT_EQ(o.exit_code, 0) << jobs[j];
      files += " " + file;
    }
    EXPECT_EQ(json_digest("merge" + files), json_digest("run " + jobs[j])) << jobs[j];
  }
}

TEST(Cli, MergeRefusesUnitsOfAnotherJobOverlapsAndGapsAndInspectShowsAUnit) {
  hpchain::testing::TempDir dir;
  const auto path = [&](const char* name) { return (dir.path() / name).string(); };
  const std::string job = "run --kernel pi --samples 1000 --seed 1 ";
  ASSERT_EQ(run_cli(job + "--unit 0/2 --out " + path("a")).exit_code, 0);
  ASSERT_EQ(run_cli(job + "--unit 1/2 --out " + path("b")).exit_code, 0);
  ASSERT_EQ(run_cli("run --kernel pi --samples 1000 --seed 2 --unit 1/2 --out " + path("seed2")).exit_code, 0);
  ASSERT_EQ(run_cli(job + "--unit 1/2 --out " + path("other") + " --job-id " + std::string(64, 'a')).exit_code, 0);
  EXPECT_EQ(run_cli("merge " + path("a") + " " + path("b")).exit_code, 0);
  EXPECT_EQ(run_cli("merge " + path("a") + " " + path("seed2")).exit_code, 1);
  EXPECT_EQ(run_cli("merge " + path("a") + " " + path("other")).exit_code, 1);
  EXPECT_EQ(run_cli("merge " + path("a") + " " + path("a") + " " + path("b")).exit_code, 1);
  EXPECT_EQ(run_cli("merge " + path("a")).exit_code, 1);
  EXPECT_EQ(run_cli("merge " + path("missing")).exit_code, 1);
  std::ofstream(path("junk")) << "not a unit";
  EXPECT_EQ(run_cli("merge " + path("junk")).exit_code, 1);
  const Outcome inspected = run_cli("inspect " + path("b") + " --json");
  ASSERT_EQ(inspected.exit_code, 0);
  const auto json = nlohmann::json::parse(inspected.out);
  EXPECT_EQ(json["ranges"], nlohmann::json::parse("[[500, 1000]]"));
  EXPECT_EQ(json["outcome"], "ok");
  EXPECT_EQ(json["job_id"], json["spec_id"]);  // a local job's id is its spec id
  EXPECT_EQ(run_cli(job + "--unit 2/2 --out " + path("c")).exit_code, 2);
  EXPECT_EQ(run_cli(job + "--unit 0/2").exit_code, 2);
}

TEST(Cli, JsonDigestEqualsLibraryDigest) {
  const Outcome o = run_cli(
      "run --kernel eemumu --param sqrt_s=240 --param z_exchange=1 --samples 200000 --seed 77 "
      "--backend cpu --partitions 3 --threads 2 --json");
  ASSERT_EQ(o.exit_code, 0) << o.out;
  const auto json = nlohmann::json::parse(o.out);
  for (const char* key : {"kernel", "params", "samples", "seed", "digest", "result", "backend",
                          "seconds", "samples_per_second"}) {
    EXPECT_TRUE(json.contains(key)) << key;
  }
  CpuBackend cpu(1);
  const JobSpec job = testing::must_make_job("eemumu", {{"sqrt_s", "240"}}, 200000, 77);
  const auto expected = run_job(job, 1, cpu);
  ASSERT_TRUE(expected.is_ok());
  EXPECT_EQ(json["digest"], expected->digest.hex());
  EXPECT_EQ(json["result"]["sigma_pb"].get<double>(),
            testing::field(expected->points[0], "sigma_pb"));
  EXPECT_EQ(json["result"]["hist_cos_theta"].size(), 20u);
  EXPECT_EQ(json["params"]["mz"].get<double>(), 91.1876);
  EXPECT_EQ(json["backend"], "cpu");
}

TEST(Cli, ScanJsonListsPoints) {
  const Outcome o = run_cli(
      "run --kernel param_scan --param kernel=eemumu --param scan=sqrt_s --param from=20 "
      "--param to=250 --param points=5 --samples 5000 --seed 1 --json");
  ASSERT_EQ(o.exit_code, 0) << o.out;
  const auto json = nlohmann::json::parse(o.out);
  ASSERT_EQ(json["result"]["points"].size(), 5u);
  EXPECT_EQ(json["result"]["points"][4]["value"].get<double>(), 250.0);
  EXPECT_EQ(json["params"]["kernel"], "eemumu");
}

TEST(Cli, BadArgumentsExitWithTwo) {
  for (const char* bad : {"", "frobnicate", "run --samples 10 --seed 1",
                          "run --kernel pi --samples 10", "run --kernel nope --samples 10 --seed 1",
                          "run --kernel eemumu --samples 10 --seed 1",
                          "run --kernel eemumu --param sqrt_s=0 --samples 10 --seed 1",
                          "run --kernel pi --samples ten --seed 1",
                          "run --kernel pi --samples 10 --seed 1 --backend tpu",
                          "run --kernel pi --samples 10 --seed 1 --partitions 11",
                          "run --kernel pi --samples 10 --seed 1 --threads 0",
                          "run --kernel pi --samples 10 --seed 1 --colour red"}) {
    const std::string args = *bad == '\0' ? "--bogus" : bad;
    EXPECT_EQ(run_cli(args).exit_code, 2) << args;
  }
}

TEST(Cli, HelpAndKernelsSucceed) {
  const Outcome help = run_cli("--help");
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("usage:"), std::string::npos);
  const Outcome kernels = run_cli("kernels");
  EXPECT_EQ(kernels.exit_code, 0);
  for (const char* name : {"pi:", "eemumu:", "european_option:", "param_scan:", "sqrt_s"}) {
    EXPECT_NE(kernels.out.find(name), std::string::npos) << name;
  }
}

TEST(Cli, HumanOutputShowsDigest) {
  const Outcome o = run_cli("run --kernel pi --samples 1e5 --seed 3");
  ASSERT_EQ(o.exit_code, 0);
  CpuBackend cpu(1);
  const auto expected = run_job(testing::must_make_job("pi", {}, 100000, 3), 1, cpu);
  ASSERT_TRUE(expected.is_ok());
  EXPECT_NE(o.out.find("digest   " + expected->digest.hex()), std::string::npos) << o.out;
}

TEST(CliArgs, ParsesCountsStrictly) {
  EXPECT_EQ(*cli::parse_count("n", "1e9", 0, kMaxSamples), 1000000000u);
  EXPECT_EQ(*cli::parse_count("n", "42", 0, kMaxSamples), 42u);
  EXPECT_FALSE(cli::parse_count("n", "1.5", 0, kMaxSamples).is_ok());
  EXPECT_FALSE(cli::parse_count("n", "-3", 0, kMaxSamples).is_ok());
  EXPECT_FALSE(cli::parse_count("n", "5", 0, 4).is_ok());
  EXPECT_EQ(*cli::parse_count("n", "2.5e6", 0, kMaxSamples), 2500000u);
  EXPECT_EQ(*cli::parse_count("n", "1E+3", 0, kMaxSamples), 1000u);
  // Integers a double cannot hold are taken exactly, not rounded.
  EXPECT_EQ(*cli::parse_count("seed", "9007199254740993e0", 0, UINT64_MAX), 9007199254740993u);
  EXPECT_EQ(*cli::parse_count("seed", "18446744073709551615", 0, UINT64_MAX), UINT64_MAX);
  EXPECT_FALSE(cli::parse_count("seed", "18446744073709551616", 0, UINT64_MAX).is_ok());
  EXPECT_FALSE(cli::parse_count("seed", "1e20", 0, UINT64_MAX).is_ok());
  EXPECT_FALSE(cli::parse_count("n", "1e", 0, kMaxSamples).is_ok());
  EXPECT_FALSE(cli::parse_count("n", "", 0, kMaxSamples).is_ok());
  EXPECT_FALSE(cli::parse_count("n", "0x10", 0, kMaxSamples).is_ok());
  const auto repeated = cli::parse_args({"run", "--kernel", "pi", "--param", "a=1", "--param", "a=2"});
  ASSERT_FALSE(repeated.is_ok());
  EXPECT_NE(repeated.status().message().find("twice"), std::string::npos);
}

TEST(CliArgs, RangesNameTheirMinimumAndRepeatedOptionsAreErrors) {
  const auto zero = cli::parse_args({"run", "--kernel", "pi", "--samples", "0", "--seed", "1"});
  ASSERT_FALSE(zero.is_ok());
  EXPECT_NE(zero.status().message().find("[1, 4611686018427387904]"), std::string::npos)
      << zero.status().message();
  for (const char* option : {"--kernel", "--samples", "--seed", "--partitions", "--threads", "--backend"}) {
    std::vector<std::string> argv = {"run", "--kernel", "pi", "--samples", "10", "--seed", "1",
                                     "--partitions", "1", "--threads", "1", "--backend", "cpu"};
    argv.push_back(option);
    argv.push_back(option == std::string("--backend") ? "cpu" : "2");
    const auto twice = cli::parse_args(argv);
    ASSERT_FALSE(twice.is_ok()) << option;
    EXPECT_NE(twice.status().message().find("given twice"), std::string::npos) << option;
  }
  const auto cuda_threads = cli::parse_args(
      {"run", "--kernel", "pi", "--samples", "10", "--seed", "1", "--backend", "cuda", "--threads", "2"});
  ASSERT_FALSE(cuda_threads.is_ok());
  EXPECT_NE(cuda_threads.status().message().find("cpu backend only"), std::string::npos);
}

TEST(Cli, OneThreadIsSingular) {
  const Outcome o = run_cli("run --kernel pi --samples 1e4 --seed 3 --threads 1");
  ASSERT_EQ(o.exit_code, 0);
  EXPECT_NE(o.out.find("cpu (1 thread)"), std::string::npos) << o.out;
}

}  // namespace
}  // namespace hpchain::compute
