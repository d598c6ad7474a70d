"""`field_of`: a read-only attribute that reads one field of a wrapped message."""

from __future__ import annotations

from typing import Any

import pytest
from flyteidl.core import identifier_pb2, tasks_pb2

from flyteplane.remote.accessors import FieldOf, field_of


class Wrapper:
    template = field_of("_template", doc="The wrapped TaskTemplate.")
    type = field_of("_template", "type", str)
    project = field_of("_template", "id.project")
    container = field_of("_template", "container", if_set=True)
    config = field_of("_template", "config", dict)

    def __init__(self, template: Any) -> None:
        self._template = template


TEMPLATE = tasks_pb2.TaskTemplate(
    id=identifier_pb2.Identifier(project="p", name="t"), type="python-task", config={"a": "b"}
)


def test_a_field_reads_the_source_itself_or_a_dotted_path_of_it() -> None:
    wrapper = Wrapper(TEMPLATE)
    assert wrapper.template is TEMPLATE
    assert wrapper.type == "python-task"
    assert wrapper.project == "p"


def test_convert_turns_what_was_read_into_the_attributes_value() -> None:
    config = Wrapper(TEMPLATE).config
    assert config == {"a": "b"}
    assert type(config) is dict


def test_if_set_gives_none_for_an_unset_message_field() -> None:
    assert Wrapper(TEMPLATE).container is None
    with_container = tasks_pb2.TaskTemplate(container=tasks_pb2.Container(image="img"))
    assert Wrapper(with_container).container.image == "img"


def test_fields_are_read_only_like_properties() -> None:
    with pytest.raises(AttributeError, match=r"Wrapper\.type is read-only"):
        Wrapper(TEMPLATE).type = "other"  # type: ignore[misc]


def test_on_the_class_a_field_is_its_descriptor_with_its_doc() -> None:
    assert isinstance(Wrapper.template, FieldOf)
    assert Wrapper.template.__doc__ == "The wrapped TaskTemplate."
