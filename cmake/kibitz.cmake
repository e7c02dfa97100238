# Warnings and helpers shared by every Kibitz target.

add_library(kibitz_warnings INTERFACE)
target_compile_options(kibitz_warnings INTERFACE
    -Wall -Wextra -Werror -Wpedantic -Wshadow -Wnon-virtual-dtor -Wcast-align
    -Wunused -Woverloaded-virtual -Wimplicit-fallthrough
    # GCC 12 at -O2/-O3 reports std::string copies in its own headers as overlapping
    # (GCC bug 105329) or as a memcpy of more than PTRDIFF_MAX bytes (-Wstringop-overflow, the
    # same family, bug 106199): false positives that -Werror would turn into a failed release
    # build. They stay warnings.
    $<$<CXX_COMPILER_ID:GNU>:-Wno-restrict>
    $<$<AND:$<CXX_COMPILER_ID:GNU>,$<CONFIG:Release>>:-Wno-error=stringop-overflow>)

# kibitz_strict_warnings(target): implicit conversions that change a value's sign or may lose
# bits are errors too (-Wconversion -Wsign-conversion). A module turns it on once its code is
# clean: a narrowing that is proven in range is written as an explicit cast.
function(kibitz_strict_warnings target)
    target_compile_options(${target} PRIVATE -Wconversion -Wsign-conversion)
endfunction()

# kibitz_library(NAME name SOURCES ... DEPS ...): a module library kibitz_<name>, aliased
# kibitz::<name>, with its public headers under libs/<name>/include/kibitz/<name>/.
function(kibitz_library)
    cmake_parse_arguments(A "" "NAME" "SOURCES;PUBLIC_DEPS;PRIVATE_DEPS" ${ARGN})
    add_library(kibitz_${A_NAME} ${A_SOURCES})
    add_library(kibitz::${A_NAME} ALIAS kibitz_${A_NAME})
    set_target_properties(kibitz_${A_NAME} PROPERTIES EXPORT_NAME ${A_NAME})
    target_include_directories(kibitz_${A_NAME} PUBLIC
        $<BUILD_INTERFACE:${CMAKE_CURRENT_SOURCE_DIR}/include>
        $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
    target_link_libraries(kibitz_${A_NAME} PUBLIC ${A_PUBLIC_DEPS}
        PRIVATE ${A_PRIVATE_DEPS} $<BUILD_INTERFACE:kibitz_warnings>)
    # `cmake --install` exports the module as kibitz::<name> (find_package(kibitz)).
    install(TARGETS kibitz_${A_NAME} EXPORT kibitz-targets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
    install(DIRECTORY include/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
endfunction()

# kibitz_unit_test(NAME name SOURCES ... DEPS ...): a GoogleTest binary registered with CTest.
function(kibitz_unit_test)
    cmake_parse_arguments(A "" "NAME" "SOURCES;DEPS;LABELS" ${ARGN})
    add_executable(${A_NAME} ${A_SOURCES})
    target_link_libraries(${A_NAME} PRIVATE ${A_DEPS} GTest::gtest GTest::gtest_main kibitz_warnings)
    set_target_properties(${A_NAME} PROPERTIES RUNTIME_OUTPUT_DIRECTORY "${CMAKE_BINARY_DIR}/tests")
    # The label list goes through gtest_discover_tests as one argument: escape its ';'.
    string(REPLACE ";" "\\;" labels "unit;${A_LABELS}")
    gtest_discover_tests(${A_NAME} DISCOVERY_MODE PRE_TEST PROPERTIES LABELS "${labels}")
endfunction()

# Adds each listed directory that has a CMakeLists.txt. KIBITZ_SKIP (a list of module names,
# for local work on one module) leaves out directories whose last component is listed.
set(KIBITZ_SKIP "" CACHE STRING "Modules to leave out of this build tree (development only)")
macro(kibitz_add_subdirectories)
    foreach(dir ${ARGN})
        get_filename_component(leaf "${dir}" NAME)
        if(EXISTS "${CMAKE_CURRENT_SOURCE_DIR}/${dir}/CMakeLists.txt" AND NOT leaf IN_LIST KIBITZ_SKIP)
            add_subdirectory(${dir})
        endif()
    endforeach()
endmacro()

# kibitz_add_test_directories(dir...): like kibitz_add_subdirectories, but a listed directory
# without a CMakeLists.txt is a configure error, not a silent skip (a renamed or deleted test
# directory must not quietly take its tests out of `make test`). KIBITZ_SKIP still applies.
function(kibitz_add_test_directories)
    foreach(dir ${ARGN})
        get_filename_component(leaf "${dir}" NAME)
        if(leaf IN_LIST KIBITZ_SKIP)
            continue()
        endif()
        if(NOT EXISTS "${CMAKE_CURRENT_SOURCE_DIR}/${dir}/CMakeLists.txt")
            message(FATAL_ERROR "test directory ${CMAKE_CURRENT_SOURCE_DIR}/${dir} has no "
                "CMakeLists.txt: restore it, or remove it from the list in "
                "${CMAKE_CURRENT_LIST_FILE}")
        endif()
        add_subdirectory(${dir})
    endforeach()
endfunction()

# kibitz_fuzzer(NAME name SOURCES ... DEPS ...): a libFuzzer binary in <build>/fuzz/, run briefly
# by scripts/fuzz.sh with the seed corpus tests/fuzz/<module>/corpus/<name>/ when it exists.
function(kibitz_fuzzer)
    cmake_parse_arguments(A "" "NAME" "SOURCES;DEPS" ${ARGN})
    add_executable(${A_NAME} ${A_SOURCES})
    target_compile_options(${A_NAME} PRIVATE -fsanitize=fuzzer,address,undefined)
    target_link_options(${A_NAME} PRIVATE -fsanitize=fuzzer,address,undefined)
    target_link_libraries(${A_NAME} PRIVATE ${A_DEPS})
    set_target_properties(${A_NAME} PROPERTIES RUNTIME_OUTPUT_DIRECTORY "${CMAKE_BINARY_DIR}/fuzz")
endfunction()
