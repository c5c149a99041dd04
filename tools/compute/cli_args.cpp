#include "tools/compute/cli_args.h"

#include <charconv>
#include <optional>
#include <set>
#include <string_view>

namespace hpchain::compute::cli {

const char* const kUsage =
    "usage:\n"
    "  hpchain-compute run --kernel K [--param name=value]... --samples N --seed S\n"
    "                      [--backend cpu|cuda] [--partitions P] [--threads T] [--json]\n"
    "                      [--unit I/P --out FILE [--job-id HEX]]\n"
    "  hpchain-compute merge FILE... [--json]   merge unit files into the job result\n"
    "  hpchain-compute inspect FILE [--json]    a unit file's job, ranges and digest\n"
    "  hpchain-compute compile FILE.hk -o FILE.hkb   compile a kernel VM program\n"
    "  hpchain-compute kernels      list kernels and their parameters\n"
    "  hpchain-compute --help       this text\n"
    "\n"
    "run executes samples [0, N) of kernel K with Philox key S, cut into P units\n"
    "(default 1) merged exactly; the digest does not depend on backend, threads\n"
    "or P. --threads defaults to all cores. --json prints one JSON object.\n"
    "With --unit I/P it runs only unit I (0-based) of P and writes that unit's\n"
    "result to FILE; merge checks that the units belong to one job, do not\n"
    "overlap and cover it all, and prints the same digest as a whole run.\n"
    "Exit codes: 0 success, 1 run or merge failed (e.g. no CUDA device, units\n"
    "of another job), 2 bad arguments.\n"
    "\n"
    "Kernel VM programs (docs/kernel-language.md): --kernel vm --program FILE runs\n"
    "a program, FILE being .hk source (compiled here) or .hkb bytecode; its\n"
    "parameters are its own --param names. merge and inspect take --program FILE\n"
    "for units of a program's job. compile checks a source, prints the program id,\n"
    "its kernel name and its gas per sample, and writes the canonical bytecode\n"
    "(what a JobSubmit carries); errors name LINE:COLUMN.\n";

namespace {

// The integer written as DIGITS[.DIGITS][(e|E)[+]DIGITS], computed exactly in
// integers (no double rounding); nullopt if the text has another form, is not
// an integer, or exceeds 2^64 - 1.
std::optional<uint64_t> exact_decimal_integer(std::string_view text) {
  const size_t e = text.find_first_of("eE");
  std::string_view mantissa = text.substr(0, e);
  uint64_t exponent = 0;
  if (e != std::string_view::npos) {
    std::string_view exp_text = text.substr(e + 1);
    if (!exp_text.empty() && exp_text.front() == '+') exp_text.remove_prefix(1);
    const auto r = std::from_chars(exp_text.data(), exp_text.data() + exp_text.size(), exponent);
    if (exp_text.empty() || r.ec != std::errc() || r.ptr != exp_text.data() + exp_text.size()) return {};
  }
  const size_t dot = mantissa.find('.');
  std::string digits(mantissa.substr(0, dot));
  if (dot != std::string_view::npos) {
    const std::string_view fraction = mantissa.substr(dot + 1);
    if (fraction.size() > exponent) {
      // Digits past the exponent's reach must be zeros for an integer.
      if (fraction.substr(exponent).find_first_not_of('0') != std::string_view::npos) return {};
      digits += fraction.substr(0, exponent);
      exponent = 0;
    } else {
      digits += fraction;
      exponent -= fraction.size();
    }
  }
  if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos) return {};
  uint64_t value = 0;
  for (char c : digits) {
    if (__builtin_mul_overflow(value, 10, &value) || __builtin_add_overflow(value, c - '0', &value)) return {};
  }
  for (uint64_t i = 0; i < exponent && value != 0; ++i) {
    if (__builtin_mul_overflow(value, 10, &value)) return {};
  }
  return value;
}

}  // namespace

Result<uint64_t> parse_count(const std::string& what, const std::string& text, uint64_t min,
                             uint64_t max) {
  const std::optional<uint64_t> value = exact_decimal_integer(text);
  if (!value || *value < min || *value > max) {
    return Status::invalid_argument(what + " '" + text + "' is not an integer in [" +
                                    std::to_string(min) + ", " + std::to_string(max) +
                                    "] (forms: 1000000, 1e6, 2.5e6)");
  }
  return *value;
}

namespace {

Status add_param(Args& args, const std::string& assignment) {
  const size_t eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0) {
    return Status::invalid_argument("--param expects name=value, got '" + assignment + "'");
  }
  const std::string name = assignment.substr(0, eq);
  if (!args.params.emplace(name, assignment.substr(eq + 1)).second) {
    return Status::invalid_argument("--param " + name + " given twice");
  }
  return Status::ok();
}

// "--unit I/P": unit I (0-based) of P.
Status parse_unit(Args& args, const std::string& value) {
  const size_t slash = value.find('/');
  if (slash == std::string::npos) return Status::invalid_argument("--unit expects I/P, got '" + value + "'");
  HPC_ASSIGN_OR_RETURN(args.unit_index, parse_count("--unit index", value.substr(0, slash), 0, kMaxSamples));
  HPC_ASSIGN_OR_RETURN(args.unit_count, parse_count("--unit count", value.substr(slash + 1), 1, kMaxSamples));
  if (args.unit_index >= args.unit_count) {
    return Status::invalid_argument("--unit " + value + ": the index must be below the count (0-based)");
  }
  args.has_unit = true;
  return Status::ok();
}

