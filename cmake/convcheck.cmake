# cc_add_library(NAME DIR DEPS...): one library per folder under src/, all .cc files except tests.
# Include paths are rooted at src/ ("#include \"core/status.h\"").
function(cc_add_library name dir)
  file(GLOB_RECURSE srcs CONFIGURE_DEPENDS "${CMAKE_SOURCE_DIR}/src/${dir}/*.cc")
  add_library(${name} STATIC ${srcs})
  target_include_directories(${name} PUBLIC "${CMAKE_SOURCE_DIR}/src")
  target_link_libraries(${name} PUBLIC ${ARGN})
endfunction()

# cc_add_test(NAME LABEL SOURCES... DEPS ...): a GoogleTest binary registered with CTest, with a
# label (unit, integration, conformance, slow).
function(cc_add_test name label)
  cmake_parse_arguments(T "" "TIMEOUT" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  target_include_directories(${name} PRIVATE "${CMAKE_SOURCE_DIR}/src" "${CMAKE_SOURCE_DIR}/tests")
  target_link_libraries(${name} PRIVATE ${T_DEPS} GTest::gtest GTest::gtest_main)
  target_compile_definitions(${name} PRIVATE
    CONVCHECK_TESTS_DIR="${CMAKE_SOURCE_DIR}/tests"
    CONVCHECK_TEST_DATA_DIR="${CMAKE_SOURCE_DIR}/tests/data"
    CONVCHECK_WORKERS_DIR_FOR_TESTS="${CMAKE_SOURCE_DIR}/workers"
    CONVCHECK_BINARY="$<TARGET_FILE:convcheck>")
  # Tests drive the binary too: building a test builds the convcheck it runs.
  add_dependencies(${name} convcheck)
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 600)
  endif()
  if(label STREQUAL "integration")
    # One ctest entry per test: `ctest -j2` spreads the slow end-to-end tests over both cores,
    # and each has its own timeout, so one busy test cannot time out the whole binary.
    # PRE_TEST: listed when ctest runs, not at build time.
    gtest_discover_tests(${name} DISCOVERY_MODE PRE_TEST DISCOVERY_TIMEOUT 60
                         PROPERTIES LABELS ${label} TIMEOUT ${T_TIMEOUT})
  else()
    add_test(NAME ${name} COMMAND ${name})
    set_tests_properties(${name} PROPERTIES LABELS ${label} TIMEOUT ${T_TIMEOUT})
  endif()
endfunction()
