// hpchain-compute: runs a compute kernel on this machine and prints its
// result and digest (usage: hpchain-compute --help, docs/compute.md).
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <exception>
#include <iostream>
#include <new>
#include <thread>

#include <nlohmann/json.hpp>

#include "compute/cpu_backend.h"
#include "compute/planner.h"
#include "tools/compute/cli_args.h"
#include "tools/compute/cli_output.h"
#include "tools/compute/unit_commands.h"
#include "vm/compiler.h"
#include "vm/kernel.h"

namespace hpchain::compute::cli {
namespace {

// Progress appears only for runs longer than this, so short runs and
// scripts see clean output.
constexpr double kProgressAfterSeconds = 1.0;

// Runs the job on a worker thread while this thread draws a progress bar on
// stderr when it is a terminal and the run takes over a second.
Result<JobResult> run_with_progress(const JobSpec& job, uint64_t partitions, Backend& backend,
                                    double* seconds) {
  const auto start = std::chrono::steady_clock::now();
  const auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  std::atomic<uint64_t> progress{0};
  std::atomic<bool> finished{false};
  Result<JobResult> result = Status::internal("run did not complete");
  std::thread worker([&] {
    // An exception must not escape a thread (that aborts the process).
    try {
      result = run_job(job, partitions, backend, &progress);
    } catch (const std::bad_alloc&) {
      result = Status::resource_exhausted("out of memory");
    } catch (const std::exception& e) {
      result = Status::internal(e.what());
    }
    finished.store(true);
  });
  const bool terminal = isatty(STDERR_FILENO) != 0;
  bool drew = false;
  while (!finished.load()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (terminal && elapsed() > kProgressAfterSeconds && !finished.load()) {
      std::fprintf(stderr, "\r%s", progress_line(progress.load(), job.samples, elapsed()).c_str());
      drew = true;
    }
  }
  worker.join();
  *seconds = elapsed();
  if (drew) std::fprintf(stderr, "\r%s\n", progress_line(job.samples, job.samples, *seconds).c_str());
  return result;
}

// A program file: .hkb bytecode (by its magic) or .hk source, compiled.
Result<std::shared_ptr<const vm::VerifiedProgram>> load_program_file(const std::string& path) {
  HPC_ASSIGN_OR_RETURN(Bytes bytes, read_file(path));
  const bool bytecode = bytes.size() >= 4 && std::equal(bytes.begin(), bytes.begin() + 4, "HKB1");
  auto program = bytecode ? vm::load_program(bytes) : vm::compile_source(as_string_view(bytes));
  if (!program.is_ok()) return program.status().with_context(path);
  return std::make_shared<const vm::VerifiedProgram>(std::move(program).value());
}

// The native kernels, and the program of --program when given.
Result<std::unique_ptr<KernelRegistry>> registry_for(const Args& args, std::string* program_kernel) {
  auto registry = std::make_unique<KernelRegistry>();
  register_native_kernels(*registry);
  if (args.program_path.empty()) return registry;
  HPC_ASSIGN_OR_RETURN(auto program, load_program_file(args.program_path));
  *program_kernel = vm::kernel_name(program->id);
  HPC_TRY(vm::register_program(*registry, program));
  return registry;
}

// compile FILE.hk -o FILE.hkb: checks, compiles, verifies, writes the
// canonical bytecode and says what it wrote. A broken source exits 1 with
// "FILE: LINE:COLUMN: message".
int compile_command(const Args& args) {
  auto source = read_file(args.files[0]);
  if (!source.is_ok()) return fail(kExitRunFailed, source.status());
  auto program = vm::compile_source(as_string_view(*source));
  if (!program.is_ok()) return fail(kExitRunFailed, program.status().with_context(args.files[0]));
  const Bytes bytecode = vm::encode(program->program);
  if (Status s = write_file_atomically(args.out_path, bytecode); !s.is_ok()) return fail(kExitRunFailed, s);
  nlohmann::json json = {{"program", program->id.hex()},
                         {"kernel", vm::kernel_name(program->id)},
                         {"gas_per_sample", program->sample_gas},
                         {"draws_per_sample", program->sample_draws},
                         {"bytes", bytecode.size()},
                         {"out", args.out_path}};
  if (args.json) {
    std::cout << json.dump() << "\n";
    return 0;
  }
  std::cout << "program  " << program->id.hex() << "\n"
            << "kernel   " << vm::kernel_name(program->id) << "\n"
            << "gas      " << program->sample_gas << " per sample (" << program->sample_draws << " draws)\n"
            << "wrote    " << args.out_path << " (" << bytecode.size() << " bytes)\n";
  return 0;
}

int run_command(const Args& args) {
  std::string program_kernel;
  auto registry = registry_for(args, &program_kernel);
  if (!registry.is_ok()) return fail(kExitBadArguments, registry.status());
  auto job = make_job(**registry, args.kernel == "vm" ? program_kernel : args.kernel, args.params, args.samples,
                      args.seed);
  if (!job.is_ok()) return fail(kExitBadArguments, job.status());
  if (args.partitions == 0 || args.partitions > job->samples) {
    return fail(kExitBadArguments, check_units(job->samples, args.partitions));
  }
  auto backend = make_backend(args.backend, args.threads);
  if (!backend.is_ok()) return fail(kExitRunFailed, backend.status());
  if (args.has_unit) return run_unit_command(args, *job, **backend);
  double seconds = 0.0;
  const auto result = run_with_progress(*job, args.partitions, **backend, &seconds);
  if (!result.is_ok()) return fail(kExitRunFailed, result.status());
  std::string backend_text(backend_name(args.backend));
  if (auto* cpu = dynamic_cast<CpuBackend*>(backend->get())) {
    if (!args.json) {
      backend_text += " (" + std::to_string(cpu->threads()) + (cpu->threads() == 1 ? " thread)" : " threads)");
    }
  }
  const RunReport report{backend_text, seconds};
  if (args.json) {
    std::cout << run_json(*job, *result, report).dump() << "\n";
  } else {
    std::cout << run_text(*job, *result, report);
  }
  return 0;
}

int main_impl(int argc, char** argv) {
  const std::vector<std::string> words(argv + 1, argv + argc);
  const auto args = parse_args(words);
  if (!args.is_ok()) return fail(kExitBadArguments, args.status());
  switch (args->command) {
    case Command::kHelp: std::cout << kUsage; return 0;
    case Command::kKernels: std::cout << kernels_listing(); return 0;
    case Command::kRun: return run_command(*args);
    case Command::kCompile: return compile_command(*args);
    case Command::kMerge: case Command::kInspect: {
      std::string program_kernel;
      auto registry = registry_for(*args, &program_kernel);
      if (!registry.is_ok()) return fail(kExitBadArguments, registry.status());
      return args->command == Command::kMerge ? merge_command(*args, **registry) : inspect_command(*args, **registry);
    }
  }
  return kExitRunFailed;
}

}  // namespace
}  // namespace hpchain::compute::cli

// Exit codes are 0, 1 and 2 only: running out of memory, or any other
// exception, is a failed run with a message, never an abort (134).
int main(int argc, char** argv) {
  try {
    return hpchain::compute::cli::main_impl(argc, argv);
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "hpchain-compute: out of memory\n");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "hpchain-compute: %s\n", e.what());
  }
  return 1;
}
