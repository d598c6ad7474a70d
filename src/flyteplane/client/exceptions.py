"""The client's errors, one per gRPC status family, named as flytekit names them.

When flytekit is loaded in the process, each error is raised as a class that ALSO derives from flytekit's
same-named exception, so `except flytekit.exceptions.user.FlyteEntityNotExistException` catches it. This costs
nothing when flytekit is absent: nothing here imports flytekit; at raise time one `sys.modules` lookup tells
whether flytekit's exception modules are loaded, and only then is the combined class built (once, then cached).
Code that names flytekit's exception in an `except` clause has necessarily imported flytekit before the raise.
"""

from __future__ import annotations

import sys
import threading
from typing import Any

import grpc

__all__ = [
    "FlyteAuthenticationException",
    "FlyteClientException",
    "FlyteEntityAlreadyExistsException",
    "FlyteEntityNotExistException",
    "FlyteInvalidInputException",
    "FlyteSystemException",
    "FlyteSystemUnavailableException",
    "FlyteTimeout",
    "exception_for",
]


class FlyteClientException(Exception):
    """Base of every error the client raises for a failed RPC.

    `code` is the gRPC status (None when the error arose in the client), `details` the server's message and `rpc`
    the method path, e.g. `/flyteidl.service.AdminService/GetTask`.
    """

    timestamp: float | None = None  # flytekit's exceptions carry one; ours never set it

    def __init__(
        self, message: str = "", *, code: grpc.StatusCode | None = None, details: str = "", rpc: str = ""
    ) -> None:
        Exception.__init__(self, message)  # not super(): flytekit's __init__s take other arguments
        self.message = message
        self.code = code
        self.details = details
        self.rpc = rpc

    def __str__(self) -> str:
        return self.message

    def __reduce__(self) -> tuple[Any, ...]:
        plain = getattr(type(self), "_flyteplane_plain", type(self))
        return (_restore, (plain, self.message, self.code, self.details, self.rpc))


class FlyteAuthenticationException(FlyteClientException):
    """UNAUTHENTICATED or PERMISSION_DENIED: credentials are missing, wrong or not allowed to do this."""


class FlyteEntityAlreadyExistsException(FlyteClientException):
    """ALREADY_EXISTS: usually harmless, since registering an identical entity twice is idempotent."""


class FlyteEntityNotExistException(FlyteClientException):
    """NOT_FOUND: the task, workflow, launch plan, execution or project named does not exist."""


class FlyteInvalidInputException(FlyteClientException):
    """INVALID_ARGUMENT: the request breaks a rule; `request` is the message that was refused."""

    request: Any = None


class FlyteTimeout(FlyteClientException):
    """DEADLINE_EXCEEDED: no answer in time; the server may still have done the work."""


class FlyteSystemException(FlyteClientException):
    """Any other failure of the control plane (INTERNAL, UNIMPLEMENTED, UNKNOWN...)."""


class FlyteSystemUnavailableException(FlyteSystemException):
    """UNAVAILABLE (after retries): the control plane cannot be reached."""


_BY_CODE: dict[grpc.StatusCode, type[FlyteClientException]] = {
    grpc.StatusCode.UNAUTHENTICATED: FlyteAuthenticationException,
    grpc.StatusCode.PERMISSION_DENIED: FlyteAuthenticationException,
    grpc.StatusCode.ALREADY_EXISTS: FlyteEntityAlreadyExistsException,
    grpc.StatusCode.NOT_FOUND: FlyteEntityNotExistException,
    grpc.StatusCode.INVALID_ARGUMENT: FlyteInvalidInputException,
    grpc.StatusCode.DEADLINE_EXCEEDED: FlyteTimeout,
    grpc.StatusCode.UNAVAILABLE: FlyteSystemUnavailableException,
}

_FLYTEKIT_HOME = {
    FlyteAuthenticationException: "flytekit.exceptions.user",
    FlyteEntityAlreadyExistsException: "flytekit.exceptions.user",
    FlyteEntityNotExistException: "flytekit.exceptions.user",
    FlyteInvalidInputException: "flytekit.exceptions.user",
    FlyteTimeout: "flytekit.exceptions.user",
    FlyteSystemException: "flytekit.exceptions.system",
    FlyteSystemUnavailableException: "flytekit.exceptions.system",
}

_combined: dict[type[FlyteClientException], type[FlyteClientException]] = {}
_combined_lock = threading.Lock()


def _raisable(cls: type[FlyteClientException]) -> type[FlyteClientException]:
    """`cls`, or when flytekit is loaded, a subclass of both `cls` and flytekit's same-named exception."""
    module = sys.modules.get(_FLYTEKIT_HOME.get(cls, ""))
    theirs = getattr(module, cls.__name__, None) if module is not None else None
    if not isinstance(theirs, type) or not issubclass(theirs, BaseException):
        return cls
    with _combined_lock:
        combined = _combined.get(cls)
        if combined is None:
            namespace = {"__module__": cls.__module__, "__qualname__": cls.__qualname__, "_flyteplane_plain": cls}
            combined = type(cls.__name__, (cls, theirs), namespace)
            _combined[cls] = combined
    return combined


def _restore(
    cls: type[FlyteClientException], message: str, code: grpc.StatusCode | None, details: str, rpc: str
) -> FlyteClientException:
    return _raisable(cls)(message, code=code, details=details, rpc=rpc)


def exception_for(
    code: grpc.StatusCode, details: str | None, rpc: str = "", request: Any = None
) -> FlyteClientException:
    """The exception to raise for an RPC that ended with `code`; its message names the RPC and the status."""
    cls = _BY_CODE.get(code, FlyteSystemException)
    name = rpc.rsplit("/", 1)[-1] or "RPC"
    message = f"{name} failed with {code.name}: {details or 'no details'}"
    error = _raisable(cls)(message, code=code, details=details or "", rpc=rpc)
    if isinstance(error, FlyteInvalidInputException):
        error.request = request
    return error
