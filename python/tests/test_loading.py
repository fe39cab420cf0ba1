"""Where the package finds the library, and what it refuses to load: a library named by
$TORCH_ACTIVATIONS_LIBRARY or load_library(path) is used or refused, never skipped; otherwise
the one beside the package, then (in a source tree only) the build folders, each only if its
build record says it was built against this torch. A library for another torch is never loaded:
loading it could abort the process."""
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys

import pytest
import torch

import torch_activations
from torch_activations import _compat, _library

PACKAGE_DIR = pathlib.Path(torch_activations.__file__).resolve().parent
ROOT = PACKAGE_DIR.parent.parent


def test_loaded_from_the_environment_variable_when_set():
    expected = os.environ.get("TORCH_ACTIVATIONS_LIBRARY")
    if expected:
        assert torch_activations.load_library() == pathlib.Path(expected)


def test_the_loaded_library_was_built_against_this_torch():
    record = _library.build_record
    assert _compat.torch_series(record["torch"]) == _compat.torch_series(torch.__version__)
    assert record["cxx11_abi"] == int(torch._C._GLIBCXX_USE_CXX11_ABI)


def test_one_version_cmakes_project_version():
    cmake = (ROOT / "CMakeLists.txt").read_text()
    version = re.search(r"project\(torch_activations VERSION ([0-9.]+)", cmake)[1]
    assert torch_activations.__version__ == version


def run_copy_of_the_package(tmp_path, environment_library, script, linked_library=None):
    """Runs `script` against a copy of the package alone in tmp_path (no source tree around it,
    as when installed), with `linked_library` linked beside it if given."""
    shutil.copytree(PACKAGE_DIR, tmp_path / "torch_activations",
                    ignore=shutil.ignore_patterns("__pycache__", "*.so", "*.json"))
    if linked_library:
        os.symlink(linked_library, tmp_path / "torch_activations" / _library.LIBRARY_NAME)
    environment = dict(os.environ, PYTHONPATH=str(tmp_path))
    environment.pop("TORCH_ACTIVATIONS_LIBRARY", None)
    if environment_library:
        environment["TORCH_ACTIVATIONS_LIBRARY"] = str(environment_library)
    return subprocess.run([sys.executable, "-c", script], env=environment, cwd=tmp_path,
                          capture_output=True, text=True)


def test_a_named_library_that_does_not_exist_is_an_error(tmp_path):
    result = run_copy_of_the_package(tmp_path, "/nowhere/libtorch_activations.so",
                                     "import torch_activations")
    assert result.returncode != 0
    assert "ImportError" in result.stderr and "/nowhere/libtorch_activations.so" in result.stderr
    assert "does not exist" in result.stderr


@pytest.mark.parametrize("layout,found", [("site-packages", False), ("python", True)])
def test_only_a_source_tree_searches_its_build_folders(tmp_path, layout, found):
    """The package copied into <tmp>/<layout>/ beside <tmp>/build/ holding a good library: as
    an installed package (site-packages) it never looks there; in a source tree (python/, with
    CMakeLists.txt beside) it does."""
    shutil.copytree(PACKAGE_DIR, tmp_path / layout / "torch_activations",
                    ignore=shutil.ignore_patterns("__pycache__", "*.so", "*.json"))
    (tmp_path / "CMakeLists.txt").write_text("# a source tree\n")
    (tmp_path / "build").mkdir()
    shutil.copy(torch_activations.load_library().resolve(),
                tmp_path / "build" / _library.LIBRARY_NAME)
    (tmp_path / "build" / _library.RECORD_NAME).write_text(json.dumps(_library.build_record))
    environment = dict(os.environ, PYTHONPATH=str(tmp_path / layout))
    environment.pop("TORCH_ACTIVATIONS_LIBRARY", None)
    result = subprocess.run([sys.executable, "-c", "import torch_activations"], env=environment,
                            cwd=tmp_path, capture_output=True, text=True)
    assert (result.returncode == 0) == found, result.stderr
    if not found:
        assert "no libtorch_activations.so built against torch" in result.stderr


def test_the_library_beside_the_package_is_used(tmp_path):
    result = run_copy_of_the_package(
        tmp_path, None, "import torch_activations; print(torch_activations.load_library())",
        linked_library=torch_activations.load_library().resolve())
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(tmp_path / "torch_activations" / _library.LIBRARY_NAME)


def library_with_record(tmp_path, **record_changes):
    """A copy of the loaded library whose build record says something else."""
    folder = tmp_path / "other"
    folder.mkdir()
    library = folder / _library.LIBRARY_NAME
    shutil.copy(torch_activations.load_library().resolve(), library)
    record = dict(_library.build_record, **record_changes)
    (folder / _library.RECORD_NAME).write_text(json.dumps(record))
    return library


OTHER_TORCH = "0.4.1"  # a torch this never runs under


@pytest.mark.parametrize("changes,reason", [
    ({"torch": OTHER_TORCH}, f"built against torch {OTHER_TORCH}"),
    ({"cxx11_abi": 1 - int(torch._C._GLIBCXX_USE_CXX11_ABI)}, "_GLIBCXX_USE_CXX11_ABI"),
    ({"cuda": "99.0"}, "CUDA"),
])
def test_a_named_library_for_another_torch_is_refused_before_loading(tmp_path, changes, reason):
    library = library_with_record(tmp_path, **changes)
    result = run_copy_of_the_package(tmp_path, library, "import torch_activations")
    assert result.returncode == 1, result.stderr  # an exception, not a signal
    assert "ImportError" in result.stderr and reason in result.stderr
    assert "pip install --no-build-isolation" in result.stderr


def test_a_named_library_without_a_build_record_is_refused(tmp_path):
    library = library_with_record(tmp_path)
    (library.parent / _library.RECORD_NAME).unlink()
    result = run_copy_of_the_package(tmp_path, library, "import torch_activations")
    assert result.returncode == 1 and "no build record" in result.stderr


def test_a_library_for_another_torch_beside_the_package_is_skipped(tmp_path):
    library = library_with_record(tmp_path, torch=OTHER_TORCH)
    result = run_copy_of_the_package(tmp_path, None, "import torch_activations",
                                     linked_library=library)
    assert result.returncode == 1
    assert "skipped" in result.stderr and f"built against torch {OTHER_TORCH}" in result.stderr


def test_the_library_built_for_debian_torch_is_refused_without_abort(tmp_path):
    """The real thing: the library CI builds against Debian's LibTorch 1.13 (build/), named
    under this torch; loading it would abort the process."""
    other = ROOT / "build" / _library.LIBRARY_NAME
    record = _library.read_build_record(other) if other.is_file() else None
    if record is None or _compat.torch_series(record["torch"]) == _compat.torch_series(
            torch.__version__):
        pytest.skip("no library built against another torch in build/")
    script = ("try:\n    import torch_activations\nexcept ImportError as error:\n"
              "    print(error)\n")
    result = run_copy_of_the_package(tmp_path, other, script)
    assert result.returncode == 0, (result.returncode, result.stderr)
    assert f"built against torch {record['torch']}" in result.stdout
    assert torch.__version__ in result.stdout
