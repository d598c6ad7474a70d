"""The engine benchmark's workflows as Prefect 3 flows, for the peer column (run by a process worker)."""

from prefect import flow, task

CHAIN_LENGTH = 20


@task
def bump(x: int) -> int:
    return x + 1


@flow(name="single")
def single(x: int) -> int:
    return bump(x)


@flow(name="chain")
def chain(x: int) -> int:
    value = bump(x)
    for _ in range(CHAIN_LENGTH - 1):
        value = bump(value)
    return value


@flow(name="mapped")
def mapped(xs: list[int]) -> list[int]:
    return bump.map(xs).result()


@flow(name="dynamic_fan")
def dynamic_fan(n: int) -> list[int]:
    futures = [bump.submit(i) for i in range(n)]
    return [future.result() for future in futures]


@task
def say_hello(name: str) -> str:
    return f"hello {name}"


@flow(name="hello")
def hello(name: str = "world") -> str:
    return say_hello(name)
