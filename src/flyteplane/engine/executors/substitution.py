"""Flyte's task template substitution: the `{{.Input}}`-style variables propeller fills into a container's args.

Variables are case-insensitive, tolerate whitespace inside the braces and take a `.` or `$` prefix
(`{{.outputPrefix}}`, `{{ $OutputPrefix }}`). They are replaced one after another in propeller's order, so a value
that itself contains a later variable is expanded too; unknown variables are left as they are.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import msgpack
from flyteidl.core import literals_pb2

from flyteplane.engine.executors.base import TaskAttempt
from flyteplane.engine.executors.goformat import go_duration, go_float, go_value, rfc3339_nano

__all__ = ["TemplateError", "TemplateValues", "per_retry_unique_key", "render", "render_literal"]

_SPACE = "[ \t\n\f\r]*"  # Go's \s: ASCII whitespace only


def _variable(name: str) -> re.Pattern[str]:
    return re.compile(r"\{\{" + _SPACE + r"[.$]" + name + _SPACE + r"\}\}", re.IGNORECASE)


_INPUT = _variable("Input")
_INPUT_PREFIX = _variable("InputPrefix")
_OUTPUT_PREFIX = _variable("OutputPrefix")
_RAW_OUTPUT_PREFIX = _variable("RawOutputDataPrefix")
_PREVIOUS_CHECKPOINT = _variable("PrevCheckpointPrefix")
_CHECKPOINT = _variable("CheckpointOutputPrefix")
_PER_RETRY_UNIQUE_KEY = _variable("PerRetryUniqueKey")
_TASK_TEMPLATE_PATH = _variable("TaskTemplatePath")
_NAMESPACE = _variable("Namespace")
_INPUT_VALUE = re.compile(r"\{\{" + _SPACE + r"[.$]Inputs\.([^}\s]+)" + _SPACE + r"\}\}", re.IGNORECASE)

_LEADING_NON_ALPHA = re.compile("^[^a-zA-Z_]+")
_NON_WORD = re.compile("[^a-zA-Z0-9_]+")


class TemplateError(Exception):
    """The command cannot be rendered (an `{{.Inputs.x}}` names a missing or unprintable input)."""


@dataclass(frozen=True)
class TemplateValues:
    """What each variable becomes for one attempt."""

    input_path: str
    input_prefix: str
    output_prefix: str
    raw_output_prefix: str
    checkpoint_prefix: str
    previous_checkpoint_prefix: str
    per_retry_unique_key: str
    task_template_path: str
    namespace: str

    @classmethod
    def of(cls, attempt: TaskAttempt, namespace: str) -> TemplateValues:
        return cls(
            input_path=attempt.input_path,
            input_prefix=attempt.input_prefix,
            output_prefix=attempt.output_prefix,
            raw_output_prefix=attempt.raw_output_prefix,
            checkpoint_prefix=attempt.checkpoint_prefix,
            previous_checkpoint_prefix=attempt.previous_checkpoint_prefix,
            per_retry_unique_key=per_retry_unique_key(attempt.attempt_id),
            task_template_path=attempt.task_template_path,
            namespace=namespace,
        )


def per_retry_unique_key(generated_name: str) -> str:
    """Propeller's sanitised key: leading non-letters become one `a`, other runs of non-word characters `_`."""
    return _NON_WORD.sub("_", _LEADING_NON_ALPHA.sub("a", generated_name))


def render(
    templates: Sequence[str], values: TemplateValues, load_inputs: Callable[[], literals_pb2.LiteralMap]
) -> list[str]:
    """Each template with its variables replaced; inputs are loaded only if some `{{.Inputs.x}}` asks for them."""
    replacements = (
        (_INPUT, values.input_path),
        (_OUTPUT_PREFIX, values.output_prefix),
        (_INPUT_PREFIX, values.input_prefix),
        (_RAW_OUTPUT_PREFIX, values.raw_output_prefix),
        (_PREVIOUS_CHECKPOINT, values.previous_checkpoint_prefix or '""'),
        (_CHECKPOINT, values.checkpoint_prefix),
        (_PER_RETRY_UNIQUE_KEY, values.per_retry_unique_key),
        (_TASK_TEMPLATE_PATH, values.task_template_path),
        (_NAMESPACE, values.namespace),
    )
    rendered = []
    for template in templates:
        for pattern, value in replacements:
            template = pattern.sub(_literally(value), template)
        rendered.append(template)
    if not any(_INPUT_VALUE.search(text) for text in rendered):
        return rendered
    inputs = load_inputs()
    if not inputs.literals:
        return rendered  # as propeller: nothing to substitute with, the text stays as it is
    return [_INPUT_VALUE.sub(lambda match: _input_value(match, inputs), text) for text in rendered]


def _literally(value: str) -> Callable[[re.Match[str]], str]:
    """A replacement taken as is: backslashes in paths are not group references."""
    return lambda _match: value


def _input_value(match: re.Match[str], inputs: literals_pb2.LiteralMap) -> str:
    name = match.group(1)
    if name not in inputs.literals:
        raise TemplateError(f"input template [{match.group(0)}]: requested input is not found [{name}]")
    try:
        return render_literal(inputs.literals[name])
    except TemplateError as e:
        raise TemplateError(
            f"input template [{match.group(0)}]: failed to bind a value to inputName [{name}]: {e}"
        ) from None


def render_literal(literal: literals_pb2.Literal) -> str:
    """A literal as propeller prints it into a command line: collections as `[a,b]`, blobs as their URI."""
    kind = literal.WhichOneof("value")
    if kind == "collection":
        return "[" + ",".join(render_literal(item) for item in literal.collection.literals) + "]"
    if kind != "scalar":
        raise TemplateError(f"received an unexpected literal type [{kind}]")
    scalar = literal.scalar
    scalar_kind = scalar.WhichOneof("value")
    if scalar_kind == "primitive":
        return _render_primitive(scalar.primitive)
    if scalar_kind == "blob":
        return str(scalar.blob.uri)
    if scalar_kind == "schema":
        return str(scalar.schema.uri)
    if scalar_kind == "binary":
        if scalar.binary.tag != "msgpack":
            raise TemplateError(f"unsupported binary tag [{scalar.binary.tag}]")
        try:
            value = msgpack.unpackb(scalar.binary.value, strict_map_key=False)
        except (ValueError, msgpack.UnpackException) as e:
            raise TemplateError(f"failed to unmarshal messagepack bytes: {e}") from None
        return go_value(value)
    raise TemplateError(f"received an unexpected scalar type [{scalar_kind}]")


def _render_primitive(primitive: literals_pb2.Primitive) -> str:
    kind = primitive.WhichOneof("value")
    if kind == "integer":
        return str(primitive.integer)
    if kind == "boolean":
        return "true" if primitive.boolean else "false"
    if kind == "float_value":
        return go_float(primitive.float_value)
    if kind == "string_value":
        return str(primitive.string_value)
    if kind == "datetime":
        return rfc3339_nano(primitive.datetime.seconds, primitive.datetime.nanos)
    if kind == "duration":
        return go_duration(primitive.duration.seconds * 1_000_000_000 + primitive.duration.nanos)
    raise TemplateError(f"received an unexpected primitive type [{kind}]")
