"""Django's Redis cache backend, with one client object per connection pool.

Django builds a new `redis.Redis` for every cache operation, and each one fills its table of ~170
response callbacks: about as much CPU as the round trip itself. A `redis.Redis` is thread-safe
(it takes a connection from its pool per command), so one per pool is enough. Same behaviour,
same options; selected in the settings when REDIS_URL is set.
"""

import threading

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class _ReusingClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}
        self._lock = threading.Lock()

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            with self._lock:
                client = self._clients.get(index)
                if client is None:
                    client = self._clients[index] = self._client(connection_pool=self._get_connection_pool(write))
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _ReusingClient
