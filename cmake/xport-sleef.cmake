# xport::sleef: the opt-in SLEEF backend of xport's CPU vector math
# (include/xport/kernels/cpu/vec_math.hpp).
#
# Without it the elementwise kernels run their scalar loops over std::exp and friends. A
# target that links xport::sleef gets SLEEF's library and the definition XPORT_HAS_SLEEF=1,
# which switches exp, log, log1p, sin, cos, tanh, erf, sigmoid, SiLU and GELU on contiguous
# float and double tensors to SLEEF's vector functions (1.0 ULP). xport::cpu_kernels links it
# when it is defined. Like xport::blas (visibility: xport-backend.cmake), it serves the
# build tree and the installed package, and is simply not defined when SLEEF is not
# installed (Debian: libsleef-dev).

include(${CMAKE_CURRENT_LIST_DIR}/xport-backend.cmake)

if(NOT TARGET xport::sleef)
  find_path(XPORT_SLEEF_INCLUDE_DIR sleef.h)
  find_library(XPORT_SLEEF_LIBRARY sleef)
  if(XPORT_SLEEF_INCLUDE_DIR AND XPORT_SLEEF_LIBRARY)
    xport_add_backend(sleef XPORT_HAS_SLEEF=1 "${XPORT_SLEEF_LIBRARY}" "${XPORT_SLEEF_INCLUDE_DIR}"
                      SLEEF)
  else()
    message(STATUS "xport: SLEEF not found; xport::sleef is not defined (vector math uses scalar loops)")
  endif()
endif()
