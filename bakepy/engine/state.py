"""bakepy's state folder on this host: lock files, the files secrets and configs are mounted
from, the key that hashes secret contents, and the anonymous volumes of containers being
replaced.

``$BAKEPY_STATE_DIR``, else ``$XDG_STATE_HOME/bakepy``, else ``~/.local/state/bakepy``.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
from dataclasses import dataclass, field
from pathlib import Path


def state_dir() -> Path:
    """The folder bakepy keeps its state in on this host."""
    explicit = os.environ.get("BAKEPY_STATE_DIR")
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_STATE_HOME")
    base = Path(xdg) if xdg else Path.home() / ".local" / "state"
    return base / "bakepy"


def project_files_dir(project: str, root: Path | None = None) -> Path:
    """Where the secret and config files of a project's containers are written."""
    return (root or state_dir()) / "files" / project


def anonymous_volumes_dir(project: str, root: Path | None = None) -> Path:
    """Where the anonymous volumes of a project's containers being replaced are recorded."""
    return (root or state_dir()) / "anonymous-volumes" / project


def _private_dir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


_PENDING_KEYS: dict[Path, bytes] = {}
"""Keys made by a plan in this process and not written yet: a plan or a dry run writes nothing."""


def digest_key(root: Path | None = None) -> bytes:
    """The host's random key for hashing secret contents: the one in the state folder, else a
    new one kept in memory until an apply writes it (``save_digest_keys``)."""
    path = (root or state_dir()) / "digest.key"
    with contextlib.suppress(FileNotFoundError, NotADirectoryError):
        return path.read_bytes()
    return _PENDING_KEYS.setdefault(path, os.urandom(32))


def save_digest_keys() -> None:
    """Write the keys plans of this process made (mode 0600), before an apply labels anything
    with digests made from them; the first writer wins, and nothing is written when no plan
    needed a new key."""
    from bakepy.support.atomic import FileWrite, write_file  # not on a cached answer

    while _PENDING_KEYS:
        path, key = _PENDING_KEYS.popitem()
        _private_dir(path.parent)
        write_file(FileWrite(path, key, mode=0o600), exclusive=True)


def secret_digest(content: bytes, key: bytes) -> str:
    """A keyed hash of a secret's content: changes roll containers, the value cannot be guessed."""
    return "hmac-sha256:" + hmac.new(key, content, hashlib.sha256).hexdigest()


def content_digest(content: bytes) -> str:
    """A plain hash of a config's content (configs are not secret)."""
    return "sha256:" + hashlib.sha256(content).hexdigest()


@dataclass(frozen=True)
class StateFile:
    """A file a container mounts: a secret from the environment, or inline config content."""

    path: Path
    content: bytes = field(repr=False)
    mode: int = 0o600
    uid: int | None = None
    gid: int | None = None

    def is_current(self) -> bool:
        """True when the file on disk already holds this content with this mode."""
        try:
            stat = self.path.stat()
            same = self.path.read_bytes() == self.content
        except OSError:
            return False
        return same and (stat.st_mode & 0o7777) == self.mode

    def write(self) -> None:
        """Write atomically (temporary file, then rename); the content is never logged."""
        _private_dir(self.path.parent)
        owner = None
        if self.uid is not None or self.gid is not None:
            owner = (-1 if self.uid is None else self.uid, -1 if self.gid is None else self.gid)
        from bakepy.support.atomic import FileWrite, write_file  # not on a cached answer

        write_file(FileWrite(self.path, self.content, mode=self.mode, owner=owner))


def remove_project_files(project: str, root: Path | None = None) -> None:
    """Forget the secret and config files of a project."""
    import shutil  # here: a no-change apply answered from its cache never removes a folder

    shutil.rmtree(project_files_dir(project, root), ignore_errors=True)
