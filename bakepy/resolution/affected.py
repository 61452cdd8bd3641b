"""Which targets a change touches: their inputs, matched against changed files.

A target's inputs are what its build reads: the files of its context that its
``.dockerignore`` lets through (BuildKit's ``<Dockerfile>.dockerignore`` first, else the
context's), its Dockerfile, local named contexts, and its definition (what ``print`` shows
for it). Files are matched here; definitions are compared by the caller, which resolves
them before and after. A target that uses another's result (``target:`` contexts) depends
on it: ``direct`` adds those users, ``transitive`` their users too.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence, ValuesView
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from bakepy.models.dockerfile.dockerignore import DockerIgnore

Dependents = Literal["none", "direct", "transitive"]
DEFINITION_SUFFIXES = (".py", ".yaml", ".yml", ".hcl", ".json", ".toml", ".env")
"""A changed file of one of these kinds may change definitions: they are compared then."""


def might_define(path: str) -> bool:
    """Whether a file at ``path`` (``/``-separated) may change definitions: one of
    ``DEFINITION_SUFFIXES``, or a dotenv file (``.env``, ``.env.local``), which compose reads
    for its variables and whose name has no suffix to tell."""
    name = path.rpartition("/")[2]
    return (
        name == ".env"
        or name.startswith(".env.")
        or os.path.splitext(name)[1] in DEFINITION_SUFFIXES
    )


_REMOTE = ("git://", "git@", "http://", "https://", "docker-image://", "oci-layout://")


@dataclass
class TargetInputs:
    """What one resolved target reads from disk, and the targets whose results it uses."""

    name: str
    context: Path | None
    dockerfile: Path | None
    ignore: DockerIgnore | None
    ignore_file: Path | None
    local_contexts: list[Path] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    address: str = ""
    ignore_candidates: list[Path] = field(default_factory=list)
    """The .dockerignore files BuildKit would look for, in order (their state decides)."""

    def stamps(self) -> list[list[object]]:
        """Each ignore candidate's path, size and modification time (None when missing):
        a kept snapshot is only valid while they are unchanged."""
        found: list[list[object]] = []
        for path in self.ignore_candidates:
            try:
                info = path.stat()
                found.append([str(path), info.st_size, info.st_mtime_ns])
            except OSError:
                found.append([str(path), None, None])
        return found

    def to_json(self) -> dict[str, Any]:
        """A form a cache can keep (the .dockerignore as its patterns)."""
        return {
            "name": self.name,
            "address": self.address,
            "context": str(self.context) if self.context else None,
            "dockerfile": str(self.dockerfile) if self.dockerfile else None,
            "ignore": self.ignore.patterns if self.ignore is not None else None,
            "ignore_file": str(self.ignore_file) if self.ignore_file else None,
            "local_contexts": [str(p) for p in self.local_contexts],
            "links": list(self.links),
            "ignore_stamps": self.stamps(),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> TargetInputs:
        """The inverse of ``to_json``."""

        def path(value: object) -> Path | None:
            return Path(str(value)) if value else None

        ignore = data.get("ignore")
        return cls(
            str(data["name"]),
            path(data.get("context")),
            path(data.get("dockerfile")),
            DockerIgnore(ignore) if isinstance(ignore, list) else None,
            path(data.get("ignore_file")),
            [Path(p) for p in data.get("local_contexts", [])],
            [str(link) for link in data.get("links", [])],
            str(data.get("address", "")),
            [Path(str(stamp[0])) for stamp in data.get("ignore_stamps", [])],
        )

    def reads(self, path: Path) -> bool:
        """Whether a change to ``path`` changes what the build reads."""
        if path in (self.dockerfile, self.ignore_file):
            return True
        if self.context is not None and _inside(path, self.context):
            relative = path.relative_to(self.context).as_posix()
            return self.ignore is None or not self.ignore.is_excluded(relative)
        return any(_inside(path, folder) for folder in self.local_contexts)

    def files(self) -> list[Path]:
        """Every file the build reads (the context after .dockerignore, the Dockerfile,
        the local named contexts), sorted: what a brute-force digest hashes."""
        found: set[Path] = set()
        for folder in [f for f in (self.context, *self.local_contexts) if f is not None]:
            for directory, _, names in os.walk(folder):
                for name in names:
                    path = Path(directory) / name
                    if self.reads(path):
                        found.add(path)
        found.update(p for p in (self.dockerfile, self.ignore_file) if p and p.is_file())
        return sorted(found)


@dataclass(frozen=True)
class Affected:
    """One affected target (or compose service) and why."""

    kind: str
    address: str
    name: str
    reason: str

    def to_dict(self) -> dict[str, str]:
        """The JSON form ``bakepy affected -o json`` prints."""
        return {
            "kind": self.kind,
            "address": self.address,
            "name": self.name,
            "reason": self.reason,
        }


@dataclass
class Snapshot:
    """Everything ``affected`` needs of a repository's state once it is loaded: each
    target's inputs and the compose services that build from a target. A cache keeps it,
    so a change that touches no definition is answered without loading anything."""

    root: Path
    targets: Mapping[str, TargetInputs]
    services: list[tuple[str, str, str]] = field(default_factory=list)
    """(address, service name, target name) of each service built from a target."""

    def to_json(self) -> dict[str, Any]:
        """A form a cache can keep."""
        return {
            "root": str(self.root),
            "targets": [t.to_json() for t in self.targets.values()],
            "services": [list(s) for s in self.services],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Snapshot | None:
        """The inverse of ``to_json``; None when a .dockerignore it read has changed since.
        Each target is built from its JSON form only when asked for (``KeptTargets``)."""
        if any(_stamps(t.get("ignore_stamps", [])) for t in data["targets"]):
            return None
        services = [(str(a), str(b), str(c)) for a, b, c in data.get("services", [])]
        return cls(Path(str(data["root"])), KeptTargets(data["targets"]), services)

    def report(self, found: Mapping[str, str], mode: Dependents) -> list[Affected]:
        """The affected targets with their dependents (per ``mode``), then the compose
        services that build from one of them."""
        everything = with_dependents(found, self.targets, mode)
        rows = [
            Affected("Target", self._address(name), name, reason)
            for name, reason in sorted(everything.items())
        ]
        if mode != "none":
            rows += [
                Affected("Service", address, service, f"builds {target}")
                for address, service, target in self.services
                if target in everything
            ]
        return rows

    def _address(self, name: str) -> str:
        found = self.targets.get(name)
        return found.address if found is not None and found.address else f":{name}"


def _links(inputs: Mapping[str, TargetInputs]) -> Iterator[tuple[str, str]]:
    """(target, target whose result it uses) pairs of built inputs."""
    for target in inputs.values():
        for link in target.links:
            yield target.name, link


def _stamps(kept: Sequence[Sequence[object]]) -> bool:
    """Whether any kept (path, size, modification time) of a .dockerignore candidate differs
    from the file now (``TargetInputs.stamps``, on the JSON form)."""
    for path, size, mtime in kept:
        try:
            info = os.stat(str(path))
        except OSError:
            if size is not None or mtime is not None:
                return True
            continue
        if [info.st_size, info.st_mtime_ns] != [size, mtime]:
            return True
    return False


class KeptTargets(Mapping[str, TargetInputs]):
    """A kept snapshot's targets by name, each built from its JSON form when first asked for:
    a one-file change of a repository of thousands of targets concerns a few of them, and
    building them all (paths, .dockerignore patterns) took most of ``affected``'s time."""

    def __init__(self, kept: Sequence[Mapping[str, Any]]) -> None:
        self._kept = {str(t["name"]): t for t in kept}
        self._built: dict[str, TargetInputs] = {}

    def __getitem__(self, name: str) -> TargetInputs:
        if name not in self._built:
            self._built[name] = TargetInputs.from_json(self._kept[name])
        return self._built[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._kept)

    def __len__(self) -> int:
        return len(self._kept)

    def values(self) -> _KeptValues:
        """The targets, as ``touched`` narrows them by path before building any."""
        return _KeptValues(self)

    def links(self) -> Iterator[tuple[str, str]]:
        """(target, target whose result it uses) pairs, read from the JSON form."""
        for name, data in self._kept.items():
            for link in data.get("links", []):
                yield name, str(link)

    def near(self, changed: Sequence[Path]) -> Iterator[TargetInputs]:
        """The targets, in order, that a change to one of ``changed`` may concern: the path is
        their Dockerfile or .dockerignore, or lies in their context or a local context (by
        text; ``TargetInputs.reads`` then decides)."""
        paths = [str(path) for path in changed]
        for name, data in self._kept.items():
            exact = {data.get("dockerfile"), data.get("ignore_file")}
            folders = [data.get("context"), *data.get("local_contexts", [])]
            prefixes = tuple(os.path.join(str(f), "") for f in folders if f)
            if any(p in exact or p.startswith(prefixes) or p in folders for p in paths):
                yield self[name]


