"""A Redis outage takes the API's rate-limit counter away, not the API."""

from __future__ import annotations

import socket
from typing import Any

from tests.api.conftest import World


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # nothing listens there once the socket is closed


def test_the_api_answers_while_the_throttles_cache_is_unreachable(world: World, settings: Any, caplog) -> None:
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{_closed_port()}/0",
        }
    }

    response = world.client("manager").get("/api/v1/applications/")

    assert response.status_code == 200
    assert "rate limit not checked" in caplog.text
