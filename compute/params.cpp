#include "compute/params.h"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace hpchain::compute {

bool is_valid_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

std::string format_param_number(double v) {
  char buffer[64];
  const auto r = std::to_chars(buffer, buffer + sizeof(buffer), v);
  HPC_ASSERT(r.ec == std::errc());
  return std::string(buffer, r.ptr);
}

namespace {
std::string range_text(const ParamSpec& spec) {
  // Appended piece by piece: "[" + std::string trips GCC 12's -Wrestrict
  // false positive at -O3.
  std::string text = "[";
  text.append(format_param_number(spec.min)).append(", ").append(format_param_number(spec.max));
  text.push_back(']');
  return text;
}

Result<ParamValue> parse_choice(const ParamSpec& spec, std::string_view text) {
  for (size_t i = 0; i < spec.choices.size(); ++i) {
    if (spec.choices[i] == text) {
      return ParamValue{ParamType::kChoice, static_cast<double>(i), spec.choices[i]};
    }
  }
  std::string allowed;
  for (const auto& c : spec.choices) allowed += (allowed.empty() ? "" : "|") + c;
  return Status::invalid_argument("parameter '" + spec.name + "': '" + std::string(text) +
                                  "' is not one of " + allowed);
}
Result<ParamValue> parse_name(const ParamSpec& spec, std::string_view text) {
  if (!is_valid_name(text)) {
    return Status::invalid_argument("parameter '" + spec.name + "': '" + std::string(text) +
                                    "' is not a name (1 to 64 of a-z, 0-9, _)");
  }
  return ParamValue{ParamType::kName, 0.0, std::string(text)};
}
}  // namespace

Result<ParamValue> parse_param(const ParamSpec& spec, std::string_view text) {
  if (spec.type == ParamType::kChoice) return parse_choice(spec, text);
  if (spec.type == ParamType::kName) return parse_name(spec, text);
  const char* begin = text.data();
  const char* end = begin + text.size();
  double value = 0.0;
  if (spec.type == ParamType::kInteger) {
    long long integer = 0;
    const auto r = std::from_chars(begin, end, integer);
    if (text.empty() || r.ec != std::errc() || r.ptr != end) {
      return Status::invalid_argument("parameter '" + spec.name + "': '" + std::string(text) +
                                      "' is not an integer");
    }
    value = static_cast<double>(integer);
  } else {
    const auto r = std::from_chars(begin, end, value);
    if (text.empty() || r.ec != std::errc() || r.ptr != end || !std::isfinite(value)) {
      return Status::invalid_argument("parameter '" + spec.name + "': '" + std::string(text) +
                                      "' is not a finite number");
    }
  }
  // -0 and 0 are one parameter value; without this they would be two
  // digests for the same physics.
  if (value == 0.0) value = 0.0;
  if (!(value >= spec.min && value <= spec.max)) {
    return Status::invalid_argument("parameter '" + spec.name + "' = " + std::string(text) +
                                    " is out of range " + range_text(spec));
  }
  return ParamValue{spec.type, value, format_param_number(value)};
}

Result<ParamSet> validate_params(std::string_view kernel, const std::vector<ParamSpec>& specs,
                                 const RawParams& raw) {
  for (const auto& [name, text] : raw) {
    bool known = false;
    for (const auto& spec : specs) known = known || spec.name == name;
    if (!known) {
      return Status::invalid_argument("unknown parameter '" + name + "' for kernel '" +
                                      std::string(kernel) + "'");
    }
  }
  ParamSet out;
  for (const auto& spec : specs) {
    const auto it = raw.find(spec.name);
    if (it != raw.end()) {
      HPC_ASSIGN_OR_RETURN(ParamValue value, parse_param(spec, it->second));
      out.emplace(spec.name, std::move(value));
    } else if (spec.required || spec.type == ParamType::kName) {
      return Status::invalid_argument("kernel '" + std::string(kernel) +
                                      "' requires parameter '" + spec.name + "'");
    } else if (spec.type == ParamType::kChoice) {
      const auto index = static_cast<size_t>(spec.default_value);
      HPC_ASSERT(index < spec.choices.size());
      out.emplace(spec.name, ParamValue{ParamType::kChoice, spec.default_value, spec.choices[index]});
    } else {
      out.emplace(spec.name, ParamValue{spec.type, spec.default_value,
                                        format_param_number(spec.default_value)});
    }
  }
  return out;
}

double param_number(const ParamSet& params, const std::string& name) {
  const auto it = params.find(name);
  HPC_ASSERT(it != params.end());
  return it->second.number;
}

}  // namespace hpchain::compute
