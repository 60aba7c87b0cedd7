"""Container healthcheck for the web service: ``python -m sme_support.healthcheck``.

Asks the local gunicorn for ``/healthz`` (which also touches the database) and exits 0 on
HTTP 200, 1 otherwise, with the reason on stderr. Standard library only, so a probe every
few seconds does not pay for a Django start-up.

The request carries a Host header taken from ``ALLOWED_HOSTS`` (Django answers 400 to a
host it does not serve) and ``X-Forwarded-Proto: https`` (the proxy header the settings
trust), so ``SECURE_SSL_REDIRECT`` does not turn the probe into a redirect.
"""

from __future__ import annotations

import os
import sys
import urllib.error
import urllib.request

DEFAULT_URL = "http://127.0.0.1:8000/healthz"


def probe_host(allowed_hosts: str) -> str:
    """The first concrete host name in an ``ALLOWED_HOSTS`` value (comma-separated)."""
    for entry in allowed_hosts.split(","):
        host = entry.strip().lstrip(".")
        if host and host != "*":
            return host
    return "localhost"


def main() -> int:
    url = os.environ.get("HEALTHCHECK_URL", DEFAULT_URL)
    if not url.startswith(("http://", "https://")):
        print(f"unhealthy: HEALTHCHECK_URL must be an http(s) URL, got {url!r}", file=sys.stderr)
        return 1
    request = urllib.request.Request(  # noqa: S310 — scheme checked above
        url,
        headers={"Host": probe_host(os.environ.get("ALLOWED_HOSTS", "")), "X-Forwarded-Proto": "https"},
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 — scheme checked above
            status = response.status
    except urllib.error.HTTPError as exc:
        print(f"unhealthy: {url} answered HTTP {exc.code}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"unhealthy: {url} unreachable: {exc}", file=sys.stderr)
        return 1
    if status != 200:
        print(f"unhealthy: {url} answered HTTP {status}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
