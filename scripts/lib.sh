# Shared by scripts/dev and scripts/test: a virtualenv in .venv with the pinned
# requirements, reinstalled only when the requirement files change.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

find_python() {
    for candidate in "${PYTHON:-}" python3.13 python3.12 python3.11 python3; do
        [ -n "$candidate" ] || continue
        if command -v "$candidate" >/dev/null 2>&1 &&
            "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
            echo "$candidate"
            return
        fi
    done
    echo "PageShare needs Python 3.11 or newer (set PYTHON=/path/to/python3.11)." >&2
    exit 1
}

ensure_venv() {
    local requirements="$1"
    if [ ! -x .venv/bin/python ]; then
        "$(find_python)" -m venv .venv
    fi
    local stamp=".venv/.installed-$(basename "$requirements" .txt)"
    local digest
    digest="$(cat requirements*.txt | sha256sum | cut -d' ' -f1)"
    if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$digest" ]; then
        # (sed drops the noise of index locations configured on some machines but absent)
        .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip 2>&1 |
            sed '/is neither a file nor a directory/d'
        .venv/bin/python -m pip install --quiet --disable-pip-version-check -r "$requirements" 2>&1 |
            sed '/is neither a file nor a directory/d'
        echo "$digest" >"$stamp"
    fi
}
