"""What git knows about a repository: the files changed since a revision, and the tree at it.

``bakepy affected`` compares the working tree with a revision (``--since main``): the paths
git reports changed (committed since, staged, unstaged, untracked but not ignored, deleted),
and, when definitions changed, the whole tree at the revision, unpacked into a folder so
the definitions there can be loaded and resolved as they were.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

from bakepy.errors import CommandError


def _git(
    root: Path, *args: str, env: dict[str, str] | None = None, stdin: bytes | None = None
) -> bytes:
    return _finish(_start(root, *args, env=env, stdin=stdin is not None), args, stdin)


def _start(
    root: Path, *args: str, env: dict[str, str] | None = None, stdin: bool = False
) -> subprocess.Popen[bytes]:
    """``git -C root ARGS`` started (in ``env``, default this process's; ``stdin``: with a
    pipe to write to); ``_finish`` waits."""
    try:
        return subprocess.Popen(
            ["git", "-C", str(root), *args],
            stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )
    except OSError as exc:
        raise CommandError(f"cannot run git: {exc}") from None


def _stop(processes: list[subprocess.Popen[bytes]]) -> None:
    """Kill the ones still running (an earlier one failed: their answers are not needed)."""
    for process in processes:
        if process.poll() is None:
            process.kill()


def _finish(
    process: subprocess.Popen[bytes], args: tuple[str, ...], stdin: bytes | None = None
) -> bytes:
    """What a started git printed (``stdin`` written to it first); a CommandError with its
    last line of error if it failed."""
    try:
        stdout, stderr = process.communicate(stdin, timeout=120)
    except subprocess.SubprocessError as exc:
        process.kill()
        process.communicate()
        raise CommandError(f"cannot run git: {exc}") from None
    if process.returncode != 0:
        message = stderr.decode("utf-8", "replace").strip().splitlines()
        raise CommandError(f"git {' '.join(args[:2])}: {message[-1] if message else 'failed'}")
    return stdout


def toplevel(folder: Path) -> Path:
    """The root of the git work tree ``folder`` is in."""
    return Path(_git(folder, "rev-parse", "--show-toplevel").decode().strip()).resolve()


def changed_files(folder: Path, since: str) -> list[str]:
    """Paths (relative to the work tree's root, sorted) that differ between ``since`` and the
    working tree: changed, added, deleted or untracked (ignored files excluded)."""
    asks = [
        ("rev-parse", "--verify", "--quiet", f"{since}^{{commit}}"),
        ("diff", "--name-only", "--no-renames", "-z", since, "--"),
        ("ls-files", "--others", "--exclude-standard", "-z", "--full-name"),
    ]
    with contextlib.ExitStack() as stack:  # run at once (they only read), each reaped
        started = [(stack.enter_context(_start(folder, *args)), args) for args in asks]
        stack.callback(_stop, [process for process, _ in started])
        _, diff, untracked = [_finish(process, args) for process, args in started]
    names = {name.decode("utf-8", "surrogateescape") for name in (diff + untracked).split(b"\0")}
    return sorted(name for name in names if name)


def unpack_revision(
    folder: Path, revision: str, destination: Path, keep: Callable[[str], bool] | None = None
) -> None:
    """The tree of ``revision`` (the whole work tree's; with ``keep``, only the paths it
    keeps) written into ``destination``.

    git writes it (``read-tree`` into an index of its own, then ``checkout-index``), never
    outside ``destination`` and without touching the repository's index. Creating files is
    the cost here (a large monorepo's build contexts are thousands), so a caller that needs
    only definitions keeps only them."""
    with tempfile.TemporaryDirectory(prefix="bakepy-index-") as scratch:
        env = {**os.environ, "GIT_INDEX_FILE": str(Path(scratch) / "index")}
        _git(folder, "read-tree", f"{revision}^{{tree}}", env=env)
        prefix = f"--prefix={destination.resolve()}{os.sep}"
        if keep is None:
            _git(folder, "checkout-index", "--all", "--force", prefix, env=env)
            return
        listed = _git(folder, "ls-files", "-z", "--cached", env=env).split(b"\0")
        names = [n for n in listed if n and keep(n.decode("utf-8", "surrogateescape"))]
        if names:
            wanted = b"\0".join(names) + b"\0"
            _git(
                folder, "checkout-index", "--force", "-z", "--stdin", prefix, env=env, stdin=wanted
            )
