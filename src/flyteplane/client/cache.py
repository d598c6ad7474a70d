"""A small thread-safe LRU cache of protobuf responses, for entities that never change once registered.

A task, workflow or launch plan version is immutable (only a launch plan's state flips, and the call that flips
it evicts), so its first fetch can serve every later one. Messages are copied in and out: a caller mutating what
it got back cannot corrupt what the next caller gets.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from flyteplane.client.calls import Call

__all__ = ["ResponseCache", "cached_response", "remember_response"]

Key = tuple[str, bytes]  # (RPC path, deterministic request bytes)


def _copy(message: Any) -> Any:
    duplicate = type(message)()
    duplicate.CopyFrom(message)
    return duplicate


class ResponseCache:
    """At most `maxsize` responses, least recently used evicted first; `maxsize=0` disables caching."""

    def __init__(self, maxsize: int = 256) -> None:
        if maxsize < 0:
            raise ValueError(f"cache size must be 0 or more, got {maxsize}")
        self.maxsize = maxsize
        self._entries: OrderedDict[Key, Any] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    @staticmethod
    def key(rpc_path: str, request: Any) -> Key:
        return rpc_path, request.SerializeToString(deterministic=True)

    def get(self, key: Key) -> Any | None:
        """A copy of the cached response, or None."""
        with self._lock:
            message = self._entries.get(key)
            if message is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
        return _copy(message)

    def put(self, key: Key, message: Any) -> None:
        if self.maxsize == 0:
            return
        stored = _copy(message)
        with self._lock:
            self._entries[key] = stored
            self._entries.move_to_end(key)
            while len(self._entries) > self.maxsize:
                self._entries.popitem(last=False)

    def evict(self, rpc_path: str) -> None:
        """Drops every cached response of one RPC."""
        with self._lock:
            for key in [key for key in self._entries if key[0] == rpc_path]:
                del self._entries[key]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


def cached_response(cache: ResponseCache, call: Call[Any]) -> tuple[Key | None, Any | None]:
    """The cache key of a cacheable call and its cached response (None when absent or not cacheable)."""
    if not call.cached:
        return None, None
    key = ResponseCache.key(call.rpc.path, call.request)
    return key, cache.get(key)


def remember_response(cache: ResponseCache, call: Call[Any], key: Key | None, response: Any) -> None:
    """Stores a fresh response of a cacheable call, and drops what the call made stale."""
    for stale in call.evicts:
        cache.evict(stale.path)
    if key is not None:
        cache.put(key, response)
