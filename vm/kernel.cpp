#include "vm/kernel.h"

#include <algorithm>

#include "compute/kernels/result_math.h"
#include "compute/math/dmath.h"
#include "compute/spec.h"
#include "compute/staged_tally.h"
#include "vm/cuda_runner.h"

namespace hpchain::vm {

// A change to the VM that can change any result (semantics, draws, the
// verifier's rules or gas) bumps both.
static_assert(compute::kComputeVersion == 4 && kBytecodeVersion == 1,
              "the VM changed: bump compute::kComputeVersion (compute/spec.h) and record why");

namespace {

using compute::PointTally;
using compute::ResultField;

constexpr char kBase32[] = "abcdefghijklmnopqrstuvwxyz234567";

// Runs samples [begin, end): the invariant prefix once, then each sample
// from its end, staged into `into` exactly (compute/staged_tally.h).
void run_cpu(const compute::KernelInstance& instance, compute::PhiloxKey key, uint32_t stream, uint64_t begin,
             uint64_t end, PointTally& into) {
  const auto& args = *static_cast<const ProgramArgs*>(instance.args.get());
  ProgramView view = args.view();
  std::vector<Value> start(args.initial);
  run_invariant(view, start.data(), 0, args.prefix);
  view.initial = start.data();
  view.start = args.prefix;
  std::vector<uint8_t> written;  // sorted, each once
  for (uint32_t pc = view.start; pc < view.code_size; ++pc) {
    if (writes_a(view.code[pc].op)) written.push_back(view.code[pc].a);
  }
  std::sort(written.begin(), written.end());
  written.erase(std::unique(written.begin(), written.end()), written.end());
  view.written = written.data();
  view.written_count = static_cast<uint32_t>(written.size());
  std::vector<Value> frame(start);
  {
    compute::StagedTally<PointTally> tally(into);
    for (uint64_t i = begin; i < end; ++i) run_sample(view, frame.data(), key, i, stream, tally);
    tally.fold();
  }
  compute::add_count(into.counts[0], end - begin, into.flags);
}

Result<compute::KernelInstance> instantiate(const std::shared_ptr<const VerifiedProgram>& program,
                                            const compute::ParamSet& params) {
  auto args = std::make_shared<ProgramArgs>();
  args->program = program;
  const Program& p = program->program;
  args->initial.resize(p.registers.size());
  for (size_t r = 0; r < p.registers.size(); ++r) {
    if (p.registers[r] == Type::kF64) args->initial[r].f = 0.0;
    else args->initial[r].i = 0;
  }
  for (size_t k = 0; k < p.params.size(); ++k) {
    const double v = compute::param_number(params, p.params[k].name);
    if (p.params[k].type == Type::kF64) args->initial[k].f = v;
    else args->initial[k].i = static_cast<int64_t>(v);
  }
  for (size_t k = 0; k < p.outputs.size(); ++k) {
    const OutputDecl& d = p.outputs[k];
    args->outputs.push_back(OutputView{program->slots[k].sum, program->slots[k].count, d.bins, d.lo, d.hi});
  }
  args->prefix = invariant_prefix(p.code.data(), static_cast<uint32_t>(p.code.size()));
  return compute::KernelInstance{std::move(args), program->shape};
}

compute::KernelInfo info_of(const VerifiedProgram& v) {
  compute::KernelInfo info;
  info.name = kernel_name(v.id);
  info.summary = "kernel VM program " + v.id.hex();
  for (const ParamDecl& d : v.program.params) {
    compute::ParamSpec spec;
    spec.name = d.name;
    spec.type = d.type == Type::kF64 ? compute::ParamType::kReal : compute::ParamType::kInteger;
    spec.required = d.required;
    spec.default_value = d.default_value;
    spec.min = d.min;
    spec.max = d.max;
    spec.help = d.type == Type::kF64 ? "f64" : "i64";
    info.params.push_back(std::move(spec));
  }
  for (const OutputDecl& d : v.program.outputs) {
    info.result_fields.push_back(d.name);
    info.result_fields.push_back(d.name + "_err");
    if (d.kind == OutputKind::kHist) {
      info.result_fields.push_back(d.name + "_under");
      info.result_fields.push_back(d.name + "_over");
    }
  }
  for (const ResultDecl& d : v.program.results) info.result_fields.push_back(d.name);
  return info;
}

// Runs one result's code on the host over the results' frame (parameters
// in their registers, earlier results in theirs), kMean and kErr from the
// outputs' finished statistics.
double evaluate_result(const ProgramArgs& args, const ResultDecl& d, const std::vector<compute::MeanAndError>& stats,
                       std::vector<Value>& r) {
  for (const Instr& in : d.code) {
    switch (in.op) {
      case Op::kFConst: r[in.a].f = args.program->program.f64_consts[in.imm]; break;
      case Op::kIConst: r[in.a].i = args.program->program.i64_consts[in.imm]; break;
      case Op::kMov: r[in.a] = r[in.b]; break;
      case Op::kMean: r[in.a].f = stats[in.imm].mean; break;
      case Op::kErr: r[in.a].f = stats[in.imm].error; break;
      case Op::kFSel: r[in.a].f = r[in.b].i != 0 ? r[in.c].f : r[in.imm].f; break;
      case Op::kISel: r[in.a].i = r[in.b].i != 0 ? r[in.c].i : r[in.imm].i; break;
      case Op::kItoF: r[in.a].f = sem::itof(r[in.b].i); break;
      case Op::kFtoI: r[in.a].i = sem::ftoi(r[in.b].f); break;
      case Op::kFLt: case Op::kFLe: case Op::kFEq: case Op::kFNe:
        r[in.a].i = interp_detail::float_compare(in.op, r[in.b].f, r[in.c].f);
        break;
      default:
        if (args.program->program.registers[in.a] == Type::kF64) {
          r[in.a].f = interp_detail::float_op(in.op, r[in.b].f, r[in.c].f);
        } else {
          r[in.a].i = interp_detail::int_op(in.op, r[in.b].i, r[in.c].i);
        }
        break;
    }
  }
  return r[d.reg].f;
}

}  // namespace

std::string kernel_name(const Hash32& id) {
  std::string out = "vm_";
  uint32_t buffer = 0;
  int bits = 0;
  for (uint8_t byte : id.bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += kBase32[(buffer >> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += kBase32[(buffer << (5 - bits)) & 31];
  return out;
}

bool is_program_kernel_name(std::string_view name) {
  if (name.size() != 55 || name.substr(0, 3) != "vm_") return false;
  for (char c : name.substr(3)) {
    if (!((c >= 'a' && c <= 'z') || (c >= '2' && c <= '7'))) return false;
  }
  return true;
}

ProgramView ProgramArgs::view() const {
  const Program& p = program->program;
  return ProgramView{p.code.data(), static_cast<uint32_t>(p.code.size()), p.f64_consts.data(), p.i64_consts.data(),
                     outputs.data(), initial.data(), static_cast<uint32_t>(p.registers.size())};
}

Result<std::vector<ResultField>> program_fields(const ProgramArgs& args, const PointTally& tally) {
  const Program& p = args.program->program;
  const uint64_t n = tally.counts[0];
  std::vector<ResultField> fields;
  std::vector<compute::MeanAndError> stats(p.outputs.size(), compute::MeanAndError{0.0, 0.0});
  for (size_t k = 0; k < p.outputs.size(); ++k) {
    const OutputDecl& d = p.outputs[k];
    const OutputSlots& s = args.program->slots[k];
    if (d.kind == OutputKind::kCount) {
      const uint64_t hits = tally.counts[s.count];
      if (hits > n) return Status::out_of_range("count '" + d.name + "' above the sample count (an inconsistent tally)");
      stats[k] = compute::mean_and_error(static_cast<double>(hits), static_cast<double>(hits), n);
    } else if (d.kind == OutputKind::kTally) {
      stats[k] = compute::mean_and_error(tally.sums[s.sum].to_double(), tally.sums[s.sum + 1].to_double(), n);
    }
    if (d.kind != OutputKind::kHist) {
      fields.push_back(ResultField{d.name, {stats[k].mean}, false});
      fields.push_back(ResultField{d.name + "_err", {stats[k].error}, false});
      continue;
    }
    ResultField values{d.name, {}, true}, errors{d.name + "_err", {}, true};
    for (uint32_t b = 0; b < d.bins + 2; ++b) {
      const auto bin = compute::mean_and_error(tally.sums[s.sum + b].to_double(),
                                               tally.sums[s.sum + d.bins + 2 + b].to_double(), n);
      if (b < d.bins) {
        values.values.push_back(bin.mean);
        errors.values.push_back(bin.error);
      } else {
        fields.push_back(ResultField{d.name + (b == d.bins ? "_under" : "_over"), {bin.mean}, false});
      }
    }
    fields.insert(fields.end() - 2, std::move(values));
    fields.insert(fields.end() - 2, std::move(errors));
  }
  std::vector<Value> frame = args.initial;
  for (const ResultDecl& d : p.results) {
    fields.push_back(ResultField{d.name, {evaluate_result(args, d, stats, frame)}, false});
  }
  return fields;
}

compute::KernelDescriptor program_descriptor(std::shared_ptr<const VerifiedProgram> program) {
  compute::KernelDescriptor d;
  d.info = info_of(*program);
  d.instantiate = [program](const compute::ParamSet& params) { return instantiate(program, params); };
  d.run_cpu = &run_cpu;
  d.run_cuda = program_cuda_runner();
  d.finalize = [](const compute::KernelInstance& instance, const PointTally& tally) {
    return program_fields(*static_cast<const ProgramArgs*>(instance.args.get()), tally);
  };
  return d;
}

Status register_program(compute::KernelRegistry& registry, std::shared_ptr<const VerifiedProgram> program) {
  if (registry.find(kernel_name(program->id)) != nullptr) return Status::ok();
  return registry.add(program_descriptor(std::move(program)));
}

}  // namespace hpchain::vm
