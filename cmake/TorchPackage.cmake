# Finds Torch, for the build and for the installed package's consumers (one place for how
# torches differ here). Torch's own CMake package demands the CUDA toolkit whenever the torch is
# a CUDA build, as PyPI's Linux wheels are, even where no CUDA code is compiled: without a
# toolkit it stops in Caffe2Config.cmake. There, this defines the `torch` target as
# torch.utils.cpp_extension.CppExtension builds against that torch (its headers; libtorch,
# libtorch_cpu and libc10; its C++11 ABI flag) and sets ACTIVATIONS_NO_CUDA_TOOLKIT, so that
# only the CPU kernels are built. Sets Torch_VERSION, ACTIVATIONS_TORCH_CXX11_ABI and
# ACTIVATIONS_TORCH_CMAKE_PREFIX either way.
macro(activations_find_torch)
  find_package(CUDAToolkit QUIET)
  set(ACTIVATIONS_NO_CUDA_TOOLKIT FALSE)
  if(NOT CUDAToolkit_FOUND)
    find_file(_activations_torch_config TorchConfig.cmake
              PATH_SUFFIXES share/cmake/Torch lib/cmake/Torch cmake/Torch Torch
              NO_CACHE)
    if(_activations_torch_config)
      get_filename_component(_activations_torch_cmake_dir "${_activations_torch_config}" DIRECTORY)
      get_filename_component(_activations_torch_prefix "${_activations_torch_cmake_dir}/../../.."
                             ABSOLUTE)
      if(EXISTS "${_activations_torch_prefix}/lib/libtorch_cuda.so")
        set(ACTIVATIONS_NO_CUDA_TOOLKIT TRUE)
      endif()
    endif()
  endif()
  if(ACTIVATIONS_NO_CUDA_TOOLKIT)
    include("${_activations_torch_cmake_dir}/TorchConfigVersion.cmake")
    set(Torch_VERSION "${PACKAGE_VERSION}")
    set(TORCH_INSTALL_PREFIX "${_activations_torch_prefix}")
    # TorchConfig.cmake names the ABI where it is not the compiler's default (1)
    file(STRINGS "${_activations_torch_config}" _activations_abi
         REGEX "_GLIBCXX_USE_CXX11_ABI=[01]")
    string(REGEX MATCH "_GLIBCXX_USE_CXX11_ABI=([01])" _activations_abi "${_activations_abi}")
    if(_activations_abi)
      set(TORCH_CXX_FLAGS "-D_GLIBCXX_USE_CXX11_ABI=${CMAKE_MATCH_1}")
    else()
      set(TORCH_CXX_FLAGS "-D_GLIBCXX_USE_CXX11_ABI=1")
    endif()
    string(REGEX MATCH "_GLIBCXX_USE_CXX11_ABI=([01])" _activations_abi "${TORCH_CXX_FLAGS}")
    if(NOT TARGET torch)
      add_library(torch INTERFACE IMPORTED)
      set_target_properties(torch PROPERTIES
        INTERFACE_INCLUDE_DIRECTORIES
          "${TORCH_INSTALL_PREFIX}/include;${TORCH_INSTALL_PREFIX}/include/torch/csrc/api/include"
        INTERFACE_LINK_LIBRARIES
          "${TORCH_INSTALL_PREFIX}/lib/libtorch.so;${TORCH_INSTALL_PREFIX}/lib/libtorch_cpu.so;${TORCH_INSTALL_PREFIX}/lib/libc10.so"
        INTERFACE_COMPILE_DEFINITIONS "_GLIBCXX_USE_CXX11_ABI=${CMAKE_MATCH_1}")
    endif()
    set(TORCH_LIBRARIES torch)
    set(Torch_FOUND TRUE)
    set(CAFFE2_USE_CUDA OFF)
    message(STATUS "torch-activations: torch ${Torch_VERSION} is a CUDA build but no CUDA toolkit "
                   "was found: building the CPU kernels only (the CUDA kernels are skipped)")
  else()
    find_package(Torch REQUIRED)
    get_filename_component(_activations_torch_cmake_dir "${Torch_DIR}" ABSOLUTE)
  endif()
  # the folder holding Torch/TorchConfig.cmake: what a consumer gives in CMAKE_PREFIX_PATH
  get_filename_component(ACTIVATIONS_TORCH_CMAKE_PREFIX "${_activations_torch_cmake_dir}/.."
                         ABSOLUTE)
  string(REGEX MATCH "_GLIBCXX_USE_CXX11_ABI=([01])" _activations_abi "${TORCH_CXX_FLAGS}")
  if(_activations_abi)
    set(ACTIVATIONS_TORCH_CXX11_ABI ${CMAKE_MATCH_1})
  else()
    set(ACTIVATIONS_TORCH_CXX11_ABI 1)  # the compiler's default, which torch's config leaves unsaid
  endif()
endmacro()

# major.minor of a version: the part of torch's version that a built library depends on.
function(activations_torch_series version out)
  string(REGEX MATCH "^[0-9]+\\.[0-9]+" series "${version}")
  set(${out} "${series}" PARENT_SCOPE)
endfunction()
