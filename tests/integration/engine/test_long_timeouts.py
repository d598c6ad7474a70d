"""A task timeout of 9,999 years (the most a Duration holds is 10,000) runs like any other task: the engine's
next look, the node's active deadline (twice the timeout) and the supervisor's wait are clamped instead of
overflowing a datetime or select(); 10,001 years is refused at registration, naming the field."""

from __future__ import annotations

from typing import Any

import grpc
import pytest
from flows import timeouts
from flyteidl.admin import task_pb2
from flyteidl.service import admin_pb2_grpc
from tests.integration.engine.support import assert_succeeded, register, run
from tests.integration.support import serialize

TEN_THOUSAND_AND_ONE_YEARS = 10_001 * 31_557_600


def test_a_task_with_a_9999_year_timeout_runs(flyte: Any, project: str) -> None:
    execution = run(flyte, project, register(flyte, project, timeouts.very_patient), x=41)
    assert_succeeded(execution)
    assert execution.outputs["o0"] == 42


def test_a_10001_year_timeout_is_refused_at_registration(admin: admin_pb2_grpc.AdminServiceStub, project: str) -> None:
    (spec,) = serialize(timeouts.patient, project, "v-too-long")["tasks"]
    spec.template.metadata.timeout.seconds = TEN_THOUSAND_AND_ONE_YEARS
    with pytest.raises(grpc.RpcError) as refused:
        admin.CreateTask(task_pb2.TaskCreateRequest(id=spec.template.id, spec=spec), timeout=10)
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "spec.template.metadata.timeout" in (refused.value.details() or "")
