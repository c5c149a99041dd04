// HPC_HD marks functions compiled for both host and device. Kernel bodies
// and the math library are written once with it, so the CPU and CUDA
// backends run the same source (DESIGN.md section 6).
#pragma once

#if defined(__CUDACC__)
#define HPC_HD __host__ __device__
#else
#define HPC_HD
#endif
