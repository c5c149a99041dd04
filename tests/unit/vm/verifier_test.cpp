// The verifier and the bytecode decoder: one rejection test per rule,
// each starting from a valid program and breaking one thing.
#include "tests/unit/vm/vm_test_util.h"

#include <algorithm>
#include <functional>

namespace hpchain::vm {
namespace {

using testing::must_compile;

// A small valid program with a parameter, a loop, every output kind and a
// result.
Program base() {
  const auto p = must_compile(R"(
param a: f64 = 1 in [0, 2]
var s = 0.0
for i in 0..2 {
  s = s + uniform() * a
}
tally t += s
count c += s > 1.0
hist h[0, 4, 4] <- s
result r = 2 * t
)");
  return p->program;
}

std::string rejection(const std::function<void(Program&)>& breakage) {
  Program p = base();
  breakage(p);
  auto verified = verify(p);
  EXPECT_FALSE(verified.is_ok()) << disassemble(p);
  return verified.is_ok() ? "" : verified.status().message();
}

size_t find_op(const Program& p, Op op) {
  for (size_t k = 0; k < p.code.size(); ++k) {
    if (p.code[k].op == op) return k;
  }
  ADD_FAILURE() << "no " << op_info(op).name;
  return 0;
}

size_t find_mean(const Program& p) {
  for (size_t k = 0; k < p.results[0].code.size(); ++k) {
    if (p.results[0].code[k].op == Op::kMean) return k;
  }
  ADD_FAILURE() << "no mean in the result";
  return 0;
}

TEST(VmVerifier, TheBaseProgramPasses) { EXPECT_TRUE(verify(base()).is_ok()); }

TEST(VmVerifier, EachRuleHasItsOwnRejection) {
  struct Case {
    const char* rule;
    std::function<void(Program&)> breakage;
  };
  const std::vector<Case> cases = {
      {"register r200 does not exist", [](Program& p) { p.code[find_op(p, Op::kTally)].a = 200; }},
      {"has the wrong type", [](Program& p) { p.code[find_op(p, Op::kCount)].a = p.code[find_op(p, Op::kTally)].a; }},
      {"f64 constant #99 does not exist", [](Program& p) { p.code[find_op(p, Op::kFConst)].imm = 99; }},
      {"output #9 does not exist", [](Program& p) { p.code[find_op(p, Op::kTally)].imm = 9; }},
      {"names output 'c' of another kind", [](Program& p) { p.code[find_op(p, Op::kTally)].imm = 1; }},
      {"writes parameter register r0", [](Program& p) { p.code[find_op(p, Op::kUniform)].a = 0; }},
      {"must be 0 (unused)", [](Program& p) { p.code[find_op(p, Op::kUniform)].b = 1; }},
      {"loop count must be 1 to", [](Program& p) { p.code[find_op(p, Op::kLoop)].imm = 0; }},
      {"a loop is not closed", [](Program& p) { p.code.erase(p.code.begin() + static_cast<long>(find_op(p, Op::kEndLoop))); }},
      {"endloop without a loop", [](Program& p) { p.code.push_back(Instr{Op::kEndLoop}); }},
      {"empty loop body", [](Program& p) {
         p.code.insert(p.code.begin(), {Instr{Op::kLoop, p.code[find_op(p, Op::kLoop)].a, 0, 0, 2}, Instr{Op::kEndLoop}});
       }},
      {"loops nested deeper than 4", [](Program& p) {
         const Instr loop{Op::kLoop, p.code[find_op(p, Op::kLoop)].a, 0, 0, 2};
         const Instr body = p.code[find_op(p, Op::kUniform)];
         p.code.insert(p.code.begin(), {loop, loop, loop, loop, loop, body, Instr{Op::kEndLoop}, Instr{Op::kEndLoop},
                                        Instr{Op::kEndLoop}, Instr{Op::kEndLoop}, Instr{Op::kEndLoop}});
       }},
      {"one sample costs more than", [](Program& p) {
         const Instr loop{Op::kLoop, p.code[find_op(p, Op::kLoop)].a, 0, 0, 1u << 20};
         const Instr body = p.code[find_op(p, Op::kUniform)];
         p.code.insert(p.code.begin(), {loop, body, Instr{Op::kEndLoop}});
       }},
      {"uniform is not allowed in result code", [](Program& p) { p.results[0].code.insert(p.results[0].code.begin(), p.code[find_op(p, Op::kUniform)]); }},
      {"mean is only allowed in result code", [](Program& p) { p.code.push_back(p.results[0].code[find_mean(p)]); }},
      {"mean of histogram 'h'", [](Program& p) { p.results[0].code[find_mean(p)].imm = 2; }},
      {"is not an f64 register", [](Program& p) { p.results[0].reg = p.code[find_op(p, Op::kLoop)].a; }},
      {"the name 'c' is used twice", [](Program& p) { p.outputs[0].name = "c"; }},
      {"the name 'h_err' is used twice", [](Program& p) { p.results[0].name = "h_err"; }},
      {"has no finite range", [](Program& p) { p.params[0].min = 5; }},
      {"has a default outside its range", [](Program& p) { p.params[0].default_value = 3; }},
      {"a histogram needs finite edges lo < hi", [](Program& p) { p.outputs[2].hi = p.outputs[2].lo; }},
      {"a histogram has 1 to 1000 bins", [](Program& p) { p.outputs[2].bins = 0; }},
      {"edges on a non-histogram", [](Program& p) { p.outputs[0].bins = 3; }},
      {"does not have parameter 'a''s type", [](Program& p) { p.registers[0] = Type::kI64; }},
      {"fewer registers than parameters", [](Program& p) { p.registers.clear(); }},
      {"the sample code is empty", [](Program& p) { p.code.clear(); }},
  };
  for (const Case& c : cases) {
    const std::string error = rejection(c.breakage);
    EXPECT_NE(error.find(c.rule), std::string::npos) << "want: " << c.rule << "\ngot:  " << error;
    EXPECT_EQ(error.rfind("program rejected: ", 0), 0u) << error;
  }
}

TEST(VmVerifier, GasIsCountedStaticallyWithLoopMultiplicity) {
  const auto one = must_compile("tally t += uniform()\n");
  const auto ten = must_compile("for i in 0..10 {\n  tally t += uniform()\n}\n");
  ASSERT_TRUE(one && ten);
  // uniform (20) + tally (10) + endloop (1) per iteration, and the loop (1).
  EXPECT_EQ(one->sample_gas, 30u);
  EXPECT_EQ(ten->sample_gas, 10u * 31u + 1u);
  EXPECT_EQ(ten->sample_draws, 10u);
  EXPECT_EQ(job_gas(*ten, 1000), 311000u);
  EXPECT_EQ(job_gas(*ten, UINT64_MAX), UINT64_MAX);
}

TEST(VmDecoder, RefusesEverythingButTheCanonicalBytes) {
  const Program p = base();
  const Bytes good = encode(p);
  ASSERT_TRUE(decode(good).is_ok());
  auto refused = [](Bytes b, const std::string& why) {
    auto d = decode(b);
    ASSERT_FALSE(d.is_ok()) << why;
    EXPECT_NE(d.status().message().find(why), std::string::npos) << d.status().message();
  };
  refused(Bytes(good.begin(), good.end() - 1), "truncated");
  Bytes trailing = good;
  trailing.push_back(0);
  refused(trailing, "trailing bytes");
  Bytes magic = good;
  magic[0] = 'X';
  refused(magic, "not HKB1");
  Bytes version = good;
  version[5] = 2;
  refused(version, "bytecode version 2");
  refused(Bytes(kMaxProgramBytes + 1, 0), "above");
  // A NaN constant other than the canonical one: a marker constant's bytes
  // replaced by a payload NaN's.
  auto find = [](const Bytes& bytes, std::initializer_list<uint8_t> pattern) {
    const auto it = std::search(bytes.begin(), bytes.end(), pattern.begin(), pattern.end());
    EXPECT_NE(it, bytes.end());
    return static_cast<size_t>(it - bytes.begin());
  };
  Program marked = p;
  marked.f64_consts.push_back(-1.0);  // bits BF F0 00 00 00 00 00 00
  Bytes nan = encode(marked);
  const size_t value_at = find(nan, {0xBF, 0xF0, 0, 0, 0, 0, 0, 0});
  const uint8_t payload_nan[8] = {0x7F, 0xF8, 0, 0, 0, 0, 0, 1};
  std::copy(payload_nan, payload_nan + 8, nan.begin() + static_cast<long>(value_at));
  refused(nan, "a NaN other than the canonical one");
  // An unknown opcode: the instruction with a marker immediate.
  Program op_marked = p;
  op_marked.code[0].imm = 0xABCDEF01u;
  Bytes op = encode(op_marked);
  op[find(op, {0xAB, 0xCD, 0xEF, 0x01}) - 4] = 250;
  refused(op, "unknown opcode 250");
}

}  // namespace
}  // namespace hpchain::vm
