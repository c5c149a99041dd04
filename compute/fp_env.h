// The floating-point environment every kernel evaluation runs in
// (DESIGN.md section 6): IEEE binary64, round to nearest even, subnormals
// kept (no flush-to-zero, no denormals-are-zero).
//
// A thread's environment is process state that anything can change: a
// caller's fesetround, or a linked library built with -ffast-math, whose
// crtfastmath start-up code turns on FTZ/DAZ for the whole process. Either
// would make an honest worker's digests differ from everyone else's. So
// every thread that evaluates kernels, computes kernel parameters or
// finalizes a result pins the environment first and refuses to work if it
// cannot (make_job, finalize and every backend do).
#pragma once

#include <cfloat>
#include <cfenv>

#include "chain/status.h"

// Intermediate results must be rounded to binary64 (no x87 extended
// precision): sums and products would otherwise depend on the compiler's
// register allocation.
static_assert(FLT_EVAL_METHOD == 0, "hpchain needs FLT_EVAL_METHOD == 0 (SSE2 or better)");

namespace hpchain::compute {

// Sets round-to-nearest and clears FTZ/DAZ for the calling thread, then
// reads them back. FailedPrecondition, naming what is wrong, when the
// environment is still not the pinned one (or this CPU architecture is
// not supported). Thread-safe: touches only the calling thread's state.
Status pin_fp_environment();

// True when the calling thread is in the pinned environment.
bool fp_environment_is_pinned();

// Pins the calling thread's environment for the object's lifetime and
// restores the previous one on destruction, so a library call leaves its
// caller's settings as they were. Check status() before computing.
class ScopedFpEnvironment {
 public:
  ScopedFpEnvironment();
  ~ScopedFpEnvironment();
  ScopedFpEnvironment(const ScopedFpEnvironment&) = delete;
  ScopedFpEnvironment& operator=(const ScopedFpEnvironment&) = delete;
  const Status& status() const { return status_; }

 private:
  std::fenv_t saved_;
  unsigned long saved_control_ = 0;  // MXCSR or FPCR
  Status status_;
};

}  // namespace hpchain::compute
