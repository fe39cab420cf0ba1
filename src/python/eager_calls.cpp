// torch_activations._C: the functional API's calls from Python without torch.ops' boxed path.
//
// A call through torch.ops parses its arguments against the schema into a stack of IValues and
// calls the boxed kernel: about 0.4 µs more per call than torch's own generated bindings, most of
// a call at 1e3 elements. These functions take the tensor straight from the Python object and
// call the same operators through their typed dispatcher handles (activations/functional.h), so
// autograd, torch.func, vmap rules and dispatch modes all see the registered operators as before.
//
// Whatever is not a plain call falls back to the operator's OpOverload, set by the package with
// set_fallbacks: a tensor subclass or a torch function mode (whose __torch_function__ applies),
// anything not a tensor, a slope that is not a Python float or int, an approximate that is not a
// Python str, a wrong number of arguments or another keyword. Torch's own handling, and its
// error messages, then apply unchanged.
#include <torch/csrc/Exceptions.h>
#include <torch/csrc/autograd/python_variable.h>

#include <array>
#include <utility>

#include "activations/functional.h"
#include "compat/torch_compat.h"

namespace {

enum Call : size_t {
  kSigmoid,
  kSigmoidInplace,
  kTanh,
  kTanhInplace,
  kRelu,
  kReluInplace,
  kLeakyRelu,
  kLeakyReluInplace,
  kSilu,
  kSiluInplace,
  kGelu,
  kGeluInplace,
  kCallCount,
};
constexpr std::array<const char*, kCallCount> kCallNames = {
    "sigmoid",    "sigmoid_",    "tanh", "tanh_", "relu", "relu_",
    "leaky_relu", "leaky_relu_", "silu", "silu_", "gelu", "gelu_"};

std::array<PyObject*, kCallCount> fallbacks{};  // owned references, set once by set_fallbacks

// A torch.Tensor itself (no subclass, whose __torch_function__ may override the call) and no
// torch function mode: torch's generated bindings skip __torch_function__ there too.
bool is_plain_tensor(PyObject* object) {
  return THPVariable_CheckExact(object) && !activations::compat::torch_function_mode_active();
}

// The call as it came, keywords (kwnames, their values after the positional arguments) too.
PyObject* call_fallback(Call call, PyObject* const* args, Py_ssize_t nargs,
                        PyObject* kwnames = nullptr) {
  PyObject* fallback = fallbacks[call];
  if (fallback == nullptr) {
    PyErr_Format(PyExc_RuntimeError, "torch_activations._C.%s: set_fallbacks was not called",
                 kCallNames[call]);
    return nullptr;
  }
  return PyObject_Vectorcall(fallback, args, nargs, kwnames);
}

// The tensor a Python object holds, for an in-place operator, without copying the handle: a copy
// takes the GIL back in torch 2.x (kernels/layout.h). The operators write its data, never the
// handle itself.
at::Tensor& unpack_for_inplace(PyObject* object) {
  return const_cast<at::Tensor&>(THPVariable_Unpack(object));
}

// The in-place functions return their input, as torch's do; the operators return nothing.
PyObject* input_after(PyObject* fallback_result, PyObject* input) {
  if (fallback_result == nullptr) return nullptr;
  Py_DECREF(fallback_result);
  Py_INCREF(input);
  return input;
}

template <at::Tensor (*Operator)(const at::Tensor&), Call call>
PyObject* unary(PyObject* /*module*/, PyObject* input) {
  HANDLE_TH_ERRORS
  if (!is_plain_tensor(input)) return call_fallback(call, &input, 1);
  const at::Tensor& self = THPVariable_Unpack(input);
  at::Tensor result;
  {
    pybind11::gil_scoped_release no_gil;  // as torch's bindings do around a kernel
    result = Operator(self);
  }
  return THPVariable_Wrap(std::move(result));
  END_HANDLE_TH_ERRORS
}

template <at::Tensor& (*Operator)(at::Tensor&), Call call>
PyObject* unary_inplace(PyObject* /*module*/, PyObject* input) {
  HANDLE_TH_ERRORS
  if (!is_plain_tensor(input)) return input_after(call_fallback(call, &input, 1), input);
  at::Tensor& self = unpack_for_inplace(input);
  {
    pybind11::gil_scoped_release no_gil;
    Operator(self);
  }
  Py_INCREF(input);
  return input;
  END_HANDLE_TH_ERRORS
}

// (input, negative_slope): the slope as a Python float or int; anything else is the
// OpOverload's to convert or refuse.
bool plain_slope_call(PyObject* const* args, Py_ssize_t nargs, double* slope) {
  if (nargs != 2 || !is_plain_tensor(args[0])) return false;
  if (PyFloat_CheckExact(args[1])) {
    *slope = PyFloat_AS_DOUBLE(args[1]);
    return true;
  }
  if (!PyLong_CheckExact(args[1])) return false;
  *slope = PyLong_AsDouble(args[1]);
  if (*slope == -1.0 && PyErr_Occurred()) {
    PyErr_Clear();
    return false;
  }
  return true;
}

PyObject* leaky_relu(PyObject* /*module*/, PyObject* const* args, Py_ssize_t nargs) {
  HANDLE_TH_ERRORS
  double slope = 0;
  if (!plain_slope_call(args, nargs, &slope)) return call_fallback(kLeakyRelu, args, nargs);
  const at::Tensor& self = THPVariable_Unpack(args[0]);
  at::Tensor result;
  {
    pybind11::gil_scoped_release no_gil;
    result = activations::leaky_relu(self, slope);
  }
  return THPVariable_Wrap(std::move(result));
  END_HANDLE_TH_ERRORS
}

PyObject* leaky_relu_inplace(PyObject* /*module*/, PyObject* const* args, Py_ssize_t nargs) {
  HANDLE_TH_ERRORS
  double slope = 0;
  if (!plain_slope_call(args, nargs, &slope)) {
    if (nargs < 1) return call_fallback(kLeakyReluInplace, args, nargs);
    return input_after(call_fallback(kLeakyReluInplace, args, nargs), args[0]);
  }
  at::Tensor& self = unpack_for_inplace(args[0]);
  {
    pybind11::gil_scoped_release no_gil;
    activations::leaky_relu_(self, slope);
  }
  Py_INCREF(args[0]);
  return args[0];
  END_HANDLE_TH_ERRORS
}

// (input, /, *, approximate='none'), the schema's: approximate, where given, as a Python str (not
// a subclass) and the only keyword. Its value is the operator's to accept or refuse.
bool plain_approximate_call(PyObject* const* args, Py_ssize_t nargs, PyObject* kwnames,
                            c10::string_view* approximate) {
  if (nargs != 1 || !is_plain_tensor(args[0])) return false;
  const Py_ssize_t keywords = kwnames == nullptr ? 0 : PyTuple_GET_SIZE(kwnames);
  if (keywords == 0) {
    *approximate = "none";
    return true;
  }
  PyObject* value = args[1];
  if (keywords != 1 || !PyUnicode_CheckExact(value) ||
      PyUnicode_CompareWithASCIIString(PyTuple_GET_ITEM(kwnames, 0), "approximate") != 0) {
    return false;
  }
  Py_ssize_t size = 0;
  const char* text = PyUnicode_AsUTF8AndSize(value, &size);  // owned by the str, cached there
  if (text == nullptr) {  // not encodable (a lone surrogate): the OpOverload's to refuse
    PyErr_Clear();
    return false;
  }
  *approximate = c10::string_view(text, static_cast<size_t>(size));
  return true;
}

PyObject* gelu(PyObject* /*module*/, PyObject* const* args, Py_ssize_t nargs, PyObject* kwnames) {
  HANDLE_TH_ERRORS
  c10::string_view approximate;
  if (!plain_approximate_call(args, nargs, kwnames, &approximate)) {
    return call_fallback(kGelu, args, nargs, kwnames);
  }
  const at::Tensor& self = THPVariable_Unpack(args[0]);
  at::Tensor result;
  {
    pybind11::gil_scoped_release no_gil;  // the caller's arguments keep approximate's text
    result = activations::gelu(self, approximate);
  }
  return THPVariable_Wrap(std::move(result));
  END_HANDLE_TH_ERRORS
}

PyObject* gelu_inplace(PyObject* /*module*/, PyObject* const* args, Py_ssize_t nargs,
                       PyObject* kwnames) {
  HANDLE_TH_ERRORS
  c10::string_view approximate;
  if (!plain_approximate_call(args, nargs, kwnames, &approximate)) {
    if (nargs < 1) return call_fallback(kGeluInplace, args, nargs, kwnames);
    return input_after(call_fallback(kGeluInplace, args, nargs, kwnames), args[0]);
  }
  at::Tensor& self = unpack_for_inplace(args[0]);
  {
    pybind11::gil_scoped_release no_gil;
    activations::gelu_(self, approximate);
  }
  Py_INCREF(args[0]);
  return args[0];
  END_HANDLE_TH_ERRORS
}

// set_fallbacks({name: callable}) for every name in kCallNames.
PyObject* set_fallbacks(PyObject* /*module*/, PyObject* mapping) {
  std::array<PyObject*, kCallCount> found{};
  for (size_t call = 0; call < kCallCount; ++call) {
    found[call] = PyMapping_GetItemString(mapping, kCallNames[call]);
    if (found[call] == nullptr) {
      for (PyObject* taken : found) Py_XDECREF(taken);
      return nullptr;
    }
  }
  for (size_t call = 0; call < kCallCount; ++call) std::swap(fallbacks[call], found[call]);
  for (PyObject* replaced : found) Py_XDECREF(replaced);
  Py_RETURN_NONE;
}

// The signatures (__text_signature__) let inspect, and torch.compile's substitute_in_graph,
// compare these with the Python functions that stand for them in a traced graph.
PyMethodDef methods[] = {
    {"sigmoid", unary<activations::sigmoid, kSigmoid>, METH_O, "sigmoid($module, x, /)\n--\n\n"},
    {"sigmoid_", unary_inplace<activations::sigmoid_, kSigmoidInplace>, METH_O,
     "sigmoid_($module, x, /)\n--\n\n"},
    {"tanh", unary<activations::tanh, kTanh>, METH_O, "tanh($module, x, /)\n--\n\n"},
    {"tanh_", unary_inplace<activations::tanh_, kTanhInplace>, METH_O,
     "tanh_($module, x, /)\n--\n\n"},
    {"relu", unary<activations::relu, kRelu>, METH_O, "relu($module, x, /)\n--\n\n"},
    {"relu_", unary_inplace<activations::relu_, kReluInplace>, METH_O,
     "relu_($module, x, /)\n--\n\n"},
    {"leaky_relu", reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(leaky_relu)),
     METH_FASTCALL, "leaky_relu($module, x, negative_slope, /)\n--\n\n"},
    {"leaky_relu_", reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(leaky_relu_inplace)),
     METH_FASTCALL, "leaky_relu_($module, x, negative_slope, /)\n--\n\n"},
    {"silu", unary<activations::silu, kSilu>, METH_O, "silu($module, x, /)\n--\n\n"},
    {"silu_", unary_inplace<activations::silu_, kSiluInplace>, METH_O,
     "silu_($module, x, /)\n--\n\n"},
    {"gelu", reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(gelu)),
     METH_FASTCALL | METH_KEYWORDS, "gelu($module, x, /, *, approximate='none')\n--\n\n"},
    {"gelu_", reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(gelu_inplace)),
     METH_FASTCALL | METH_KEYWORDS, "gelu_($module, x, /, *, approximate='none')\n--\n\n"},
    {"set_fallbacks", set_fallbacks, METH_O,
     "set_fallbacks($module, mapping, /)\n--\n\nThe OpOverload each function falls back to."},
    {nullptr, nullptr, 0, nullptr},
};

PyModuleDef module_definition = {
    PyModuleDef_HEAD_INIT,
    "torch_activations._C",
    "Eager calls of the activations operators from Python (see functional.py).",
    -1,
    methods,
    nullptr,
    nullptr,
    nullptr,
    nullptr,
};

}  // namespace

PyMODINIT_FUNC PyInit__C() {
  return PyModule_Create(&module_definition);
}
