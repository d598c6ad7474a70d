"""The engine: runs each execution's compiled workflow node by node (flytepropeller's job).

It keeps its durable state in the `engine_workflows` table, reports progress only through workflow / node / task
events (the same messages propeller sends to flyteadmin), and hands task attempts to an executor.
"""

__all__: list[str] = []
