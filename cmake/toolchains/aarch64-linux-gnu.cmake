# Cross-compiling for aarch64 Linux with Debian's cross toolchain (g++-aarch64-linux-gnu) against
# an arm64 sysroot of Debian's packages (scripts/arm64_sysroot.sh), whose LibTorch, Highway and
# GoogleTest are found inside it. Test programs run under qemu-user: CMake runs them through the
# emulator below, and qemu takes the sysroot, the CPU model and the library path from QEMU_*
# environment variables (scripts/test_arm64.sh sets them).
#   cmake -DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/aarch64-linux-gnu.cmake \
#         -DACTIVATIONS_ARM64_SYSROOT=<sysroot> ...
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
set(ACTIVATIONS_ARM64_SYSROOT "$ENV{ACTIVATIONS_ARM64_SYSROOT}" CACHE PATH
    "The arm64 sysroot (scripts/arm64_sysroot.sh)")
if(NOT IS_DIRECTORY "${ACTIVATIONS_ARM64_SYSROOT}/usr/lib/aarch64-linux-gnu")
  message(FATAL_ERROR "No arm64 sysroot at '${ACTIVATIONS_ARM64_SYSROOT}': make one with "
                      "scripts/arm64_sysroot.sh and pass it as ACTIVATIONS_ARM64_SYSROOT")
endif()
set(CMAKE_SYSROOT "${ACTIVATIONS_ARM64_SYSROOT}")
set(CMAKE_FIND_ROOT_PATH "${ACTIVATIONS_ARM64_SYSROOT}")
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64)
