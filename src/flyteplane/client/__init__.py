"""flyteplane's client for Flyte Admin (flyteplane's or any other): raw, friendly and asyncio.

- `RawSynchronousFlyteClient` / `RawAsyncFlyteClient`: one method per RPC of the five flyteidl services.
- `SynchronousFlyteClient` / `AsyncFlyteClient`: flytekit's friendly client API (same names and parameters),
  taking flyteidl messages or flytekit models and returning flyteidl messages.
- `PlatformConfig` and `RetryPolicy`: endpoint, TLS, limits, deadlines and retries.
- Exceptions named as flytekit names them (and caught by flytekit's `except` clauses when flytekit is loaded).
- `Filter` and `Sort`: list filters and orders.

Importing this package loads grpcio and flyteidl only: no flytekit, no server code.
"""

from flyteplane.client.config import PlatformConfig
from flyteplane.client.exceptions import (
    FlyteAuthenticationException,
    FlyteClientException,
    FlyteEntityAlreadyExistsException,
    FlyteEntityNotExistException,
    FlyteInvalidInputException,
    FlyteSystemException,
    FlyteSystemUnavailableException,
    FlyteTimeout,
)
from flyteplane.client.filters import Filter, Sort
from flyteplane.client.friendly import AsyncFlyteClient, SynchronousFlyteClient
from flyteplane.client.raw import RawAsyncFlyteClient, RawSynchronousFlyteClient
from flyteplane.client.retry import RetryPolicy

__all__ = [
    "AsyncFlyteClient",
    "Filter",
    "FlyteAuthenticationException",
    "FlyteClientException",
    "FlyteEntityAlreadyExistsException",
    "FlyteEntityNotExistException",
    "FlyteInvalidInputException",
    "FlyteSystemException",
    "FlyteSystemUnavailableException",
    "FlyteTimeout",
    "PlatformConfig",
    "RawAsyncFlyteClient",
    "RawSynchronousFlyteClient",
    "RetryPolicy",
    "Sort",
    "SynchronousFlyteClient",
]
