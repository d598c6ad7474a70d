"""Every console page over plain HTTP against a real server with real executions: the paths flytekit and
flyteconsole link to, list filters and keyset paging, launch plan activation, archiving, search, schedules, and
refusals that name what was wrong (never a 500)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx2
import pytest
from flytekit import CronSchedule, LaunchPlan
from tests.integration.engine.support import DOMAIN, register, run
from tests.integration.server import RunningServer, start_server
from tests.postgres import temporary_database


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def console_server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """The pages on both databases (the browser tests use SQLite alone)."""
    home = tmp_path_factory.mktemp(f"console-pages-{request.param}")
    if request.param == "sqlite":
        running = start_server(home)
        assert running.endpoint.startswith("127.0.0.1:")
        yield running
        running.stop()
        return
    with temporary_database() as url:
        running = start_server(home, url)
        assert running.endpoint.startswith("127.0.0.1:")
        yield running
        running.stop()


@pytest.fixture(scope="module")
def http(console_server: RunningServer) -> Iterator[httpx2.Client]:
    with httpx2.Client(base_url=console_server.url, timeout=60, follow_redirects=True) as opened:
        yield opened


@pytest.fixture(scope="module")
def ran(flyte: Any, project: str) -> dict[str, Any]:
    """Three finished executions (two succeeded, one failed) and what was registered for them."""
    from flows import basics, failures

    register(flyte, project, basics.arithmetic)
    register(flyte, project, failures.doomed)
    return {
        "ok": [run(flyte, project, basics.arithmetic, a=i, b=1) for i in range(2)],
        "failed": run(flyte, project, failures.doomed, x=1),
    }


def here(project: str) -> str:
    return f"/console/projects/{project}/domains/{DOMAIN}"


def names_on(html: str) -> list[str]:
    return re.findall(r'class="mono" href="[^"]*/executions/([a-z0-9-]+)"', html)


def test_every_page_flytekit_links_to_answers(http: httpx2.Client, flyte: Any, project: str, ran: Any) -> None:
    execution = ran["ok"][0]
    assert http.get(f"{here(project)}/executions/{execution.id.name}").status_code == 200
    workflow = flyte.fetch_workflow(project, DOMAIN, "flows.basics.arithmetic", "v1")
    for entity in (workflow, flyte.fetch_launch_plan(project, DOMAIN, "flows.basics.arithmetic", "v1")):
        url = flyte.generate_console_url(entity)
        response = http.get(url.split("://", 1)[1].split("/", 1)[1].join(["/", ""]))
        assert response.status_code == 200, url
        assert "flows.basics.arithmetic" in response.text
    task_url = f"{here(project)}/task/flows.failures.always_fails/version/v1"
    assert http.get(task_url).status_code == 200


def test_the_console_home_projects_and_flyteconsoles_list_links(http: httpx2.Client, project: str, ran: Any) -> None:
    assert http.get("/console").status_code == 200
    projects = http.get("/console/projects").text
    assert project in projects
    assert f"/console/projects/{project}/domains/{DOMAIN}/executions" in projects
    listed = http.get(f"/console/projects/{project}/executions?domain={DOMAIN}")
    assert listed.status_code == 200 and str(listed.url).endswith(f"{here(project)}/executions")
    launch_plans = http.get(f"/console/projects/{project}/launchPlans?domain={DOMAIN}")
    assert "flows.basics.arithmetic" in launch_plans.text
    for section in ("workflows", "tasks", "launch_plans"):
        response = http.get(f"{here(project)}/{section}")
        assert response.status_code == 200
    assert "flows.failures.always_fails" in http.get(f"{here(project)}/tasks").text


def test_executions_filter_by_phase_workflow_and_time(http: httpx2.Client, project: str, ran: Any) -> None:
    every = set(names_on(http.get(f"{here(project)}/executions").text))
    ok = {e.id.name for e in ran["ok"]}
    failed = ran["failed"].id.name
    assert ok | {failed} <= every
    assert set(names_on(http.get(f"{here(project)}/executions?phase=FAILED").text)) == {failed}
    by_workflow = http.get(f"{here(project)}/executions?workflow=flows.basics.arithmetic").text
    assert set(names_on(by_workflow)) == ok
    future = http.get(f"{here(project)}/executions?after=2999-01-01T00:00").text
    assert names_on(future) == []
    oldest = names_on(http.get(f"{here(project)}/executions?sort=oldest").text)
    newest = names_on(http.get(f"{here(project)}/executions?sort=newest").text)
    assert oldest == list(reversed(newest))


def test_bad_filters_are_named_not_a_server_error(http: httpx2.Client, project: str) -> None:
    for query, named in (("phase=DONE", "phase"), ("after=yesterday", "after"), ("workflow=a,b", "workflow")):
        response = http.get(f"{here(project)}/executions?{query}")
        assert response.status_code == 200
        assert f"<li>{named}:" in response.text


def test_execution_list_pages_follow_tokens(http: httpx2.Client, project: str, ran: Any) -> None:
    """One row a page: following the Next links walks the same executions, in the same order, as one big page."""
    newest = names_on(http.get(f"{here(project)}/executions").text)
    walked: list[str] = []
    url = f"{here(project)}/executions?limit=1"
    while url:
        html = http.get(url).text
        walked.extend(names_on(html))
        following = re.search(r'rel="next" href="([^"]+)"', html)
        url = following.group(1).replace("&amp;", "&") if following else ""
        assert len(walked) <= len(newest), "paging does not end"
    assert walked == newest and len(walked) == 3
    assert "<li>limit:" in http.get(f"{here(project)}/executions?limit=0").text


def test_execution_fragments_and_node_details(http: httpx2.Client, project: str, ran: Any) -> None:
    base = f"{here(project)}/executions/{ran['failed'].id.name}"
    graph = http.get(f"{base}/graph.json").json()
    assert graph["done"] is True and graph["phase"] == "FAILED"
    assert [(n["id"], n["phase"]) for n in graph["nodes"]] == [("n0", "FAILED")]
    nodes = http.get(f"{base}/nodes").text
    assert "FAILED" in nodes and 'hx-trigger="every' not in nodes  # ended: no more polling
    details = http.get(f"{base}/nodes/n0").text
    assert details.count('class="attempt"') == 3 and "always fails on 1" in details
    assert details.count('<div class="bar bad"') == 3  # the attempts' timeline
    assert re.search(r'data-log-src="/logs/[^"]+/stderr', details)
    assert http.get(f"{base}/nodes/n9").status_code == 404
    status = http.get(f"{base}/status").text
    assert "Traceback" in status and "Recover" in status
    missing = http.get(f"{here(project)}/executions/nosuchexecution")
    assert missing.status_code == 404 and "nosuchexecution" in missing.text


def test_archive_hides_an_execution_from_the_list_and_unarchive_brings_it_back(
    http: httpx2.Client, project: str, ran: Any
) -> None:
    name = ran["ok"][1].id.name
    archived = http.post(f"{here(project)}/executions/{name}/archive", follow_redirects=False)
    assert archived.status_code == 303
    assert name not in names_on(http.get(f"{here(project)}/executions").text)
    assert "Unarchive" in http.get(f"{here(project)}/executions/{name}").text
    assert http.post(f"{here(project)}/executions/{name}/unarchive", follow_redirects=False).status_code == 303
    assert name in names_on(http.get(f"{here(project)}/executions").text)


def test_refused_actions_answer_with_the_rpcs_message(http: httpx2.Client, project: str, ran: Any) -> None:
    name = ran["ok"][0].id.name
    terminated = http.post(
        f"{here(project)}/executions/{name}/terminate", data={"cause": "late"}, follow_redirects=False
    )
    assert terminated.status_code == 400 and "already terminated" in terminated.text
    missing = http.post(f"{here(project)}/executions/nosuch/relaunch", follow_redirects=False)
    assert missing.status_code == 404
    no_signal = http.post(
        f"{here(project)}/executions/{name}/signals/nope", data={"value": "true"}, follow_redirects=False
    )
    assert no_signal.status_code == 404 and "nope" in no_signal.text


def test_launch_form_defaults_and_typed_checks(http: httpx2.Client, project: str, ran: Any) -> None:
    form = f"{here(project)}/launch_plan/flows.basics.arithmetic/version/v1"
    page = http.get(form).text
    assert 'name="b" type="number" step="1" value="10"' in page
    refused = http.post(f"{form}/launch", data={"a": "1.5"}, follow_redirects=False)
    assert refused.status_code == 400 and "a: &#39;1.5&#39; is not a int" in refused.text
    missing = http.post(f"{form}/launch", data={"b": "2"}, follow_redirects=False)
    assert missing.status_code == 400 and "a: a value is required (int)" in missing.text
    relaunch_form = http.get(f"{here(project)}/executions/{ran['ok'][1].id.name}/relaunch").text
    assert 'name="a" type="number" step="1" value="1"' in relaunch_form  # the inputs it ran with


def test_launch_plans_activate_and_deactivate_and_schedules_show_them(
    http: httpx2.Client, flyte: Any, project: str
) -> None:
    from flows import basics

    nightly = LaunchPlan.get_or_create(
        basics.arithmetic, name="console_nightly", schedule=CronSchedule(schedule="0 3 * * *"), default_inputs={"a": 1}
    )
    register(flyte, project, nightly)
    page = f"{here(project)}/launch_plan/console_nightly/version/v1"
    assert 'id="lp-state">INACTIVE' in http.get(page).text
    assert http.post(f"{page}/state", data={"state": "ACTIVE"}, follow_redirects=False).status_code == 303
    assert 'id="lp-state">ACTIVE' in http.get(page).text
    answer = http.get(
        f"/api/v1/launch_plans/{project}/{DOMAIN}/console_nightly/v1",
        params={"id.resource_type": "LAUNCH_PLAN"},
        headers={"Accept": "application/json"},
    )
    assert answer.json()["closure"]["state"] == "ACTIVE", answer.text  # what the API answers too
    schedules = http.get("/console/schedules").text
    assert "console_nightly" in schedules and "0 3 * * *" in schedules
    assert re.search(r"\d{4}-\d\d-\d\d 03:00:00 UTC", schedules)
    assert http.post(f"{page}/state", data={"state": "INACTIVE"}, follow_redirects=False).status_code == 303
    assert "console_nightly" not in http.get("/console/schedules").text


def test_search_finds_executions_workflows_and_tasks(http: httpx2.Client, project: str, ran: Any) -> None:
    name = ran["ok"][0].id.name
    exact = http.get("/console/search", params={"q": name, "project": project, "domain": DOMAIN})
    assert exact.status_code == 200 and str(exact.url).endswith(f"/executions/{name}")
    found = http.get("/console/search", params={"q": "always_fails", "project": project, "domain": DOMAIN}).text
    assert "flows.failures.always_fails" in found
    assert "flows.failures.doomed" not in found
    refused = http.get("/console/search", params={"q": "a,b"})
    assert refused.status_code == 400


def test_static_files_ship_with_the_package(http: httpx2.Client) -> None:
    for name in ("htmx.min.js", "dagre.min.js", "console.js", "console.css"):
        response = http.get(f"/console/static/{name}")
        assert response.status_code == 200 and len(response.content) > 1000, name


def test_recover_starts_a_new_execution_of_a_failed_one(http: httpx2.Client, project: str, ran: Any) -> None:
    failed = ran["failed"].id.name
    recovered = http.post(f"{here(project)}/executions/{failed}/recover", follow_redirects=False)
    assert recovered.status_code == 303
    new_name = recovered.headers["location"].rsplit("/", 1)[-1]
    assert new_name != failed
    page = http.get(recovered.headers["location"]).text
    assert "Recovery of" in page and failed in page  # it names the execution it recovers


def test_a_typed_signal_value_from_the_page_reaches_the_workflow(http: httpx2.Client, flyte: Any, project: str) -> None:
    from flows import gates
    from tests.integration.engine.support import assert_succeeded, finish, start, wait_for_signal

    register(flyte, project, gates.asking)
    execution = start(flyte, project, gates.asking, x=1)
    wait_for_signal(flyte, project, execution, "name")
    url = f"{here(project)}/executions/{execution.id.name}"
    assert 'action="' + url + '/signals/name"' in http.get(f"{url}/status").text
    sent = http.post(f"{url}/signals/name", data={"value": "console"}, follow_redirects=False)
    assert sent.status_code == 303
    done = finish(flyte, execution)
    assert_succeeded(done)
    assert done.outputs["o0"] == "hello console"


def test_actions_posted_from_another_site_are_refused(http: httpx2.Client, project: str, ran: Any) -> None:
    name = ran["ok"][0].id.name
    url = f"{here(project)}/executions/{name}/archive"
    refused = http.post(url, headers={"Origin": "http://elsewhere.example"}, follow_redirects=False)
    assert refused.status_code == 403
    assert name in names_on(http.get(f"{here(project)}/executions").text)  # not archived
    same = http.post(url, headers={"Origin": str(http.base_url).rstrip("/")}, follow_redirects=False)
    assert same.status_code == 303
    assert http.post(f"{url.rsplit('/', 1)[0]}/unarchive", follow_redirects=False).status_code == 303


def test_file_outputs_are_download_links_and_a_deck_is_linked_from_its_node(
    http: httpx2.Client, flyte: Any, project: str
) -> None:
    from flows import files

    register(flyte, project, files.artifacts)
    execution = run(flyte, project, files.artifacts, text="console bytes", count=2)
    base = f"{here(project)}/executions/{execution.id.name}"
    page = http.get(base).text
    links = re.findall(r'<a href="([^"]+)" download>', page)
    assert links, "the FlyteFile output has no download link"
    downloaded = http.get(links[0].replace("&amp;", "&"))
    assert downloaded.status_code == 200 and downloaded.content == b"console bytes"
    details = http.get(f"{base}/nodes/n1").text
    deck = re.search(r'<a href="([^"]+)" target="_blank" rel="noopener">Deck</a>', details)
    assert deck is not None
    rendered = http.get(deck.group(1).replace("&amp;", "&"))
    assert rendered.status_code == 200 and b"<html" in rendered.content.lower()
    assert "Deck</a>" not in http.get(f"{base}/nodes/n0").text  # no deck without enable_deck
