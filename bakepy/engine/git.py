"""What git knows about a repository: the files changed since a revision, and the tree at it.

``bakepy affected`` compares the working tree with a revision (``--since main``): the paths
git reports changed (committed since, staged, unstaged, untracked but not ignored, deleted),
and, when definitions changed, the whole tree at the revision, unpacked into a folder so
the definitions there can be loaded and resolved as they were.
"""

from __future__ import annotations

import contextlib
import io
import subprocess
import tarfile
from pathlib import Path

from bakepy.errors import CommandError


def _git(root: Path, *args: str) -> bytes:
    return _finish(_start(root, *args), args)


def _start(root: Path, *args: str) -> subprocess.Popen[bytes]:
    """``git -C root ARGS`` started; ``_finish`` waits for it."""
    try:
        return subprocess.Popen(
            ["git", "-C", str(root), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
    except OSError as exc:
        raise CommandError(f"cannot run git: {exc}") from None


def _stop(processes: list[subprocess.Popen[bytes]]) -> None:
    """Kill the ones still running (an earlier one failed: their answers are not needed)."""
    for process in processes:
        if process.poll() is None:
            process.kill()


def _finish(process: subprocess.Popen[bytes], args: tuple[str, ...]) -> bytes:
    """What a started git printed; a CommandError with its last line of error if it failed."""
    try:
        stdout, stderr = process.communicate(timeout=120)
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


def unpack_revision(folder: Path, revision: str, destination: Path) -> None:
    """The tree of ``revision`` (the whole work tree's) written into ``destination``."""
    archive = _git(folder, "archive", "--format=tar", revision)
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        if hasattr(tarfile, "data_filter"):  # Python 3.11.4+: the safe filter
            tar.extractall(destination, filter="data")
            return
        root = destination.resolve()
        for member in tar.getmembers():  # older: refuse what would land outside
            target = (destination / member.name).resolve()
            if target != root and root not in target.parents:
                raise CommandError(f"git archive {revision}: {member.name} leads outside")
        tar.extractall(destination)  # every member checked above