class _KeptValues(ValuesView[TargetInputs]):
    """The values of ``KeptTargets``, which ``touched`` narrows to the targets concerned."""

    def __init__(self, mapping: KeptTargets) -> None:
        super().__init__(mapping)
        self.kept = mapping

    def near(self, changed: Sequence[Path]) -> Iterator[TargetInputs]:
        """See ``KeptTargets.near``."""
        return self.kept.near(changed)


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def _local(value: object, root: Path) -> Path | None:
    if not isinstance(value, str) or not value or value.startswith(_REMOTE) or "://" in value:
        return None
    if value.startswith(("target:", "cwd://")):
        return None
    return (root / value).resolve()


def target_inputs(name: str, target: Mapping[str, Any], root: Path) -> TargetInputs:
    """The inputs of one target as ``print`` resolves it, paths taken from ``root``."""
    context = _local(target.get("context", "."), root)
    inline = "dockerfile-inline" in target
    dockerfile: Path | None = None
    if context is not None and not inline:
        written = str(target.get("dockerfile") or "Dockerfile")
        dockerfile = (context / written).resolve() if not os.path.isabs(written) else Path(written)
    ignore_file: Path | None = None
    candidates: list[Path] = []
    if context is not None:
        candidates = [Path(f"{dockerfile}.dockerignore")] if dockerfile else []
        candidates.append(context / ".dockerignore")
        ignore_file = next((c for c in candidates if c.is_file()), candidates[-1])
    ignore = None
    if ignore_file is not None and ignore_file.is_file():
        ignore = DockerIgnore(
            ignore_file.read_text(encoding="utf-8", errors="replace").splitlines()
        )
    contexts = target.get("contexts") or {}
    links = [v.removeprefix("target:") for v in contexts.values() if str(v).startswith("target:")]
    local = [p for v in contexts.values() if (p := _local(v, root)) is not None]
    candidates = candidates if context is not None else []
    return TargetInputs(
        name, context, dockerfile, ignore, ignore_file, local, links, "", candidates
    )


