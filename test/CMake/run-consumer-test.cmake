# Installs Nibble from NIBBLE_BUILD_DIR into a fresh PREFIX, then configures,
# builds and runs test/CMake/consumer against it. Run by ctest
# (package-consumer) as
#   cmake -DNIBBLE_BUILD_DIR=... -DPREFIX=... -DCONSUMER_SOURCE_DIR=...
#         -DCONSUMER_BINARY_DIR=... -DGENERATOR=... [-DMODEL=...] -P this-file
foreach(var NIBBLE_BUILD_DIR PREFIX CONSUMER_SOURCE_DIR CONSUMER_BINARY_DIR GENERATOR)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "run-consumer-test.cmake: -D${var}=... is required")
  endif()
endforeach()

function(run_step description)
  message(STATUS "${description}: ${ARGN}")
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE result)
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "${description} failed (${result})")
  endif()
endfunction()

# A fresh prefix and build dir every time: stale files from an older install
# must not make the test pass.
file(REMOVE_RECURSE "${PREFIX}" "${CONSUMER_BINARY_DIR}")

run_step("install Nibble"
  "${CMAKE_COMMAND}" --install "${NIBBLE_BUILD_DIR}" --prefix "${PREFIX}")
run_step("configure the consumer"
  "${CMAKE_COMMAND}" -S "${CONSUMER_SOURCE_DIR}" -B "${CONSUMER_BINARY_DIR}"
  -G "${GENERATOR}" -DCMAKE_BUILD_TYPE=Release
  "-DCMAKE_PREFIX_PATH=${PREFIX}")
run_step("build the consumer"
  "${CMAKE_COMMAND}" --build "${CONSUMER_BINARY_DIR}")
run_step("run the consumer"
  "${CONSUMER_BINARY_DIR}/nibble-consumer" ${MODEL})

# The installed tools run from the prefix, away from the build tree.
run_step("run the installed nibble-opt" "${PREFIX}/bin/nibble-opt" --version)
if(EXISTS "${PREFIX}/bin/nibble")
  run_step("run the installed nibble" "${PREFIX}/bin/nibble" --version)
endif()
