"""What buildx checks about a resolved target before it prints or builds it (``toBuildOpt``).

``docker buildx bake --print`` does not only resolve: it turns every printed target into build
options and stops at the first that cannot be. A secret file that is not there, ``ssh =
["default"]`` with no agent, a tar output into a missing folder, an output without a type:
each is an error buildx reports, so bakepy reports it too, naming the target and the entry.
These checks read the file system and the environment (a secret's file, an ssh socket or
key), which is why they live with the engine and run for ``print`` and for builds, never for a
render.
"""

from __future__ import annotations

import csv
import os
import stat
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from bakepy.errors import Diagnostic, Location, ValidationError
from bakepy.models.toolchain import Version
from bakepy.resolution.bake.printed import UndecodableEntry, decode_secret

_FILE_OUTPUTS = frozenset({"tar"})
_FILE_OR_DIR_OUTPUTS = frozenset({"oci", "docker"})


def _fields(entry: str) -> list[str]:
    """One CSV record, as Go's csv reader splits it."""
    try:
        return next(csv.reader([entry]))
    except (csv.Error, StopIteration):
        return []


def _pairs(entry: str) -> Iterator[tuple[str, str | None]]:
    for field in _fields(entry):
        key, sep, value = field.partition("=")
        yield key.strip().lower(), value if sep else None


def _output_problems(entry: str, cwd: Path, stdout_used: list[bool]) -> Iterator[str]:
    fields = _fields(entry)
    if len(fields) == 1 and fields[0] == entry and not entry.startswith("type="):
        if entry != "-":
            yield from _local_dest(entry, cwd)
            return
        kind, attrs = "tar", {"dest": "-"}
    else:
        attrs = {}
        kind = ""
        for key, value in _pairs(entry):
            if value is None:
                yield f"invalid value {key}"
                return
            if key == "type":
                kind = value
            else:
                attrs[key] = value
    if not kind:
        yield "type is required for output"
        return
    dest = attrs.get("dest", "")
    if kind == "local":
        if not dest:
            yield "dest is required for local exporter"
        elif dest == "-":
            yield "dest cannot be stdout for local exporter"
        else:
            yield from _local_dest(dest, cwd)
    elif kind in _FILE_OUTPUTS or kind in _FILE_OR_DIR_OUTPUTS:
        as_tar = attrs.get("tar", "true").lower() not in ("false", "0", "f")
        if not as_tar:
            if not dest:
                yield f"dest is required for {kind} exporter"
            else:
                yield from _local_dest(dest, cwd)
            return
        if not dest and kind != "docker":
            dest = "-"
        if dest == "-":
            if stdout_used[0]:
                yield "multiple outputs configured to write to stdout"
            stdout_used[0] = True
        elif dest:
            path = cwd / dest
            if path.is_dir():
                yield f"destination file {dest} is a directory"
            elif not path.parent.is_dir():
                yield f"failed to open {dest}: its folder {path.parent} does not exist"


def _local_dest(dest: str, cwd: Path) -> Iterator[str]:
    path = cwd / dest
    if path.exists() and not path.is_dir():
        yield f"destination directory {dest} is a file"


def _secret_problems(entry: str, cwd: Path, env: Mapping[str, str]) -> Iterator[str]:
    try:
        secret = decode_secret(entry)
    except UndecodableEntry as exc:
        yield str(exc)
        return
    ident, src = secret.get("id", ""), secret.get("src", "")
    if not ident:
        yield "secret missing ID"
        return
    if "env" not in secret and not src:
        if ident in env:
            return
        src = ident
    if src and not (cwd / src).exists():
        yield f"failed to stat {src}: no such file or directory"


def _ssh_problems(entries: list[str], cwd: Path, env: Mapping[str, str]) -> Iterator[str]:
    seen: set[str] = set()
    for entry in entries:
        ident, sep, rest = entry.partition("=")
        paths = rest.split(",") if sep else []
        if not paths or paths == [""]:
            paths = [env.get("SSH_AUTH_SOCK", "")]
        if paths[0] == "":
            yield (
                "invalid empty ssh agent socket: make sure SSH_AUTH_SOCK is set "
                f"(for ssh entry {entry!r})"
            )
            continue
        yield from _agent_source(paths, cwd)
        ident = ident or "default"
        if ident in seen:
            yield f"invalid duplicate ID {ident}"
        seen.add(ident)


