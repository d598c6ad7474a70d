"""The console in a real headless Chromium against a real server running real flytekit workflows: the link
`pyflyte run --remote` prints, live updates, a failed task's log, a gate approved from the page, a launch from the
generated form, relaunch and terminate."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.integration.console.conftest import shoot
from tests.integration.engine.support import (
    APPS,
    DOMAIN,
    assert_succeeded,
    finish,
    register,
    run,
    start,
    wait_for_signal,
)
from tests.integration.server import RunningServer
from tests.integration.support import unique

PYFLYTE = Path(sys.executable).with_name("pyflyte")
CONSOLE_LINK = re.compile(r"(http://\S+/console/projects/\S+/executions/[a-z0-9-]+)")
NOT_RELOADED = "window.__stayed === true"


def execution_url(server: RunningServer, project: str, name: str) -> str:
    return f"{server.url}/console/projects/{project}/domains/{DOMAIN}/executions/{name}"


def graph_node(page: Any, node_id: str, phase: str) -> str:
    return f'#graph g.node[data-node="{node_id}"][data-phase="{phase}"]'


def test_the_link_pyflyte_run_prints_opens_the_execution_and_its_graph(
    console_server: RunningServer, flyte: Any, project: str, page: Any, tmp_path: Path
) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(f"admin:\n  endpoint: dns:///{console_server.endpoint}\n  insecure: true\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLYTE_", "FLYTEPLANE_"))}
    argv = [str(PYFLYTE), "--config", str(config), "run", "--remote", "--project", project, "--domain", DOMAIN]
    argv += ["--name", unique("link"), "flows/basics.py", "arithmetic", "--a", "20", "--b", "1"]
    completed = subprocess.run(argv, cwd=APPS, env=env, capture_output=True, text=True, timeout=180)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    link = CONSOLE_LINK.search(completed.stdout)
    assert link is not None, completed.stdout
    url = link.group(1).replace("localhost", "127.0.0.1")

    page.goto(url)
    assert page.locator("h1").inner_text().startswith("Execution")
    for node in ("n0", "n1", "n2"):  # add → double → describe, each in the end green
        page.wait_for_selector(graph_node(page, node, "SUCCEEDED"))
    assert page.locator("#graph path.edge").count() == 2
    page.wait_for_selector("#phase:text('SUCCEEDED')")
    outputs = page.locator(".outputs").inner_text()
    assert "42" in outputs and "value=42" in outputs


def test_a_running_execution_turns_green_without_reloading(
    console_server: RunningServer, flyte: Any, project: str, page: Any
) -> None:
    from flows import sleeper

    register(flyte, project, sleeper.long_nap)
    execution = start(flyte, project, sleeper.long_nap, seconds=3)
    page.goto(execution_url(console_server, project, execution.id.name))
    page.evaluate("window.__stayed = true")
    page.wait_for_selector(graph_node(page, "n0", "RUNNING"))
    page.locator('#graph g.node[data-node="n0"]').click()
    page.wait_for_selector('#node-details article[data-phase="RUNNING"]')
    shoot(page, "execution-running")
    page.wait_for_selector(graph_node(page, "n0", "SUCCEEDED"), timeout=120_000)
    page.wait_for_selector("#phase:text('SUCCEEDED')")
    page.wait_for_selector('#node-details article[data-phase="SUCCEEDED"]')  # the open details follow too
    assert page.evaluate(NOT_RELOADED), "the page was reloaded"
    assert page.locator("#graph g.node.ok").count() == 1


def test_a_failed_tasks_error_and_log_are_on_the_page(
    console_server: RunningServer, flyte: Any, project: str, page: Any
) -> None:
    from flows import failures

    register(flyte, project, failures.doomed)
    execution = run(flyte, project, failures.doomed, x=7)
    page.goto(execution_url(console_server, project, execution.id.name))
    error = page.locator("#status .error").inner_text()
    assert "always fails on 7" in error and "Traceback" in error
    page.locator('#graph g.node[data-node="n0"]').click()
    page.wait_for_selector("#node-details .attempt")
    assert page.locator("#node-details .attempt").count() == 3  # two retries
    page.wait_for_selector("#node-details pre.logtext[data-loaded]")
    logs = "[...document.querySelectorAll('#node-details pre.logtext')]"
    page.wait_for_function(f"{logs}.some(p => p.textContent.includes('always fails on 7'))")
    log_link = page.locator("#node-details details.log a").first.get_attribute("href")
    assert log_link is not None and log_link.startswith("/logs/")


def test_a_gate_is_approved_from_the_page_and_the_execution_finishes(
    console_server: RunningServer, flyte: Any, project: str, page: Any
) -> None:
    from flows import gates

    register(flyte, project, gates.approval)
    execution = start(flyte, project, gates.approval, x=4)
    wait_for_signal(flyte, project, execution, "review")
    page.goto(execution_url(console_server, project, execution.id.name))
    page.wait_for_selector("#status form.gate")
    shoot(page, "execution-gate")
    page.get_by_role("button", name="Approve").click()
    page.wait_for_selector("#phase:text('SUCCEEDED')", timeout=120_000)
    done = finish(flyte, execution)
    assert_succeeded(done)
    assert done.outputs["o0"] == 9  # double(4) approved, plus one
    assert "9" in page.locator(".outputs").inner_text()


def test_a_workflow_is_launched_from_its_form_with_typed_inputs(
    console_server: RunningServer, flyte: Any, project: str, page: Any
) -> None:
    from flows import basics

    register(flyte, project, basics.arithmetic)
    form_url = f"{console_server.url}/console/projects/{project}/domains/{DOMAIN}"
    form_url += "/workflow/flows.basics.arithmetic/version/v1"
    page.goto(form_url)
    assert page.locator("#in-b").input_value() == "10"  # the default, filled
    assert page.locator("#in-a").get_attribute("type") == "number"
    # A value that is not an int never reaches CreateExecution: the server names the input.
    refused = page.request.post(form_url + "/launch", form={"a": "seven", "b": "1"})
    assert refused.status == 400 and "a: &#39;seven&#39; is not a int" in refused.text()
    page.fill("#in-a", "4")
    page.fill("#in-b", "6")
    shoot(page, "launch-form")
    page.get_by_role("button", name="Launch").click()
    page.wait_for_url(re.compile(r".*/executions/[a-z0-9]+$"))
    page.wait_for_selector("#phase:text('SUCCEEDED')", timeout=120_000)
    name = page.url.rsplit("/", 1)[-1]
    launched = flyte.fetch_execution(project=project, domain=DOMAIN, name=name)
    assert launched.outputs["o0"] == 20 and launched.outputs["o1"] == "value=20"


def test_relaunch_starts_a_new_execution_with_the_same_inputs(
    console_server: RunningServer, flyte: Any, project: str, page: Any
) -> None:
    from flows import basics

    register(flyte, project, basics.arithmetic)
    first = run(flyte, project, basics.arithmetic, a=2, b=3)
    page.goto(execution_url(console_server, project, first.id.name))
    page.get_by_role("button", name="Relaunch", exact=True).click()
    page.wait_for_url(lambda url: first.id.name not in url.rsplit("/", 1)[-1])
    page.wait_for_selector("#phase:text('SUCCEEDED')", timeout=120_000)
    assert first.id.name in page.locator(".facts").inner_text()  # "Relaunch of"
    second = flyte.fetch_execution(project=project, domain=DOMAIN, name=page.url.rsplit("/", 1)[-1])
    assert second.outputs["o0"] == 10


def test_terminate_from_the_page_aborts_a_running_execution(
    console_server: RunningServer, flyte: Any, project: str, page: Any
) -> None:
    from flows import sleeper

    register(flyte, project, sleeper.long_nap)
    execution = start(flyte, project, sleeper.long_nap, seconds=300)
    page.goto(execution_url(console_server, project, execution.id.name))
    page.wait_for_selector(graph_node(page, "n0", "RUNNING"))
    page.fill("#cause", "enough napping")
    for _ in range(2):  # the status refreshes itself meanwhile; what was typed survives
        with page.expect_response(lambda response: response.url.endswith("/status")):
            pass
    page.wait_for_timeout(100)  # let the swap settle
    assert page.locator("#cause").input_value() == "enough napping"
    page.get_by_role("button", name="Terminate").click()
    page.wait_for_selector("#phase:text('ABORTED')", timeout=120_000)
    ended = finish(flyte, execution)
    assert ended.closure.abort_metadata.cause == "enough napping"


def test_map_items_and_dynamic_children_stay_collapsed_until_opened_with_the_keyboard(
    console_server: RunningServer, flyte: Any, project: str, page: Any
) -> None:
    from flows import fanout

    register(flyte, project, fanout.squares)
    register(flyte, project, fanout.dynamic_sum)
    mapped = run(flyte, project, fanout.squares, xs=list(range(12)))
    dynamic = run(flyte, project, fanout.dynamic_sum, n=5)

    page.goto(execution_url(console_server, project, mapped.id.name))
    page.wait_for_selector(graph_node(page, "n1", "SUCCEEDED"))
    assert page.locator("#graph g.node").count() == 2  # the map node and total: items are not drawn yet
    page.locator('#graph g.node[data-node="n0"]').focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("#graph .level .level .canvas[data-drawn='12']")
    assert page.locator("#graph .level .level g.node.ok").count() == 12
    page.wait_for_selector("#node-details details.map-items")
    assert "12 succeeded" in page.locator("#node-details details.map-items summary").inner_text()
    shoot(page, "execution-map-opened")

    page.goto(execution_url(console_server, project, dynamic.id.name))
    page.wait_for_selector(graph_node(page, "n0", "SUCCEEDED"))
    assert page.locator("#graph g.node").count() == 2
    page.locator('#graph g.node[data-node="n0"]').click()
    page.wait_for_selector("#graph .level .level .canvas[data-drawn='5']")
    page.get_by_role("button", name="Close Inside fan (n0)").click()
    assert page.locator("#graph .level .level").count() == 0


def test_dark_and_light_schemes(console_server: RunningServer, browser: Any, project: str) -> None:
    """The page follows prefers-color-scheme: dark text on light, light text on dark."""
    colours = {}
    for scheme in ("light", "dark"):
        context = browser.new_context(color_scheme=scheme, viewport={"width": 1280, "height": 900})
        opened = context.new_page()
        opened.goto(f"{console_server.url}/console/projects")
        colours[scheme] = opened.evaluate("getComputedStyle(document.body).backgroundColor")
        shoot(opened, f"projects-{scheme}")
        context.close()
    assert colours["light"] == "rgb(255, 255, 255)"
    assert colours["dark"] == "rgb(13, 17, 23)"


def test_every_list_page_renders_and_the_search_box_finds_an_execution(
    console_server: RunningServer, flyte: Any, project: str, page: Any
) -> None:
    from flows import basics

    register(flyte, project, basics.arithmetic)
    execution = run(flyte, project, basics.arithmetic, a=1, b=1)
    here = f"{console_server.url}/console/projects/{project}/domains/{DOMAIN}"
    for name, url, heading in (
        ("projects", f"{console_server.url}/console/projects", "Projects"),
        ("project", f"{console_server.url}/console/projects/{project}", f"Project {project}"),
        ("executions", f"{here}/executions", "Executions"),
        ("workflows", f"{here}/workflows", "Workflows"),
        ("tasks", f"{here}/tasks", "Tasks"),
        ("launch-plans", f"{here}/launch_plans", "Launch plans"),
        ("workflow", f"{here}/workflows/flows.basics.arithmetic", "Workflow flows.basics.arithmetic"),
        ("task", f"{here}/task/flows.basics.add/version/v1", "Task flows.basics.add"),
        ("schedules", f"{console_server.url}/console/schedules", "Schedules"),
    ):
        page.goto(url)
        assert page.locator("h1").inner_text() == heading, name
        shoot(page, f"page-{name}")
    page.goto(f"{here}/executions")
    assert page.get_by_role("link", name=execution.id.name).count() == 1
    page.get_by_label("Search executions, workflows, tasks").fill(execution.id.name)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(f".*/executions/{execution.id.name}$"))
    page.get_by_label("Search executions, workflows, tasks").fill("arithm")
    page.keyboard.press("Enter")
    page.wait_for_selector("ul.results li")
    assert "flows.basics.arithmetic" in page.locator("ul.results").inner_text()
    shoot(page, "page-search")
