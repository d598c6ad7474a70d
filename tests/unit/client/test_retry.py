"""RetryPolicy: which failures get another attempt, and how long to wait before it."""

from __future__ import annotations

import grpc
import pytest

from flyteplane.client import RetryPolicy
from flyteplane.client.retry import DEFAULT_RETRYABLE, NEVER_RETRYABLE


def test_by_default_only_unavailable_and_resource_exhausted_are_retried() -> None:
    policy = RetryPolicy()
    retried = {code for code in grpc.StatusCode if policy.should_retry(code, "", 0)}
    assert retried == {grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.RESOURCE_EXHAUSTED} == DEFAULT_RETRYABLE


def test_deadline_exceeded_is_retried_only_when_asked_for() -> None:
    assert not RetryPolicy().should_retry(grpc.StatusCode.DEADLINE_EXCEEDED, "", 0)
    policy = RetryPolicy(retryable=DEFAULT_RETRYABLE | {grpc.StatusCode.DEADLINE_EXCEEDED})
    assert policy.should_retry(grpc.StatusCode.DEADLINE_EXCEEDED, "", 0)


@pytest.mark.parametrize("code", sorted(NEVER_RETRYABLE, key=lambda code: str(code)))
def test_a_policy_cannot_be_told_to_retry_what_cannot_succeed(code: grpc.StatusCode) -> None:
    with pytest.raises(ValueError, match="can never succeed on a retry"):
        RetryPolicy(retryable=frozenset({code}))


def test_not_found_and_already_exists_are_never_retried_unlike_flytekit() -> None:
    assert {grpc.StatusCode.NOT_FOUND, grpc.StatusCode.ALREADY_EXISTS, grpc.StatusCode.INVALID_ARGUMENT} <= (
        NEVER_RETRYABLE
    )


def test_the_retry_budget_counts_retries_after_the_first_attempt() -> None:
    policy = RetryPolicy(max_retries=2)
    assert [policy.should_retry(grpc.StatusCode.UNAVAILABLE, "", n) for n in range(4)] == [True, True, False, False]
    assert not RetryPolicy(max_retries=0).should_retry(grpc.StatusCode.UNAVAILABLE, "", 0)


def test_a_message_too_large_is_not_retried_although_resource_exhausted() -> None:
    details = "Sent message larger than max (1049 vs. 16)"
    assert not RetryPolicy().should_retry(grpc.StatusCode.RESOURCE_EXHAUSTED, details, 0)
    assert RetryPolicy().should_retry(grpc.StatusCode.RESOURCE_EXHAUSTED, "quota exceeded", 0)


def test_delays_double_up_to_the_cap() -> None:
    policy = RetryPolicy(initial_backoff=0.5, max_backoff=3.0, multiplier=2.0)
    assert [policy.delay(n, lambda: 1.0) for n in range(5)] == [0.5, 1.0, 2.0, 3.0, 3.0]


def test_full_jitter_scales_the_delay_by_a_random_fraction() -> None:
    policy = RetryPolicy(initial_backoff=1.0)
    assert policy.delay(0, lambda: 0.0) == 0.0
    assert policy.delay(0, lambda: 0.25) == 0.25


@pytest.mark.parametrize(
    "settings",
    [{"max_retries": -1}, {"initial_backoff": -0.1}, {"max_backoff": -1.0}, {"multiplier": 0.5}],
)
def test_nonsense_settings_are_refused(settings: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        RetryPolicy(**settings)  # type: ignore[arg-type]
