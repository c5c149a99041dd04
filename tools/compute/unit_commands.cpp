#include "tools/compute/unit_commands.h"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>

#include "compute/planner.h"
#include "compute/unit_result.h"
#include "tools/compute/cli_output.h"

namespace hpchain::compute::cli {
Result<Bytes> read_file(const std::string& path) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) return Status::io_error("cannot read " + path + ": " + ec.message());
  if (size > kUnitBytesMax) return Status::resource_exhausted(path + " is larger than a unit file can be");
  std::ifstream in(path, std::ios::binary);
  Bytes bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!in.good() && !in.eof()) return Status::io_error("cannot read " + path);
  return bytes;
}

Status write_file_atomically(const std::string& path, const Bytes& bytes) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    out.close();
    if (!out) return Status::io_error("cannot write " + tmp);
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) return Status::io_error("cannot rename " + tmp + " to " + path + ": " + ec.message());
  return Status::ok();
}

namespace {

Result<UnitFile> load_unit_file(const KernelRegistry& registry, const std::string& path) {
  HPC_ASSIGN_OR_RETURN(Bytes bytes, read_file(path));
  auto file = decode_unit_file(registry, bytes);
  if (!file.is_ok()) return file.status().with_context(path);
  return file;
}

std::string ranges_text(const std::vector<SampleRange>& ranges) {
  std::string out;
  // Appended piece by piece: "[" + std::string trips GCC 12's -Wrestrict
  // false positive at -O3.
  for (const SampleRange& r : ranges) {
    if (!out.empty()) out.push_back(' ');
    out.append("[").append(std::to_string(r.begin)).append(", ").append(std::to_string(r.end)).append(")");
  }
  return out;
}

nlohmann::json ranges_json(const std::vector<SampleRange>& ranges) {
  nlohmann::json out = nlohmann::json::array();
  for (const SampleRange& r : ranges) out.push_back({r.begin, r.end});
  return out;
}

// The first gap in a merged coverage of [0, samples), for the error message.
SampleRange first_gap(const std::vector<SampleRange>& covered, uint64_t samples) {
  uint64_t at = 0;
  for (const SampleRange& r : covered) {
    if (r.begin > at) return {at, r.begin};
    at = r.end;
  }
  return {at, samples};
}

}  // namespace

int fail(int code, const Status& status) {
  std::fprintf(stderr, "hpchain-compute: %s\n", status.to_string().c_str());
  if (code == kExitBadArguments) std::fprintf(stderr, "try: hpchain-compute --help\n");
  return code;
}

int run_unit_command(const Args& args, const JobSpec& job, Backend& backend) {
  if (Status s = check_units(job.samples, args.unit_count); !s.is_ok()) return fail(kExitBadArguments, s);
  const SampleRange range = unit_range(job.samples, args.unit_count, args.unit_index);
  auto partial = backend.run(job, range, nullptr);
  if (!partial.is_ok()) return fail(kExitRunFailed, partial.status());
  const Hash32 job_id = args.job_id.value_or(job.spec_id);
  const UnitResult unit = make_unit_result(job, job_id, std::move(*partial));
  if (Status s = write_file_atomically(args.out_path, encode_unit_file(job, unit)); !s.is_ok()) {
    return fail(kExitRunFailed, s);
  }
  const Hash32 digest = unit_digest(unit);
  if (args.json) {
    std::cout << nlohmann::json{{"unit", args.unit_index}, {"units", args.unit_count},
                                {"range", {range.begin, range.end}}, {"spec_id", job.spec_id.hex()},
                                {"job_id", job_id.hex()}, {"digest", digest.hex()},
                                {"failed", unit_failed(unit)}, {"file", args.out_path}}.dump()
              << "\n";
  } else {
    std::cout << "unit     " << args.unit_index << " of " << args.unit_count << "  " << ranges_text({range})
              << "\njob      " << job_id.hex() << "\ndigest   " << digest.hex() << (unit_failed(unit) ? "  (failed)" : "")
              << "\nwrote    " << args.out_path << "\n";
  }
  return 0;
}

int merge_command(const Args& args, const KernelRegistry& registry) {
  const auto start = std::chrono::steady_clock::now();
  std::vector<UnitResult> units;
  std::optional<JobSpec> job;
  Hash32 job_id;
  for (const std::string& path : args.files) {
    auto file = load_unit_file(registry, path);
    if (!file.is_ok()) return fail(kExitRunFailed, file.status());
    if (!job) {
      job = std::move(file->job);
      job_id = file->unit.job_id;
    } else if (Status s = check_unit(*job, job_id, file->unit); !s.is_ok()) {
      return fail(kExitRunFailed, s.with_context(path + " does not belong with " + args.files[0]));
    }
    units.push_back(std::move(file->unit));
  }
  // Merged file by file, so an overlap names the file that causes it.
  UnitResult merged = make_unit_result(*job, job_id, empty_partial(*job));
  for (size_t i = 0; i < units.size(); ++i) {
    if (Status s = merge_partial(merged.partial, units[i].partial); !s.is_ok()) {
      return fail(kExitRunFailed, s.with_context(args.files[i]));
    }
  }
  const auto& covered = merged.partial.covered;
  if (covered.size() != 1 || covered[0] != SampleRange{0, job->samples}) {
    const SampleRange gap = first_gap(covered, job->samples);
    return fail(kExitRunFailed, Status::failed_precondition(
                                    "the units do not cover the job: samples " + ranges_text({gap}) +
                                    " are missing"));
  }
  auto result = finalize(*job, merged.partial);
  if (!result.is_ok()) return fail(kExitRunFailed, result.status());
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const RunReport report{"merge of " + std::to_string(units.size()) + " units", seconds};
  if (args.json) {
    auto json = run_json(*job, *result, report);
    json["job_id"] = job_id.hex();
    std::cout << json.dump() << "\n";
  } else {
    std::cout << run_text(*job, *result, report) << "job      " << job_id.hex() << "\n";
  }
  return 0;
}

int inspect_command(const Args& args, const KernelRegistry& registry) {
  auto file = load_unit_file(registry, args.files[0]);
  if (!file.is_ok()) return fail(kExitRunFailed, file.status());
  const UnitResult& unit = file->unit;
  uint64_t samples = 0;
  for (const SampleRange& r : unit.partial.covered) samples += r.size();
  const std::string outcome = unit_failed(unit) ? "failed" : "ok";
  if (args.json) {
    std::cout << nlohmann::json{{"kernel", file->job.kernel}, {"params", params_json(file->job.params)},
                                {"job_samples", file->job.samples}, {"seed", file->job.seed},
                                {"spec_id", unit.spec_id.hex()}, {"job_id", unit.job_id.hex()},
                                {"compute_version", unit.compute_version},
                                {"ranges", ranges_json(unit.partial.covered)}, {"samples", samples},
                                {"outcome", outcome}, {"digest", unit_digest(unit).hex()}}.dump()
              << "\n";
    return 0;
  }
  std::cout << "kernel   " << file->job.kernel << "  (" << file->job.samples << " samples, seed "
            << file->job.seed << ")\nspec     " << unit.spec_id.hex() << "\njob      " << unit.job_id.hex()
            << "\nengine   compute version " << unit.compute_version << "\nranges   "
            << ranges_text(unit.partial.covered) << "  (" << samples << " samples)\noutcome  " << outcome
            << "\ndigest   " << unit_digest(unit).hex() << "\n";
  return 0;
}

}  // namespace hpchain::compute::cli
