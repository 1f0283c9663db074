# SPDX-License-Identifier: Apache-2.0
# ps_fuzz(<name> SOURCES <files…> [LIBS <targets…>] CORPUS <dir>)
# A fuzz target is a file defining LLVMFuzzerTestOneInput. Two ways to build it:
#  - default build (g++): linked with tests/fuzz/replay_main.cpp, which runs every file of the
#    corpus plus a deterministic set of mutations of them (bit flips, truncations, splices) —
#    a regression run CTest executes under the label "fuzz";
#  - clang build with -DPS_LIBFUZZER=ON: linked with libFuzzer + ASan/UBSan for real fuzzing
#    (`./build-fuzz/<name> -max_total_time=60 <corpus>`); CTest runs it for a bounded time.
option(PS_LIBFUZZER "build fuzz targets with libFuzzer (clang only)" OFF)
function(ps_fuzz name)
  cmake_parse_arguments(A "" "CORPUS" "SOURCES;LIBS" ${ARGN})
  if(PS_LIBFUZZER AND CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    add_executable(${name} ${A_SOURCES})
    target_compile_options(${name} PRIVATE -fsanitize=fuzzer,address,undefined)
    target_link_options(${name} PRIVATE -fsanitize=fuzzer,address,undefined)
    target_link_libraries(${name} PRIVATE ${A_LIBS})
    add_test(NAME ${name} COMMAND ${name} -max_total_time=30 -timeout=5 ${A_CORPUS})
  else()
    add_executable(${name} ${A_SOURCES} ${CMAKE_SOURCE_DIR}/tests/fuzz/replay_main.cpp)
    target_link_libraries(${name} PRIVATE ${A_LIBS})
    add_test(NAME ${name} COMMAND ${name} ${A_CORPUS})
  endif()
  set_tests_properties(${name} PROPERTIES LABELS fuzz TIMEOUT 300)
endfunction()