def touched(inputs: Iterable[TargetInputs], changed: Sequence[Path], root: Path) -> dict[str, str]:
    """Targets whose files a change touches, each with the first such file (from ``root``)
    as the reason."""
    found: dict[str, str] = {}
    if isinstance(inputs, _KeptValues):  # only the targets a changed path may concern
        inputs = inputs.near(changed)
    for target in inputs:
        for path in changed:
            if target.reads(path):
                found[target.name] = f"{os.path.relpath(path, root)} changed"
                break
    return found


def with_dependents(
    affected: Mapping[str, str], inputs: Mapping[str, TargetInputs], mode: Dependents
) -> dict[str, str]:
    """``affected`` and, per ``mode``, the targets that use their results (``target:``)."""
    result = dict(affected)
    if mode == "none":
        return result
    users: dict[str, list[str]] = {}
    links = inputs.links() if isinstance(inputs, KeptTargets) else _links(inputs)
    for name, link in links:
        users.setdefault(link, []).append(name)
    frontier = list(affected)
    while frontier:
        following: list[str] = []
        for name in frontier:
            for user in sorted(users.get(name, [])):
                if user not in result:
                    result[user] = f"uses {name}"
                    following.append(user)
        frontier = following if mode == "transitive" else []
    return result


def digest(definition: Mapping[str, Any], target: TargetInputs, root: Path) -> str:
    """A digest of everything a target's build reads: its definition and its files (by path
    from ``root`` and content). Two trees give equal digests iff its inputs are equal."""
    hasher = hashlib.sha256(json.dumps(definition, sort_keys=True).encode())
    for path in target.files():
        hasher.update(b"\0" + os.path.relpath(path, root).encode() + b"\0")
        hasher.update(path.read_bytes())
    return hasher.hexdigest()
