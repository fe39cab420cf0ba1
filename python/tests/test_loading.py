"""Where the package finds the library: $TORCH_ACTIVATIONS_LIBRARY first, then beside the
package, then the source tree's build folders."""
import os
import pathlib
import shutil
import subprocess
import sys

import torch_activations
from torch_activations import _library

PACKAGE_DIR = pathlib.Path(torch_activations.__file__).resolve().parent


def test_the_environment_variable_comes_first(monkeypatch):
    monkeypatch.setenv("TORCH_ACTIVATIONS_LIBRARY", "/elsewhere/libtorch_activations.so")
    found = [str(p) for p in _library.candidates()]
    assert found[0] == "/elsewhere/libtorch_activations.so"
    assert found[1] == str(PACKAGE_DIR / _library.LIBRARY_NAME)
    assert any(p.endswith("/build/libtorch_activations.so") for p in found[2:])


def test_loaded_from_the_environment_variable_when_set():
    expected = os.environ.get("TORCH_ACTIVATIONS_LIBRARY")
    if expected:
        assert torch_activations.load_library() == pathlib.Path(expected)


def run_copy_of_the_package(tmp_path, environment_library, script, linked_library=None):
    """Runs `script` against a copy of the package alone in tmp_path (no build folder near),
    with `linked_library` linked beside it if given."""
    shutil.copytree(PACKAGE_DIR, tmp_path / "torch_activations",
                    ignore=shutil.ignore_patterns("__pycache__", "*.so"))
    if linked_library:
        os.symlink(linked_library, tmp_path / "torch_activations" / _library.LIBRARY_NAME)
    environment = dict(os.environ, PYTHONPATH=str(tmp_path))
    environment.pop("TORCH_ACTIVATIONS_LIBRARY", None)
    if environment_library:
        environment["TORCH_ACTIVATIONS_LIBRARY"] = environment_library
    return subprocess.run([sys.executable, "-c", script], env=environment, cwd=tmp_path,
                          capture_output=True, text=True)


def test_a_missing_library_is_reported(tmp_path):
    result = run_copy_of_the_package(tmp_path, "/nowhere/libtorch_activations.so",
                                     "import torch_activations")
    assert result.returncode != 0
    assert "libtorch_activations.so not found" in result.stderr


def test_the_library_beside_the_package_is_used(tmp_path):
    result = run_copy_of_the_package(
        tmp_path, None, "import torch_activations; print(torch_activations.load_library())",
        linked_library=torch_activations.load_library().resolve())
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(tmp_path / "torch_activations" / _library.LIBRARY_NAME)
