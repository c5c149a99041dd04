# hpchain_apply_warnings(target): strict warnings for our own code only;
# generated protobuf code and third-party headers are left alone.
#
# Determinism (DESIGN.md section 6): floating-point contraction is off for
# every translation unit, and fast-math is never enabled.
add_compile_options($<$<COMPILE_LANGUAGE:CXX>:-ffp-contract=off>)

function(hpchain_apply_warnings target)
  target_compile_options(${target} PRIVATE
    $<$<COMPILE_LANGUAGE:CXX>:-Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor
      -Wcast-align -Wunused -Woverloaded-virtual -Wimplicit-fallthrough
      -Wformat=2>)
  if(HPCHAIN_WERROR)
    target_compile_options(${target} PRIVATE $<$<COMPILE_LANGUAGE:CXX>:-Werror>)
  endif()
endfunction()

# Includes are rooted at the repository (#include "chain/status.h"); which
# module may include which is the layering table's business
# (cmake/layering.txt), checked by hpchain-layering-check and at configure.
function(hpchain_root_includes target)
  target_include_directories(${target} PUBLIC $<BUILD_INTERFACE:${CMAKE_SOURCE_DIR}>)
endfunction()

# hpchain_library(name SOURCES...): one library target per module.
function(hpchain_library name)
  add_library(${name} ${ARGN})
  hpchain_apply_warnings(${name})
  hpchain_root_includes(${name})
endfunction()

# hpchain_executable(name SOURCES...)
function(hpchain_executable name)
  add_executable(${name} ${ARGN})
  hpchain_apply_warnings(${name})
  hpchain_root_includes(${name})
endfunction()
