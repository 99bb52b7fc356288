# nibble_add_library(<name> SRCS... [DEPENDS tablegen targets] [LINK libs])
#
# Every Nibble library is a static library linked against the monolithic
# libMLIR/libLLVM, installed and exported as Nibble::<name>.
set_property(GLOBAL PROPERTY NIBBLE_EXPORTED_LIBS "")
function(nibble_add_library name)
  cmake_parse_arguments(ARG "" "" "DEPENDS;LINK" ${ARGN})
  add_library(${name} STATIC ${ARG_UNPARSED_ARGUMENTS})
  set_target_properties(${name} PROPERTIES POSITION_INDEPENDENT_CODE ON)
  if(ARG_DEPENDS)
    add_dependencies(${name} ${ARG_DEPENDS})
  endif()
  target_include_directories(${name} PUBLIC
    $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
    $<BUILD_INTERFACE:${PROJECT_BINARY_DIR}/include>
    $<INSTALL_INTERFACE:include>)
  target_link_libraries(${name} PUBLIC ${ARG_LINK} ${NIBBLE_MLIR_LIBS})
  set_property(GLOBAL APPEND PROPERTY NIBBLE_EXPORTED_LIBS ${name})
  install(TARGETS ${name} EXPORT NibbleTargets
    ARCHIVE DESTINATION lib LIBRARY DESTINATION lib)
endfunction()
