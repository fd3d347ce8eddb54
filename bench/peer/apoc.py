"""The bench's Neo4j, with APOC core: the Neo4j GraphQL Library needs it (a DateTime field is
projected with ``apoc.date.convertFormat``), graph-crm does not use it.

APOC's jars (``bench/peer/apoc/pom.xml``, fetched by Maven once into
``.neo4j/apoc-<version>``) are the server's plugins directory, where its functions are
found, and also join the server's jars in one lib directory (``.neo4j/lib-apoc``, symbolic
links) that :class:`tools.neo4j_local.LocalNeo4j` runs from: APOC's kernel extension (its
configuration) is found on the class path only.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from tools.neo4j_local import DEFAULT_LIB_DIR, MARKER, NEO4J_VERSION, LocalNeo4j, resolve

POM = Path(__file__).resolve().parent / "apoc" / "pom.xml"
_VERSIONED = re.compile(r"^(?P<name>.+?)-\d[\w.-]*\.jar$")


def apoc_version() -> str:
    ns = {"m": "http://maven.apache.org/POM/4.0.0"}
    return ET.parse(POM).getroot().findtext("m:properties/m:apoc.version", namespaces=ns) or ""


def _fetch(into: Path) -> Path:
    """APOC core and its dependencies in ``into`` (Maven, once per version)."""
    marker = into / MARKER
    if marker.is_file() and marker.read_text().strip() == apoc_version():
        return into
    mvn = shutil.which("mvn")
    if mvn is None:
        raise RuntimeError("Maven ('mvn') is not on PATH; bench.peer needs it to fetch APOC")
    shutil.rmtree(into, ignore_errors=True)
    command = [mvn, "-B", "-q", "-f", str(POM), "dependency:copy-dependencies",
               f"-DoutputDirectory={into}", "-DincludeScope=runtime"]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{(done.stdout + done.stderr)[-3000:]}")
    marker.write_text(apoc_version() + "\n")
    return into


def plugins_dir() -> Path:
    return _fetch(DEFAULT_LIB_DIR.parent / f"apoc-{apoc_version()}")


def lib_with_apoc() -> Path:
    """A lib directory of the server's jars and APOC's (a dependency the server already has,
    under any version, is left out: the server's copy stays the one loaded)."""
    server = resolve()
    plugins = plugins_dir()
    combined = DEFAULT_LIB_DIR.parent / "lib-apoc"
    shutil.rmtree(combined, ignore_errors=True)
    combined.mkdir(parents=True)
    present = set()
    for jar in sorted(server.glob("*.jar")):
        (combined / jar.name).symlink_to(jar)
        match = _VERSIONED.match(jar.name)
        present.add(match["name"] if match else jar.name)
    for jar in sorted(plugins.glob("*.jar")):
        match = _VERSIONED.match(jar.name)
        if (match["name"] if match else jar.name) not in present:
            (combined / jar.name).symlink_to(jar)
    (combined / MARKER).write_text(NEO4J_VERSION + "\n")
    return combined


def neo4j_with_apoc(args: Any) -> LocalNeo4j:
    """A throwaway Neo4j with APOC, tuned as bench.api's (``args.neo4j_heap`` /
    ``neo4j_pagecache``, the C2 JIT back on); the caller starts and stops it."""
    neo4j = LocalNeo4j(
        lib_with_apoc(),
        # procedures and functions are read from the plugins directory, the rest from the path
        extra_config={"server.directories.plugins": str(plugins_dir())},
        heap=args.neo4j_heap,
        pagecache=args.neo4j_pagecache,
        jvm_args=("-XX:TieredStopAtLevel=4",),
    )
    return neo4j
