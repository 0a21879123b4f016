"""The app serves its own static files: /admin/ and /api/docs work under gunicorn with DEBUG=false."""

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url):
    request = urllib.request.Request(url, headers={"Host": "localhost"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, response.headers, response.read().decode("utf-8", "replace")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("serving")
    port = free_port()
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": "serving-test-secret-" + "x" * 40,
        "SECURE_SSL_REDIRECT": "false",
        "STATIC_ROOT": str(tmp / "static"),
        "DATABASE_URL": f"sqlite:///{tmp / 'db.sqlite3'}",
        "ALLOWED_HOSTS": "localhost,127.0.0.1",
    }
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True, timeout=120
    )
    gunicorn = Path(sys.executable).with_name("gunicorn")
    process = subprocess.Popen(
        [str(gunicorn), "config.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1", "--log-level", "warning"],
        cwd=ROOT,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                fetch(f"{base}/health")
                break
            except OSError:
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_swagger_ui_and_its_assets_are_served_locally(server):
    status, _, html = fetch(f"{server}/api/docs")
    assert status == 200
    scripts = re.findall(r'src="([^"]+)"', html)
    assert scripts, html
    # Swagger UI from the sidecar's static files; its init script from the docs view itself (no inline script: CSP).
    assert all(src.startswith("/static/") for src in scripts[:-1]), scripts
    assert scripts[-1] == "/api/docs?script="
    for src in scripts:
        asset_status, headers, _ = fetch(f"{server}{src}")
        assert asset_status == 200
        assert "javascript" in headers["Content-Type"]


def test_schema_is_served(server):
    status, headers, body = fetch(f"{server}/api/schema?format=json")
    assert status == 200
    assert headers["Content-Type"].startswith("application/vnd.oai.openapi+json")
    assert '"openapi"' in body


def test_admin_login_and_its_stylesheet_are_served(server):
    status, _, html = fetch(f"{server}/admin/login/")
    assert status == 200
    stylesheets = re.findall(r'<link rel="stylesheet" href="([^"]+)"', html)
    assert stylesheets
    css_status, headers, _ = fetch(f"{server}{stylesheets[0]}")
    assert css_status == 200
    assert headers["Content-Type"].startswith("text/css")
    # Hashed names from the manifest: safe to cache forever.
    assert "max-age=315360000" in headers["Cache-Control"]
