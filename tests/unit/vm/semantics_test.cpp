// The VM's arithmetic where hardware disagrees: each rule checked on the
// semantics functions and through the interpreter (the HPC_HD code a CUDA
// kernel runs; on a machine without a GPU this is the device path
// emulated on the CPU, as the compute engine's grid emulation does).
#include "tests/unit/vm/vm_test_util.h"

#include <cmath>
#include <cstring>
#include <limits>

#include "vm/interpreter.h"
#include "vm/kernel.h"

namespace hpchain::vm {
namespace {

uint64_t bits_of(double x) {
  uint64_t b;
  std::memcpy(&b, &x, sizeof b);
  return b;
}

// A tally that records the last value added to each slot (one sample).
struct Recorder {
  std::vector<double> sums;
  std::vector<uint64_t> counts;
  void add(uint32_t slot, double v) { sums[slot] = v; }
};

// Runs sample 0 of `source` (defaults for every parameter); returns each
// tally's value in output order.
std::vector<double> run_once(const std::string& source) {
  const auto program = testing::must_compile(source);
  if (!program) return {};
  auto registry = compute::KernelRegistry();
  EXPECT_TRUE(register_program(registry, program).is_ok());
  auto descriptor = registry.find(kernel_name(program->id));
  compute::ParamSet params;
  for (const ParamDecl& d : program->program.params) {
    params[d.name] = compute::ParamValue{compute::ParamType::kReal, d.default_value, ""};
  }
  auto instance = descriptor->instantiate(params);
  EXPECT_TRUE(instance.is_ok());
  const auto& args = *static_cast<const ProgramArgs*>(instance->args.get());
  Recorder r{std::vector<double>(program->shape.sums, 0.0), std::vector<uint64_t>(program->shape.counts, 0)};
  std::vector<Value> frame(args.view().registers);
  run_sample(args.view(), frame.data(), compute::philox_key_for_seed(1), 0, 0, r);
  std::vector<double> out;
  for (const OutputSlots& s : program->slots) out.push_back(r.sums[s.sum]);
  return out;
}

TEST(VmSemantics, EveryNanIsTheCanonicalOne) {
  volatile double zero = 0.0;
  EXPECT_EQ(bits_of(sem::fdiv(zero, zero)), sem::kCanonicalNan);  // x86 makes 0xFFF8...
  EXPECT_EQ(bits_of(sem::fsub(INFINITY, INFINITY)), sem::kCanonicalNan);
  EXPECT_EQ(bits_of(sem::fmul(0.0, INFINITY)), sem::kCanonicalNan);
  EXPECT_EQ(bits_of(sem::fneg(std::numeric_limits<double>::quiet_NaN())), sem::kCanonicalNan);
  const auto v = run_once("param zero: f64 = 0 in [0, 0]\ntally a += zero / zero\ntally b += sqrt(zero - 1)\n"
                          "tally c += -(zero / zero)\ntally d += log(zero - 1)\n");
  ASSERT_EQ(v.size(), 4u);
  for (double x : v) EXPECT_EQ(bits_of(x), sem::kCanonicalNan);
}

TEST(VmSemantics, FloatToIntSaturatesAndNanIsZero) {
  EXPECT_EQ(sem::ftoi(std::numeric_limits<double>::quiet_NaN()), 0);
  EXPECT_EQ(sem::ftoi(1e30), INT64_MAX);
  EXPECT_EQ(sem::ftoi(-1e30), INT64_MIN);
  EXPECT_EQ(sem::ftoi(9223372036854775808.0), INT64_MAX);
  EXPECT_EQ(sem::ftoi(-9223372036854775808.0), INT64_MIN);
  EXPECT_EQ(sem::ftoi(-2.7), -2);
  EXPECT_EQ(sem::ftoi(INFINITY), INT64_MAX);
  const auto v = run_once("param zero: f64 = 0 in [0, 0]\ntally a += f64(i64(zero / zero))\n"
                          "tally b += f64(i64(1e30))\ntally c += f64(i64(-1e30))\ntally d += f64(i64(-2.7))\n");
  ASSERT_EQ(v.size(), 4u);
  EXPECT_EQ(v[0], 0.0);
  EXPECT_EQ(v[1], 9223372036854775808.0);  // INT64_MAX rounds to 2^63 as a double
  EXPECT_EQ(v[2], -9223372036854775808.0);
  EXPECT_EQ(v[3], -2.0);
}

TEST(VmSemantics, IntegerDivisionAndRemainderAreDefinedEverywhere) {
  EXPECT_EQ(sem::idiv(7, 0), 0);
  EXPECT_EQ(sem::imod(7, 0), 7);
  EXPECT_EQ(sem::idiv(INT64_MIN, -1), INT64_MIN);
  EXPECT_EQ(sem::imod(INT64_MIN, -1), 0);
  EXPECT_EQ(sem::idiv(-7, 2), -3);
  EXPECT_EQ(sem::imod(-7, 2), -1);
  EXPECT_EQ(sem::iadd(INT64_MAX, 1), INT64_MIN);
  EXPECT_EQ(sem::imul(INT64_MIN, -1), INT64_MIN);
  EXPECT_EQ(sem::iabs(INT64_MIN), INT64_MIN);
  const auto v = run_once(
      "param zero: i64 = 0 in [0, 0]\nparam minus_one: i64 = -1 in [-1, -1]\n"
      "let m = -9223372036854775807 - 1\n"
      "tally a += f64(7 / zero)\ntally b += f64(7 % zero)\ntally c += f64(m / minus_one)\n"
      "let big = 9223372036854775807\n"
      "tally d += f64(m % minus_one)\ntally e += f64(big + 1)\ntally f += f64(abs(m))\n");
  ASSERT_EQ(v.size(), 6u);
  EXPECT_EQ(v[0], 0.0);
  EXPECT_EQ(v[1], 7.0);
  EXPECT_EQ(v[2], -9223372036854775808.0);
  EXPECT_EQ(v[3], 0.0);
  EXPECT_EQ(v[4], -9223372036854775808.0);
  EXPECT_EQ(v[5], -9223372036854775808.0);
}

TEST(VmSemantics, ShiftCountsAreMaskedAndRightShiftIsArithmetic) {
  EXPECT_EQ(sem::ishl(1, 64), 1);  // PTX clamps to 0; the VM masks to 0..63
  EXPECT_EQ(sem::ishl(1, 65), 2);
  EXPECT_EQ(sem::ishl(1, -1), INT64_MIN);
  EXPECT_EQ(sem::ishr(-8, 1), -4);
  EXPECT_EQ(sem::ishr(-1, 63), -1);
  EXPECT_EQ(sem::ishr(INT64_MIN, 64), INT64_MIN);
  EXPECT_EQ(sem::ishr(8, 67), 1);
  // Through the interpreter: a hand-written program (the language has no
  // shift operator; the bytecode does).
  Program p;
  p.registers = {Type::kI64, Type::kI64, Type::kI64, Type::kF64};
  p.i64_consts = {1, 64, -8, 1};
  p.outputs = {OutputDecl{"shl"}, OutputDecl{"shr"}};
  p.code = {Instr{Op::kIConst, 0, 0, 0, 0}, Instr{Op::kIConst, 1, 0, 0, 1}, Instr{Op::kIShl, 2, 0, 1},
            Instr{Op::kItoF, 3, 2},         Instr{Op::kTally, 3, 0, 0, 0}, Instr{Op::kIConst, 0, 0, 0, 2},
            Instr{Op::kIConst, 1, 0, 0, 3}, Instr{Op::kIShr, 2, 0, 1},     Instr{Op::kItoF, 3, 2},
            Instr{Op::kTally, 3, 0, 0, 1}};
  auto verified = verify(p);
  ASSERT_TRUE(verified.is_ok()) << verified.status().message();
  std::vector<Value> initial(4);
  for (auto& v : initial) v.i = 0;
  std::vector<OutputView> outputs = {{0, 0, 0, 0, 0}, {2, 0, 0, 0, 0}};
  const ProgramView view{p.code.data(), static_cast<uint32_t>(p.code.size()), p.f64_consts.data(), p.i64_consts.data(),
                         outputs.data(), initial.data(), 4};
  Recorder r{std::vector<double>(4, 0.0), {0}};
  std::vector<Value> frame(4);
  run_sample(view, frame.data(), compute::philox_key_for_seed(1), 0, 0, r);
  EXPECT_EQ(r.sums[0], 1.0);
  EXPECT_EQ(r.sums[2], -4.0);
}

TEST(VmSemantics, MinAndMaxOfNanAreNanAndNegativeZeroIsBelowPositive) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  EXPECT_EQ(bits_of(sem::fmin(nan, 1.0)), sem::kCanonicalNan);
  EXPECT_EQ(bits_of(sem::fmax(1.0, nan)), sem::kCanonicalNan);
  EXPECT_EQ(bits_of(sem::fmin(0.0, -0.0)), bits_of(-0.0));
  EXPECT_EQ(bits_of(sem::fmin(-0.0, 0.0)), bits_of(-0.0));
  EXPECT_EQ(bits_of(sem::fmax(-0.0, 0.0)), bits_of(0.0));
  EXPECT_EQ(bits_of(sem::fmax(0.0, -0.0)), bits_of(0.0));
  const auto v = run_once("param zero: f64 = 0 in [0, 0]\ntally a += min(zero / zero, 1)\n"
                          "tally b += min(zero, -zero)\ntally c += max(-zero, zero)\n");
  ASSERT_EQ(v.size(), 3u);
  EXPECT_EQ(bits_of(v[0]), sem::kCanonicalNan);
  EXPECT_EQ(bits_of(v[1]), bits_of(-0.0));
  EXPECT_EQ(bits_of(v[2]), bits_of(0.0));
}

}  // namespace
}  // namespace hpchain::vm
