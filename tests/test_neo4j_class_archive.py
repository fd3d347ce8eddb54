"""The test Neo4j's class-data-sharing archive (tools/neo4j_local.py): made once beside
the jars, then mapped by every server the tooling starts."""

from __future__ import annotations

import pytest

from tools.neo4j_local import LocalNeo4j, class_archive_path, make_class_archive

pytestmark = pytest.mark.neo4j


def test_a_server_starts_on_the_archive_and_the_archive_is_made_once() -> None:
    archive = make_class_archive()
    assert archive == class_archive_path()
    made = archive.stat().st_mtime_ns
    assert make_class_archive().stat().st_mtime_ns == made  # kept, not made again
    # -Xshare:on: a JVM that cannot map the archive refuses to start instead of
    # starting without it, so a start proves the server uses it
    server = LocalNeo4j(jvm_args=("-Xshare:on", "-Xlog:cds=info"))
    try:
        server.start()
        log = server.log_path.read_text(errors="replace")
    finally:
        server.stop()
    assert str(archive) in log
