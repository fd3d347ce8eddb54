"""Fixtures of the impact tests: the demo's HTML report, made once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.impact.demo_report import write_demo_report


@pytest.fixture(scope="session")
def demo_report_html(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_demo_report(tmp_path_factory.mktemp("demo-report"))
