// Runs the real hpchain-compute binary (path from CMake) and checks its JSON
// against the library's own result for the same job, its exit codes for bad
// arguments, and the argument parser directly.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "compute/cpu_backend.h"
#include "compute/planner.h"
#include "test_support.h"
#include "tools/compute/cli_args.h"

namespace hpchain::compute {
namespace {

struct Outcome {
  int exit_code;
  std::string out;
};

// Runs the binary with `arguments` (shell words), capturing stdout; stderr
// goes to /dev/null.
Outcome run_cli(const std::string& arguments) {
  const std::string command = std::string(HPCHAIN_COMPUTE_CLI) + " " + arguments + " 2>/dev/null";
  FILE* pipe = popen(command.c_str(), "r");
  EXPECT_NE(pipe, nullptr);
  std::string out;
  std::array<char, 4096> buffer;
  size_t n = 0;
  while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0) out.append(buffer.data(), n);
  const int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
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
  EXPECT_EQ(*cli::parse_count("n", "1e9", kMaxSamples), 1000000000u);
  EXPECT_EQ(*cli::parse_count("n", "42", kMaxSamples), 42u);
  EXPECT_FALSE(cli::parse_count("n", "1.5", kMaxSamples).is_ok());
  EXPECT_FALSE(cli::parse_count("n", "-3", kMaxSamples).is_ok());
  EXPECT_FALSE(cli::parse_count("n", "5", 4).is_ok());
  EXPECT_EQ(*cli::parse_count("n", "2.5e6", kMaxSamples), 2500000u);
  EXPECT_EQ(*cli::parse_count("n", "1E+3", kMaxSamples), 1000u);
  // Integers a double cannot hold are taken exactly, not rounded.
  EXPECT_EQ(*cli::parse_count("seed", "9007199254740993e0", UINT64_MAX), 9007199254740993u);
  EXPECT_EQ(*cli::parse_count("seed", "18446744073709551615", UINT64_MAX), UINT64_MAX);
  EXPECT_FALSE(cli::parse_count("seed", "18446744073709551616", UINT64_MAX).is_ok());
  EXPECT_FALSE(cli::parse_count("seed", "1e20", UINT64_MAX).is_ok());
  EXPECT_FALSE(cli::parse_count("n", "1e", kMaxSamples).is_ok());
  EXPECT_FALSE(cli::parse_count("n", "", kMaxSamples).is_ok());
  EXPECT_FALSE(cli::parse_count("n", "0x10", kMaxSamples).is_ok());
  const auto repeated = cli::parse_args({"run", "--kernel", "pi", "--param", "a=1", "--param", "a=2"});
  ASSERT_FALSE(repeated.is_ok());
  EXPECT_NE(repeated.status().message().find("twice"), std::string::npos);
}

}  // namespace
}  // namespace hpchain::compute
