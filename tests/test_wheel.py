"""The built wheel works on its own: installed into a fresh venv outside the checkout,
it runs the demo on the embedded store and on Neo4j (its Cypher files and seeds travel
inside it)."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from graph_crm import __version__
from tests.neo4j_env import Neo4jTarget, reset_database

REPO = Path(__file__).resolve().parents[1]
#: ``requires-python`` in pyproject.toml; the suite itself may run on a newer Python
#: (scripts/_setup.sh prefers 3.13), so the wheel is installed and run on this one
MINIMUM_PYTHON = "3.11"


def _oldest_python() -> str:
    """A Python of the oldest version graph-crm supports when the machine has one (the
    wheel's demo then runs on it), else the Python running the tests."""
    found = shutil.which(f"python{MINIMUM_PYTHON}")
    runs = found and subprocess.run([found, "-c", ""], capture_output=True, check=False)
    if found and runs and runs.returncode == 0:
        return found
    return sys.executable


def _run(*command: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, f"{command}:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
    return done


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv, outside the checkout, holding only the built wheel and its
    dependencies; returns its ``bin`` folder."""
    place = tmp_path_factory.mktemp("wheel")
    _run(sys.executable, "-m", "pip", "wheel", REPO, "--no-deps", "-q", "-w", place, cwd=place)
    [wheel] = place.glob("graph_crm-*.whl")
    assert wheel.name.startswith(f"graph_crm-{__version__}-")
    # no pip of its own (ensurepip costs seconds): this checkout's pip installs into it,
    # resolving the wheel's declared dependencies as any install would; bytecode is left
    # to the first import
    _run(_oldest_python(), "-m", "venv", "--without-pip", place / "venv", cwd=place)
    bin_dir = place / "venv" / "bin"
    _run(sys.executable, "-m", "pip", "--python", bin_dir / "python", "install", "-q",
         "--no-compile", "--disable-pip-version-check", wheel, cwd=place)  # fmt: skip
    return bin_dir


def test_the_wheel_runs_on_the_oldest_python_declared(installed: Path, tmp_path: Path) -> None:
    declared = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["requires-python"]
    assert declared == f">={MINIMUM_PYTHON}"
    ran = _run(installed / "python", "-c", "import sys; print('%d.%d' % sys.version_info[:2])",
               cwd=tmp_path)  # fmt: skip
    this = "{}.{}".format(*sys.version_info[:2])
    expected = MINIMUM_PYTHON if _oldest_python() != sys.executable else this
    assert ran.stdout.strip() == expected


def test_the_installed_wheel_runs_the_demo_on_the_embedded_store(
    installed: Path, tmp_path: Path
) -> None:
    where = _run(installed / "python", "-c", "import graph_crm; print(graph_crm.__file__)",
                 cwd=tmp_path)  # fmt: skip
    assert not Path(where.stdout.strip()).is_relative_to(REPO)
    version = _run(installed / "graph-crm", "--version", cwd=tmp_path)
    assert version.stdout.strip() == f"graph-crm {__version__}"
    demo = _run(installed / "graph-crm", "demo", "--db", tmp_path / "demo.db", "--report",
                tmp_path / "report.html", cwd=tmp_path)  # fmt: skip
    assert "RTM-02" in demo.stdout
    assert (tmp_path / "report.html").stat().st_size > 10_000


@pytest.mark.neo4j
def test_the_installed_wheel_runs_the_demo_on_neo4j(
    installed: Path, tmp_path: Path, neo4j_target: Neo4jTarget
) -> None:
    asyncio.run(reset_database(neo4j_target))
    demo = _run(installed / "graph-crm", "demo", "--backend", "neo4j", "--neo4j-uri",
                neo4j_target.uri, "--report", "", cwd=tmp_path)  # fmt: skip
    assert "RTM-02" in demo.stdout


def test_the_installed_wheel_serves_the_console_and_graphiql(
    installed: Path, tmp_path: Path
) -> None:
    """The console's pages and vendored files travel in the wheel; axe-core (tests only)
    does not."""
    listing = _run(installed / "python", "-c", CONSOLE_FILES, cwd=tmp_path).stdout.split()
    assert "console.html" in listing
    assert "graphiql.html" in listing
    assert "vendor/graphiql/graphiql.min.js" in listing
    assert "vendor/cytoscape/cytoscape.esm.min.mjs" in listing
    assert "console/pages/schema.js" in listing
    assert any(name.startswith("vendor/graphiql/fonts/") for name in listing)
    assert not [name for name in listing if "axe" in name]
    served = _run(installed / "python", "-c", SERVED_PAGE, cwd=tmp_path).stdout
    assert "200 default-src 'self'" in served


#: The files the installed package serves, relative to its static folder.
CONSOLE_FILES = """
from graph_crm.web.assets import STATIC_DIR
print("\\n".join(sorted(p.relative_to(STATIC_DIR).as_posix()
                        for p in STATIC_DIR.rglob("*") if p.is_file())))
"""
#: GET / answered by the installed package (no store needed: the page holds no data).
SERVED_PAGE = """
import asyncio
from starlette.requests import Request
from graph_crm.web.routes import console
scope = {"type": "http", "method": "GET", "path": "/", "headers": [], "query_string": b""}
page = asyncio.run(console(Request(scope)))
print(page.status_code, page.headers["content-security-policy"][:20])
"""
