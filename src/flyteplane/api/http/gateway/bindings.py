"""The HTTP routes flyteidl declares: each RPC's `google.api.http` option and its `additional_bindings`.

Nothing here is written by hand: routes, bodies and path variables are read from the service descriptors, so a
new flyteidl release brings its routes with it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from google.api import annotations_pb2, http_pb2
from google.protobuf.descriptor import Descriptor, MethodDescriptor, ServiceDescriptor

from flyteplane.api.http.gateway.descriptors import is_repeated
from flyteplane.api.http.gateway.templates import PathTemplate, parse_template

__all__ = ["Binding", "all_bindings", "bindings_of", "http_rules"]

_METHODS = ("get", "put", "post", "delete", "patch")


@dataclass(frozen=True)
class Binding:
    """One route of an RPC: HTTP method, path template, and which part of the request the body carries."""

    service: ServiceDescriptor
    method: MethodDescriptor
    http_method: str
    template: PathTemplate
    body: str  # "" no body, "*" the whole request, else the name of a request field
    response_body: str  # "" the whole response, else the name of the response field sent

    @property
    def rpc(self) -> str:
        return f"{self.service.name}.{self.method.name}"

    @property
    def bound_field_paths(self) -> tuple[str, ...]:
        """Request fields the path or the body sets, which the query string may not set again."""
        return self.template.field_paths + ((self.body,) if self.body not in ("", "*") else ())


def http_rules(method: MethodDescriptor) -> list[http_pb2.HttpRule]:
    """The method's `google.api.http` rule followed by its additional bindings; empty if it has none."""
    options = method.GetOptions()
    if not options.HasExtension(annotations_pb2.http):
        return []
    rule = options.Extensions[annotations_pb2.http]
    return [rule, *rule.additional_bindings]


def bindings_of(service: ServiceDescriptor) -> list[Binding]:
    return [_binding(service, method, rule) for method in service.methods for rule in http_rules(method)]


def _binding(service: ServiceDescriptor, method: MethodDescriptor, rule: http_pb2.HttpRule) -> Binding:
    pattern = rule.WhichOneof("pattern")
    if pattern == "custom":
        http_method, path = rule.custom.kind.upper(), rule.custom.path
    elif pattern in _METHODS:
        http_method, path = pattern.upper(), getattr(rule, pattern)
    else:
        raise ValueError(f"{service.name}.{method.name}: HTTP rule without a pattern")
    template = parse_template(path)
    for field_path in template.field_paths:
        _check_field_path(method.input_type, field_path, f"{service.name}.{method.name}")
    if rule.body not in ("", "*"):
        _check_message_field(method.input_type, rule.body, f"{service.name}.{method.name} body")
    if rule.response_body:
        _check_message_field(method.output_type, rule.response_body, f"{service.name}.{method.name} response_body")
    return Binding(service, method, http_method, template, rule.body, rule.response_body)


def _check_field_path(message: Descriptor, field_path: str, where: str) -> None:
    """Path variables must name singular fields, through singular message fields."""
    names = field_path.split(".")
    for index, name in enumerate(names):
        field = message.fields_by_name.get(name)
        if field is None or is_repeated(field):
            raise ValueError(f"{where}: {field_path!r} is not a singular field of {message.full_name}")
        if index < len(names) - 1:
            if field.message_type is None:
                raise ValueError(f"{where}: {name!r} in {field_path!r} is not a message")
            message = field.message_type


def _check_message_field(message: Descriptor, name: str, where: str) -> None:
    """Named bodies are decoded into a message field (all that flyteidl uses; scalars are not supported)."""
    field = message.fields_by_name.get(name)
    if field is None or field.message_type is None or is_repeated(field):
        raise ValueError(f"{where}: {name!r} is not a singular message field of {message.full_name}")


def all_bindings(services: Iterable[ServiceDescriptor]) -> list[Binding]:
    return [binding for service in services for binding in bindings_of(service)]
