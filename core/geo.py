"""The country of an IP address, from a provider chosen by ``GEOIP_PROVIDER``.

- ``geoip2fast`` (default): offline, the database bundled with the geoip2fast
  library (IPv4), loaded once per process on first use (~0.3 s, ~40 MB).
- ``http``: an ip-api.com style JSON service at ``GEOIP_HTTP_URL`` (``{ip}`` is
  replaced by the address), read within ``GEOIP_HTTP_TIMEOUT`` seconds;
  the answer's ``countryCode`` is used.
- ``none``: never looks anything up.

``country_for_ip`` never raises: private, loopback, reserved and invalid
addresses are not looked up, and every provider failure (timeout, bad JSON,
library error) is logged and answered with None. The result is an upper-case
ISO 3166-1 alpha-2 code or None.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import re
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings

logger = logging.getLogger(__name__)

_COUNTRY_CODE = re.compile(r"^[A-Z]{2}\Z")
# Answers of the HTTP provider are tiny; anything bigger is not what we asked for.
HTTP_MAX_BYTES = 16 * 1024

_geoip_lock = threading.Lock()
_geoip_reader: Any = None
_geoip_failed = False


def public_ip(ip: str | None) -> str | None:
    """The address in canonical form when it is a public unicast one, else None."""
    if not ip:
        return None
    try:
        address = ipaddress.ip_address(ip.strip())
    except ValueError:
        return None
    if not address.is_global or address.is_multicast:
        return None
    return str(address)


def _country_code(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    code = value.strip().upper()
    return code if _COUNTRY_CODE.match(code) else None


# geoip2fast


def _geoip2fast_reader() -> Any:
    """The process's one geoip2fast reader, loaded on first use; None if it cannot load."""
    global _geoip_reader, _geoip_failed
    if _geoip_reader is not None or _geoip_failed:
        return _geoip_reader
    with _geoip_lock:
        if _geoip_reader is None and not _geoip_failed:
            try:
                import geoip2fast

                # An explicit path: by default the library looks in the current directory first.
                data_file = Path(geoip2fast.__file__).resolve().parent / "geoip2fast.dat.gz"
                _geoip_reader = geoip2fast.GeoIP2Fast(geoip2fast_data_file=str(data_file))
            except Exception:
                # Remembered, so a broken install costs one log line, not a load attempt per request.
                _geoip_failed = True
                logger.exception("geoip2fast: the bundled database could not be loaded")
    return _geoip_reader


def _lookup_geoip2fast(ip: str) -> str | None:
    reader = _geoip2fast_reader()
    if reader is None:
        return None
    # Unknown and private networks come back as "--", invalid addresses as "".
    return _country_code(reader.lookup(ip).country_code)


# http


def _lookup_http(ip: str) -> str | None:
    url = settings.GEOIP_HTTP_URL.format(ip=ip)
    if urlsplit(url).scheme not in ("http", "https"):
        logger.warning("geoip http: GEOIP_HTTP_URL must be an http(s) URL")
        return None
    timeout = settings.GEOIP_HTTP_TIMEOUT
    # The socket timeout bounds each read; the deadline bounds a server that drips bytes.
    deadline = time.monotonic() + timeout
    # The scheme is checked above, so urllib cannot be pointed at file:// or ftp://.
    request = urllib.request.Request(url, headers={"Accept": "application/json"})  # noqa: S310
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
        body = b""
        while len(body) <= HTTP_MAX_BYTES:
            if time.monotonic() > deadline:
                raise TimeoutError("the geolocation service answered too slowly")
            chunk = response.read1(4096)
            if not chunk:
                break
            body += chunk
    if len(body) > HTTP_MAX_BYTES:
        raise ValueError("the geolocation answer is too large")
    data = json.loads(body)
    if not isinstance(data, dict) or data.get("status", "success") != "success":
        return None
    return _country_code(data.get("countryCode"))


_PROVIDERS = {
    "geoip2fast": _lookup_geoip2fast,
    "http": _lookup_http,
}


def country_for_ip(ip: str | None) -> str | None:
    """The ISO 3166-1 alpha-2 country of a public IP, or None (never raises)."""
    address = public_ip(ip)
    if address is None:
        return None
    lookup = _PROVIDERS.get(settings.GEOIP_PROVIDER)
    if lookup is None:
        return None
    try:
        return lookup(address)
    except Exception as exc:
        # Geolocation is a nicety: an outage must never fail the request that asked.
        logger.warning("geoip %s: lookup failed: %s", settings.GEOIP_PROVIDER, exc.__class__.__name__)
        return None
