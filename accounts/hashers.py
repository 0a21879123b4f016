"""Password hashing: Argon2id with OWASP's parameters.

OWASP's Password Storage Cheat Sheet recommends Argon2id with at least 19 MiB of
memory, 2 iterations and 1 degree of parallelism (m=19456, t=2, p=1). It is
memory-hard, so a GPU or ASIC farm gains little over our CPU, yet checking a
password takes about 19 ms of one core here and a whole sign-in 25 ms
(bench/login_bench.py, docs/performance.md), where PBKDF2 at Django's 1,000,000
iterations took 0.25-1.4 s and made sign-up and sign-in the slowest requests of
the site and an easy way to load it. Django's own Argon2 hasher defaults to
100 MiB and 8 lanes: five times the memory per concurrent sign-in, for no gain
against OWASP's bar.

Hashes made with other parameters or algorithms (PBKDF2 from before) still
verify, and Django rewrites them with these on the next successful sign-in.
"""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher


class OWASPArgon2idHasher(Argon2PasswordHasher):
    """Argon2id, m=19 MiB, t=2, p=1 (the encoded hash names its parameters, so changing them here
    upgrades stored hashes at each user's next sign-in)."""

    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1
