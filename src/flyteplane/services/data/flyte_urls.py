"""DataProxyService.GetData (flyteadmin §11.4): `flyte://v1/...` URLs to node and task execution data.

`flyte://v1/<project>/<domain>/<execution>/<node>[/<attempt>]/<i|o|d>[/<name>]` names the inputs, outputs or
deck of a node execution, or of one attempt of it, or a single literal of inputs or outputs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flyteidl.admin import node_execution_pb2, task_execution_pb2
from flyteidl.core import identifier_pb2, literals_pb2
from flyteidl.service import dataproxy_pb2

from flyteplane.compiler.prototext import go_text
from flyteplane.errors import InvalidArgument
from flyteplane.services.data.data_proxy import DataProxyService
from flyteplane.services.executions.lookups import MAX_INT32
from flyteplane.services.executions.node_executions import NodeExecutionService
from flyteplane.services.executions.task_executions import TaskExecutionService

__all__ = ["FlyteUrl", "FlyteUrlService", "parse_flyte_url"]

_SEGMENT = r"[a-zA-Z0-9_-]+"
_PREFIX = (
    rf"flyte://v1/(?P<project>{_SEGMENT})/(?P<domain>{_SEGMENT})/(?P<execution>{_SEGMENT})/(?P<node>{_SEGMENT})"
    r"(?:/(?P<attempt>[0-9]+))?"
)
# Like flyteadmin's (Go) patterns: anchored at the end only.
_WHOLE = re.compile(_PREFIX + r"/(?P<kind>[iod])$")
_ONE_LITERAL = re.compile(_PREFIX + rf"/(?P<kind>[io])/(?P<name>{_SEGMENT})$")


@dataclass(frozen=True)
class FlyteUrl:
    node: identifier_pb2.NodeExecutionIdentifier
    attempt: int | None
    kind: str  # "i", "o" or "d"
    name: str  # one literal of the map, or "" for the whole map


def parse_flyte_url(url: str) -> FlyteUrl:
    if not url:
        raise InvalidArgument(
            "failed to validate resolve artifact request. Error: source is required. Provided empty string"
        )
    if not url.startswith("flyte://"):
        raise InvalidArgument(
            "failed to validate resolve artifact request. Error: request does not start with the correct prefix"
        )
    match = _WHOLE.search(url) or _ONE_LITERAL.search(url)
    if match is None:
        raise InvalidArgument(f"failed to parse artifact url Error: failed to parse [{url}]")
    groups = match.groupdict()
    node = identifier_pb2.NodeExecutionIdentifier(
        node_id=groups["node"],
        execution_id=identifier_pb2.WorkflowExecutionIdentifier(
            project=groups["project"], domain=groups["domain"], name=groups["execution"]
        ),
    )
    attempt = groups["attempt"]
    if attempt is not None and int(attempt) > 2**32 - 1:
        raise InvalidArgument(f"failed to parse artifact url Error: failed to parse attempt [{attempt}]")
    return FlyteUrl(
        node=node,
        attempt=None if attempt is None else int(attempt),
        kind=groups["kind"],
        name=groups.get("name") or "",
    )


@dataclass(eq=False)
class FlyteUrlService:
    node_executions: NodeExecutionService
    task_executions: TaskExecutionService
    dataproxy: DataProxyService

    def get_data(self, request: dataproxy_pb2.GetDataRequest) -> dataproxy_pb2.GetDataResponse:
        url = parse_flyte_url(request.flyte_url)
        if url.attempt is None:
            return self._from_node(url)
        return self._from_attempt(url)

    def _from_node(self, url: FlyteUrl) -> dataproxy_pb2.GetDataResponse:
        if url.kind == "d":
            link = self.dataproxy.create_download_link(
                dataproxy_pb2.CreateDownloadLinkRequest(
                    artifact_type=dataproxy_pb2.ARTIFACT_TYPE_DECK, node_execution_id=url.node
                )
            )
            return dataproxy_pb2.GetDataResponse(pre_signed_urls=link.pre_signed_urls)
        data = self.node_executions.get_node_execution_data(node_execution_pb2.NodeExecutionGetDataRequest(id=url.node))
        literals = data.full_inputs if url.kind == "i" else data.full_outputs
        return _answer(literals, url.name, f"node execution [{go_text(url.node)}]")

    def _from_attempt(self, url: FlyteUrl) -> dataproxy_pb2.GetDataResponse:
        """The attempt is found among the node's task executions by a retry_attempt filter, as flyteadmin."""
        listed = task_execution_pb2.TaskExecutionList()
        if url.attempt is not None and url.attempt <= MAX_INT32:  # no attempt beyond that can be stored
            listed = self.task_executions.list_task_executions(
                task_execution_pb2.TaskExecutionListRequest(
                    node_execution_id=url.node, limit=1, filters=f"eq(retry_attempt,{url.attempt})"
                )
            )
        if not listed.task_executions:
            raise InvalidArgument(f"no task executions were listed [{go_text(url.node)}]. Error: <nil>")
        attempt = listed.task_executions[0].id
        if url.kind == "d":
            raise InvalidArgument("deck type cannot be specified with a retry attempt, just use the node instead")
        data = self.task_executions.get_task_execution_data(task_execution_pb2.TaskExecutionGetDataRequest(id=attempt))
        literals = data.full_inputs if url.kind == "i" else data.full_outputs
        return _answer(literals, url.name, f"task execution [{go_text(attempt)}]")


def _answer(literals: literals_pb2.LiteralMap, name: str, owner: str) -> dataproxy_pb2.GetDataResponse:
    if not name:
        return dataproxy_pb2.GetDataResponse(literal_map=literals)
    if name not in literals.literals:
        raise InvalidArgument(f"name [{name}] not found in {owner}")
    return dataproxy_pb2.GetDataResponse(literal=literals.literals[name])
