"""store.repositories.launch_plans: one active version per name, and the schedules of active versions."""

from __future__ import annotations

import pytest
from tests.unit.store.repositories.rows import D, P, add_launch_plan, add_workflow

from flyteplane.store.db import Conflict, Database
from flyteplane.store.repositories import launch_plans
from flyteplane.store.repositories.versioned import LAUNCH_PLANS

INACTIVE, ACTIVE = 0, 1


def seed(database: Database) -> None:
    with database.transaction() as session:
        workflow = add_workflow(session, "wf")
        for name, version in (("lp", "v1"), ("lp", "v2"), ("other", "v1")):
            add_launch_plan(session, name, workflow, version)


def activate(database: Database, name: str, version: str) -> None:
    with database.transaction() as session:
        launch_plans.activate(session, LAUNCH_PLANS.find(session, P, D, name, version))  # type: ignore[arg-type]


def active_version(database: Database, name: str) -> str | None:
    with database.read() as session:
        row = launch_plans.find_active(session, P, D, name)
    return None if row is None else row.version


def test_activating_a_version_deactivates_the_one_active_before(database: Database) -> None:
    seed(database)
    assert active_version(database, "lp") is None
    activate(database, "lp", "v1")
    assert active_version(database, "lp") == "v1"
    activate(database, "lp", "v2")
    assert active_version(database, "lp") == "v2"
    with database.read() as session:
        assert LAUNCH_PLANS.find(session, P, D, "lp", "v1").state == INACTIVE  # type: ignore[union-attr]


def test_a_second_active_version_of_a_name_is_a_conflict(database: Database) -> None:
    seed(database)
    activate(database, "lp", "v1")
    with pytest.raises(Conflict), database.transaction() as session:
        LAUNCH_PLANS.find(session, P, D, "lp", "v2").state = ACTIVE  # type: ignore[union-attr]


def test_active_versions_are_listed_per_project_and_domain_in_id_order(database: Database) -> None:
    seed(database)
    activate(database, "other", "v1")
    activate(database, "lp", "v2")
    with database.read() as session:
        first = launch_plans.list_active_page(session, P, D, 1, "")
        second = launch_plans.list_active_page(session, P, D, 1, first.token)
        elsewhere = launch_plans.list_active_page(session, P, "staging", 10, "")
    assert [(row.name, row.version) for row in first.items + second.items] == [("lp", "v2"), ("other", "v1")]
    assert second.token == ""
    assert elsewhere.items == []


def test_scheduled_lists_active_versions_with_a_schedule_only(database: Database) -> None:
    with database.transaction() as session:
        workflow = add_workflow(session, "wf")
        cron = add_launch_plan(session, "cron", workflow, state=ACTIVE, schedule_type="CRON")
        add_launch_plan(session, "cron", workflow, "v0", schedule_type="CRON")  # inactive
        add_launch_plan(session, "plain", workflow, state=ACTIVE)  # no schedule
        rate = add_launch_plan(session, "rate", workflow, state=ACTIVE, schedule_type="RATE")
    with database.read() as session:
        scheduled = launch_plans.scheduled(session)
    assert [(key, name, version) for key, _, _, name, version, _ in scheduled] == [
        (cron.id, "cron", "v1"),
        (rate.id, "rate", "v1"),
    ]
    assert scheduled[0][5] == cron.updated_at
