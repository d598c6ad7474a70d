"""Registration's packaging: where an entity's code lives, and versions derived from that code."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from flyteplane.remote.registration.packaging import code_location, version_from_hash


def test_the_code_of_a_task_is_its_module_in_its_project_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    package = tmp_path / "proj" / "pkg"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "flows.py").write_text(
        "from flytekit import task, workflow, LaunchPlan\n"
        "@task\ndef double(x: int) -> int:\n    return 2 * x\n"
        "@workflow\ndef wf(x: int) -> int:\n    return double(x=x)\n"
        "lp = LaunchPlan.get_or_create(wf, 'pkg_flows_lp')\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path / "proj"))
    from pkg import flows  # type: ignore[import-not-found]

    for entity in (flows.double, flows.wf, flows.lp):
        location = code_location(entity)
        assert (location.source_path, location.module_name) == (str(tmp_path / "proj"), "pkg.flows")
    sys.modules.pop("pkg.flows", None)
    sys.modules.pop("pkg", None)


def test_an_entity_without_a_source_file_names_the_alternatives() -> None:
    class Nameless:
        name = "nowhere"

    with pytest.raises(ValueError, match="register_script"):
        code_location(Nameless())


def test_versions_change_with_the_code_and_the_settings() -> None:
    from flytekit.configuration import ImageConfig, SerializationSettings

    settings = SerializationSettings(image_config=ImageConfig.auto_default_image(), project="p", domain="d")
    other = SerializationSettings(image_config=ImageConfig.auto_default_image(), project="q", domain="d")
    first = version_from_hash(b"\x01" * 16, settings)

    assert len(first) == 22 and "=" not in first
    assert version_from_hash(b"\x01" * 16, settings) == first
    assert version_from_hash(b"\x02" * 16, settings) != first
    assert version_from_hash(b"\x01" * 16, other) != first


def test_a_task_in_the_script_being_run_is_found_in_that_script(tmp_path: Path) -> None:
    import subprocess
    import textwrap

    script = tmp_path / "flows.py"
    script.write_text(
        textwrap.dedent(
            """
            from flytekit import task
            from flyteplane.remote.registration.packaging import code_location

            @task
            def double(x: int) -> int:
                return 2 * x

            if __name__ == "__main__":
                location = code_location(double)
                print(location.source_path, location.module_name)
            """
        )
    )
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [str(tmp_path), "flows"]
