// The VM interpreter: runs one sample of a verified program, written once
// for host and device (HPC_HD), like the native kernels' bodies. It reads
// the program through flat arrays (ProgramView), so a CUDA kernel can run
// it from device memory, and adds to any tally with the native interface
// (add(slot, v) and counts[]).
//
// Draws: draw d of a sample (d = 0, 1, ... in execution order) takes words
// 2(d mod 2) and 2(d mod 2) + 1 of Philox block d / 2 of the sample, so the
// first two draws use block 0 exactly as the native pi and eemumu kernels
// do. uniform() is k 2^-53 in [0, 1) (philox.h); normal() is Phi^-1 of the
// open-interval uniform (compute/kernels/normal.h), as european_option's.
#pragma once

#include <cstdint>

#include "compute/kernels/normal.h"
#include "compute/math/dmath.h"
#include "compute/philox.h"
#include "vm/bytecode.h"
#include "vm/semantics.h"
#include "vm/verifier.h"

namespace hpchain::vm {

using compute::kTwoPowMinus53;
using compute::PhiloxCounter;
using compute::PhiloxKey;
using compute::sample_words;
using compute::top53;

// An output as the interpreter needs it.
struct OutputView {
  uint32_t sum = 0;    // OutputSlots::sum
  uint32_t count = 0;  // OutputSlots::count
  uint32_t bins = 0;
  double lo = 0.0, hi = 0.0;
};

// One register's value: the verifier types every register, and each is
// only ever read and written as its type.
union Value {
  double f;
  int64_t i;
};

// A verified program as flat arrays (host or device memory).
struct ProgramView {
  const Instr* code = nullptr;
  uint32_t code_size = 0;
  const double* f64_consts = nullptr;
  const int64_t* i64_consts = nullptr;
  const OutputView* outputs = nullptr;
  const Value* initial = nullptr;  // the frame at a sample's start: parameters, then zeros
  uint32_t registers = 0;
  // Samples start here, `initial` being the frame after code[0, start): the
  // invariant prefix (invariant_prefix) run once, not per sample.
  uint32_t start = 0;
  // Optional (CPU runner): the registers code[start, code_size) writes.
  // When set, run_sample resets only these from `initial`, and the caller
  // has filled the frame from `initial` once: every other register still
  // holds its initial value, as nothing writes it.
  const uint8_t* written = nullptr;
  uint32_t written_count = 0;
};

// Whether the op writes register a (the verifier has typed it).
HPC_HD inline bool writes_a(Op op) {
  return op != Op::kTally && op != Op::kCount && op != Op::kHist && op != Op::kEndLoop && op != Op::kOpCount;
}

// The length of the program's leading run of instructions that depend on
// nothing but parameters and constants (no draw, output or loop): every
// sample computes the same frame there, so a runner may compute it once.
inline uint32_t invariant_prefix(const Instr* code, uint32_t size) {
  uint32_t k = 0;
  for (; k < size; ++k) {
    const Op op = code[k].op;
    if (op == Op::kUniform || op == Op::kNormal || op == Op::kTally || op == Op::kCount || op == Op::kHist ||
        op == Op::kLoop || op == Op::kEndLoop) {
      break;
    }
  }
  return k;
}

namespace interp_detail {

struct LoopState {
  uint32_t body = 0;       // first instruction of the body
  uint32_t remaining = 0;  // iterations after the current one
  int64_t index = 0;
  uint8_t reg = 0;
};

// Where histogram value x goes: bins 0..bins-1, then underflow (x < lo),
// then overflow (x >= hi or NaN).
HPC_HD inline uint32_t hist_bin(const OutputView& o, double x) {
  if (sem::is_nan(x) || x >= o.hi) return o.bins + 1;
  if (x < o.lo) return o.bins;
  const int64_t b = sem::ftoi((x - o.lo) / (o.hi - o.lo) * static_cast<double>(o.bins));
  return b >= static_cast<int64_t>(o.bins) ? o.bins - 1 : static_cast<uint32_t>(b);
}

// The pure one-operand and two-operand float operations.
HPC_HD inline double float_op(Op op, double x, double y) {
  switch (op) {
    case Op::kFAdd: return sem::fadd(x, y);
    case Op::kFSub: return sem::fsub(x, y);
    case Op::kFMul: return sem::fmul(x, y);
    case Op::kFDiv: return sem::fdiv(x, y);
    case Op::kFNeg: return sem::fneg(x);
    case Op::kFMin: return sem::fmin(x, y);
    case Op::kFMax: return sem::fmax(x, y);
    case Op::kFAbs: return dmath::fabs(x);
    case Op::kFFloor: return sem::canon(dmath::floor(x));
    case Op::kFSqrt: return sem::canon(dmath::sqrt(x));
    case Op::kFExp: return dmath::exp(x);
    case Op::kFLog: return dmath::log(x);
    case Op::kFExpm1: return dmath::expm1(x);
    case Op::kFLog1p: return dmath::log1p(x);
    case Op::kFSin: return dmath::sin(x);
    case Op::kFCos: return dmath::cos(x);
    case Op::kFAtan: return dmath::atan(x);
    case Op::kFAtan2: return dmath::atan2(x, y);
    case Op::kFPow: return dmath::pow(x, y);
    case Op::kFErf: return dmath::erf(x);
    case Op::kFErfc: return dmath::erfc(x);
    default: return dmath::normal_cdf(x);  // kFNormCdf
  }
}

HPC_HD inline int64_t int_op(Op op, int64_t x, int64_t y) {
  switch (op) {
    case Op::kIAdd: return sem::iadd(x, y);
    case Op::kISub: return sem::isub(x, y);
    case Op::kIMul: return sem::imul(x, y);
    case Op::kIDiv: return sem::idiv(x, y);
    case Op::kIMod: return sem::imod(x, y);
    case Op::kINeg: return sem::ineg(x);
    case Op::kIAbs: return sem::iabs(x);
    case Op::kIMin: return sem::imin(x, y);
    case Op::kIMax: return sem::imax(x, y);
    case Op::kIShl: return sem::ishl(x, y);
    case Op::kIShr: return sem::ishr(x, y);
    case Op::kIAnd: return x & y;
    case Op::kIOr: return x | y;
    case Op::kIXor: return x ^ y;
    case Op::kILt: return x < y ? 1 : 0;
    case Op::kILe: return x <= y ? 1 : 0;
    case Op::kIEq: return x == y ? 1 : 0;
    case Op::kINe: return x != y ? 1 : 0;
    default: return x == 0 ? 1 : 0;  // kNot
  }
}

HPC_HD inline int64_t float_compare(Op op, double x, double y) {
  switch (op) {
    case Op::kFLt: return x < y ? 1 : 0;
    case Op::kFLe: return x <= y ? 1 : 0;
    case Op::kFEq: return x == y ? 1 : 0;
    default: return x != y ? 1 : 0;  // kFNe: true for NaN, as IEEE says
  }
}

// The sample's random numbers, drawn in order.
struct Draws {
  PhiloxKey key;
  uint64_t index;
  uint32_t stream;
  uint32_t next = 0;
  PhiloxCounter words{};
  HPC_HD uint64_t top53_next(bool open) {
    if ((next & 1) == 0) words = sample_words(key, index, stream, next >> 1);
    const uint32_t w = (next & 1) * 2;
    ++next;
    const uint64_t k = top53(words.w[w], words.w[w + 1]);
    return open ? k >> 1 : k;
  }
  HPC_HD double uniform() { return static_cast<double>(top53_next(false)) * kTwoPowMinus53; }
  HPC_HD double normal() {
    return compute::normal_quantile(static_cast<double>(2 * top53_next(true) + 1) * kTwoPowMinus53);
  }
};

}  // namespace interp_detail

// Runs sample `index` of `stream`; `frame` has room for view.registers
// values. Adds the sample's outputs to `tally` (not the sample count:
// the caller adds that per range, as run_samples does).
// Runs code[from, to) on `frame` with no draws, outputs or loops: the
// invariant prefix (the caller checks that the range is one).
HPC_HD inline void run_invariant(const ProgramView& view, Value* frame, uint32_t from, uint32_t to);

template <class TallyT>
HPC_HD void run_sample(const ProgramView& view, Value* frame, PhiloxKey key, uint64_t index, uint32_t stream,
                       TallyT& tally) {
  using namespace interp_detail;
  if (view.written == nullptr) {
    for (uint32_t r = 0; r < view.registers; ++r) frame[r] = view.initial[r];
  } else {
    for (uint32_t k = 0; k < view.written_count; ++k) frame[view.written[k]] = view.initial[view.written[k]];
  }
  Draws draws{key, index, stream};
  LoopState loops[kMaxLoopDepth];
  int depth = 0;
  for (uint32_t pc = view.start; pc < view.code_size; ++pc) {
    const Instr in = view.code[pc];
    Value* r = frame;
    switch (in.op) {
      case Op::kFConst: r[in.a].f = view.f64_consts[in.imm]; break;
      case Op::kIConst: r[in.a].i = view.i64_consts[in.imm]; break;
      case Op::kMov: r[in.a] = r[in.b]; break;
      // The four arithmetic operations inline: the hot path of most kernels.
      case Op::kFAdd: r[in.a].f = sem::fadd(r[in.b].f, r[in.c].f); break;
      case Op::kFSub: r[in.a].f = sem::fsub(r[in.b].f, r[in.c].f); break;
      case Op::kFMul: r[in.a].f = sem::fmul(r[in.b].f, r[in.c].f); break;
      case Op::kFDiv: r[in.a].f = sem::fdiv(r[in.b].f, r[in.c].f); break;
      case Op::kFNeg: case Op::kFMin: case Op::kFMax:
      case Op::kFAbs: case Op::kFFloor: case Op::kFSqrt: case Op::kFExp: case Op::kFLog: case Op::kFExpm1:
      case Op::kFLog1p: case Op::kFSin: case Op::kFCos: case Op::kFAtan: case Op::kFAtan2: case Op::kFPow:
      case Op::kFErf: case Op::kFErfc: case Op::kFNormCdf:
        r[in.a].f = float_op(in.op, r[in.b].f, r[in.c].f);
        break;
      case Op::kFLt: case Op::kFLe: case Op::kFEq: case Op::kFNe:
        r[in.a].i = float_compare(in.op, r[in.b].f, r[in.c].f);
        break;
      case Op::kFSel: r[in.a].f = r[in.b].i != 0 ? r[in.c].f : r[in.imm].f; break;
      case Op::kISel: r[in.a].i = r[in.b].i != 0 ? r[in.c].i : r[in.imm].i; break;
      case Op::kItoF: r[in.a].f = sem::itof(r[in.b].i); break;
      case Op::kFtoI: r[in.a].i = sem::ftoi(r[in.b].f); break;
      case Op::kUniform: r[in.a].f = draws.uniform(); break;
      case Op::kNormal: r[in.a].f = draws.normal(); break;
      case Op::kTally: {
        const double x = r[in.a].f;
        tally.add(view.outputs[in.imm].sum, x);
        tally.add(view.outputs[in.imm].sum + 1, x * x);
        break;
      }
      case Op::kCount: tally.counts[view.outputs[in.imm].count] += r[in.a].i != 0 ? 1u : 0u; break;
      case Op::kHist: {
        const OutputView& o = view.outputs[in.imm];
        const uint32_t bin = hist_bin(o, r[in.a].f);
        const double w = r[in.b].f;
        tally.add(o.sum + bin, w);
        tally.add(o.sum + o.bins + 2 + bin, w * w);
        break;
      }
      case Op::kLoop:
        loops[depth] = LoopState{pc + 1, in.imm - 1, 0, in.a};
        r[in.a].i = 0;
        ++depth;
        break;
      case Op::kEndLoop: {
        LoopState& l = loops[depth - 1];
        if (l.remaining == 0) {
          --depth;
          break;
        }
        --l.remaining;
        r[l.reg].i = ++l.index;
        pc = l.body - 1;  // the loop's ++pc enters the body again
        break;
      }
      case Op::kMean: case Op::kErr: case Op::kOpCount:
        break;  // not in verified sample code
      default:
        r[in.a].i = int_op(in.op, r[in.b].i, r[in.c].i);
        break;
    }
  }
}

// No tally is touched by an invariant range; this one takes none.
struct NoTally {
  uint64_t counts[1] = {0};
  HPC_HD void add(uint32_t, double) {}
};

HPC_HD inline void run_invariant(const ProgramView& view, Value* frame, uint32_t from, uint32_t to) {
  ProgramView part = view;
  part.start = from;
  part.code_size = to;
  part.initial = frame;  // run_sample copies initial into frame: the same registers
  NoTally none;
  run_sample(part, frame, PhiloxKey{{0, 0}}, 0, 0, none);
}

}  // namespace hpchain::vm
