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
log=$(mktemp)
if ! { .venv/bin/python -m pip install --disable-pip-version-check --upgrade pip &&
       .venv/bin/python -m pip install --disable-pip-version-check -e ".${1:-}"; } >"$log" 2>&1
then
    cat "$log" >&2
    echo "installing graph-crm into .venv failed (output above)" >&2
    exit 1
fi
rm -f "$log"
