# A pip-installed torch finds the NVIDIA libraries of its wheels (site-packages/nvidia/*/lib)
# through its own RPATH when it runs, but a linker resolving libtorch_cuda.so's dependencies for
# an executable does not look there: it takes the CUDA toolkit's copies (an older NCCL, say) and
# fails on symbols they lack. These options point it at the wheels' copies; for other torches
# they are empty. Used by the build and by the installed package (TorchActivationsConfig.cmake).
function(activations_torch_wheel_link_options out)
  file(GLOB directories LIST_DIRECTORIES true "${TORCH_INSTALL_PREFIX}/../nvidia/*/lib")
  set(options "")
  foreach(directory ${directories})
    get_filename_component(directory "${directory}" REALPATH)
    list(APPEND options "LINKER:-rpath-link,${directory}")
  endforeach()
  set(${out} "${options}" PARENT_SCOPE)
endfunction()
