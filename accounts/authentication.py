"""Bearer-token authentication: our own simplejwt tokens."""

from __future__ import annotations

from rest_framework_simplejwt.authentication import JWTAuthentication as SimpleJWTAuthentication


class JWTAuthentication(SimpleJWTAuthentication):
    """simplejwt's authentication (it refuses inactive, i.e. suspended, users)."""
