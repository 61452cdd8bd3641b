"""No command writes outside the folders it was given (issue 15): each verb runs in a process of
its own, in a sandbox folder, with HOME, the XDG folders and bakepy's state and cache pointed
into the test's folder; a Python audit hook in that process records every file it opens for
writing, creates, renames, removes or changes, and each must lie inside those folders (the
interpreter refreshing a stale ``.pyc`` of bakepy itself is Python's, not bakepy's)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import bakepy

AUDIT_HOOK = '''\
"""Records the file system writes of this process (the sandbox test of bakepy)."""
import json, os, sys

_log_path = os.environ.get("BAKEPY_AUDIT_LOG")
if _log_path:
    _log = open(_log_path, "a", buffering=1)
    _WRITE = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
    _PATH_EVENTS = {
        "os.mkdir": (0,), "os.rename": (0, 1), "os.remove": (0,), "os.rmdir": (0,),
        "os.symlink": (1,), "os.link": (1,), "os.truncate": (0,), "os.chmod": (0,),
        "os.chown": (0,), "os.utime": (0,), "shutil.rmtree": (0,), "tempfile.mkstemp": (0,),
        "tempfile.mkdtemp": (0,), "os.mkfifo": (0,), "os.mknod": (0,),
    }

    def _record(event, path):
        if isinstance(path, int) or path is None:
            return
        path = os.fsdecode(path)
        _log.write(json.dumps([event, os.path.abspath(path)]) + "\\n")

    def _hook(event, args):
        if event == "open":
            path, mode, flags = args
            if (mode and any(c in mode for c in "wax+")) or (flags or 0) & _WRITE:
                _record(event, path)
        elif event in _PATH_EVENTS:
            for index in _PATH_EVENTS[event]:
                if index < len(args):
                    _record(event, args[index])

    sys.addaudithook(_hook)
'''

MANIFEST = """\
apiVersion: bakepy.dev/v1alpha1
kind: Dockerfile
metadata: {name: app}
spec:
  stages:
    - from: busybox
      instructions:
        - {instruction: COPY, src: [a.txt], dest: /a.txt}
---
apiVersion: bakepy.dev/v1alpha1
kind: Target
metadata: {name: app}
spec: {context: ., dockerfile: Dockerfile/app, tags: ["app:1"]}
---
apiVersion: bakepy.dev/v1alpha1
kind: ComposeProject
metadata: {name: web}
spec:
  services:
    web: {image: busybox, ports: ["8080:80"]}
"""

HOST = """\
apiVersion: bakepy.dev/v1alpha1
kind: DaemonConfig
metadata: {name: engine}
spec: {log-driver: local}
"""

PACKAGE = Path(bakepy.__file__).resolve().parent


@pytest.fixture
def sandbox(tmp_path: Path) -> dict[str, Path]:
    """The folders a command is given: the project, its output, a host root, HOME and XDG."""
    folders = {
        name: tmp_path / name
        for name in ("project", "home", "xdg-config", "xdg-cache", "xdg-state", "xdg-data")
    }
    for folder in folders.values():
        folder.mkdir()
    folders["hook"] = tmp_path / "hook"
    folders["hook"].mkdir()
    (folders["hook"] / "sitecustomize.py").write_text(AUDIT_HOOK)
    project = folders["project"]
    (project / "bakepy.yaml").write_text(MANIFEST)
    (project / "host.yaml").write_text(HOST)
    (project / "a.txt").write_text("a\n")
    (project / "Dockerfile").write_text("FROM busybox\nRUN echo hi\n")
    (project / "docker-bake.hcl").write_text('target "x" {\n  context = "."\n}\n')
    (project / "root").mkdir()
    return folders


VERBS = {
    "validate": ["validate"],
    "print": ["print", "app"],
    "render": ["render", "--out", "out"],
    "render --check": ["render", "--out", "out", "--check"],
    "graph": ["graph", "--resources"],
    "addresses": ["addresses"],
    "schema": ["schema"],
    "import": ["import", "docker-bake.hcl", "Dockerfile", "--to", "yaml"],
    "plan --root": ["plan", "-f", "host.yaml", "--root", "root"],
}


def writes(sandbox: dict[str, Path], tmp_path: Path, arguments: list[str]) -> list[tuple[str, str]]:
    """Run ``bakepy ARGUMENTS`` in the project folder; the writes its process made."""
    log = tmp_path / "audit.log"
    log.write_text("")
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(sandbox["hook"]), os.environ.get("PYTHONPATH", "")]),
        "BAKEPY_AUDIT_LOG": str(log),
        "HOME": str(sandbox["home"]),
        "XDG_CONFIG_HOME": str(sandbox["xdg-config"]),
        "XDG_CACHE_HOME": str(sandbox["xdg-cache"]),
        "XDG_STATE_HOME": str(sandbox["xdg-state"]),
        "XDG_DATA_HOME": str(sandbox["xdg-data"]),
        "TMPDIR": str(sandbox["project"]),
        # Python's own bytecode cache of bakepy's modules (a fresh checkout has none) is the
        # interpreter's write, not the command's
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    env.pop("BAKEPY_STATE_DIR", None)  # the defaults under HOME and XDG are what a user gets
    env.pop("BAKEPY_CACHE_DIR", None)
    command = "import sys; from bakepy.cli import app; sys.argv[0] = 'bakepy'; app()"
    result = subprocess.run(
        [sys.executable, "-c", command, *arguments],
        cwd=sandbox["project"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode in (0, 1), result.stderr[-2000:]
    found = [tuple(json.loads(line)) for line in log.read_text().splitlines()]
    return [(event, path) for event, path in found if path != str(log)]


def outside(path: str, sandbox: dict[str, Path]) -> bool:
    """Whether a written path lies outside every folder the command was given."""
    given = [sandbox[name] for name in sandbox if name != "hook"]
    resolved = Path(path)
    if any(resolved == folder or folder in resolved.parents for folder in given):
        return False
    if resolved.suffix == ".pyc" and PACKAGE in resolved.parents:
        return False  # Python refreshing bakepy's own bytecode cache
    return not str(resolved).startswith("/dev/")


@pytest.mark.parametrize("verb", sorted(VERBS))
def test_a_command_writes_only_inside_the_folders_it_was_given(
    sandbox: dict[str, Path], tmp_path: Path, verb: str
) -> None:
    found = writes(sandbox, tmp_path, VERBS[verb])
    stray = sorted({path for _, path in found if outside(path, sandbox)})
    assert stray == [], f"{verb} wrote outside its folders: {stray}"
    if verb == "render":
        assert any(path.startswith(str(sandbox["project"] / "out")) for _, path in found)


def test_the_hook_sees_writes(sandbox: dict[str, Path], tmp_path: Path) -> None:
    """The audit hook is live in the child: a render's writes are recorded (the test could
    not fail without it)."""
    found = writes(sandbox, tmp_path, ["render", "--out", str(tmp_path / "elsewhere")])
    assert any(outside(path, sandbox) for _, path in found)
