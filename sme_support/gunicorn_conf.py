"""gunicorn's settings for the web service: ``gunicorn -c python:sme_support.gunicorn_conf
sme_support.wsgi:application`` (docker-compose, the Dockerfile). Environment variables
override each value.

Keep-alive, and why it is long. A keep-alive connection is closed by whichever side's idle
timeout runs out first. When that is the server, a client that picks the idle connection
for its next request at that very moment writes into a socket the server is closing and gets
a connection reset — about 1 request in 3,000 under load with gunicorn's default of 2 s, never
a committed write (the request never reached Django). So the server must be the side that
waits longest: ``WEB_KEEPALIVE_SECONDS`` (75 s) is longer than the idle timeout of the proxy in
front of it (nginx ``keepalive_timeout`` in its ``upstream`` block defaults to 60 s; AWS ALB's
idle timeout to 60 s), so the proxy always closes first and never reuses a connection gunicorn
is closing. README "Production with docker-compose" says what to set on the proxy.

The ``sync`` worker, gunicorn's default, closes every connection after one request and ignores
keep-alive; ``gthread`` keeps connections open in threads without tying up a worker process.
"""

from __future__ import annotations

import os


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = _int("WEB_CONCURRENCY", 3)
worker_class = "gthread"
threads = _int("WEB_THREADS", 4)
keepalive = _int("WEB_KEEPALIVE_SECONDS", 75)
# A request that takes longer than this is killed and its worker replaced.
timeout = _int("WEB_TIMEOUT_SECONDS", 60)
graceful_timeout = _int("WEB_GRACEFUL_TIMEOUT_SECONDS", 30)
accesslog = "-"
