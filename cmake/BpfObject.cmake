# SPDX-License-Identifier: Apache-2.0
# bpf_object(<name> <source.bpf.c>): compiles a BPF program with clang -target bpf and runs
# `bpftool gen skeleton`; defines the INTERFACE target <name>_skel whose include directory
# holds <name>.skel.h (the object is embedded in the header: nothing loose to install).
find_program(BPF_CLANG NAMES clang-14 clang REQUIRED)
find_program(BPFTOOL NAMES bpftool PATHS /usr/sbin /usr/local/sbin REQUIRED)

function(bpf_object name src)
  set(_out ${CMAKE_BINARY_DIR}/bpf)
  set(_obj ${_out}/${name}.bpf.o)
  set(_skel ${_out}/${name}.skel.h)
  file(GLOB _deps CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/bpf/include/*.h ${CMAKE_SOURCE_DIR}/bpf/lib/*.h)
  add_custom_command(
    OUTPUT ${_obj}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${_out}
    COMMAND ${BPF_CLANG} -g -O2 -target bpf -D__TARGET_ARCH_x86 -Wall -Werror
            -I${CMAKE_SOURCE_DIR}/bpf/include -I${CMAKE_SOURCE_DIR}/bpf
            -I/usr/include/x86_64-linux-gnu -idirafter /usr/include
            -c ${src} -o ${_obj}
    DEPENDS ${src} ${_deps}
    COMMENT "BPF ${name}"
    VERBATIM)
  add_custom_command(
    OUTPUT ${_skel}
    COMMAND ${BPFTOOL} gen skeleton ${_obj} name ${name} > ${_skel}
    DEPENDS ${_obj}
    COMMENT "skeleton ${name}"
    VERBATIM)
  add_custom_target(${name}_skel_gen ALL DEPENDS ${_skel})
  add_library(${name}_skel INTERFACE)
  add_dependencies(${name}_skel ${name}_skel_gen)
  target_include_directories(${name}_skel INTERFACE ${_out} ${CMAKE_SOURCE_DIR}/bpf/include)
  target_link_libraries(${name}_skel INTERFACE PkgConfig::LIBBPF)
endfunction()
