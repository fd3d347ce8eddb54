"""The import contracts in pyproject.toml hold, every package has a layer, and they can fail.

``scripts/test`` runs ``lint-imports`` too; this test makes plain ``pytest`` catch a layer
violation (a lazy import inside a function included).
"""

from __future__ import annotations

import pkgutil
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
from importlinter import configuration
from importlinter.application import use_cases

import graph_crm

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = ROOT / "pyproject.toml"


def _config() -> dict[str, Any]:
    config: dict[str, Any] = tomllib.loads(PYPROJECT.read_text())["tool"]["importlinter"]
    return config


def _layers() -> list[str]:
    contract = next(c for c in _config()["contracts"] if c["id"] == "layers")
    layers: list[str] = contract["layers"]
    return layers


def _lint(config: Path, capsys: pytest.CaptureFixture[str]) -> tuple[bool, str]:
    """What ``lint-imports --no-cache`` does, without its logging.dictConfig, which would
    disable every logger already made (and so the log assertions of later tests)."""
    configuration.configure()
    passed = use_cases.lint_imports(config_filename=str(config), cache_dir=None, no_logo=True)
    return passed, capsys.readouterr().out


def test_the_project_keeps_its_import_contracts(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(ROOT)
    passed, report = _lint(PYPROJECT, capsys)
    assert passed, report
    assert "0 broken" in report


def test_every_top_level_module_has_a_layer() -> None:
    placed = {
        name.strip().removeprefix("graph_crm.")
        for layer in _layers()
        for name in layer.replace(":", "|").split("|")
    }
    present = {module.name for module in pkgutil.iter_modules(graph_crm.__path__)}
    assert present == placed, "place a new top-level module in a layer of pyproject.toml"


def _toml_list(items: list[str]) -> str:
    return "[" + ", ".join(f'"{item}"' for item in items) + "]"


def test_the_layers_in_the_wrong_order_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    layers = _layers()
    model, impact = layers.index("graph_crm.model"), layers.index("graph_crm.impact")
    layers[model], layers[impact] = layers[impact], layers[model]  # impact imports model
    config = tmp_path / "wrong.toml"
    config.write_text(
        '[tool.importlinter]\nroot_package = "graph_crm"\n\n'
        "[[tool.importlinter.contracts]]\n"
        'name = "impact under model"\ntype = "layers"\n'
        f"layers = {_toml_list(layers)}\n"
    )
    monkeypatch.chdir(ROOT)
    passed, report = _lint(config, capsys)
    assert not passed
    assert re.search(r"- graph_crm\.impact\.\w+ -> graph_crm\.model\.", report), report


def test_a_lazy_import_of_a_higher_layer_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    package = tmp_path / "layered_demo"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "high.py").write_text("RULE = 1\n")
    # what model/registry.py used to do with impact.policy
    (package / "low.py").write_text(
        "def rule() -> int:\n    from layered_demo import high\n\n    return high.RULE\n"
    )
    config = tmp_path / "contract.toml"
    config.write_text(
        '[tool.importlinter]\nroot_package = "layered_demo"\n\n'
        "[[tool.importlinter.contracts]]\n"
        'name = "low under high"\ntype = "layers"\n'
        'layers = ["layered_demo.high", "layered_demo.low"]\n'
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.chdir(tmp_path)
    passed, report = _lint(config, capsys)
    assert not passed
    assert "layered_demo.low -> layered_demo.high" in report
