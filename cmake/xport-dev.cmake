# Settings for xport's own tests, examples and benchmarks (never for consumers).

# Warnings are errors here, and only here: the xport target itself forces no flags.
add_library(xport_dev_flags INTERFACE)
target_compile_options(xport_dev_flags INTERFACE
  $<$<COMPILE_LANGUAGE:CXX>:-Wall -Wextra -Wpedantic -Wconversion -Wshadow -Werror>)
if(XPORT_SANITIZE)
  target_compile_options(xport_dev_flags INTERFACE
    $<$<COMPILE_LANGUAGE:CXX>:-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer>)
  target_link_options(xport_dev_flags INTERFACE -fsanitize=address,undefined)
endif()
target_link_libraries(xport_dev_flags INTERFACE xport::xport)

find_program(CCACHE_PROGRAM ccache)
if(CCACHE_PROGRAM AND NOT CMAKE_CXX_COMPILER_LAUNCHER)
  set(CMAKE_CXX_COMPILER_LAUNCHER ${CCACHE_PROGRAM})
  set(CMAKE_CUDA_COMPILER_LAUNCHER ${CCACHE_PROGRAM})
endif()
