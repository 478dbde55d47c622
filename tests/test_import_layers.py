"""The layers of the source: ``kernels`` depends on nothing in ``mirage``; numba's cache first.

``kernels`` is the bottom layer (pure kernels, the ring, the errors they raise, their cache
folder); ``mirage`` is built on it. An import of ``mirage`` anywhere under ``kernels/`` —
also a lazy one inside a function — makes a cycle and ties the kernels to the tool, so the
sources are read with `ast`, every import found wherever it is.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from kernels import jit_cache

ROOT = Path(__file__).resolve().parent.parent


def imported_modules(source: str) -> list[tuple[int, str]]:
    """``(line, module)`` of every import in ``source``: statements anywhere (functions, classes,
    ``try``), and ``importlib.import_module`` / ``__import__`` calls with a literal name."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name in ("import_module", "__import__") and isinstance(node.args[0].value, str):
                found.append((node.lineno, node.args[0].value))
    return found


def imports_of(source: str, package: str) -> list[str]:
    return [f"line {line}: {module}" for line, module in imported_modules(source)
            if module == package or module.startswith(package + ".")]


def test_the_check_finds_an_import_wherever_it_is():
    source = ("import os\n"
              "def f():\n    from mirage.errors import ParameterError\n"
              "class C:\n    import mirage\n"
              "importlib.import_module('mirage.cache_dir')\n"
              "from kernels import ring\nimport mirage_like\n")
    assert imports_of(source, "mirage") == ["line 3: mirage.errors", "line 5: mirage", "line 6: mirage.cache_dir"]


def test_kernels_import_nothing_from_mirage():
    sources = sorted((ROOT / "kernels").rglob("*.py"))
    assert len(sources) > 10  # the walk found the package
    found = {str(path.relative_to(ROOT)): hits for path in sources
             if (hits := imports_of(path.read_text(), "mirage"))}
    assert found == {}


def test_mirage_errors_are_the_kernels_classes():
    import kernels.errors
    import mirage.errors

    assert mirage.errors.ParameterError is kernels.errors.ParameterError
    assert mirage.errors.MirageError is kernels.errors.MirageError
    assert issubclass(mirage.errors.InputError, kernels.errors.MirageError)
    assert kernels.errors.ParameterError("x").exit_code == mirage.errors.EXIT_BAD_INPUT == 2
    assert mirage.errors.DeviceLostError.exit_code == mirage.errors.EXIT_DEVICE_LOST


def test_mirage_configures_numbas_cache_before_any_jitted_module():
    """``mirage/__init__.py`` imports ``kernels.jit_cache`` before any kernel module, and
    nothing it imports before that is jitted: numba's cache folder is set before any
    ``@njit(cache=True)`` is defined."""
    jitted = set(jit_cache.jitted_modules())
    before = []
    for statement in ast.parse((ROOT / "mirage" / "__init__.py").read_text()).body:  # in execution order
        if isinstance(statement, ast.Import):
            modules = [alias.name for alias in statement.names]
        elif isinstance(statement, ast.ImportFrom) and statement.module:
            modules = [f"{statement.module}.{alias.name}" for alias in statement.names]
        else:
            continue
        if any(m.split(".")[0] == "kernels" for m in modules):
            assert modules == ["kernels.jit_cache"], modules
            break
        before += modules
    else:
        raise AssertionError("mirage/__init__.py does not import kernels.jit_cache")
    assert before and not {m.rsplit(".", 1)[0] for m in before} & jitted and not set(before) & jitted, before


def test_numba_is_imported_only_after_its_cache_is_configured():
    code = ("import sys\norder = []\n"
            "class Spy:\n"
            "    def find_spec(self, name, path=None, target=None):\n"
            "        order.append(name)\n"
            "sys.meta_path.insert(0, Spy())\n"
            "import mirage.engine.callback\n"
            "print(order.index('kernels.jit_cache') < order.index('numba'))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "True"
