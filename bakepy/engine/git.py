"""What git knows about a repository: the files changed since a revision, and the tree at it.

``bakepy affected`` compares the working tree with a revision (``--since main``): the paths
git reports changed (committed since, staged, unstaged, untracked but not ignored, deleted),
and, when definitions changed, the whole tree at the revision, unpacked into a folder so
the definitions there can be loaded and resolved as they were.
"""

from __future__ import annotations

import io
import subprocess
import tarfile
from pathlib import Path

from bakepy.errors import CommandError


def _git(root: Path, *args: str) -> bytes:
    try:
        result = subprocess.run(
            ["git", "-C", str(root), *args], capture_output=True, check=False, timeout=120
        )
    except (OSError, subprocess.SubprocessError) as exc:
        raise CommandError(f"cannot run git: {exc}") from None
    if result.returncode != 0:
        message = result.stderr.decode("utf-8", "replace").strip().splitlines()
        raise CommandError(f"git {' '.join(args[:2])}: {message[-1] if message else 'failed'}")
    return result.stdout


def toplevel(folder: Path) -> Path:
    """The root of the git work tree ``folder`` is in."""
    return Path(_git(folder, "rev-parse", "--show-toplevel").decode().strip()).resolve()


def changed_files(folder: Path, since: str) -> list[str]:
    """Paths (relative to the work tree's root, sorted) that differ between ``since`` and the
    working tree: changed, added, deleted or untracked (ignored files excluded)."""
    _git(folder, "rev-parse", "--verify", "--quiet", f"{since}^{{commit}}")
    diff = _git(folder, "diff", "--name-only", "--no-renames", "-z", since, "--")
    untracked = _git(folder, "ls-files", "--others", "--exclude-standard", "-z", "--full-name")
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
