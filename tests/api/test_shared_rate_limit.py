"""The rate limit holds across worker processes (api/shared_buckets.py)."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from graph_crm.api.role_limits import ROLE_LIMITS, RateLimited, RateLimiter
from graph_crm.api.shared_buckets import (
    BUCKETS_FILE,
    RUN_DIR_ENV,
    SharedRateLimiter,
    open_rate_limiter,
    serve_run_dir,
)
from graph_crm.auth.roles import Role
from tests.api.servers import cli_key
from tests.faults.processes import api_process

#: Takes ``count`` tokens of key "k" at ``per_minute`` from the bucket file, once the go
#: file appears, and prints how many it got.
TAKER = """
import sys, time
from pathlib import Path
from graph_crm.api.role_limits import RateLimited
from graph_crm.api.shared_buckets import SharedRateLimiter
path, go, count, per_minute = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
limiter = SharedRateLimiter(path)
while not go.exists():
    time.sleep(0.001)
granted = 0
for _ in range(count):
    try:
        limiter.take("k", per_minute)
        granted += 1
    except RateLimited:
        pass
print(granted)
"""


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


def granted(limiter: RateLimiter, key: str, per_minute: int, tries: int) -> int:
    count = 0
    for _ in range(tries):
        try:
            limiter.take(key, per_minute)
            count += 1
        except RateLimited:
            pass
    return count


def test_limiters_on_one_file_share_each_keys_bucket(tmp_path: Path) -> None:
    clock = Clock()
    first = SharedRateLimiter(tmp_path / BUCKETS_FILE, clock=clock)
    second = SharedRateLimiter(tmp_path / BUCKETS_FILE, clock=clock)
    try:
        assert granted(first, "k", 10, 6) == 6
        assert granted(second, "k", 10, 6) == 4
        with pytest.raises(RateLimited) as refused:
            first.take("k", 10)
        assert refused.value.retry_after == pytest.approx(6.0)
        assert granted(second, "other", 10, 10) == 10  # each key its own bucket
        clock.now += 12  # two requests' worth back, for whichever worker asks
        assert granted(first, "k", 10, 1) + granted(second, "k", 10, 5) == 2
    finally:
        first.close()
        second.close()


def test_processes_racing_on_one_bucket_get_its_limit_between_them(tmp_path: Path) -> None:
    per_minute, tries, go = 1_000, 800, tmp_path / "go"
    path = tmp_path / BUCKETS_FILE
    SharedRateLimiter(path).close()
    takers = [
        subprocess.Popen(
            [sys.executable, "-c", TAKER, str(path), str(go), str(tries), str(per_minute)],
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    started = time.monotonic()
    go.touch()
    outputs = [taker.communicate(timeout=120)[0] for taker in takers]
    elapsed = time.monotonic() - started
    assert all(taker.returncode == 0 for taker in takers)
    total = sum(int(output) for output in outputs)
    # the bucket's capacity, plus what refilled while they ran; per process it was 3x
    assert per_minute <= total <= per_minute + elapsed * per_minute / 60 + 1


def test_a_worker_whose_file_fails_limits_on_its_own_until_the_file_answers(
    tmp_path: Path,
) -> None:
    clock = Clock()
    path = tmp_path / BUCKETS_FILE
    limiter = SharedRateLimiter(path, clock=clock, busy_timeout=0.01)
    other = sqlite3.connect(path, isolation_level=None)
    try:
        assert granted(limiter, "k", 4, 2) == 2
        other.execute("BEGIN IMMEDIATE")  # another process holds the file too long
        assert granted(limiter, "k", 4, 10) == 4  # its own bucket: still a limit
        other.execute("ROLLBACK")
        assert granted(limiter, "k", 4, 10) == 2  # the shared bucket again, as it was
    finally:
        other.close()
        limiter.close()


def test_the_run_directory_is_private_and_removed_on_the_way_out() -> None:
    with serve_run_dir() as run_dir:
        assert stat.S_IMODE(run_dir.stat().st_mode) == 0o700
        assert (run_dir / BUCKETS_FILE).is_file()
        limiter = open_rate_limiter({RUN_DIR_ENV: str(run_dir)})
        assert isinstance(limiter, SharedRateLimiter)
        assert limiter.path == run_dir / BUCKETS_FILE
        limiter.close()
    assert not run_dir.exists()
    alone = open_rate_limiter({})
    assert type(alone) is RateLimiter


def test_two_workers_of_one_serve_give_a_key_its_limit_once(tmp_path: Path) -> None:
    per_minute = ROLE_LIMITS[Role.CONFIG_OFFICER].requests_per_minute
    temp = tmp_path / "tmp"
    temp.mkdir()
    headers = cli_key(tmp_path / "api.db", "config_officer", "rate-limit-tests")
    options = ["--workers", "2", "--db", str(tmp_path / "api.db")]
    with api_process(tmp_path / "server.log", options, env={"TMPDIR": str(temp)}) as server:
        (run_dir,) = temp.glob("graph-crm-serve-*")
        assert (run_dir / BUCKETS_FILE).is_file()

        def ask(_: int) -> int:
            # a new connection each time, so the kernel spreads them over both workers
            answer = httpx.post(
                f"{server.base}/graphql",
                json={"query": "{ schemaVersion }"},
                headers=headers,
                timeout=30,
            )
            return answer.status_code

        started = time.monotonic()
        with ThreadPoolExecutor(8) as pool:
            statuses = list(pool.map(ask, range(per_minute + 80)))
        elapsed = time.monotonic() - started
    assert set(statuses) <= {200, 429}
    served = statuses.count(200)
    # the key's limit for the whole server, plus what refilled while the test ran
    assert per_minute <= served <= per_minute + elapsed * per_minute / 60 + 1
    assert not run_dir.exists()
    assert os.listdir(temp) == []
