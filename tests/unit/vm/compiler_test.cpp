// The compiler: every shipped example compiles and verifies; broken
// sources are refused with LINE:COLUMN and a message that says what to do.
#include "tests/unit/vm/vm_test_util.h"

#include "vm/parser.h"

namespace hpchain::vm {
namespace {

using testing::compile_error;
using testing::example_source;
using testing::must_compile;

TEST(VmCompiler, EveryShippedExampleCompilesAndVerifies) {
  for (const char* name : {"pi.hk", "eemumu.hk", "european_option.hk", "integral5d.hk", "eezh.hk"}) {
    const std::string source = example_source(name);
    ASSERT_FALSE(source.empty()) << name;
    const auto program = must_compile(source);
    ASSERT_NE(program, nullptr) << name;
    EXPECT_GT(program->sample_gas, 0u) << name;
    // The canonical bytes decode to the same program, and load again.
    const Bytes bytes = encode(program->program);
    auto loaded = load_program(bytes);
    ASSERT_TRUE(loaded.is_ok()) << name << ": " << loaded.status().message();
    EXPECT_EQ(loaded->program, program->program);
    EXPECT_EQ(loaded->id, program->id);
  }
}

TEST(VmCompiler, TheLanguageLowersAsDocumented) {
  const auto p = must_compile(R"(
param n: i64 = 3 in [1, 10]
param scale: f64 = 2 in [0, 100]
var total = 0.0
for i in 1..4 {
  let u = uniform()
  total = total + u * f64(i)
}
let k = i64(total * 10.0) % n
count odd += k % 2 == 1 && total > 0.5 || !(k < 0)
tally t += if total > 1 { scale * total } else { -total }
hist h[0, 3, 6] <- total weight 0.5
result twice = 2 * t + pi
)");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->program.params.size(), 2u);
  ASSERT_EQ(p->program.outputs.size(), 3u);
  EXPECT_EQ(p->program.outputs[2].bins, 6u);
  EXPECT_EQ(p->sample_draws, 3u);  // one uniform in a loop of three
  EXPECT_EQ(p->shape.sums, 2u + 2u * 8u);
  EXPECT_EQ(p->shape.counts, 2u);
  ASSERT_EQ(p->program.results.size(), 1u);
  // Integer literals become f64 beside an f64; nothing else converts.
  EXPECT_NE(compile_error("let x = 1\ntally t += x * 2.5\n").find("mixes f64 and i64"), std::string::npos);
}

TEST(VmCompiler, ErrorsNameTheLineAndColumnAndWhatToDo) {
  struct Case {
    const char* source;
    const char* error;
  };
  const Case cases[] = {
      {"let x = uniform()\ntally t += sqrt(y)\n", "2:17: unknown name 'y'"},
      {"let value = 1.0\ntally t += valeu\n", "2:12: unknown name 'valeu' (did you mean 'value'?)"},
      {"tally t += sqr(2.0)\n", "1:12: unknown function 'sqr' (did you mean 'sqrt'?)"},
      {"tally t += uniform(\n", "2:1: expected an expression, found the end of the file"},
      {"let x = 1.0\nparam a: f64 in [0, 1]\ntally t += x\n", "2:1: parameters come first"},
      {"param a: f32 in [0, 1]\n", "1:10: a parameter is f64 or i64, not 'f32'"},
      {"param a: f64 = 5 in [0, 1]\ntally t += a\n", "1:1: the default of 'a' is outside its range"},
      {"let x = 1.0\nlet x = 2.0\ntally t += x\n", "2:1: 'x' is already defined at 1:1"},
      {"let x = 1.0\nx = 2.0\ntally t += x\n", "2:1: 'x' cannot change: only names declared with 'var'"},
      {"tally t += if uniform() < 0.5 { 1.0 }\n", "2:1: an if expression needs an else branch"},
      {"tally t += if 1 { 1.0 } else { 0.0 }\n", "1:15: an if condition is a bool, not i64"},
      {"tally t += 1 < 2 < 3\n", "comparisons do not chain"},
      {"count c += 1.0\n", "1:12: a count (it counts the samples where it is true) needs bool, this is f64"},
      {"tally t += 5 % 2.0\n", "'%' takes i64 operands"},
      // Found by hpchain_fuzz_vm_source: a remainder of literals is i64, not a literal.
      {"tally t += (3 % 2) * uniform()\n", "1:20: '*' mixes f64 and i64"},
      {"for i in 0..3 {\n  tally t += 1.0\n", "the loop opened at 1:1 is not closed with '}'"},
      {"for i in 3..3 {\n  tally t += 1.0\n}\n", "1:1: a loop runs 1 to 1048576 times"},
      // Found by hpchain_fuzz_vm_source: the range check must come before the cast.
      {"for i in 0..1e30 {\n  tally t += 1.0\n}\n", "1:13: the loop end must be an integer"},
      {"for i in 0..2.5 {\n  tally t += 1.0\n}\n", "1:13: the loop end must be an integer"},
      {"let x = uniform()\ntally t += x\nresult r = x\n", "3:12: 'x' is a per-sample value: results see parameters and outputs only"},
      {"tally t += 1.0\ntally u += t\n", "2:12: 't' is an output: its mean is known in 'result' lines only"},
      {"tally t += 1.0\nresult r = uniform()\n", "'uniform()' draws a random number: results cannot draw"},
      {"hist h[0, 1, 10] <- uniform()\nresult r = err(h)\n", "'err' of a histogram"},
      {"hist h[1, 0, 10] <- uniform()\n", "1:1: a histogram needs lo < hi"},
      {"tally t += 1.0\nhist t[0, 1, 2] <- 0.5\n", "2:1: 't' is already an output of another kind"},
      // Found by hpchain_fuzz_vm_source: derived field names collide too.
      {"hist h[0, 1, 2] <- 0.5\ntally h_over += 1.0\n",
       "2:1: 'h_over' would give the result a second field 'h_over' (the first is from 'h' at 1:1): rename one"},
      {"tally t_err += 1.0\ntally t += 1.0\n", "2:1: 't' would give the result a second field 't_err'"},
      {"tally t += 1.0\nresult t_err = 2 * t\n", "2:1: 't_err' would give the result a second field 't_err'"},
      {"let x = 1.0 $ 2.0\n", "1:13: unexpected character '$'"},
      {"let x = 1.0\n", "the kernel has no output"},
      {"let for = 1.0\ntally t += 1.0\n", "1:1: 'for' is a keyword and cannot name a value"},
      {"let param2 = sqrt(2)\nlet y = sqrt(i64(param2))\ntally t += y\n", "2:14: 'sqrt' takes f64 here, this is i64"},
  };
  for (const Case& c : cases) {
    const std::string error = compile_error(c.source);
    EXPECT_NE(error.find(c.error), std::string::npos) << "source:\n" << c.source << "got: " << error << "\nwant: " << c.error;
  }
}

TEST(VmCompiler, HostileSourcesAreRefusedWithoutExhaustingTheStack) {
  std::string deep = "tally t += ";
  for (int k = 0; k < 100000; ++k) deep += "(";
  EXPECT_NE(compile_error(deep).find("nested deeper than"), std::string::npos);
  std::string minus = "tally t += ";
  for (int k = 0; k < 100000; ++k) minus += "-";
  EXPECT_NE(compile_error(minus + "1.0").find("nested deeper than"), std::string::npos);
  EXPECT_NE(compile_error(std::string(kMaxSourceBytes + 1, ' ')).find("above"), std::string::npos);
  // More live values than registers: an error, not a crash.
  std::string wide;
  for (int k = 0; k < 300; ++k) wide += "let v" + std::to_string(k) + " = uniform()\n";
  wide += "tally t += v0\n";
  EXPECT_NE(compile_error(wide).find("more than 256 registers"), std::string::npos);
}

}  // namespace
}  // namespace hpchain::vm
