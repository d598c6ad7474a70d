"""The hello world of `pyflyte run`: one task, one workflow."""

from flytekit import task, workflow


@task
def say_hello(name: str) -> str:
    return f"hello {name}"


@workflow
def wf(name: str = "world") -> str:
    return say_hello(name=name)
