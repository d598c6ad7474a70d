"""Registering Python-defined (flytekit) entities; every function here imports flytekit when called."""

from flyteplane.remote.registration.register import (
    fast_register_workflow,
    local_entity_to_execute,
    register_launch_plan,
    register_script,
    register_task,
    register_workflow,
)

__all__ = [
    "fast_register_workflow",
    "local_entity_to_execute",
    "register_launch_plan",
    "register_script",
    "register_task",
    "register_workflow",
]
