"""Registry benchmarks: latency of task RPCs against a seeded server, each set beside a no-op baseline.

Every figure comes from raw flyteidl stubs over loopback, one call at a time, so it is the server's latency
plus the same fixed client and transport cost the GetVersion baseline shows; the ratio to that baseline is
the part of the figure the server's own work explains.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import grpc
from flyteidl.admin import common_pb2, task_pb2, version_pb2
from flyteidl.core import identifier_pb2

from bench.catalog import DOMAIN, NAME_PREFIX, PROJECT, Catalog
from bench.stats import Measurement, Samples, sample, summarize

RPC_TIMEOUT = 30.0
Rpc = Callable[..., Any]  # a stub method: request, timeout=... -> response


@dataclass(frozen=True)
class Calls:
    """How many timed calls each kind of benchmark makes; warm-up adds a tenth of that."""

    cheap: int = 1000  # GetVersion, GetTask, a one-row ListTasks
    page: int = 200  # ListTasks returning a full page
    create: int = 500  # CreateTask

    def scaled(self, factor: float) -> Calls:
        return replace(
            self,
            cheap=max(10, round(self.cheap * factor)),
            page=max(10, round(self.page * factor)),
            create=max(10, round(self.create * factor)),
        )


@dataclass
class RegistryReport:
    """The measurements in run order, facts worth printing beside them, and anything the server got wrong."""

    measurements: list[Measurement] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


class RegistryBenchmarks:
    """Runs the registry benchmarks in a fixed order against an AdminService stub."""

    def __init__(
        self,
        stub: Any,
        catalog: Catalog,
        spec: task_pb2.TaskSpec,
        *,
        calls: Calls,
        page_size: int,
        deep_page: int,
        seed: int = 7,
    ) -> None:
        self.stub = stub
        self.catalog = catalog
        self.spec = spec
        self.calls = calls
        self.page_size = page_size
        self.deep_page = deep_page
        self.random = random.Random(seed)
        self.report = RegistryReport()
        self._baseline_p50: float | None = None

    def run(self) -> RegistryReport:
        self.get_version("GetVersion (no-op baseline)")
        self.get_task()
        self.list_first_page()
        deep_token = self.walk_to_deep_page()
        if deep_token:
            self.list_deep_page(deep_token)
        self.list_offset_page()
        self.list_filtered()
        self.list_sorted_by_name()
        self.list_latest_version()
        self.create_task()
        self.get_version("GetVersion (baseline, again at the end)")
        return self.report

    # -- the benchmarks ---------------------------------------------------------------------------------

    def get_version(self, title: str) -> None:
        request = version_pb2.GetVersionRequest()
        self._measure(title, self.stub.GetVersion, lambda _: request, self.calls.cheap)

    def get_task(self) -> None:
        rows = self._random_rows(self.calls.cheap)
        self._measure(
            "GetTask",
            self.stub.GetTask,
            lambda i: common_pb2.ObjectGetRequest(id=self.catalog.identifier(rows[i])),
            self.calls.cheap,
        )

    def list_first_page(self) -> None:
        request = self._list_request()
        page = self._probe(self.stub.ListTasks, request, "ListTasks first page")
        if page is not None:
            self._expect_rows(page, 0, "ListTasks first page")
            self.report.facts["page_response_bytes"] = page.ByteSize()
        self._measure(
            f"ListTasks first page (limit {self.page_size})",
            self.stub.ListTasks,
            lambda _: request,
            self.calls.page,
        )

    def walk_to_deep_page(self) -> str:
        """Follows page tokens from the first page until `deep_page` pages are read, timing every page."""
        samples = Samples()
        token = ""
        started = time.perf_counter()
        for page_number in range(1, self.deep_page + 1):
            request = self._list_request(token=token)
            before = time.perf_counter()
            try:
                page = self.stub.ListTasks(request, timeout=RPC_TIMEOUT)
            except grpc.RpcError as exc:
                samples.fail(exc)
                self._problem(f"walking ListTasks pages stopped at page {page_number}: {samples.first_error}")
                break
            samples.seconds.append(time.perf_counter() - before)
            token = page.token
            if not token:
                self._problem(f"ListTasks returned no next-page token on page {page_number}")
                break
        self.report.facts["walk_pages"] = len(samples.seconds)
        self.report.facts["walk_seconds"] = round(time.perf_counter() - started, 3)
        self.report.facts["deep_token"] = token
        self._record(f"ListTasks walking pages 1-{self.deep_page} by token", samples)
        return token

    def list_deep_page(self, token: str) -> None:
        request = self._list_request(token=token)
        page = self._probe(self.stub.ListTasks, request, "ListTasks deep page by token")
        if page is not None:
            self._expect_rows(page, self.deep_offset, "ListTasks deep page by token")
        self._measure(
            f"ListTasks page {self.deep_page + 1} by token (keyset)",
            self.stub.ListTasks,
            lambda _: request,
            self.calls.page,
        )

    def list_offset_page(self) -> None:
        request = self._list_request(token=str(self.deep_offset))
        page = self._probe(self.stub.ListTasks, request, "ListTasks offset token")
        if page is not None:
            self._expect_rows(page, self.deep_offset, f'ListTasks token "{self.deep_offset}"')
        self._measure(
            f'ListTasks offset token "{self.deep_offset}"',
            self.stub.ListTasks,
            lambda _: request,
            self.calls.page,
        )

    def list_filtered(self) -> None:
        rows = self._random_rows(self.calls.page)
        self._measure(
            f"ListTasks filter eq(name,...) (limit {self.page_size})",
            self.stub.ListTasks,
            lambda i: self._list_request(filters=f"eq(name,{self.catalog.name(rows[i])})"),
            self.calls.page,
        )

    def list_sorted_by_name(self) -> None:
        request = self._list_request(sort=common_pb2.Sort(key="name", direction=common_pb2.Sort.ASCENDING))
        self._measure(
            f"ListTasks sort_by name asc (limit {self.page_size})",
            self.stub.ListTasks,
            lambda _: request,
            self.calls.page,
        )

    def list_latest_version(self) -> None:
        """What FlyteRemote.fetch_task does without a version: newest row of one name."""
        rows = self._random_rows(self.calls.cheap)
        newest = common_pb2.Sort(key="created_at", direction=common_pb2.Sort.DESCENDING)
        self._measure(
            "ListTasks latest version of a name (limit 1)",
            self.stub.ListTasks,
            lambda i: self._list_request(name=self.catalog.name(rows[i]), sort=newest, limit=1),
            self.calls.cheap,
        )

    def create_task(self) -> None:
        run = f"{int(time.time()):x}"
        name = f"{NAME_PREFIX}_created"

        def request_for(index: int) -> task_pb2.TaskCreateRequest:
            identifier = identifier_pb2.Identifier(
                resource_type=identifier_pb2.TASK,
                project=PROJECT,
                domain=DOMAIN,
                name=name,
                version=f"{run}-{index:06d}",
            )
            spec = task_pb2.TaskSpec()
            spec.CopyFrom(self.spec)
            spec.template.id.CopyFrom(identifier)
            return task_pb2.TaskCreateRequest(id=identifier, spec=spec)

        self._measure("CreateTask (distinct versions)", self.stub.CreateTask, request_for, self.calls.create)

    # -- helpers ----------------------------------------------------------------------------------------

    @property
    def deep_offset(self) -> int:
        return self.deep_page * self.page_size

    def _list_request(
        self, *, token: str = "", filters: str = "", name: str = "", sort: Any = None, limit: int = 0
    ) -> common_pb2.ResourceListRequest:
        request = common_pb2.ResourceListRequest(
            id=common_pb2.NamedEntityIdentifier(project=PROJECT, domain=DOMAIN, name=name),
            limit=limit or self.page_size,
            token=token,
            filters=filters,
        )
        if sort is not None:
            request.sort_by.CopyFrom(sort)
        return request

    def _random_rows(self, calls: int) -> list[int]:
        return [self.random.randrange(self.catalog.count) for _ in range(self._warmup(calls) + calls)]

    @staticmethod
    def _warmup(calls: int) -> int:
        return max(5, calls // 10)

    def _measure(self, title: str, rpc: Rpc, request_for: Callable[[int], Any], calls: int) -> None:
        def call(request: Any) -> Any:
            return rpc(request, timeout=RPC_TIMEOUT)

        self._record(title, sample(call, request_for, warmup=self._warmup(calls), calls=calls))

    def _record(self, title: str, samples: Samples) -> None:
        measurement = summarize(title, samples, self._baseline_p50)
        if self._baseline_p50 is None:
            self._baseline_p50 = measurement.p50_ms
        if samples.errors:
            self._problem(f"{title}: {samples.errors} failed calls, first: {samples.first_error}")
        self.report.measurements.append(measurement)
        print(f"  {title}: p50 {measurement.p50_ms:.3f} ms, p99 {measurement.p99_ms:.3f} ms", flush=True)

    def _probe(self, rpc: Rpc, request: Any, what: str) -> Any:
        try:
            return rpc(request, timeout=RPC_TIMEOUT)
        except grpc.RpcError as exc:
            failed = Samples()
            failed.fail(exc)
            self._problem(f"{what} failed: {failed.first_error}")
            return None

    def _expect_rows(self, page: Any, first_row: int, what: str) -> None:
        """A page in id order holds consecutive catalog rows; anything else is a wrong answer."""
        expected = [
            (self.catalog.name(row), self.catalog.version(row))
            for row in range(first_row, min(first_row + self.page_size, self.catalog.count))
        ]
        got: Sequence[tuple[str, str]] = [(task.id.name, task.id.version) for task in page.tasks]
        if list(got) == expected:
            return
        differs = next(
            (i for i, pair in enumerate(zip(got, expected, strict=False)) if pair[0] != pair[1]),
            min(len(got), len(expected)),
        )
        self._problem(
            f"{what} returned {len(got)} tasks, expected {len(expected)} (rows {first_row}-"
            f"{first_row + len(expected) - 1} in id order); first difference at position {differs}: "
            f"got {got[differs] if differs < len(got) else None}, "
            f"expected {expected[differs] if differs < len(expected) else None}"
        )

    def _problem(self, text: str) -> None:
        self.report.problems.append(text)
        print(f"  PROBLEM: {text}", flush=True)
