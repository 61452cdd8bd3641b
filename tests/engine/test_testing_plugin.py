"""The ``bakepy_run`` pytest fixture, run the way a user's suite runs it (pytester): it builds a
declared Target, runs it, waits for its healthcheck, and leaves nothing behind."""

from __future__ import annotations

import re

import pytest

from .buildkit import docker, unique

pytestmark = pytest.mark.engine
pytest_plugins = ["pytester"]

DEFINITION = """
from bakepy.models.dockerfile import Cmd, Copy, Stage
from bakepy import Dockerfile, DockerfileSpec, Target, TargetSpec

site = Stage(name="site", from_={image!r}, instructions=[
    Copy(src=["index.html"], dest="/www/"),
    Cmd(command=["httpd", "-f", "-p", "8080", "-h", "/www"]),
])
dockerfile = Dockerfile(metadata="site", spec=DockerfileSpec(stages=[site]))
web = Target(metadata="web", spec=TargetSpec(context=".", dockerfile=dockerfile, tags=[{tag!r}]))
"""

USER_TEST = """
import urllib.request

from bakepy.models.compose import ServiceHealthcheck

CHECK = ServiceHealthcheck(
    test=["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080/"],
    interval="30s", timeout="2s", retries=3, start_period="10s", start_interval="200ms",
)


def test_home_page(bakepy_run):
    web = bakepy_run("deploy", "web", ports=[8080], healthcheck=CHECK)
    state = web.api.inspect_container(web.id)["State"]
    assert state["Health"]["Status"] == "healthy"
    page = urllib.request.urlopen(web.url(8080), timeout=5).read().decode()
    assert page == "hello from the fixture\\n"
    assert web.exec("cat", "/www/index.html") == (0, "hello from the fixture\\n")
    print("CONTAINER", web.name)
"""


def test_bakepy_run_builds_runs_waits_for_health_and_cleans_up(
    pytester: pytest.Pytester, base_image: str
) -> None:
    tag = f"{unique('bakepy-plugin')}:1"
    deploy = pytester.mkdir("deploy")  # a folder holding bakepy.py, as `-f` takes it
    (deploy / "index.html").write_text("hello from the fixture\n")
    (deploy / "bakepy.py").write_text(DEFINITION.format(image=base_image, tag=tag))
    pytester.makepyfile(test_user=USER_TEST)
    pytester.makeini("[pytest]\nbakepy_syntax_directive = false\n")
    result = pytester.runpytest_subprocess("-p", "no:bakepy", "-p", "bakepy.testing.plugin", "-s")
    result.assert_outcomes(passed=1)
    names = re.findall(r"CONTAINER (\S+)", result.stdout.str())
    assert len(names) == 1
    assert docker("ps", "-aq", "--filter", f"name={names[0]}").strip() == ""
    assert docker("images", "-q", tag).strip() == ""  # built by the fixture, so removed
