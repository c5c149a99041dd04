# CUDA is optional (DESIGN.md section 6). When a toolkit is found (on PATH or
# at /usr/local/cuda) the GPU backend is built for sm_90 (H100/H200) with
# FMA contraction off; otherwise configure says so in one line and the rest
# of the project builds without it.
set(HPCHAIN_HAVE_CUDA OFF)
if(HPCHAIN_ENABLE_CUDA)
  if(NOT CMAKE_CUDA_COMPILER AND EXISTS /usr/local/cuda/bin/nvcc)
    set(CMAKE_CUDA_COMPILER /usr/local/cuda/bin/nvcc)
  endif()
  include(CheckLanguage)
  check_language(CUDA)
  if(CMAKE_CUDA_COMPILER)
    if(NOT DEFINED CMAKE_CUDA_ARCHITECTURES)
      set(CMAKE_CUDA_ARCHITECTURES 90)
    endif()
    enable_language(CUDA)
    find_package(CUDAToolkit REQUIRED)
    # CMake 3.25 predates nvcc's C++20 support and fails at generate time
    # ("requires the language dialect CUDA20"); teach it the flag.
    set(CMAKE_CUDA20_STANDARD_COMPILE_OPTION "-std=c++20")
    set(CMAKE_CUDA20_EXTENSION_COMPILE_OPTION "-std=c++20")
    set(CMAKE_CUDA_STANDARD 20)
    set(CMAKE_CUDA_STANDARD_REQUIRED ON)
    # -fmad=false: no fused multiply-add, so device arithmetic rounds exactly
    # like the host's. Never add --use_fast_math.
    # The host half of each .cu file goes through g++: no contraction there
    # either.
    # -ftz=false -prec-div=true -prec-sqrt=true are nvcc's defaults, spelled
    # out: subnormals kept, IEEE division and square root (DESIGN.md 6).
    add_compile_options($<$<COMPILE_LANGUAGE:CUDA>:-fmad=false> $<$<COMPILE_LANGUAGE:CUDA>:-ftz=false>
      $<$<COMPILE_LANGUAGE:CUDA>:-prec-div=true> $<$<COMPILE_LANGUAGE:CUDA>:-prec-sqrt=true>
      $<$<COMPILE_LANGUAGE:CUDA>:-Xcompiler=-ffp-contract=off>)
    set(HPCHAIN_HAVE_CUDA ON)
    message(STATUS "CUDA ${CMAKE_CUDA_COMPILER_VERSION} found: GPU backend enabled for sm_${CMAKE_CUDA_ARCHITECTURES}")
  endif()
endif()
if(NOT HPCHAIN_HAVE_CUDA)
  message(STATUS "CUDA not found: GPU backend disabled")
endif()
