#include "tools/compute/cli_output.h"

#include <cstdio>

#include "compute/registry.h"

namespace hpchain::compute::cli {

namespace {
std::string spec_line(const ParamSpec& spec) {
  std::string line = "    " + spec.name + "  ";
  if (spec.type == ParamType::kName) {
    line += "name  (required)";
  } else if (spec.type == ParamType::kChoice) {
    std::string choices;
    for (const auto& c : spec.choices) choices += (choices.empty() ? "" : "|") + c;
    line += choices + (spec.required ? "  (required)" : "  default " +
                       spec.choices[static_cast<size_t>(spec.default_value)]);
  } else {
    line += std::string(spec.type == ParamType::kInteger ? "integer" : "real") + " in [" +
            format_param_number(spec.min) + ", " + format_param_number(spec.max) + "]" +
            (spec.required ? "  (required)" : "  default " + format_param_number(spec.default_value));
  }
  return line + "  -- " + spec.help + "\n";
}

nlohmann::json fields_json(const std::vector<ResultField>& fields) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& f : fields) {
    out[f.name] = f.is_array ? nlohmann::json(f.values) : nlohmann::json(f.values.at(0));
  }
  return out;
}

std::string fields_text(const std::vector<ResultField>& fields) {
  std::string out;
  char buffer[64];
  for (const auto& f : fields) {
    out += (out.empty() ? "" : "  ") + f.name + " = ";
    if (f.is_array) out += "[";
    for (size_t i = 0; i < f.values.size(); ++i) {
      std::snprintf(buffer, sizeof(buffer), "%s%.10g", i ? " " : "", f.values[i]);
      out += buffer;
    }
    if (f.is_array) out += "]";
  }
  return out;
}

double samples_per_second(const JobSpec& job, const RunReport& report) {
  return report.seconds > 0.0 ? static_cast<double>(job.samples) / report.seconds : 0.0;
}
}  // namespace

std::string kernels_listing() {
  std::string out;
  for (const KernelInfo& info : kernel_catalog(native_kernels())) {
    out += info.name + ": " + info.summary + "\n";
    if (info.params.empty()) out += "    (no parameters)\n";
    for (const ParamSpec& spec : info.params) out += spec_line(spec);
    std::string results;
    for (const auto& r : info.result_fields) results += (results.empty() ? "" : ", ") + r;
    out += "  result: " + results + "\n";
  }
  return out;
}

nlohmann::json params_json(const ParamSet& params) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [name, value] : params) {
    if (value.type == ParamType::kChoice || value.type == ParamType::kName) {
      out[name] = value.text;
    } else {
      out[name] = value.number;
    }
  }
  return out;
}

nlohmann::json result_json(const JobSpec& job, const JobResult& result) {
  if (!job.is_scan) return fields_json(result.points.at(0).fields);
  nlohmann::json points = nlohmann::json::array();
  for (const PointResult& point : result.points) {
    nlohmann::json p = fields_json(point.fields);
    p["value"] = point.scan_value;
    points.push_back(std::move(p));
  }
  return {{"scan", job.scan_param}, {"points", std::move(points)}};
}

uint64_t vanished_total(const JobResult& result) {
  uint64_t total = 0;
  for (const PointResult& point : result.points) total += point.vanished;
  return total;
}

nlohmann::json run_json(const JobSpec& job, const JobResult& result, const RunReport& report) {
  return {{"kernel", job.kernel},
          {"params", params_json(job.params)},
          {"samples", job.samples},
          {"seed", job.seed},
          {"digest", result.digest.hex()},
          {"result", result_json(job, result)},
          {"vanished", vanished_total(result)},
          {"backend", report.backend},
          {"seconds", report.seconds},
          {"samples_per_second", samples_per_second(job, report)}};
}

std::string run_text(const JobSpec& job, const JobResult& result, const RunReport& report) {
  std::string params;
  for (const auto& [name, value] : job.params) params += (params.empty() ? "" : " ") + name + "=" + value.text;
  std::string out = "kernel   " + job.kernel + "\nparams   " + params + "\nsamples  " +
                    std::to_string(job.samples) + "  seed " + std::to_string(job.seed) + "\n";
  if (job.is_scan) {
    for (const PointResult& point : result.points) {
      out += "  " + job.scan_param + "=" + format_param_number(point.scan_value) + "  " +
             fields_text(point.fields) + "\n";
    }
  } else {
    out += "result   " + fields_text(result.points.at(0).fields) + "\n";
  }
  char timing[160];
  std::snprintf(timing, sizeof(timing), "backend  %s  %.3f s  %.4g samples/s\n",
                report.backend.c_str(), report.seconds, samples_per_second(job, report));
  if (const uint64_t vanished = vanished_total(result); vanished != 0) {
    out += "note     " + std::to_string(vanished) +
           " nonzero contributions were below the accumulator's resolution (2^-65) and count as 0\n";
  }
  return out + "digest   " + result.digest.hex() + "\n" + timing;
}

std::string progress_line(uint64_t done, uint64_t total, double seconds) {
  constexpr int kWidth = 30;
  const double fraction = total > 0 ? static_cast<double>(done) / static_cast<double>(total) : 1.0;
  const int filled = static_cast<int>(fraction * kWidth);
  std::string bar(static_cast<size_t>(filled), '#');
  bar.resize(kWidth, ' ');
  char line[128];
  std::snprintf(line, sizeof(line), "[%s] %3d%%  %.3g samples/s", bar.c_str(),
                static_cast<int>(fraction * 100.0),
                seconds > 0.0 ? static_cast<double>(done) / seconds : 0.0);
  return line;
}

}  // namespace hpchain::compute::cli
