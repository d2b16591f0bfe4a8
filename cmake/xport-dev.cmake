# Settings for xport's own tests, examples and benchmarks (never for consumers).

# Warnings are errors here, and only here: the xport target itself forces no flags.
add_library(xport_dev_flags INTERFACE)
target_compile_options(xport_dev_flags INTERFACE
  $<$<COMPILE_LANGUAGE:CXX>:-Wall -Wextra -Wpedantic -Wconversion -Wshadow -Werror>)
# GCC 12 at -O2 flags moving a Boost small_vector out of its inline buffer as reading past
# it (-Wstringop-overread, a known false positive of the inliner); optimized builds would
# not compile with it.
target_compile_options(xport_dev_flags INTERFACE
  $<$<AND:$<COMPILE_LANGUAGE:CXX>,$<CXX_COMPILER_ID:GNU>>:-Wno-stringop-overread>)
# GCC 12 at -O2/-O3 reports `"literal" + std::string` (libstdc++'s operator+(const char*,
# string&&), inlined into basic_string::insert) as a memcpy of 2^63 bytes that may overlap
# (-Wrestrict): GCC bug 105329. The pattern is everywhere in messages (about 300 sites
# in the headers, more in the tests), so xport's own programs turn the warning off for GCC
# (consumers' flags are theirs). Rewriting one site would not make optimized builds pass.
target_compile_options(xport_dev_flags INTERFACE
  $<$<AND:$<COMPILE_LANGUAGE:CXX>,$<CXX_COMPILER_ID:GNU>>:-Wno-restrict>)
# Sanitizer reports need file, line and function names, not variables' locations: -g1
# keeps line tables only, which makes the objects of the template-heavy tests several
# times smaller (with full -g the build outgrew the free disk of a CI machine).
if(XPORT_SANITIZE)
  target_compile_options(xport_dev_flags INTERFACE
    $<$<COMPILE_LANGUAGE:CXX>:-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -g1>)
  target_link_options(xport_dev_flags INTERFACE -fsanitize=address,undefined)
endif()
target_link_libraries(xport_dev_flags INTERFACE xport::xport)

find_program(CCACHE_PROGRAM ccache)
if(CCACHE_PROGRAM AND NOT CMAKE_CXX_COMPILER_LAUNCHER)
  set(CMAKE_CXX_COMPILER_LAUNCHER ${CCACHE_PROGRAM})
  set(CMAKE_CUDA_COMPILER_LAUNCHER ${CCACHE_PROGRAM})
endif()

# Every CPU kernel of xport, compiled once and linked into each test, example and
# benchmark: the translation units of xport::cpu_kernels (cmake/cpu_kernels/, a group of op
# families each), as objects, so nothing of them can be dropped by the linker.
# OpenBLAS (when installed) backs its GEMM; LINK_ONLY keeps XPORT_HAS_CBLAS out of the
# programs' own translation units, so the portable-GEMM test stays portable.
add_library(xport_cpu_kernels OBJECT ${XPORT_CPU_KERNELS_SOURCE})
target_link_libraries(xport_cpu_kernels PUBLIC xport_dev_flags)
# SLEEF (when installed) backs its vector math (vec_math.hpp), likewise for it alone.
foreach(backend IN ITEMS blas sleef)
  if(TARGET xport::${backend})
    get_target_property(definition xport::${backend} INTERFACE_COMPILE_DEFINITIONS)
    target_compile_definitions(xport_cpu_kernels PRIVATE ${definition})
    # SYSTEM: the libraries' headers are not held to xport's warnings (clang: OpenBLAS's C99
    # _Complex).
    target_include_directories(xport_cpu_kernels SYSTEM PRIVATE
      $<TARGET_PROPERTY:xport::${backend},INTERFACE_INCLUDE_DIRECTORIES>)
    target_link_libraries(xport_cpu_kernels PUBLIC $<LINK_ONLY:xport::${backend}>)
  endif()
endforeach()
