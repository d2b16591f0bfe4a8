# xport::cpu_kernels: every CPU kernel of xport, compiled once in the consumer's build tree.
#
#   target_link_libraries(app PRIVATE xport::cpu_kernels)   # instead of including
#                                                           # <xport/kernels/cpu/all.hpp>
#
# A program that runs ops eagerly needs the kernels compiled and registered once; without
# CMake that is one translation unit including <xport/kernels/cpu/all.hpp>. This target is
# those translation units, one per group of op families (cmake/cpu_kernels/*.cpp,
# installed in ${CMAKE_INSTALL_DATADIR}/xport/cpu_kernels/), built as a static library in
# the build tree that uses it, with the consumer's compiler and build type; it is built only when
# something links it (EXCLUDE_FROM_ALL), and links xport::blas when that is defined, so its
# GEMM runs on OpenBLAS (the consumer's own translation units keep their backend: see
# docs/gemm.md).
#
# The kernels register themselves during static initialization and nothing refers to the
# object that holds them, so a plain static library would be dropped by the linker (ops then
# throw "no CPU kernel registered for op ..."). xport::cpu_kernels therefore links the
# archive with $<LINK_LIBRARY:WHOLE_ARCHIVE,...> (CMake 3.24): the executable or shared
# library that finally links it keeps all of it, also when it reaches the link only through
# another static library.
#
# Included by the top-level CMakeLists.txt (XPORT_CPU_KERNELS_SOURCE: the source tree's
# files) and by the installed xport-config.cmake (the installed copies), after
# xport-blas.cmake and xport-sleef.cmake.

# vec_avx2.cpp and vec_avx512.cpp compile the vector kernels (and nothing else, see
# vec_rows.hpp) for those units; vec_dispatch.cpp, built for the baseline, publishes the
# widest one the CPU has at startup. Set before anything returns: the dev build's object
# library (xport-dev.cmake) compiles the same files. -ffp-contract=off: no multiply-add is
# fused where the baseline's loops have none, so every unit rounds alike.
if(CMAKE_SYSTEM_PROCESSOR MATCHES "^(x86_64|AMD64|amd64)$"
   AND CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
  foreach(source IN LISTS XPORT_CPU_KERNELS_SOURCE)
    if(source MATCHES "vec_avx2\\.cpp$")
      set_source_files_properties(${source} PROPERTIES
        COMPILE_OPTIONS "-mavx2;-mfma;-ffp-contract=off")
    elseif(source MATCHES "vec_avx512\\.cpp$")
      set_source_files_properties(${source} PROPERTIES
        COMPILE_OPTIONS "-mavx512f;-mavx512dq;-mavx512vl;-mavx512bw;-mavx2;-mfma;-ffp-contract=off")
    endif()
  endforeach()
endif()

if(TARGET xport::cpu_kernels)
  return()
endif()
if(CMAKE_VERSION VERSION_LESS 3.24)
  message(STATUS "xport: xport::cpu_kernels needs CMake 3.24 ($<LINK_LIBRARY:WHOLE_ARCHIVE>); "
                 "include <xport/kernels/cpu/all.hpp> in one translation unit instead")
  return()
endif()
get_property(xport_enabled_languages GLOBAL PROPERTY ENABLED_LANGUAGES)
if(NOT "CXX" IN_LIST xport_enabled_languages)
  message(STATUS "xport: C++ is not enabled in this project; xport::cpu_kernels is not defined")
  return()
endif()

# Real (non-imported) targets: visible from every directory of the consumer, defined once.
add_library(xport_cpu_kernels_archive STATIC EXCLUDE_FROM_ALL ${XPORT_CPU_KERNELS_SOURCE})
set_target_properties(xport_cpu_kernels_archive PROPERTIES
  OUTPUT_NAME xport_cpu_kernels
  POSITION_INDEPENDENT_CODE ON) # may end up in a consumer's shared library
target_link_libraries(xport_cpu_kernels_archive PUBLIC xport::xport)
if(TARGET xport::blas)
  # PRIVATE: XPORT_HAS_CBLAS and cblas.h for the kernels only; the consumer's link gets
  # OpenBLAS through the archive's link dependencies.
  target_link_libraries(xport_cpu_kernels_archive PRIVATE xport::blas)
endif()
if(TARGET xport::sleef)
  # Likewise: the kernels' vector math runs on SLEEF (XPORT_HAS_SLEEF, vec_math.hpp).
  target_link_libraries(xport_cpu_kernels_archive PRIVATE xport::sleef)
endif()

add_library(xport_cpu_kernels_whole INTERFACE)
target_link_libraries(xport_cpu_kernels_whole INTERFACE
  xport::xport "$<LINK_LIBRARY:WHOLE_ARCHIVE,xport_cpu_kernels_archive>")
add_library(xport::cpu_kernels ALIAS xport_cpu_kernels_whole)
