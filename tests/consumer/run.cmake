# Builds and runs tests/consumer/project against xport, as a downstream user would.
# MODE=package: install xport's build tree into WORK_DIR/prefix, then find_package it.
# MODE=subdirectory: add_subdirectory(xport source tree).
# EXPECT_BLAS=ON: xport's build found OpenBLAS, so the consumer must see xport::blas.
function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT rc EQUAL 0)
    string(REPLACE ";" " " cmd "${ARGN}")
    message(FATAL_ERROR "'${cmd}' failed (${rc}):\n${out}")
  endif()
  set(last_output "${out}" PARENT_SCOPE)
endfunction()

file(REMOVE_RECURSE ${WORK_DIR})
set(project_dir ${CMAKE_CURRENT_LIST_DIR}/project)
set(configure ${CMAKE_COMMAND} -S ${project_dir} -B ${WORK_DIR}/build -G ${GENERATOR}
              -DCMAKE_CXX_COMPILER=${CXX} -DXPORT_CONSUMER_MODE=${MODE}
              -DXPORT_CONSUMER_EXPECT_BLAS=${EXPECT_BLAS})
# The consumer compiles xport's CPU kernels (xport::cpu_kernels) from scratch: xport's
# compiler launcher (ccache) makes a rerun cheap.
if(LAUNCHER)
  list(APPEND configure -DCMAKE_CXX_COMPILER_LAUNCHER=${LAUNCHER})
endif()
if(MODE STREQUAL "package")
  run(${CMAKE_COMMAND} --install ${XPORT_BINARY_DIR} --prefix ${WORK_DIR}/prefix)
  run(${configure} -DCMAKE_PREFIX_PATH=${WORK_DIR}/prefix)
else()
  run(${configure} -DXPORT_SOURCE_DIR=${XPORT_SOURCE_DIR})
endif()
run(${CMAKE_COMMAND} --build ${WORK_DIR}/build)
run(${WORK_DIR}/build/consumer)
if(NOT last_output MATCHES "consumer ok" OR NOT last_output MATCHES "matmul [0-9x @]+ ok")
  message(FATAL_ERROR "the consumer ran but printed:\n${last_output}")
endif()
message(STATUS "${MODE}: ${last_output}")
