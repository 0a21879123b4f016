"""core.geo: the country of an IP, from the bundled geoip2fast database or an HTTP service."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from core import geo

# Checked against geoip2fast 1.2.2's bundled database.
KNOWN_COUNTRIES = {"8.8.8.8": "US", "81.2.69.160": "GB", "200.160.2.3": "BR", "1.1.1.1": "AU"}

NOT_PUBLIC = [
    "10.0.0.1",  # private
    "192.168.1.20",  # private
    "172.16.5.4",  # private
    "127.0.0.1",  # loopback
    "::1",  # loopback
    "169.254.1.1",  # link-local
    "100.64.0.1",  # carrier-grade NAT
    "203.0.113.7",  # documentation
    "224.0.0.1",  # multicast
    "0.0.0.0",  # unspecified
    "fd00::1",  # unique local
    "not-an-ip",
    "",
    None,
]


class GeoServer(ThreadingHTTPServer):
    """A real HTTP server; ``mode`` chooses how it answers, ``release`` ends a stalled answer."""

    daemon_threads = True
    block_on_close = False

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), GeoHandler)
        self.mode = "ok"
        self.paths: list[str] = []
        self.release = threading.Event()


class GeoHandler(BaseHTTPRequestHandler):
    """Answers like ip-api.com, or misbehaves, depending on the server's ``mode``."""

    def do_GET(self) -> None:
        server = self.server
        assert isinstance(server, GeoServer)
        server.paths.append(self.path)
        mode = server.mode
        if mode == "slow":
            server.release.wait(5)
        if mode == "drip":
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            for byte in b'{"countryCode": "US"}':
                if server.release.wait(0.15):
                    return
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
            return
        if mode == "hang_up":
            self.close_connection = True
            return
        status, body = {
            "ok": (200, json.dumps({"status": "success", "countryCode": "de"})),
            "fail": (200, json.dumps({"status": "fail", "message": "reserved range"})),
            "no_status": (200, json.dumps({"countryCode": "FR"})),
            "bad_code": (200, json.dumps({"status": "success", "countryCode": "Germany"})),
            "not_an_object": (200, json.dumps(["DE"])),
            "broken": (200, '{"status": "success", "countryCode": '),
            "huge": (200, json.dumps({"status": "success", "countryCode": "DE", "pad": "x" * 100_000})),
            "error": (503, "Service Unavailable"),
            "slow": (200, json.dumps({"status": "success", "countryCode": "DE"})),
        }[mode]
        payload = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(payload)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def geo_server(settings) -> Iterator[GeoServer]:
    """A real HTTP server on 127.0.0.1; set ``server.mode`` to choose its behaviour."""
    server = GeoServer()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    settings.GEOIP_PROVIDER = "http"
    settings.GEOIP_HTTP_URL = f"http://127.0.0.1:{server.server_address[1]}/json/{{ip}}?fields=status,countryCode"
    # Generous, so a busy CI machine does not time out; the slow-service tests shorten it.
    settings.GEOIP_HTTP_TIMEOUT = 2.0
    yield server
    server.release.set()
    server.shutdown()
    server.server_close()


@pytest.fixture
def fresh_geoip2fast(monkeypatch) -> None:
    """Forgets the process's loaded reader for the test, and restores it afterwards."""
    monkeypatch.setattr(geo, "_geoip_reader", None)
    monkeypatch.setattr(geo, "_geoip_failed", False)


# Which addresses are looked up at all.


@pytest.mark.parametrize("ip", NOT_PUBLIC)
def test_private_loopback_and_invalid_addresses_are_never_looked_up(ip, settings, monkeypatch):
    asked = []
    monkeypatch.setitem(geo._PROVIDERS, "geoip2fast", lambda address: asked.append(address) or "US")
    settings.GEOIP_PROVIDER = "geoip2fast"

    assert geo.country_for_ip(ip) is None
    assert asked == []


def test_public_addresses_are_looked_up_in_canonical_form(settings, monkeypatch):
    asked = []
    monkeypatch.setitem(geo._PROVIDERS, "geoip2fast", lambda address: asked.append(address) or "US")
    settings.GEOIP_PROVIDER = "geoip2fast"

    assert geo.country_for_ip(" 2001:4860:4860:0:0:0:0:8888 ") == "US"
    assert asked == ["2001:4860:4860::8888"]


def test_provider_none_never_looks_up(settings):
    settings.GEOIP_PROVIDER = "none"

    assert geo.country_for_ip("8.8.8.8") is None


# geoip2fast


