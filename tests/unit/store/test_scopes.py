"""store.scopes: what the List RPCs let filters name, checked against the tables."""

from __future__ import annotations

import pytest
from sqlalchemy import Column, LargeBinary

from flyteplane.store import scopes
from flyteplane.store.filters import FILTER_ENTITY_CODES, FilterableEntity
from flyteplane.store.listing import Listing

LISTINGS = {
    "ListTasks": scopes.TASKS,
    "ListWorkflows": scopes.WORKFLOWS,
    "ListLaunchPlans": scopes.LAUNCH_PLANS,
    "ListActiveLaunchPlans": scopes.ACTIVE_LAUNCH_PLANS,
    "ListProjects": scopes.PROJECTS,
    "ListDescriptionEntities": scopes.description_entities("workflow"),
    "ListExecutions": scopes.EXECUTIONS,
    "ListNodeExecutions": scopes.NODE_EXECUTIONS,
    "ListTaskExecutions": scopes.TASK_EXECUTIONS,
    "ListSignals": scopes.SIGNALS,
}


def entities(listing: Listing) -> dict[str, FilterableEntity]:
    return {**listing.scope.entities, **{prefix: entity for prefix, (entity, _) in listing.existence.items()}}


@pytest.mark.parametrize("rpc", LISTINGS)
def test_every_prefix_carries_flyteadmins_code_and_every_field_is_a_column(rpc: str) -> None:
    for prefix, entity in entities(LISTINGS[rpc]).items():
        assert entity.code == FILTER_ENTITY_CODES[prefix]
        for name in entity.columns:
            column = entity.column(name)
            assert isinstance(column, Column) and column.name == name, (rpc, prefix, name)


@pytest.mark.parametrize("rpc", LISTINGS)
def test_no_serialized_spec_or_closure_is_filterable(rpc: str) -> None:
    for prefix, entity in entities(LISTINGS[rpc]).items():
        for name in entity.columns:
            column = entity.column(name)
            assert column is not None and not isinstance(column.type, LargeBinary), (rpc, prefix, name)


@pytest.mark.parametrize("rpc", LISTINGS)
def test_every_other_prefix_a_filter_may_name_has_a_join(rpc: str) -> None:
    listing = LISTINGS[rpc]
    others = set(listing.scope.entities) - {listing.scope.default}
    assert others == set(listing.joins), rpc
