# Shared by scripts/run and scripts/test: a project virtualenv with graph-crm installed.
# Usage: source scripts/_setup.sh [EXTRAS]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# graph-crm runs on Python 3.11 or newer. Without PYTHON=..., a Python 3.13 is preferred
# when the machine has one (on PATH, or among pyenv's versions): the suite's coverage then
# uses sys.monitoring, which costs the tests almost nothing, where 3.11's tracer adds ~60%
# to their CPU (docs/testing.md). Otherwise python3.
find_python() {
    local candidate
    if "python3.13" -c '' >/dev/null 2>&1; then
        command -v python3.13
        return
    fi
    for candidate in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.13*/bin/python3.13; do
        if [ -x "$candidate" ] && "$candidate" -c '' >/dev/null 2>&1; then
            echo "$candidate"
            return
        fi
    done
    echo python3
}
given_python=${PYTHON:-}
PYTHON=${PYTHON:-$(find_python)}
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    echo "graph-crm needs Python 3.11 or newer (set PYTHON=/path/to/python3.11)" >&2
    exit 1
fi
# An existing .venv is kept whatever its Python; PYTHON=... of another version makes it
# again (remove .venv to let the preference above choose).
python_version() { "$1" -c 'import sys; print("%d.%d" % sys.version_info[:2])'; }
if [ -n "$given_python" ] && [ -x .venv/bin/python ] \
    && [ "$(python_version .venv/bin/python)" != "$(python_version "$PYTHON")" ]; then
    echo "the .venv is Python $(python_version .venv/bin/python); making it again with $PYTHON"
    rm -rf .venv
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
