// hpchain-compute with VM programs, run as a subprocess (path from CMake):
// compile writes the canonical bytecode; run, merge and inspect take
// --program FILE (source or bytecode) and agree with the library; every
// shipped example runs; a broken source is refused with LINE:COLUMN.
#include <gtest/gtest.h>
#include <fstream>
#include <nlohmann/json.hpp>

#include "compute/cpu_backend.h"
#include "compute/planner.h"
#include "tests/common/run_command.h"
#include "tests/common/temp_dir.h"
#include "tests/unit/vm/vm_test_util.h"
#include "vm/kernel.h"

namespace hpchain::vm {
namespace {

// stdout and stderr together.
hpchain::testing::CommandOutcome run_cli(const std::string& arguments) {
  return hpchain::testing::run_command(std::string(HPCHAIN_COMPUTE_CLI) + " " + arguments + " 2>&1");
}

std::string example_path(const std::string& name) { return std::string(HPCHAIN_SOURCE_DIR) + "/vm/examples/" + name; }

std::string read_all(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// The digest the library computes for `program` over `samples` from seed 1.
std::string library_digest(const std::shared_ptr<const VerifiedProgram>& program, const compute::RawParams& params,
                           uint64_t samples) {
  compute::KernelRegistry registry;
  EXPECT_TRUE(register_program(registry, program).is_ok());
  const auto job = compute::make_job(registry, kernel_name(program->id), params, samples, 1).value();
  compute::CpuBackend cpu(2);
  return compute::run_job(job, 1, cpu).value().digest.hex();
}

TEST(VmCli, CompileWritesTheCanonicalBytecodeAndRunAgreesWithTheLibrary) {
  hpchain::testing::TempDir dir;
  const std::string hkb = (dir.path() / "pi.hkb").string();
  const auto compiled = run_cli("compile " + example_path("pi.hk") + " -o " + hkb);
  ASSERT_EQ(compiled.exit_code, 0) << compiled.out;
  const auto program = testing::must_compile(testing::example_source("pi.hk"));
  const Bytes expected = encode(program->program);
  EXPECT_EQ(read_all(hkb), std::string(expected.begin(), expected.end()));
  EXPECT_NE(compiled.out.find(kernel_name(program->id)), std::string::npos) << compiled.out;
  EXPECT_NE(compiled.out.find(std::to_string(program->sample_gas) + " per sample"), std::string::npos) << compiled.out;

  const std::string want = library_digest(program, {}, 20'000);
  for (const std::string& file : {example_path("pi.hk"), hkb}) {
    const auto run = run_cli("run --kernel vm --program " + file + " --samples 20000 --seed 1 --threads 2 --json");
    ASSERT_EQ(run.exit_code, 0) << run.out;
    const auto json = nlohmann::json::parse(run.out);
    EXPECT_EQ(json["digest"], want) << file;
    EXPECT_EQ(json["kernel"], kernel_name(program->id));
    EXPECT_NEAR(json["result"]["pi"].get<double>(), 3.14159, 0.1);
  }
}

TEST(VmCli, UnitsOfAProgramJobMergeAndInspectWithTheProgram) {
  hpchain::testing::TempDir dir;
  const std::string program = example_path("european_option.hk");
  const std::string common = " --kernel vm --program " + program + " --param put=1 --samples 30000 --seed 1";
  const auto whole = run_cli("run" + common + " --json");
  ASSERT_EQ(whole.exit_code, 0) << whole.out;
  std::string units;
  for (int u = 0; u < 3; ++u) {
    const std::string out = (dir.path() / ("u" + std::to_string(u))).string();
    const auto unit = run_cli("run" + common + " --unit " + std::to_string(u) + "/3 --out " + out);
    ASSERT_EQ(unit.exit_code, 0) << unit.out;
    units += " " + out;
  }
  const auto merged = run_cli("merge --program " + program + units + " --json");
  ASSERT_EQ(merged.exit_code, 0) << merged.out;
  EXPECT_EQ(nlohmann::json::parse(merged.out)["digest"], nlohmann::json::parse(whole.out)["digest"]);
  const auto inspected = run_cli("inspect --program " + program + " " + (dir.path() / "u1").string());
  EXPECT_EQ(inspected.exit_code, 0) << inspected.out;
  const auto without = run_cli("merge" + units);  // the program's kernel is unknown without it
  EXPECT_NE(without.exit_code, 0);
  EXPECT_NE(without.out.find("vm_"), std::string::npos) << without.out;
}

TEST(VmCli, EveryShippedExampleRuns) {
  const std::vector<std::pair<std::string, std::string>> examples = {
      {"pi.hk", ""},
      {"eemumu.hk", "--param sqrt_s=91.1876"},
      {"european_option.hk", ""},
      {"integral5d.hk", ""},
      {"eezh.hk", "--param sqrt_s=240"},
  };
  for (const auto& [file, params] : examples) {
    const auto run = run_cli("run --kernel vm --program " + example_path(file) + " " + params +
                             " --samples 20000 --seed 1 --json");
    ASSERT_EQ(run.exit_code, 0) << file << ": " << run.out;
    const auto json = nlohmann::json::parse(run.out);
    EXPECT_FALSE(json["result"].empty()) << file;
  }
  const auto missing = run_cli("run --kernel vm --program " + example_path("eezh.hk") + " --samples 100 --seed 1");
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.out.find("requires parameter 'sqrt_s'"), std::string::npos) << missing.out;
}

TEST(VmCli, ABrokenSourceIsRefusedWithLineAndColumn) {
  hpchain::testing::TempDir dir;
  const auto source = dir.path() / "broken.hk";
  std::ofstream(source) << "let energy = uniform()\ntally t += sqrt(enrgy)\n";
  const auto compiled = run_cli("compile " + source.string() + " -o " + (dir.path() / "x.hkb").string());
  EXPECT_EQ(compiled.exit_code, 1);
  EXPECT_NE(compiled.out.find("broken.hk: 2:17: unknown name 'enrgy' (did you mean 'energy'?)"), std::string::npos)
      << compiled.out;
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "x.hkb"));
  const auto run = run_cli("run --kernel vm --program " + source.string() + " --samples 10 --seed 1");
  EXPECT_NE(run.exit_code, 0);
  EXPECT_NE(run.out.find("2:17:"), std::string::npos) << run.out;
  const auto corrupt = dir.path() / "corrupt.hkb";
  std::ofstream(corrupt) << "HKB1 but not really";
  const auto bad_bytes = run_cli("run --kernel vm --program " + corrupt.string() + " --samples 10 --seed 1");
  EXPECT_NE(bad_bytes.exit_code, 0);
  EXPECT_NE(bad_bytes.out.find("corrupt.hkb"), std::string::npos) << bad_bytes.out;
}

}  // namespace
}  // namespace hpchain::vm
