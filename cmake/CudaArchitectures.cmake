# Which GPU architectures the CUDA kernels are built for, chosen after find_package(Torch):
#   1. the user's CMAKE_CUDA_ARCHITECTURES (given before find_package(Torch), which sets it OFF);
#   2. else the user's TORCH_CUDA_ARCH_LIST (CMake or environment variable), which Torch's CMake
#      has already turned into -gencode flags in CMAKE_CUDA_FLAGS;
#   3. else every architecture the Torch found was itself built for, asked of its Python
#      (torch.cuda.get_arch_list() needs no GPU), the newest also as PTX for later GPUs.
# Torch's own default without a GPU is its "Common" list: Maxwell on, more than torch ships and
# partly beyond what a CUDA 13 nvcc compiles; its -gencode flags are dropped in cases 1 and 3.

# Call before find_package(Torch).
macro(activations_remember_cuda_architectures)
  # A reconfigure also finds the default that CMake's CUDA detection cached the first time,
  # under its own help string; that one is not the user's.
  get_property(_cuda_architectures_help CACHE CMAKE_CUDA_ARCHITECTURES PROPERTY HELPSTRING)
  if(DEFINED CMAKE_CUDA_ARCHITECTURES AND NOT CMAKE_CUDA_ARCHITECTURES STREQUAL "OFF" AND
     NOT _cuda_architectures_help STREQUAL "CUDA architectures")
    set(ACTIVATIONS_USER_CUDA_ARCHITECTURES "${CMAKE_CUDA_ARCHITECTURES}")
  endif()
  if(DEFINED TORCH_CUDA_ARCH_LIST OR DEFINED ENV{TORCH_CUDA_ARCH_LIST})
    set(ACTIVATIONS_USER_TORCH_CUDA_ARCH_LIST ON)
  endif()
endmacro()

# The architectures of the Torch at TORCH_INSTALL_PREFIX, from the first interpreter that imports
# that very torch: ACTIVATIONS_PYTHON, Python3_EXECUTABLE, the virtual environment's around it.
function(activations_torch_built_architectures out)
  get_filename_component(torch_package "${TORCH_INSTALL_PREFIX}" REALPATH)
  get_filename_component(environment "${torch_package}/../../../.." REALPATH)
  set(result "")
  foreach(python ${ACTIVATIONS_PYTHON} ${Python3_EXECUTABLE} "${environment}/bin/python3")
    if(NOT EXISTS "${python}")
      continue()
    endif()
    execute_process(
      COMMAND "${python}" -c
        "import os, torch; print(os.path.realpath(os.path.dirname(torch.__file__))); print(';'.join(a[3:] for a in torch.cuda.get_arch_list() if a.startswith('sm_')))"
      OUTPUT_VARIABLE answer RESULT_VARIABLE failed ERROR_QUIET OUTPUT_STRIP_TRAILING_WHITESPACE)
    if(failed)
      continue()
    endif()
    string(REPLACE "\n" ";" answer "${answer}")
    list(GET answer 0 package)
    if(package STREQUAL torch_package)
      list(SUBLIST answer 1 -1 result)
      break()
    endif()
  endforeach()
  set(${out} "${result}" PARENT_SCOPE)
endfunction()

# Call after find_package(Torch): sets the CUDA_ARCHITECTURES of `target`.
function(activations_choose_cuda_architectures target)
  if(ACTIVATIONS_USER_TORCH_CUDA_ARCH_LIST AND NOT ACTIVATIONS_USER_CUDA_ARCHITECTURES)
    set_property(TARGET ${target} PROPERTY CUDA_ARCHITECTURES OFF)
    message(STATUS "torch-activations: CUDA architectures from TORCH_CUDA_ARCH_LIST")
    return()
  endif()
  set(architectures "${ACTIVATIONS_USER_CUDA_ARCHITECTURES}")
  if(NOT architectures)
    activations_torch_built_architectures(built)
    if(NOT built)
      # Torch 2.15's own list, for a Torch whose interpreter could not be asked.
      set(built 75 80 86 90 100 120)
      message(STATUS "torch-activations: no Python for this Torch; assuming its architectures")
    endif()
    list(POP_BACK built newest)
    list(TRANSFORM built APPEND "-real")
    set(architectures ${built} ${newest})
  endif()
  string(REGEX REPLACE " *-gencode[ =]arch=compute_[0-9a-z]+,code=[a-z_0-9]+" "" flags
                       "${CMAKE_CUDA_FLAGS}")
  set(CMAKE_CUDA_FLAGS "${flags}" PARENT_SCOPE)
  set_property(TARGET ${target} PROPERTY CUDA_ARCHITECTURES "${architectures}")
  message(STATUS "torch-activations: CUDA architectures ${architectures}")
endfunction()
