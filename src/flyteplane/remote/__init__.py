"""flyteplane's FlyteRemote: register, fetch, execute and follow Flyte entities against any Flyte Admin.

    from flyteplane.remote import FlyteRemote

    remote = FlyteRemote.for_endpoint("localhost:30080", insecure=True, default_project="flytesnacks",
                                      default_domain="development")
    wf = remote.fetch_workflow(name="my.workflow")
    execution = remote.execute(wf, inputs={"x": 5}, wait=True)
    print(execution.outputs["o0"])

Importing it loads grpcio and flyteidl (through `flyteplane.client`), not flytekit: Python values of the core types
(ints, floats, strings, bools, datetimes, durations, None, lists, dicts, enums, dataclasses, files, directories)
convert without it. Registering Python-defined entities, and values of other types, use flytekit when installed.
"""

from flyteplane.remote.config import Config
from flyteplane.remote.entities import FlyteLaunchPlan, FlyteTask, FlyteWorkflow
from flyteplane.remote.errors import FlyteAssertion, FlyteTimeout, FlyteValueException
from flyteplane.remote.executions import FlyteNodeExecution, FlyteTaskExecution, FlyteWorkflowExecution
from flyteplane.remote.flytekit_support import FlytekitRequired
from flyteplane.remote.interface import TypedInterface
from flyteplane.remote.literals import Directory, File, LiteralsResolver
from flyteplane.remote.metrics import FlyteExecutionSpan
from flyteplane.remote.options import Options
from flyteplane.remote.remote import FlyteRemote

__all__ = [
    "Config",
    "Directory",
    "File",
    "FlyteAssertion",
    "FlyteExecutionSpan",
    "FlyteLaunchPlan",
    "FlyteNodeExecution",
    "FlyteRemote",
    "FlyteTask",
    "FlyteTaskExecution",
    "FlyteTimeout",
    "FlyteValueException",
    "FlyteWorkflow",
    "FlyteWorkflowExecution",
    "FlytekitRequired",
    "LiteralsResolver",
    "Options",
    "TypedInterface",
]
