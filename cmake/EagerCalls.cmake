# torch_activations._C (src/python/eager_calls.cpp): the Python package's eager calls, a CPython
# extension beside the library. It needs the Python that runs this torch (ACTIVATIONS_PYTHON),
# its headers, torch's libtorch_python and pybind11's headers (torch's own include them); where
# one is missing the package calls the operators through torch.ops instead, and says so in
# torch_activations.HAS_EAGER_CALLS.
option(ACTIVATIONS_WITH_EAGER_CALLS "Build torch_activations._C for the Python package" ON)

function(activations_add_eager_calls)
  if(NOT ACTIVATIONS_WITH_EAGER_CALLS)
    return()
  endif()
  if(NOT ACTIVATIONS_PYTHON)
    message(STATUS "torch-activations: no torch_activations._C (set ACTIVATIONS_PYTHON to the "
                   "Python of this torch to build it)")
    return()
  endif()
  set(Python_EXECUTABLE "${ACTIVATIONS_PYTHON}")
  find_package(Python COMPONENTS Interpreter Development.Module)
  find_library(ACTIVATIONS_TORCH_PYTHON_LIBRARY torch_python HINTS "${TORCH_INSTALL_PREFIX}/lib")
  find_path(ACTIVATIONS_PYBIND11_INCLUDE_DIR pybind11/pybind11.h HINTS ${TORCH_INCLUDE_DIRS})
  if(NOT Python_Development.Module_FOUND OR NOT ACTIVATIONS_TORCH_PYTHON_LIBRARY
     OR NOT ACTIVATIONS_PYBIND11_INCLUDE_DIR)
    message(STATUS "torch-activations: no torch_activations._C (needs Python's headers, "
                   "libtorch_python and pybind11's headers: python3-dev, pybind11-dev)")
    return()
  endif()
  Python_add_library(torch_activations_eager_calls MODULE WITH_SOABI src/python/eager_calls.cpp)
  set_target_properties(torch_activations_eager_calls PROPERTIES
    OUTPUT_NAME _C
    LIBRARY_OUTPUT_DIRECTORY "${PROJECT_BINARY_DIR}"
    CXX_VISIBILITY_PRESET hidden)
  target_include_directories(torch_activations_eager_calls PRIVATE
                             "${ACTIVATIONS_PYBIND11_INCLUDE_DIR}" src)
  target_link_libraries(torch_activations_eager_calls PRIVATE
                        torch_activations "${ACTIVATIONS_TORCH_PYTHON_LIBRARY}")
  target_compile_options(torch_activations_eager_calls PRIVATE -Wall -Wextra)
  # Installed beside the library, where the package looks for it (_library.py): the wheel's
  # package folder, or the prefix's lib/ that the package links to.
  if(SKBUILD)
    set_target_properties(torch_activations_eager_calls PROPERTIES
                          INSTALL_RPATH "$ORIGIN;$ORIGIN/../torch/lib")
    install(TARGETS torch_activations_eager_calls
            LIBRARY DESTINATION torch_activations COMPONENT python)
  else()
    set_target_properties(torch_activations_eager_calls PROPERTIES
                          INSTALL_RPATH "$ORIGIN" INSTALL_RPATH_USE_LINK_PATH TRUE)
    install(TARGETS torch_activations_eager_calls LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
  endif()
  message(STATUS "torch-activations: building torch_activations._C for ${ACTIVATIONS_PYTHON}")
endfunction()