@pytest.mark.parametrize(("ip", "country"), KNOWN_COUNTRIES.items())
def test_geoip2fast_finds_the_country_of_a_public_ip(ip, country, settings):
    settings.GEOIP_PROVIDER = "geoip2fast"

    assert geo.country_for_ip(ip) == country


def test_geoip2fast_answers_none_for_a_network_it_does_not_know(settings):
    # The bundled database is IPv4 only.
    settings.GEOIP_PROVIDER = "geoip2fast"

    assert geo.country_for_ip("2001:4860:4860::8888") is None


def test_geoip2fast_database_is_loaded_once_and_lazily(settings, monkeypatch, fresh_geoip2fast):
    import geoip2fast

    loads = []
    real = geoip2fast.GeoIP2Fast

    def counting(*args, **kwargs):
        loads.append(kwargs.get("geoip2fast_data_file"))
        return real(*args, **kwargs)

    monkeypatch.setattr(geoip2fast, "GeoIP2Fast", counting)
    settings.GEOIP_PROVIDER = "geoip2fast"
    assert loads == []

    assert geo.country_for_ip("8.8.8.8") == "US"
    assert geo.country_for_ip("81.2.69.160") == "GB"

    assert len(loads) == 1
    assert loads[0].endswith("geoip2fast/geoip2fast.dat.gz")


def test_geoip2fast_that_cannot_load_answers_none_and_does_not_retry(settings, monkeypatch, fresh_geoip2fast, caplog):
    import geoip2fast

    attempts = []

    def broken(*args, **kwargs):
        attempts.append(1)
        raise geoip2fast.geoip2fast.GeoIPError("corrupt database")

    monkeypatch.setattr(geoip2fast, "GeoIP2Fast", broken)
    settings.GEOIP_PROVIDER = "geoip2fast"

    assert geo.country_for_ip("8.8.8.8") is None
    assert geo.country_for_ip("8.8.8.8") is None
    assert attempts == [1]
    assert "could not be loaded" in caplog.text


def test_geoip2fast_lookup_error_answers_none(settings, monkeypatch):
    class Exploding:
        def lookup(self, ip):
            raise RuntimeError("library bug")

    monkeypatch.setattr(geo, "_geoip_reader", Exploding())
    settings.GEOIP_PROVIDER = "geoip2fast"

    assert geo.country_for_ip("8.8.8.8") is None


# http


def test_http_provider_reads_the_country_code_upper_cased(geo_server):
    assert geo.country_for_ip("8.8.8.8") == "DE"
    assert geo_server.paths == ["/json/8.8.8.8?fields=status,countryCode"]


def test_http_provider_without_a_status_field_uses_the_country_code(geo_server):
    geo_server.mode = "no_status"

    assert geo.country_for_ip("8.8.8.8") == "FR"


@pytest.mark.parametrize("mode", ["fail", "bad_code", "not_an_object", "broken", "huge", "error", "hang_up"])
def test_http_provider_answers_none_when_the_service_misbehaves(mode, geo_server):
    geo_server.mode = mode

    assert geo.country_for_ip("8.8.8.8") is None
    assert len(geo_server.paths) == 1


def test_http_provider_gives_up_on_a_slow_service_within_the_timeout(geo_server, settings):
    # The server would answer after 5 s.
    geo_server.mode = "slow"
    settings.GEOIP_HTTP_TIMEOUT = 0.5

    started = time.monotonic()
    assert geo.country_for_ip("8.8.8.8") is None
    assert time.monotonic() - started < 2.5


def test_http_provider_gives_up_on_a_service_that_drips_bytes(geo_server, settings):
    # Each byte arrives within the socket timeout, but the whole answer would take over 3 s.
    geo_server.mode = "drip"
    settings.GEOIP_HTTP_TIMEOUT = 0.5

    started = time.monotonic()
    assert geo.country_for_ip("8.8.8.8") is None
    assert time.monotonic() - started < 2.5


def test_http_provider_answers_none_when_nothing_listens(settings):
    server = GeoServer()
    port = server.server_address[1]
    server.server_close()
    settings.GEOIP_PROVIDER = "http"
    settings.GEOIP_HTTP_URL = f"http://127.0.0.1:{port}/json/{{ip}}"
    settings.GEOIP_HTTP_TIMEOUT = 0.5

    assert geo.country_for_ip("8.8.8.8") is None


def test_http_provider_refuses_urls_that_are_not_http(settings, tmp_path):
    answer = tmp_path / "8.8.8.8"
    answer.write_text(json.dumps({"countryCode": "US"}))
    settings.GEOIP_PROVIDER = "http"
    settings.GEOIP_HTTP_URL = f"file://{tmp_path}/{{ip}}"

    assert geo.country_for_ip("8.8.8.8") is None
