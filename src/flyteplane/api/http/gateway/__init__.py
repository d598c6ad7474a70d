"""flyteadmin's HTTP/JSON API: the grpc-gateway routes flyteidl declares with `google.api.http`, served over the
same RPC tables as gRPC.

    templates   path templates (`/api/v1/tasks/{id.project}/...`, `{name=**}`, `:verb`)
    bindings    the routes read from the service descriptors
    router      literal segments before variables, then the HTTP method
    requests    body, path variables and query string into the request message (fields: parsing values)
    codecs      binary protobuf, flyteadmin's JSON, grpc-gateway's default JSON; choosing one per request
    protojson   messages as Go's protojson writes them
    errors      google.rpc.Status bodies and HTTP statuses
    headers     what flyteadmin adds to particular answers (`/me`)
    descriptors descriptor questions, answered alike across protobuf releases
    app         the ASGI app and its Starlette route
"""

from flyteplane.api.http.gateway.app import Gateway, GatewayRoute
from flyteplane.api.http.gateway.bindings import Binding, all_bindings, bindings_of

__all__ = ["Binding", "Gateway", "GatewayRoute", "all_bindings", "bindings_of"]
