# SPDX-License-Identifier: Apache-2.0
# ps_gtest(<name> LABEL <tier> SOURCES <files…> [LIBS <targets…>] [TIMEOUT <s>] [RUN_SERIAL])
# Builds one GoogleTest executable and registers it with CTest under the label <tier>
# (unit, bpf, lab, fuzz, perf). Lab and bpf tests need root; they fail (not skip) without it.
# Every test links ps_labkit (userspace/labkit: frame builder, firewall harness, program
# paths, the boot lab), which perf/ links too; tests/support keeps what only tests use.
include(GoogleTest)
function(ps_gtest name)
  cmake_parse_arguments(A "RUN_SERIAL" "LABEL;TIMEOUT" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${A_SOURCES})
  target_link_libraries(${name} PRIVATE ${A_LIBS} ps_labkit GTest::gtest GTest::gtest_main)
  target_compile_definitions(${name} PRIVATE PS_SOURCE_DIR="${CMAKE_SOURCE_DIR}"
                                             PS_BINARY_DIR="${CMAKE_BINARY_DIR}")
  if(NOT A_TIMEOUT)
    set(A_TIMEOUT 300)
  endif()
  add_test(NAME ${name} COMMAND ${name} --gtest_color=no)
  set_tests_properties(${name} PROPERTIES LABELS "${A_LABEL}" TIMEOUT ${A_TIMEOUT})
  if(A_RUN_SERIAL)
    set_tests_properties(${name} PROPERTIES RUN_SERIAL TRUE)
  endif()
endfunction()
