"""The layers point one way only: the import-linter contract in pyproject.toml holds."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _lint_imports() -> str:
    """The `lint-imports` script of this interpreter's environment (activated or not)."""
    beside = Path(sys.executable).parent / "lint-imports"
    found = str(beside) if beside.exists() else shutil.which("lint-imports")
    assert found is not None, "import-linter is a test dependency: pip install -e '.[test]'"
    return found


def test_layer_contract_is_kept() -> None:
    result = subprocess.run(
        [_lint_imports(), "--no-cache"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_contract_catches_an_upward_import(tmp_path: Path) -> None:
    """The contract is live: a lower layer importing a higher one breaks it."""
    for package in ("core", "graphs"):
        (tmp_path / package).mkdir()
        (tmp_path / package / "__init__.py").write_text("")
    (tmp_path / "graphs" / "node.py").write_text("")
    (tmp_path / "core" / "leak.py").write_text("import graphs.node\n")
    (tmp_path / ".importlinter").write_text(
        "[importlinter]\nroot_packages =\n    core\n    graphs\n\n"
        "[importlinter:contract:layers]\nname = layers\ntype = layers\n"
        "layers =\n    graphs\n    core\n"
    )
    result = subprocess.run(
        [_lint_imports(), "--no-cache"], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "core.leak -> graphs.node" in result.stdout
