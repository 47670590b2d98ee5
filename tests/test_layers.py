"""The direction of imports, kept by import-linter's contracts in pyproject.toml."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def lint_imports(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", *args], cwd=REPO_ROOT, capture_output=True, text=True, timeout=300
    )


def test_the_layers_keep_their_contracts():
    result = lint_imports()
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "0 broken" in result.stdout


def test_a_contract_that_the_code_breaks_is_reported(tmp_path):
    # The flows write through db: forbidding it must fail, naming the import.
    config = tmp_path / "contracts.toml"
    config.write_text(
        '[tool.importlinter]\nroot_packages = ["flows", "db"]\n\n'
        '[[tool.importlinter.contracts]]\nname = "flows without db"\ntype = "forbidden"\n'
        'source_modules = ["flows"]\nforbidden_modules = ["db"]\n'
    )
    result = lint_imports("--config", str(config))
    assert result.returncode == 1 and "flows without db BROKEN" in result.stdout
    assert "flows.process -> db" in result.stdout
