# cmake -DCOMPILER=... -DSOURCE=... -DINCLUDES=a;b -DTWIN=ON|OFF -P check-compile.cmake
#
# TWIN=OFF: SOURCE must fail to compile, with diagnostics matching the regex that its
# first line carries after "XPORT_EXPECT_ERROR:". TWIN=ON: SOURCE, compiled with
# -DXPORT_TWIN, must compile cleanly.
file(STRINGS ${SOURCE} first_line LIMIT_COUNT 1)
if(NOT first_line MATCHES "XPORT_EXPECT_ERROR: *(.+)$")
  message(FATAL_ERROR "${SOURCE}: line 1 must be '// XPORT_EXPECT_ERROR: <regex>'")
endif()
set(expected "${CMAKE_MATCH_1}")

set(args -std=c++20 -fsyntax-only -Wall -Wextra -Werror)
foreach(dir IN LISTS INCLUDES)
  list(APPEND args -isystem ${dir})
endforeach()
if(TWIN)
  list(APPEND args -DXPORT_TWIN)
endif()
execute_process(COMMAND ${COMPILER} ${args} ${SOURCE}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(TWIN)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "the twin (-DXPORT_TWIN) of ${SOURCE} must compile, but:\n${out}")
  endif()
  message(STATUS "twin compiles")
elseif(rc EQUAL 0)
  message(FATAL_ERROR "${SOURCE} compiled, but must fail with: ${expected}")
elseif(NOT out MATCHES "${expected}")
  message(FATAL_ERROR "${SOURCE} failed to compile, but not with '${expected}':\n${out}")
else()
  message(STATUS "fails as expected: ${expected}")
endif()
