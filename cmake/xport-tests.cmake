# Helpers that turn files under tests/ into CTest tests. See tests/CMakeLists.txt.

# How many test files of a layer share a translation unit: 6 keeps a rebuild after an edit
# short; 0 puts each layer in one (fewest CPU seconds in all, most memory: CI's optimized
# build uses it).
set(XPORT_UNITY_BATCH_SIZE 6 CACHE STRING "Test files per unity translation unit (0: a layer in one)")

# "core/tensor.cpp" -> target "test_core_tensor", CTest name "core/tensor".
function(xport_test_names file out_target out_name)
  string(REGEX REPLACE "\\.(fail\\.cpp|cpp|cu)$" "" name ${file})
  string(REGEX REPLACE "[/.]" "_" target "test_${name}")
  set(${out_target} ${target} PARENT_SCOPE)
  set(${out_name} ${name} PARENT_SCOPE)
endfunction()

# The doctest files of one layer ("api/linalg.cpp", ...) as one executable "test_<layer>"
# built in unity batches; each file stays its own CTest test ("api/linalg"), which runs
# only that file's test cases (doctest's --source-file filter).
function(xport_add_unit_tests layer)
  set(target test_${layer})
  add_executable(${target} ${ARGN})
  target_link_libraries(${target} PRIVATE xport_test_main xport_cpu_kernels)
  # The op-heavy layers compile in unity batches: their headers (and the ops, tracer and
  # serializers they instantiate) are compiled once per batch instead of once per file,
  # which matters most in optimized builds, where every translation unit compiles its own
  # copy of each inline function it uses (the serde tests at -O2: 186 s of CPU as one
  # batch, 434 s as four files). core, sym and kernels are cheap and keep one file each.
  if(layer MATCHES "^(api|ops|nn|export|trace|serde|decomp|opinfo)$")
    set_target_properties(${target} PROPERTIES UNITY_BUILD ON
                                               UNITY_BUILD_BATCH_SIZE ${XPORT_UNITY_BATCH_SIZE})
  endif()
  # Op tests run GEMM-backed kernels on OpenBLAS when it is installed (the portable GEMM
  # loop has its own test, kernels/cpu/gemm).
  if(TARGET xport::blas AND layer MATCHES "^(api|ops|nn|export|opinfo|runtime)$")
    target_link_libraries(${target} PRIVATE xport::blas)
  endif()
  # The kernel tests compile the vector math they test (kernels/cpu/vec_math.cpp) on SLEEF.
  if(TARGET xport::sleef AND layer STREQUAL "kernels")
    target_link_libraries(${target} PRIVATE xport::sleef)
  endif()
  foreach(file IN LISTS ARGN)
    xport_test_names(${file} unused name)
    add_test(NAME ${name} COMMAND ${target} --source-file=*/tests/${file})
  endforeach()
endfunction()

# CUDA tests bring their own main: it exits 77 when no GPU is visible, which CTest
# reports as skipped.
function(xport_add_cuda_test file)
  xport_test_names(${file} target name)
  add_executable(${target} ${file})
  target_link_libraries(${target} PRIVATE xport_dev_flags CUDA::cudart)
  target_compile_options(${target} PRIVATE
    $<$<COMPILE_LANGUAGE:CUDA>:-std=c++20 --expt-relaxed-constexpr -Werror=all-warnings -Xcompiler=-Wall,-Wextra>)
  # The GCC 12 false positives that xport-dev.cmake silences for C++ (moving a Boost
  # small_vector out of its inline buffer reads as past it; GCC bug 105329), seen through
  # nvcc's host pass when optimized, plus -Warray-bounds for the same move.
  target_compile_options(${target} PRIVATE
    $<$<AND:$<COMPILE_LANGUAGE:CUDA>,$<NOT:$<CONFIG:Debug>>>:-Xcompiler=-Wno-array-bounds,-Wno-stringop-overread,-Wno-restrict>)
  add_test(NAME ${name} COMMAND ${target})
  set_tests_properties(${name} PROPERTIES SKIP_RETURN_CODE 77)
endfunction()

# A compile-fail test and its twin: the file must fail to compile with an error matching
# the regex on its first line ("// XPORT_EXPECT_ERROR: <regex>"), and must compile when
# XPORT_TWIN is defined.
function(xport_add_fail_test file)
  xport_test_names(${file} target name)
  get_target_property(boost_dirs Boost::headers INTERFACE_INCLUDE_DIRECTORIES)
  set(common
    -DCOMPILER=${CMAKE_CXX_COMPILER}
    -DSOURCE=${CMAKE_CURRENT_SOURCE_DIR}/${file}
    "-DINCLUDES=${PROJECT_SOURCE_DIR}/include;${boost_dirs}")
  add_test(NAME ${name} COMMAND ${CMAKE_COMMAND} ${common} -DTWIN=OFF
                                -P ${PROJECT_SOURCE_DIR}/cmake/check-compile.cmake)
  add_test(NAME ${name}.twin COMMAND ${CMAKE_COMMAND} ${common} -DTWIN=ON
                                     -P ${PROJECT_SOURCE_DIR}/cmake/check-compile.cmake)
endfunction()

# Every public header compiles on its own: one generated translation unit per header.
function(xport_add_header_tests)
  file(GLOB_RECURSE headers CONFIGURE_DEPENDS RELATIVE ${PROJECT_SOURCE_DIR}/include
       ${PROJECT_SOURCE_DIR}/include/xport/*.hpp)
  set(sources)
  foreach(header IN LISTS headers)
    if(header MATCHES "/detail/" OR (header MATCHES "cuda" AND NOT XPORT_HAS_CUDA))
      continue()
    endif()
    # The per-family CPU kernel headers are included through kernels/cpu/all.hpp, which
    # is checked; compiling each alone again would double the kernels' build time.
    if(header MATCHES "^xport/kernels/cpu/" AND NOT header MATCHES "/(all|gemm|loops)\\.hpp$")
      continue()
    endif()
    string(REGEX REPLACE "[/.]" "_" stem ${header})
    set(source ${CMAKE_CURRENT_BINARY_DIR}/headers/${stem}.cpp)
    set(text "#include <${header}>\n")
    if(EXISTS ${source})
      file(READ ${source} old)
    endif()
    if(NOT old STREQUAL text)
      file(WRITE ${source} ${text})
    endif()
    list(APPEND sources ${source})
  endforeach()
  add_library(xport_header_tests OBJECT ${sources})
  target_link_libraries(xport_header_tests PRIVATE xport_dev_flags)
  target_compile_options(xport_header_tests PRIVATE -g0) # compiling is the test
  if(XPORT_HAS_CUDA)
    target_link_libraries(xport_header_tests PRIVATE CUDA::cudart)
  endif()
endfunction()
