"""ResponseCache: bounded, least recently used out first, copies in and out, safe across threads."""

from __future__ import annotations

import threading

import pytest
from flyteidl.admin import common_pb2, task_pb2
from flyteidl.core import identifier_pb2

from flyteplane.client.cache import ResponseCache


def task(name: str) -> task_pb2.Task:
    return task_pb2.Task(id=identifier_pb2.Identifier(name=name))


def key(name: str) -> tuple[str, bytes]:
    return ResponseCache.key("/GetTask", common_pb2.ObjectGetRequest(id=identifier_pb2.Identifier(name=name)))


def test_a_stored_response_is_served_until_evicted() -> None:
    cache = ResponseCache(maxsize=2)
    cache.put(key("a"), task("a"))

    assert cache.get(key("a")) == task("a")
    assert cache.get(key("b")) is None
    assert (cache.hits, cache.misses) == (1, 1)


def test_the_least_recently_used_entry_goes_first() -> None:
    cache = ResponseCache(maxsize=2)
    cache.put(key("a"), task("a"))
    cache.put(key("b"), task("b"))
    cache.get(key("a"))  # a is now fresher than b
    cache.put(key("c"), task("c"))

    assert cache.get(key("b")) is None
    assert cache.get(key("a")) == task("a")
    assert cache.get(key("c")) == task("c")
    assert len(cache) == 2


def test_mutating_a_served_response_does_not_change_the_cache() -> None:
    cache = ResponseCache()
    original = task("a")
    cache.put(key("a"), original)
    original.id.name = "changed after put"
    served = cache.get(key("a"))
    assert served is not None
    served.id.name = "changed after get"

    assert cache.get(key("a")) == task("a")


def test_equal_requests_share_a_key_however_built() -> None:
    one = common_pb2.ObjectGetRequest(id=identifier_pb2.Identifier(name="a", version="v"))
    two = common_pb2.ObjectGetRequest()
    two.id.version = "v"
    two.id.name = "a"
    assert ResponseCache.key("/GetTask", one) == ResponseCache.key("/GetTask", two)


def test_evicting_an_rpc_drops_only_its_entries() -> None:
    cache = ResponseCache()
    cache.put(("/GetLaunchPlan", b"1"), task("lp"))
    cache.put(("/GetTask", b"1"), task("t"))

    cache.evict("/GetLaunchPlan")

    assert cache.get(("/GetLaunchPlan", b"1")) is None
    assert cache.get(("/GetTask", b"1")) == task("t")


def test_size_zero_disables_caching_and_negative_is_refused() -> None:
    cache = ResponseCache(maxsize=0)
    cache.put(key("a"), task("a"))
    assert cache.get(key("a")) is None
    with pytest.raises(ValueError):
        ResponseCache(maxsize=-1)


def test_concurrent_use_keeps_the_bound() -> None:
    cache = ResponseCache(maxsize=16)

    def churn(worker: int) -> None:
        for n in range(300):
            cache.put(key(f"{worker}-{n}"), task(str(n)))
            cache.get(key(f"{worker}-{n // 2}"))

    threads = [threading.Thread(target=churn, args=(worker,)) for worker in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(cache) == 16
    assert cache.hits + cache.misses == 8 * 300
