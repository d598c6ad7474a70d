"""After the fuzzing: every stored protobuf parses as its type and no row lost what it belongs to (SQLite)."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from flyteidl.admin import (
    common_pb2,
    description_entity_pb2,
    execution_pb2,
    launch_plan_pb2,
    matchable_resource_pb2,
    node_execution_pb2,
    task_execution_pb2,
    task_pb2,
)
from flyteidl.core import compiler_pb2, interface_pb2, literals_pb2, types_pb2

# table -> column -> the message stored there (columns as store/models.py documents them)
STORED_PROTOS: dict[str, dict[str, Any]] = {
    "projects": {"labels": common_pb2.Labels},
    "tasks": {"closure": task_pb2.TaskClosure},
    "workflows": {
        "typed_interface": interface_pb2.TypedInterface,
        "closure": compiler_pb2.CompiledWorkflowClosure,
    },
    "launch_plans": {"spec": launch_plan_pb2.LaunchPlanSpec, "closure": launch_plan_pb2.LaunchPlanClosure},
    "description_entities": {
        "long_description": description_entity_pb2.Description,
        "source_code": description_entity_pb2.SourceCode,
    },
    "resources": {"attributes": matchable_resource_pb2.MatchingAttributes},
    "executions": {
        "spec": execution_pb2.ExecutionSpec,
        "closure": execution_pb2.ExecutionClosure,
        "execution_config": matchable_resource_pb2.WorkflowExecutionConfig,
    },
    "node_executions": {
        "closure": node_execution_pb2.NodeExecutionClosure,
        "node_execution_metadata": node_execution_pb2.NodeExecutionMetaData,
    },
    "task_executions": {"closure": task_execution_pb2.TaskExecutionClosure},
    "signals": {"type": types_pb2.LiteralType, "value": literals_pb2.Literal},
    "cached_outputs": {"outputs": literals_pb2.LiteralMap},
}

# Rows that belong to another by Flyte identity rather than by a foreign key.
ORPHAN_QUERIES = {
    "node executions without their execution": """
        SELECT n.id FROM node_executions n LEFT JOIN executions e
          ON e.execution_project = n.execution_project AND e.execution_domain = n.execution_domain
         AND e.execution_name = n.execution_name
         WHERE e.id IS NULL""",
    "task executions without their node execution": """
        SELECT t.id FROM task_executions t LEFT JOIN node_executions n
          ON n.execution_project = t.execution_project AND n.execution_domain = t.execution_domain
         AND n.execution_name = t.execution_name AND n.node_id = t.node_id
         WHERE n.id IS NULL""",
    "signals without their execution": """
        SELECT s.id FROM signals s LEFT JOIN executions e
          ON e.execution_project = s.execution_project AND e.execution_domain = s.execution_domain
         AND e.execution_name = s.execution_name
         WHERE e.id IS NULL""",
    "executions in no registered project": """
        SELECT e.id FROM executions e LEFT JOIN projects p ON p.identifier = e.execution_project
         WHERE p.id IS NULL""",
    "tasks in no registered project": """
        SELECT t.id FROM tasks t LEFT JOIN projects p ON p.identifier = t.project WHERE p.id IS NULL""",
    "workflows in no registered project": """
        SELECT w.id FROM workflows w LEFT JOIN projects p ON p.identifier = w.project WHERE p.id IS NULL""",
    "launch plans in no registered project": """
        SELECT l.id FROM launch_plans l LEFT JOIN projects p ON p.identifier = l.project WHERE p.id IS NULL""",
}


def integrity_problems(database: Path) -> list[str]:
    """What is wrong with the database at `database`, read-only while the server may still run (WAL)."""
    problems: list[str] = []
    connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=30)
    try:
        problems += [
            f"integrity_check: {row[0]}" for row in connection.execute("PRAGMA integrity_check") if row[0] != "ok"
        ]
        problems += [f"foreign key broken: {row}" for row in connection.execute("PRAGMA foreign_key_check")]
        for table, columns in STORED_PROTOS.items():
            for column, message_type in columns.items():
                for row_id, data in connection.execute(f"SELECT rowid, {column} FROM {table}"):
                    if data is None:
                        continue
                    try:
                        message_type.FromString(bytes(data))
                    except Exception as exc:
                        problems.append(f"{table}.{column} of row {row_id} is no {message_type.__name__}: {exc}")
        for what, query in ORPHAN_QUERIES.items():
            ids = [row[0] for row in connection.execute(query)]
            if ids:
                problems.append(f"{what}: rows {ids[:20]}")
    finally:
        connection.close()
    return problems
