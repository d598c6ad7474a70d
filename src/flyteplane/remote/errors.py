"""FlyteRemote's own errors for mistakes caught before any RPC, named as flytekit names them.

Failed RPCs raise the client's exceptions (FlyteEntityNotExistException, ...); a wait that runs out of time raises
the client's FlyteTimeout, as flytekit does.
"""

from __future__ import annotations

from flyteplane.client import FlyteTimeout

__all__ = ["FlyteAssertion", "FlyteTimeout", "FlyteValueException"]


class FlyteAssertion(AssertionError):
    """Something was asked at the wrong time or without what it needs (outputs of a running execution...)."""


class FlyteValueException(ValueError):
    """A value given to FlyteRemote does not fit (an input the entity does not have, a value of the wrong type)."""
