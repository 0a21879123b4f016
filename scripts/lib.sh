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

# For scripts/worker and scripts/beat: the broker Django's settings name (CELERY_BROKER_URL, from the
# environment or .env), or an explanation and exit: without one, tasks run in the web process itself.
require_celery_broker() {
    local broker
    broker="$(DJANGO_SETTINGS_MODULE=config.settings .venv/bin/python -c \
        'from django.conf import settings; print(settings.CELERY_BROKER_URL)')"
    if [ "$broker" = "memory://" ]; then
        echo "CELERY_BROKER_URL is not set (environment or .env): tasks run in-process, right after each" >&2
        echo "request's commit, and there is nothing for $(basename "$0") to do. Set it, e.g." >&2
        echo "CELERY_BROKER_URL=amqp://guest:guest@127.0.0.1:5672// (RabbitMQ) or redis://127.0.0.1:6379/1 (Redis)." >&2
        exit 1
    fi
}
