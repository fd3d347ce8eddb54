# Shared by scripts/run and scripts/test: a project virtualenv with graph-crm installed.
# Usage: source scripts/_setup.sh [EXTRAS]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PYTHON=${PYTHON:-python3}
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    echo "graph-crm needs Python 3.11 or newer (set PYTHON=/path/to/python3.11)" >&2
    exit 1
fi
if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
# one install at a time: the tests run scripts/run from several processes at once
if command -v flock >/dev/null; then
    exec 9>.venv/.install-lock
    flock 9
fi
log=$(mktemp)
echo "installing graph-crm${1:+ with $1} into .venv (the first time: about half a minute)"
# pip's whole output goes to a log, shown if it fails; what it is doing shows as it goes
pip_install() {
    .venv/bin/python -m pip install --disable-pip-version-check "$@" 2>&1 | tee -a "$log" |
        { grep --line-buffered -E '^(Collecting|Installing collected|Successfully installed)' ||
          true; } | sed -u -E 's/^(.{0,96}).*/  \1/'
    return "${PIPESTATUS[0]}"
}
if ! pip_install --upgrade pip || ! pip_install -e ".${1:-}"; then
    cat "$log" >&2
    echo "installing graph-crm into .venv failed (output above)" >&2
    exit 1
fi
rm -f "$log"
exec 9>&-
