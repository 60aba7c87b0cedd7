"""The API's per-user rate limit, which lets requests through while its cache is away.

The throttle counts in the cache, which production keeps in Redis (``REDIS_URL``). DRF's own
throttle raises when Redis is unreachable, so a Redis outage made every API request fail,
reads included, although the database was fine. A rate limit is a guard against abuse, not a
rule of the domain: while its counter cannot be read, it lets the request through.
"""

from __future__ import annotations

import logging
from typing import Any

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from rest_framework import throttling
from rest_framework.request import Request

logger = logging.getLogger(__name__)


class UserRateThrottle(throttling.UserRateThrottle):
    def allow_request(self, request: Request, view: Any) -> bool:
        try:
            return super().allow_request(request, view)
        except (RedisConnectionError, RedisTimeoutError) as exc:
            logger.warning("API rate limit not checked: its cache is unreachable (%r)", exc)
            return True
