"""The client's IP address, and the only form of it we ever store."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _valid_ip(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str | None:
    """The caller's IP.

    ``X-Forwarded-For`` is trusted only when ``TRUSTED_PROXY_COUNT`` proxies sit
    in front of the app: the address the outermost trusted proxy saw is the
    ``TRUSTED_PROXY_COUNT``-th entry from the right. Anything to its left was
    written by the client and may be forged.
    """
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            return _valid_ip(forwarded[-proxies])
    return _valid_ip(request.META.get("REMOTE_ADDR", ""))


def hash_ip(ip: str) -> str:
    """Keyed SHA-256 of an IP: lets us count or match addresses without keeping them."""
    return hmac.new(settings.IP_HASH_KEY.encode(), ip.encode(), hashlib.sha256).hexdigest()
