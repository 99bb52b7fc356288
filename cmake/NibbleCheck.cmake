# `ninja check-nibble`: every test. Builds what the tests need (all tools,
# libraries and unit tests: the package test installs them), runs lit with
# its summary, then the rest of ctest (unit tests, package consumer) with
# ctest's summary. Plain `ctest` in the build dir runs the same set, with lit
# as one test.
#
# Included from cmake/CMakeLists.txt, which is processed after every other
# directory, so every target exists here.
get_property(_nibble_libs GLOBAL PROPERTY NIBBLE_EXPORTED_LIBS)
set(_nibble_check_depends ${_nibble_libs} nibble_runtime nibble-unittests)
foreach(tool nibble-opt nibble-translate nibble)
  if(TARGET ${tool})
    list(APPEND _nibble_check_depends ${tool})
  endif()
endforeach()

add_custom_target(check-nibble
  COMMAND ${NIBBLE_LIT} -sv ${PROJECT_BINARY_DIR}/test
  COMMAND ${CMAKE_CTEST_COMMAND} --output-on-failure --exclude-regex "^lit$"
  WORKING_DIRECTORY ${PROJECT_BINARY_DIR}
  USES_TERMINAL VERBATIM
  COMMENT "Running all of Nibble's tests: lit, unit tests, package consumer")
add_dependencies(check-nibble ${_nibble_check_depends})
unset(_nibble_libs)
unset(_nibble_check_depends)
