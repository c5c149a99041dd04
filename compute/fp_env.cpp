#include "compute/fp_env.h"

#include <string>

#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>
#endif

namespace hpchain::compute {
namespace {

#if defined(__x86_64__) || defined(__i386__)
// MXCSR: flush-to-zero (bit 15), denormals-are-zero (bit 6), rounding
// control (bits 13-14, 00 = nearest).
constexpr unsigned long kFlushBits = 0x8000 | 0x0040;
constexpr unsigned long kRoundingBits = 0x6000;
unsigned long read_control() { return _mm_getcsr(); }
void write_control(unsigned long v) { _mm_setcsr(static_cast<unsigned>(v)); }
constexpr bool kSupported = true;
#elif defined(__aarch64__)
// FPCR: flush-to-zero (bit 24), FZ16 (bit 19), rounding mode (bits 22-23).
constexpr unsigned long kFlushBits = (1ul << 24) | (1ul << 19);
constexpr unsigned long kRoundingBits = 3ul << 22;
unsigned long read_control() { return __builtin_aarch64_get_fpcr(); }
void write_control(unsigned long v) { __builtin_aarch64_set_fpcr(static_cast<unsigned>(v)); }
constexpr bool kSupported = true;
#else
constexpr unsigned long kFlushBits = 0;
constexpr unsigned long kRoundingBits = 0;
unsigned long read_control() { return 0; }
void write_control(unsigned long) {}
constexpr bool kSupported = false;
#endif

}  // namespace

bool fp_environment_is_pinned() {
  return kSupported && std::fegetround() == FE_TONEAREST &&
         (read_control() & (kFlushBits | kRoundingBits)) == 0;
}

Status pin_fp_environment() {
  if (!kSupported) {
    return Status::failed_precondition(
        "floating-point environment: this CPU architecture is not supported (x86-64 or aarch64)");
  }
  std::fesetround(FE_TONEAREST);
  write_control(read_control() & ~(kFlushBits | kRoundingBits));
  if (std::fegetround() != FE_TONEAREST) {
    return Status::failed_precondition("floating-point environment: cannot set round-to-nearest");
  }
  if ((read_control() & kFlushBits) != 0) {
    return Status::failed_precondition(
        "floating-point environment: cannot turn off flush-to-zero / denormals-are-zero");
  }
  return Status::ok();
}

ScopedFpEnvironment::ScopedFpEnvironment() {
  std::fegetenv(&saved_);
  saved_control_ = read_control();
  status_ = pin_fp_environment();
}

ScopedFpEnvironment::~ScopedFpEnvironment() {
  std::fesetenv(&saved_);
  write_control(saved_control_);
}

}  // namespace hpchain::compute
