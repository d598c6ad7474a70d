"""The engine's durable state document: compact, typed, and readable across versions."""

from __future__ import annotations

from flyteplane.engine.state import ArrayItemState, NodeState, WorkflowState

# An array node's state exactly as the engine wrote it while items were plain dicts (phase, attempt and
# system_failures always; attempt_id, output_dir and error once set).
SAVED_BY_DICT_ITEMS = (
    b'{"phase":"RUNNING","started_at":1000000.0,"error":"","failure_node_started":false,"nodes":{'
    b'"start-node":{"phase":"SUCCEEDED","output_dir":"metadata/propeller/p-development-exec/start-node/data/0"},'
    b'"n0":{"phase":"RUNNING","queued_at":1000000.0,"started_at":1000000.0,"items":['
    b'{"phase":"SUCCEEDED","attempt":0,"system_failures":0,"attempt_id":"exec-n0-0-0-26ffda3a05",'
    b'"output_dir":"metadata/propeller/p-development-exec/n0/data/0/0/0"},'
    b'{"phase":"FAILED","attempt":1,"system_failures":0,"attempt_id":"exec-n0-1-1-1099a50d47",'
    b'"output_dir":"metadata/propeller/p-development-exec/n0/data/0/1/1","error":"the task process exited"},'
    b'{"phase":"RUNNING","attempt":0,"system_failures":1,"attempt_id":"exec-n0-2-0-1c9c630dfa",'
    b'"output_dir":"metadata/propeller/p-development-exec/n0/data/0/2/0"},'
    b'{"phase":"NOT_STARTED","attempt":0,"system_failures":0}]}}}'
)


def test_state_round_trips_and_stays_compact() -> None:
    state = WorkflowState(phase="RUNNING", started_at=1.5)
    state.node("n0").phase = "SUCCEEDED"
    state.node("n1").items = [ArrayItemState(phase="RUNNING")]
    data = state.to_bytes()
    assert b"attempt_id" not in data  # defaults are left out
    again = WorkflowState.from_bytes(data)
    assert again.phase == "RUNNING"
    assert again.nodes["n0"].ok
    assert again.nodes["n1"].items[0].phase == "RUNNING"
    assert WorkflowState.from_bytes(b"").phase == "NOT_STARTED"


def test_array_items_saved_as_dicts_load_as_typed_items_and_are_written_back_unchanged() -> None:
    state = WorkflowState.from_bytes(SAVED_BY_DICT_ITEMS)
    items = state.nodes["n0"].items
    assert items == [
        ArrayItemState(
            phase="SUCCEEDED",
            attempt_id="exec-n0-0-0-26ffda3a05",
            output_dir="metadata/propeller/p-development-exec/n0/data/0/0/0",
        ),
        ArrayItemState(
            phase="FAILED",
            attempt=1,
            attempt_id="exec-n0-1-1-1099a50d47",
            output_dir="metadata/propeller/p-development-exec/n0/data/0/1/1",
            error="the task process exited",
        ),
        ArrayItemState(
            phase="RUNNING",
            system_failures=1,
            attempt_id="exec-n0-2-0-1c9c630dfa",
            output_dir="metadata/propeller/p-development-exec/n0/data/0/2/0",
        ),
        ArrayItemState(),
    ]
    assert state.to_bytes() == SAVED_BY_DICT_ITEMS


def test_array_items_missing_keys_take_defaults_and_unknown_keys_are_ignored() -> None:
    node = NodeState.from_document({"phase": "RUNNING", "items": [{"phase": "RUNNING"}, {"shard": 3}]})
    assert node.items == [ArrayItemState(phase="RUNNING"), ArrayItemState()]


def test_an_item_keeps_its_phase_and_counters_in_the_document_even_at_their_defaults() -> None:
    assert ArrayItemState().to_document() == {"phase": "NOT_STARTED", "attempt": 0, "system_failures": 0}
    assert ArrayItemState(attempt_id="a-1").to_document() == {
        "phase": "NOT_STARTED",
        "attempt": 0,
        "system_failures": 0,
        "attempt_id": "a-1",
    }


def test_attempt_ids_name_the_attempts_of_task_nodes_and_of_array_items() -> None:
    state = WorkflowState.from_bytes(SAVED_BY_DICT_ITEMS)
    state.node("n1").attempt_id = "exec-n1-0-5e1f"
    state.node("n2").phase = "RUNNING"  # no attempt yet
    assert state.attempt_ids() == {
        "exec-n0-0-0-26ffda3a05",
        "exec-n0-1-1-1099a50d47",
        "exec-n0-2-0-1c9c630dfa",
        "exec-n1-0-5e1f",
    }
    assert WorkflowState().attempt_ids() == set()
