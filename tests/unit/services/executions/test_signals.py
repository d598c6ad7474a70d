"""SignalService (flyteadmin §9): gates create their signals, users list and set them, a set signal wakes the
execution that waits for it."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from flyteidl.admin import common_pb2, signal_pb2
from flyteidl.core import identifier_pb2, literals_pb2, types_pb2
from tests.unit.services.execution_fixtures import D, P, Plane, build_plane, execution_id, integer, string

from flyteplane.config import Settings
from flyteplane.errors import AlreadyExists, InvalidArgument
from flyteplane.store.db import Database

BOOLEAN = types_pb2.LiteralType(simple=types_pb2.BOOLEAN)
INTEGER = types_pb2.LiteralType(simple=types_pb2.INTEGER)
OPTIONAL_INTEGER = types_pb2.LiteralType(
    union_type=types_pb2.UnionType(variants=[INTEGER, types_pb2.LiteralType(simple=types_pb2.NONE)])
)


@pytest.fixture
def plane(db: Database, settings: Settings, tmp_path: Path) -> Plane:
    return build_plane(db, settings, tmp_path)


def signal_id(name: str, execution: str = "e1") -> identifier_pb2.SignalIdentifier:
    return identifier_pb2.SignalIdentifier(signal_id=name, execution_id=execution_id(execution))


def get_or_create(plane: Plane, name: str, kind: types_pb2.LiteralType = BOOLEAN) -> signal_pb2.Signal:
    return plane.signals.get_or_create_signal(signal_pb2.SignalGetOrCreateRequest(id=signal_id(name), type=kind))


def boolean(value: bool) -> literals_pb2.Literal:
    return literals_pb2.Literal(scalar=literals_pb2.Scalar(primitive=literals_pb2.Primitive(boolean=value)))


def set_signal(plane: Plane, name: str, value: literals_pb2.Literal) -> None:
    plane.signals.set_signal(signal_pb2.SignalSetRequest(id=signal_id(name), value=value))


def test_a_signal_is_created_once_and_returned_with_its_value(plane: Plane) -> None:
    created = get_or_create(plane, "approve")
    assert created.id == signal_id("approve") and created.type == BOOLEAN
    assert not created.HasField("value")
    set_signal(plane, "approve", boolean(True))
    again = get_or_create(plane, "approve")
    assert again.value == boolean(True)


def test_the_execution_is_not_looked_up(plane: Plane) -> None:
    """Any engine's gate may ask, before or without the execution being known here."""
    assert get_or_create(plane, "s").id.execution_id.name == "e1"


def test_asking_again_with_another_type_is_a_conflict(plane: Plane) -> None:
    """flyteadmin looks signals up by id and type, so another type hits the unique id (a quirk, kept: one id
    cannot mean two types)."""
    get_or_create(plane, "s", BOOLEAN)
    with pytest.raises(AlreadyExists, match=r"value with matching already exists"):
        get_or_create(plane, "s", INTEGER)


