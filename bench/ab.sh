#!/usr/bin/env bash
# Side by side: this checkout against an older commit BASE, on the same machine and data,
# runs alternating (base, new, base, new...), reported as ratios.
#
#   bash bench/ab.sh 5a08549            # 2 rounds of bench.api (5k entities) and bench.impact (10k)
#   ROUNDS=3 bash bench/ab.sh 5a08549
#
# BASE is checked out into a temp worktree with its own .venv; its bench/apiserver.py is
# replaced by this checkout's (the bench harness lifts the per-key rate limit), everything
# else of BASE is run as it was. Results: bench/results/ab/*.json and the table
# bench/ab_report.py prints.
set -euo pipefail
base="${1:?usage: bench/ab.sh BASE_COMMIT}"
rounds="${ROUNDS:-2}"
here="$(cd "$(dirname "$0")/.." && pwd)"
out="$here/bench/results/ab"
work="$(mktemp -d)"
trap 'git -C "$here" worktree remove --force "$work/base" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
git -C "$here" worktree add -q --detach "$work/base" "$base"
cp "$here/bench/apiserver.py" "$work/base/bench/apiserver.py"
[ -d "$here/.neo4j" ] && cp -al "$here/.neo4j" "$work/base/.neo4j"
(cd "$work/base" && source scripts/_setup.sh "[dev]" >/dev/null)
rm -rf "$out" && mkdir -p "$out"
for round in $(seq 1 "$rounds"); do
    for side in base new; do
        dir="$here"; [ "$side" = base ] && dir="$work/base"
        echo "round $round: $side" >&2
        (cd "$dir" && .venv/bin/python -m bench.api --entities 5000 --requests 400 \
            --duration 15 --backend both --out "$out/api-$side-$round.json" >/dev/null)
        (cd "$dir" && .venv/bin/python -m bench.impact --sizes 10000 --runs 15 \
            --naive-runs 0 --backend both --out "$out/impact-$side-$round.json" >/dev/null)
    done
done
"$here/.venv/bin/python" "$here/bench/ab_report.py" "$out"