// merge FILE... [--json] and inspect FILE [--json].
Result<Args> parse_file_command(Command command, const std::vector<std::string>& argv) {
  Args args;
  args.command = command;
  for (size_t i = 1; i < argv.size(); ++i) {
    if (argv[i] == "--json") {
      args.json = true;
    } else if (argv[i] == "--program" || ((argv[i] == "-o" || argv[i] == "--out") && command == Command::kCompile)) {
      if (i + 1 >= argv.size()) return Status::invalid_argument("option '" + argv[i] + "' needs a value");
      (argv[i] == "--program" ? args.program_path : args.out_path) = argv[i + 1];
      ++i;
    } else if (argv[i].rfind("-", 0) == 0) {
      return Status::invalid_argument("unknown option '" + argv[i] + "' for " + argv[0]);
    } else {
      args.files.push_back(argv[i]);
    }
  }
  if (command == Command::kMerge && args.files.empty()) return Status::invalid_argument("merge needs unit files");
  if (command == Command::kInspect && args.files.size() != 1) {
    return Status::invalid_argument("inspect takes exactly one unit file");
  }
  if (command == Command::kCompile) {
    if (args.files.size() != 1) return Status::invalid_argument("compile takes exactly one source file");
    if (args.out_path.empty()) return Status::invalid_argument("compile needs -o FILE.hkb");
    if (!args.program_path.empty()) return Status::invalid_argument("compile takes its source as an argument, not --program");
  }
  return args;
}

// Applies one "--option value" pair of the run command.
Status apply_option(Args& args, const std::string& option, const std::string& value) {
  if (option == "--kernel") {
    args.kernel = value;
  } else if (option == "--param") {
    return add_param(args, value);
  } else if (option == "--samples") {
    HPC_ASSIGN_OR_RETURN(args.samples, parse_count("--samples", value, 1, kMaxSamples));
  } else if (option == "--seed") {
    HPC_ASSIGN_OR_RETURN(args.seed, parse_count("--seed", value, 0, UINT64_MAX));
  } else if (option == "--backend") {
    HPC_ASSIGN_OR_RETURN(args.backend, parse_backend(value));
  } else if (option == "--partitions") {
    HPC_ASSIGN_OR_RETURN(args.partitions, parse_count("--partitions", value, 1, kMaxSamples));
  } else if (option == "--unit") {
    return parse_unit(args, value);
  } else if (option == "--out") {
    args.out_path = value;
  } else if (option == "--job-id") {
    auto id = Hash32::from_hex(value);
    if (!id.is_ok()) return Status::invalid_argument("--job-id expects 64 hex digits, got '" + value + "'");
    args.job_id = *id;
  } else if (option == "--program") {
    args.program_path = value;
  } else if (option == "--threads") {
    HPC_ASSIGN_OR_RETURN(uint64_t threads, parse_count("--threads", value, 1, 4096));
    args.threads = static_cast<unsigned>(threads);
  } else {
    return Status::invalid_argument("unknown option '" + option + "'");
  }
  return Status::ok();
}

Result<Args> check_unit_options(Args args, const std::set<std::string>& seen) {
  if (args.has_unit && args.out_path.empty()) return Status::invalid_argument("--unit needs --out FILE");
  if (!args.has_unit && (seen.count("--out") || seen.count("--job-id"))) {
    return Status::invalid_argument("--out and --job-id go with --unit I/P");
  }
  if (args.has_unit && seen.count("--partitions")) {
    return Status::invalid_argument("--unit runs one unit; --partitions does not apply");
  }
  return args;
}

}  // namespace

Result<Args> parse_args(const std::vector<std::string>& argv) {
  Args args;
  if (argv.empty() || argv[0] == "--help" || argv[0] == "-h" || argv[0] == "help") {
    if (argv.size() > 1) return Status::invalid_argument("--help takes no arguments");
    return args;
  }
  if (argv[0] == "kernels") {
    if (argv.size() > 1) return Status::invalid_argument("'kernels' takes no arguments");
    args.command = Command::kKernels;
    return args;
  }
  if (argv[0] == "merge") return parse_file_command(Command::kMerge, argv);
  if (argv[0] == "inspect") return parse_file_command(Command::kInspect, argv);
  if (argv[0] == "compile") return parse_file_command(Command::kCompile, argv);
  if (argv[0] != "run") return Status::invalid_argument("unknown command '" + argv[0] + "'");
  args.command = Command::kRun;
  std::set<std::string> seen;  // options given so far (--param may repeat)
  for (size_t i = 1; i < argv.size(); ++i) {
    const std::string& option = argv[i];
    if (option != "--param" && !seen.insert(option).second) {
      return Status::invalid_argument("option '" + option + "' given twice");
    }
    if (option == "--json") {
      args.json = true;
      continue;
    }
    if (i + 1 >= argv.size()) return Status::invalid_argument("option '" + option + "' needs a value");
    HPC_TRY(apply_option(args, option, argv[i + 1]));
    ++i;
  }
  if (args.kernel.empty()) return Status::invalid_argument("run needs --kernel");
  if (!seen.count("--samples")) return Status::invalid_argument("run needs --samples");
  if (!seen.count("--seed")) return Status::invalid_argument("run needs --seed");
  if (args.kernel == "vm" && args.program_path.empty()) return Status::invalid_argument("--kernel vm needs --program FILE");
  if (!args.program_path.empty() && args.kernel != "vm") {
    return Status::invalid_argument("--program goes with --kernel vm");
  }
  if (seen.count("--threads") && args.backend != BackendKind::kCpu) {
    return Status::invalid_argument("--threads applies to the cpu backend only");
  }
  return check_unit_options(args, seen);
}

}  // namespace hpchain::compute::cli
