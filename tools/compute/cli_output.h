// Output of hpchain-compute: the kernels listing, the human report and the
// --json object (fields: kernel, params, samples, seed, digest, result,
// vanished, backend, seconds, samples_per_second). Pure functions of their
// inputs.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "compute/job.h"

namespace hpchain::compute::cli {

// Every kernel with its parameters (type, default or "required", range).
std::string kernels_listing();

// The kernel's result fields: {"pi": .., "pi_err": ..} for one point; for
// param_scan {"scan": name, "points": [{"value": v, <fields>}, ...]}.
nlohmann::json result_json(const JobSpec& job, const JobResult& result);

// Parameters as a JSON object: numbers for reals and integers, strings for
// choices.
nlohmann::json params_json(const ParamSet& params);

struct RunReport {
  std::string backend;
  double seconds = 0.0;
};

nlohmann::json run_json(const JobSpec& job, const JobResult& result, const RunReport& report);
std::string run_text(const JobSpec& job, const JobResult& result, const RunReport& report);

// A one-line progress bar ("[####    ]  45%  1.2e+09 samples/s"), no newline.
std::string progress_line(uint64_t done, uint64_t total, double seconds);

}  // namespace hpchain::compute::cli