def test_concurrent_first_requests_create_one_signal(plane: Plane) -> None:
    results: list[signal_pb2.Signal] = []
    threads = [threading.Thread(target=lambda: results.append(get_or_create(plane, "race"))) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 4
    listed = plane.signals.list_signals(
        signal_pb2.SignalListRequest(workflow_execution_id=execution_id("e1"), limit=10)
    )
    assert [s.id.signal_id for s in listed.signals] == ["race"]


@pytest.mark.parametrize(
    ("request_", "message"),
    [
        (signal_pb2.SignalGetOrCreateRequest(), "^missing id$"),
        (
            signal_pb2.SignalGetOrCreateRequest(id=identifier_pb2.SignalIdentifier(signal_id="s")),
            "^missing execution_id$",
        ),
        (
            signal_pb2.SignalGetOrCreateRequest(id=identifier_pb2.SignalIdentifier(execution_id=execution_id("e1"))),
            "^missing signal_id$",
        ),
        (signal_pb2.SignalGetOrCreateRequest(id=signal_id("s")), "^missing type$"),
        (
            signal_pb2.SignalGetOrCreateRequest(
                id=identifier_pb2.SignalIdentifier(
                    signal_id="s",
                    execution_id=identifier_pb2.WorkflowExecutionIdentifier(project=P, domain=D),
                ),
                type=BOOLEAN,
            ),
            "^missing name$",
        ),
    ],
)
def test_get_or_create_validates_the_request(
    plane: Plane, request_: signal_pb2.SignalGetOrCreateRequest, message: str
) -> None:
    with pytest.raises(InvalidArgument, match=message):
        plane.signals.get_or_create_signal(request_)


def test_set_checks_that_the_signal_exists_and_the_value_fits(plane: Plane) -> None:
    with pytest.raises(
        InvalidArgument,
        match=r"^failed to validate that signal \[\{\{flytesnacks development e1\} s\}\] exists",
    ):
        set_signal(plane, "s", boolean(True))
    get_or_create(plane, "s", BOOLEAN)
    with pytest.raises(
        InvalidArgument,
        match=r"^requested signal value \[.*\] is not castable to existing signal type \[simple:BOOLEAN\]",
    ):
        set_signal(plane, "s", integer(1))
    with pytest.raises(InvalidArgument, match=r"^missing value$"):
        plane.signals.set_signal(signal_pb2.SignalSetRequest(id=signal_id("s")))


def test_a_value_fits_an_optional_signal(plane: Plane) -> None:
    """flyteadmin checks the cast from the signal's type to the value's (the wrong way round), so it refuses
    an int for an Optional[int] signal; here the value must fit the signal's type, which an int does."""
    get_or_create(plane, "n", OPTIONAL_INTEGER)
    set_signal(plane, "n", integer(3))
    assert get_or_create(plane, "n", OPTIONAL_INTEGER).value == integer(3)


def test_setting_twice_overwrites_and_each_set_wakes_the_execution(plane: Plane) -> None:
    get_or_create(plane, "s", INTEGER)
    set_signal(plane, "s", integer(1))
    set_signal(plane, "s", integer(2))
    assert get_or_create(plane, "s", INTEGER).value == integer(2)
    assert plane.woken.executions == [(P, D, "e1"), (P, D, "e1")]


def test_list_filters_sorts_and_pages(plane: Plane) -> None:
    for name in ("a", "b", "c"):
        get_or_create(plane, name)
    plane.signals.get_or_create_signal(
        signal_pb2.SignalGetOrCreateRequest(id=signal_id("other", execution="e2"), type=BOOLEAN)
    )

    def listed(**kwargs: object) -> signal_pb2.SignalList:
        return plane.signals.list_signals(
            signal_pb2.SignalListRequest(workflow_execution_id=execution_id("e1"), **kwargs)  # type: ignore[arg-type]
        )

    ascending = common_pb2.Sort(key="signal_id", direction=common_pb2.Sort.ASCENDING)
    first = listed(limit=2, sort_by=ascending)
    assert [s.id.signal_id for s in first.signals] == ["a", "b"] and first.token
    rest = listed(limit=2, sort_by=ascending, token=first.token)
    assert [s.id.signal_id for s in rest.signals] == ["c"] and rest.token == ""
    assert [s.id.signal_id for s in listed(limit=5, filters="eq(signal_id,b)").signals] == ["b"]
    with pytest.raises(InvalidArgument, match=r"^missing execution_id$"):
        plane.signals.list_signals(signal_pb2.SignalListRequest(limit=1))
    with pytest.raises(InvalidArgument, match=r"^invalid value for limit$"):
        listed()
    with pytest.raises(InvalidArgument, match=r"^'s.value' is invalid filter$"):
        listed(limit=1, filters="eq(value,x)")


def test_a_signal_may_carry_any_typed_value(plane: Plane) -> None:
    get_or_create(plane, "text", types_pb2.LiteralType(simple=types_pb2.STRING))
    set_signal(plane, "text", string("go"))
    assert get_or_create(plane, "text", types_pb2.LiteralType(simple=types_pb2.STRING)).value == string("go")
