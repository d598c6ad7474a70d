"""gRPC status -> the client's exceptions, and flytekit's `except` clauses catching them when flytekit is loaded."""

from __future__ import annotations

import pickle
import subprocess
import sys
import textwrap

import grpc
import pytest

from flyteplane.client import (
    FlyteAuthenticationException,
    FlyteClientException,
    FlyteEntityAlreadyExistsException,
    FlyteEntityNotExistException,
    FlyteInvalidInputException,
    FlyteSystemException,
    FlyteSystemUnavailableException,
    FlyteTimeout,
)
from flyteplane.client.exceptions import exception_for

MAPPING = [
    (grpc.StatusCode.UNAUTHENTICATED, FlyteAuthenticationException),
    (grpc.StatusCode.PERMISSION_DENIED, FlyteAuthenticationException),
    (grpc.StatusCode.ALREADY_EXISTS, FlyteEntityAlreadyExistsException),
    (grpc.StatusCode.NOT_FOUND, FlyteEntityNotExistException),
    (grpc.StatusCode.INVALID_ARGUMENT, FlyteInvalidInputException),
    (grpc.StatusCode.DEADLINE_EXCEEDED, FlyteTimeout),
    (grpc.StatusCode.UNAVAILABLE, FlyteSystemUnavailableException),
    (grpc.StatusCode.UNIMPLEMENTED, FlyteSystemException),
    (grpc.StatusCode.INTERNAL, FlyteSystemException),
    (grpc.StatusCode.UNKNOWN, FlyteSystemException),
    (grpc.StatusCode.FAILED_PRECONDITION, FlyteSystemException),
]


@pytest.mark.parametrize(("code", "expected"), MAPPING)
def test_each_status_maps_to_its_exception(code: grpc.StatusCode, expected: type[Exception]) -> None:
    error = exception_for(code, "details", "/flyteidl.service.AdminService/GetTask")

    assert isinstance(error, expected)
    assert isinstance(error, FlyteClientException)
    assert error.code == code
    assert error.details == "details"
    assert error.rpc == "/flyteidl.service.AdminService/GetTask"
    assert str(error) == f"GetTask failed with {code.name}: details"


def test_unavailable_is_a_system_exception() -> None:
    assert issubclass(FlyteSystemUnavailableException, FlyteSystemException)


def test_a_missing_detail_says_so() -> None:
    assert str(exception_for(grpc.StatusCode.INTERNAL, None)) == "RPC failed with INTERNAL: no details"


@pytest.mark.parametrize(("code", "ours"), MAPPING)
def test_with_flytekit_loaded_its_except_clauses_catch_ours(code: grpc.StatusCode, ours: type[Exception]) -> None:
    from flytekit.exceptions import system, user

    theirs = getattr(user, ours.__name__, None) or getattr(system, ours.__name__)

    with pytest.raises(theirs) as raised:
        raise exception_for(code, "details", "/x/GetTask")

    assert isinstance(raised.value, ours)
    assert type(raised.value).__name__ == ours.__name__
    assert str(raised.value) == f"GetTask failed with {code.name}: details"
    assert getattr(raised.value, "timestamp", "missing") is None


def test_the_combined_class_is_built_once() -> None:
    import flytekit.exceptions.user  # noqa: F401

    first = exception_for(grpc.StatusCode.NOT_FOUND, "a")
    second = exception_for(grpc.StatusCode.NOT_FOUND, "b")
    assert type(first) is type(second)


def test_exceptions_survive_pickling_with_or_without_flytekit_loaded() -> None:
    error = exception_for(grpc.StatusCode.NOT_FOUND, "gone", "/x/GetTask")

    copy = pickle.loads(pickle.dumps(error))

    assert type(copy) is type(error)
    assert (str(copy), copy.code, copy.details, copy.rpc) == (str(error), error.code, error.details, error.rpc)


def test_without_flytekit_loaded_raising_does_not_import_it() -> None:
    script = textwrap.dedent(
        """
        import sys
        import grpc
        from flyteplane.client.exceptions import FlyteEntityNotExistException, exception_for
        error = exception_for(grpc.StatusCode.NOT_FOUND, "gone")
        assert type(error) is FlyteEntityNotExistException, type(error).__mro__
        assert not any(name.split(".")[0] == "flytekit" for name in sys.modules), "flytekit was imported"
        print("ok")
        """
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "ok", result.stderr
