# archibald_library(NAME DIR DEPS ...): a static library from DIR/*.cpp, without its tests.
# The tests (DIR/*_test.cpp) are collected in ARCHIBALD_UNIT_TEST_SOURCES for tests/.
set_property(GLOBAL PROPERTY ARCHIBALD_UNIT_TEST_SOURCES "")

function(archibald_library name dir)
  cmake_parse_arguments(ARG "" "" "DEPS" ${ARGN})
  file(GLOB sources CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/${dir}/*.cpp)
  file(GLOB tests CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/${dir}/*_test.cpp)
  if(tests)
    list(REMOVE_ITEM sources ${tests})
    set_property(GLOBAL APPEND PROPERTY ARCHIBALD_UNIT_TEST_SOURCES ${tests})
  endif()
  add_library(archibald_${name} STATIC ${sources})
  target_include_directories(archibald_${name} PUBLIC ${CMAKE_SOURCE_DIR}/src)
  target_link_libraries(archibald_${name} PUBLIC ${ARG_DEPS})
endfunction()