def _agent_source(paths: list[str], cwd: Path) -> Iterator[str]:
    sockets = 0
    for path in paths:
        full = cwd / path
        try:
            mode = full.stat().st_mode
        except OSError:
            yield f"stat {path}: no such file or directory"
            continue
        if stat.S_ISSOCK(mode):
            sockets += 1
            if sockets > 1:
                yield "only single socket allowed"
            continue
        try:
            text = full.read_bytes()[: 100 * 1024]
        except OSError as exc:
            yield f"failed to read {path}: {exc.strerror}"
            continue
        if b"PRIVATE KEY-----" not in text:
            yield f"failed to parse {path}: ssh: no key found"


def _attest_problems(entries: list[Any], buildx: Version) -> Iterator[str]:
    kinds: set[str] = set()
    for entry in entries:
        if not isinstance(entry, str):
            continue
        if entry == "":
            if buildx < Version(0, 20):
                yield f"an empty attest entry: buildx {buildx} stops with a crash on it"
            continue
        kind = ""
        for key, value in _pairs(entry):
            if value is None:
                yield f"invalid value {key}"
                return
            if key == "type":
                kind = value
        if not kind:
            yield "attestation type not specified"
        elif kind in kinds:
            yield f"duplicate attestation field {kind}"
        kinds.add(kind)


def _cache_problems(entries: list[Any]) -> Iterator[str]:
    for entry in entries:
        if not isinstance(entry, str):
            continue
        fields = _fields(entry)
        if all("=" not in field for field in fields):
            continue  # bare image references: registry caches
        kind = ""
        for key, value in _pairs(entry):
            if value is None:
                yield f"invalid value {key}"
                break
            if key == "type":
                kind = value
        else:
            if not kind:
                yield f'type required form> "{entry}"'


def target_problems(
    name: str, target: Mapping[str, Any], env: Mapping[str, str], cwd: Path, buildx: Version
) -> list[tuple[str, str]]:
    """What buildx would refuse about one resolved target (as ``--print`` shows it), as
    (attribute, problem) pairs."""
    problems: list[tuple[str, str]] = []
    stdout_used = [False]
    for entry in target.get("output") or []:
        if isinstance(entry, str):
            problems += [
                ("output", f"{entry!r}: {p}") for p in _output_problems(entry, cwd, stdout_used)
            ]
    for entry in target.get("secret") or []:
        if isinstance(entry, str):
            problems += [("secret", f"{entry!r}: {p}") for p in _secret_problems(entry, cwd, env)]
    ssh = [entry for entry in target.get("ssh") or [] if isinstance(entry, str)]
    problems += [("ssh", p) for p in _ssh_problems(ssh, cwd, env)]
    problems += [("attest", p) for p in _attest_problems(list(target.get("attest") or []), buildx)]
    for key in ("cache-from", "cache-to"):
        problems += [(key, p) for p in _cache_problems(list(target.get(key) or []))]
    return problems


Locate = Callable[[str, str], Location | None]
"""Where attribute (second) of target (first) is written, when known."""


def check_build_inputs(
    targets: Mapping[str, Mapping[str, Any]],
    env: Mapping[str, str],
    *,
    cwd: Path | None = None,
    buildx: Version,
    locate: Locate | None = None,
) -> None:
    """Raise ValidationError listing every problem buildx would stop at in ``targets``, each
    at the attribute ``locate`` finds (else named by target and attribute)."""
    folder = cwd or Path(os.getcwd())
    diagnostics = []
    for name, target in targets.items():
        for key, problem in target_problems(name, target, env, folder, buildx):
            where = locate(name, key) if locate else None
            where = where or Location(resource=f"target {name!r}", field_path=(key,))
            diagnostics.append(Diagnostic(problem, where))
    if diagnostics:
        raise ValidationError(diagnostics)
