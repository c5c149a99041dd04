// Kernel parameters: declared specs, strict parsing and validation.
//
// Every kernel declares its parameters (name, type, default, inclusive
// range). A job's raw "name=value" strings are checked against the spec:
// unknown names, unparsable values, out-of-range values and missing required
// parameters are InvalidArgument errors that name the parameter. The
// validated ParamSet holds every parameter, defaults included, so a job that
// spells out a default and one that omits it are the same job (and digest).
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "chain/status.h"

namespace hpchain::compute {

enum class ParamType : uint8_t {
  kReal = 1,     // a finite double in [min, max]
  kInteger = 2,  // an integer in [min, max]
  kChoice = 3,   // one of `choices`; stored with its index as the number
  kName = 4,     // a name of 1 to 64 of [a-z0-9_] (a kernel or parameter name
                 // that its user resolves); stored as text, number 0; required
};

struct ParamSpec {
  std::string name;
  ParamType type = ParamType::kReal;
  bool required = false;
  double default_value = 0.0;  // ignored when required; a choice index for kChoice
  double min = 0.0;
  double max = 0.0;
  std::vector<std::string> choices;
  std::string help;  // one line: meaning and unit
};

// A validated value: `number` for reals and integers (and the choice index),
// `text` the canonical spelling (the choice name, or the number as given by
// format_param_number).
struct ParamValue {
  ParamType type = ParamType::kReal;
  double number = 0.0;
  std::string text;
  friend bool operator==(const ParamValue&, const ParamValue&) = default;
};

// Ordered by name: the canonical order for encodings and output.
using ParamSet = std::map<std::string, ParamValue>;
using RawParams = std::map<std::string, std::string>;

// True for 1 to 64 of [a-z0-9_]: kernel and parameter names (ParamType::kName
// values, and the names a registry accepts).
bool is_valid_name(std::string_view name);

// Shortest round-trip decimal spelling of a double (for output only; the
// digest encodes the bits).
std::string format_param_number(double v);

// Parses one value against its spec. InvalidArgument naming the parameter
// when it does not parse, is not finite, is outside [min, max] or is not one
// of the choices.
Result<ParamValue> parse_param(const ParamSpec& spec, std::string_view text);

// Validates `raw` against `specs`: every raw name must be declared, every
// required parameter present; missing optional ones get their defaults.
// `kernel` only labels error messages.
Result<ParamSet> validate_params(std::string_view kernel, const std::vector<ParamSpec>& specs,
                                 const RawParams& raw);

// The value of a parameter that validation guarantees to exist (asserts).
double param_number(const ParamSet& params, const std::string& name);

}  // namespace hpchain::compute
