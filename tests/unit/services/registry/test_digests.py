"""Re-registration diffs name the fields that differ, even for specs that JSON cannot hold."""

from __future__ import annotations

from flyteidl.core import tasks_pb2

from flyteplane.services.registry.digests import diff


def test_a_diff_names_the_changed_field() -> None:
    registered, requested = tasks_pb2.TaskTemplate(type="a"), tasks_pb2.TaskTemplate(type="b")
    assert '-  "type": "a"' in diff(registered, requested)
    assert '+  "type": "b"' in diff(registered, requested)


def test_a_spec_json_cannot_hold_is_diffed_in_the_text_format() -> None:
    """A spec stored before such values were refused (Duration beyond 10,000 years, NaN in a Struct)."""
    registered = tasks_pb2.TaskTemplate(type="a")
    registered.metadata.timeout.seconds = 10**13
    registered.custom["x"] = float("nan")
    requested = tasks_pb2.TaskTemplate(type="b")
    changed = diff(registered, requested)
    assert '-type: "a"' in changed and '+type: "b"' in changed
