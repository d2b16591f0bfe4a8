# xport::blas: the opt-in OpenBLAS backend of xport's CPU GEMM (include/xport/kernels/cpu/gemm.hpp).
#
# xport::xport itself needs no BLAS: gemm then runs a portable loop. A target that links
# xport::blas gets OpenBLAS's include directory and library and the definition
# XPORT_HAS_CBLAS=1, which switches gemm to cblas_sgemm/dgemm (and gemv). Nothing is
# added to targets that do not ask for it.
#
# This file serves both the build tree (included by the top-level CMakeLists.txt) and
# the installed package (included by xport-config.cmake), so a consumer gets the same
# target either way; without OpenBLAS on the system xport::blas is simply not defined.
# OpenBLAS is looked for on the consumer's machine, not recorded from xport's build.
#
# The target's visibility is explained in xport-backend.cmake. No include_guard: each
# directory that calls find_package(xport) gets it, and the TARGET test below avoids
# defining it twice.

include(${CMAKE_CURRENT_LIST_DIR}/xport-backend.cmake)

if(NOT TARGET xport::blas)
  # Debian's libopenblas-dev ships a config file with the pthread variant's paths; other
  # systems are served by CMake's FindBLAS plus a search for cblas.h.
  find_package(OpenBLAS CONFIG QUIET)
  if(OpenBLAS_FOUND AND OpenBLAS_LIBRARIES)
    set(xport_blas_libraries ${OpenBLAS_LIBRARIES})
    set(xport_blas_include_dirs ${OpenBLAS_INCLUDE_DIRS})
  else()
    set(BLA_VENDOR OpenBLAS)
    find_package(BLAS QUIET)
    unset(BLA_VENDOR)
    find_path(XPORT_CBLAS_INCLUDE_DIR cblas.h PATH_SUFFIXES openblas openblas-pthread)
    if(BLAS_FOUND AND XPORT_CBLAS_INCLUDE_DIR)
      set(xport_blas_libraries ${BLAS_LIBRARIES})
      set(xport_blas_include_dirs ${XPORT_CBLAS_INCLUDE_DIR})
    endif()
  endif()

  if(xport_blas_libraries)
    xport_add_backend(blas XPORT_HAS_CBLAS=1 "${xport_blas_libraries}" "${xport_blas_include_dirs}"
                      OpenBLAS)
  else()
    message(STATUS "xport: OpenBLAS not found; xport::blas is not defined (gemm uses its portable loop)")
  endif()
  unset(xport_blas_libraries)
  unset(xport_blas_include_dirs)
endif()
if(TARGET xport::blas)
  set(XPORT_HAS_BLAS ON)
else()
  set(XPORT_HAS_BLAS OFF)
endif()

# For xport's own build, after tests/ and benchmarks/ are added: the GEMM test runs once
# more against OpenBLAS (CTest "kernels/cpu/gemm.blas"; the auto-discovered
# "kernels/cpu/gemm" covers the portable loop), and the GEMM benchmark compares OpenBLAS,
# xport's gemm on both backends and, when Eigen 3 is installed, Eigen.
function(xport_blas_dev_targets)
  if(NOT XPORT_HAS_BLAS)
    return()
  endif()
  set(gemm_test ${PROJECT_SOURCE_DIR}/tests/kernels/cpu/gemm.cpp)
  if(XPORT_BUILD_TESTS AND TARGET xport_test_main AND EXISTS ${gemm_test})
    add_executable(test_kernels_cpu_gemm_blas ${gemm_test})
    target_link_libraries(test_kernels_cpu_gemm_blas PRIVATE xport_test_main xport::blas)
    set_target_properties(test_kernels_cpu_gemm_blas PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/tests)
    add_test(NAME kernels/cpu/gemm.blas COMMAND test_kernels_cpu_gemm_blas)
  endif()
  if(XPORT_BUILD_BENCHMARKS AND TARGET bench_cpu_gemm)
    target_link_libraries(bench_cpu_gemm PRIVATE xport::blas)
    find_package(Eigen3 3.3 QUIET NO_MODULE)
    if(TARGET Eigen3::Eigen)
      target_link_libraries(bench_cpu_gemm PRIVATE Eigen3::Eigen)
      # EIGEN_NO_DEBUG: Eigen's assertions off even in a Debug tree, as in a release build.
      target_compile_definitions(bench_cpu_gemm PRIVATE XPORT_BENCH_EIGEN=1 EIGEN_NO_DEBUG)
    endif()
  endif()
endfunction()
