"""A no-change ``bakepy apply`` of builds, answered without loading any model.

The first ``apply`` of a build-only project (targets, groups, variables and functions; no
builder, compose project, stack or host file) keeps, in the apply cache
(``bakepy.cli.apply_cache``), what its plan hashed for each target: the input digest's
document but the base images' digests, where the result went, the lock's pins. The cache
entry holds only while every file that apply read is unchanged: the definitions, the
Dockerfiles, ``.dockerignore`` files, every context file and folder listing, the lock file.
The next apply with the same request then looks up only what may have moved elsewhere: each
base image's digest (local store and registry), the build records, and each result image at
its recorded digest. When every target is up to date it prints what the whole command prints;
anything else (a change, a doubt, an error) runs the whole command, which plans and builds.
``BAKEPY_APPLY_CACHE=0`` turns it off.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bakepy.cli import apply_cache

if TYPE_CHECKING:
    from bakepy.engine.build_plan import BuildPlan
    from bakepy.engine.builds import BuildReport
    from bakepy.project import Project

KIND = "builds"
_BUILD_KINDS = frozenset({"Target", "Group", "Variable", "Function"})


def parse(argv: Sequence[str]) -> list[str] | None:
    """The definition files of ``apply [-f PATH]... [TARGET]... [--no-syntax-directive]
    [--progress MODE]``; None for any other command line."""
    if not argv or argv[0] != "apply":
        return None
    files: list[str] = []
    rest = list(argv[1:])
    while rest:
        word = rest.pop(0)
        if word in ("-f", "--file", "--progress"):
            if not rest:
                return None
            value = rest.pop(0)
            if word != "--progress":
                files.append(value)
        elif word.startswith(("--file=", "--progress=")):
            if word.startswith("--file="):
                files.append(word.partition("=")[2])
        elif word in ("--no-syntax-directive", "--syntax-directive"):
            continue
        elif word.startswith("-"):
            return None
    return files


class _Miss(Exception):
    """The kept state does not answer this run (the reason is the message)."""


def _answer(payload: Mapping[str, Any]) -> str:
    from bakepy.engine.build_plan import Destination, missing_result
    from bakepy.engine.build_records import read_records
    from bakepy.engine.commands import SubprocessRunner
    from bakepy.engine.image_lookup import ImageIndex
    from bakepy.engine.input_digest import finish_digest

    if payload.get("kind") != KIND:
        raise _Miss("the entry is not a build-only project's")
    targets: list[dict[str, Any]] = payload["targets"]
    index = ImageIndex(SubprocessRunner(), payload.get("pinned") or {})
    local = [i for t in targets for i in t["images"] if "local-image" in t["kinds"]]
    remote = [i for t in targets for i in t["images"] if "registry" in t["kinds"]]
    bases = [b for t in targets for b in t["bases"]]
    index.prefetch([*bases, *local], [*bases, *remote])
    records = read_records()
    lines = []
    for target in targets:
        found = {base: index.base_digest(base) for base in target["bases"]}
        known = {base: digest for base, digest in found.items() if digest is not None}
        if len(known) != len(found):
            raise _Miss(f"a base image of {target['name']} is not found")
        digest = finish_digest(target["document"], known)
        record = records.get(target["key"])
        if record is None or record.input_digest != digest:
            raise _Miss(f"{target['name']} changed since its last build")
        wheres = [Destination(kind, Path(p) if p else None) for kind, p in target["wheres"]]
        gone = missing_result(index, record, target["images"], wheres)
        if gone is not None:
            raise _Miss(gone)
        where = ", ".join(target["images"]) or "(no image)"
        lines.append(f"up to date {target['name']}: {where} {record.image_digest or ''}".rstrip())
    for warning in payload.get("warnings", []):
        print(f"warning: {warning}", file=sys.stderr)
    return "".join(line + "\n" for line in lines)


def answer(argv: Sequence[str], env: Mapping[str, str]) -> str | None:
    """What a no-change apply of builds prints, when nothing is to build; None when the whole
    command must run."""
    if parse(argv) is None or not apply_cache.enabled(env):
        return None
    payload, why = apply_cache.lookup(apply_cache.request_key([KIND, *argv], env))
    if payload is None:
        _trace(env, why)
        return None
    try:
        return _answer(payload)
    except _Miss as miss:
        _trace(env, str(miss))
    except Exception as error:  # any doubt: the whole command runs and reports it
        _trace(env, f"{type(error).__name__}: {error}")
    return None


def _trace(env: Mapping[str, str], why: str) -> None:
    if env.get("BAKEPY_APPLY_CACHE_TRACE"):
        print(f"apply cache (builds): not used: {why}", file=sys.stderr)


@dataclass
class Recording:
    """What the whole command planned and built, kept as an entry when it exits."""

    key: str
    files: list[str]
    recorder: apply_cache.InputRecorder
    seen: list[tuple[Project, BuildPlan, BuildReport]] = field(default_factory=list)

    def observe(self, project: Project, plan: BuildPlan, report: BuildReport) -> None:
        """Called (``bakepy.engine.builds.observed``) when the command's builds are done."""
        self.seen.append((project, plan, report))

    def finish(self) -> None:
        """Keep the entry when the command built (or found up to date) every target of a
        build-only project, each with a digest and without ``target:`` links."""
        if len(self.seen) != 1:  # no builds (a compose project's apply): nothing to keep
            return
        project, plan, report = self.seen[0]
        if {r.KIND for r in project} - _BUILD_KINDS or not plan.targets or plan.builders:
            return  # only a build-only project (compose, host, builders: the whole command)
        work = os.path.join(tempfile.gettempdir(), "bakepy-build-")  # written, read, removed
        recorder = self.recorder
        recorder.files = {f for f in recorder.files if not f.startswith(work)}
        recorder.folders = {f for f in recorder.folders if not f.startswith(work)}
        inputs = recorder.inputs(self.files)
        if inputs is None:
            return
        from bakepy.engine.build_records import record_key
        from bakepy.loaders.image_lock import lock_path, read_lock

        digests = {r.target: r.input_digest for r in report.results}
        targets = []
        for planned in plan.targets:
            computed = plan.inputs.get(planned.target)
            if computed is None or computed.document is None or computed.digest is None:
                return
            if digests.get(planned.target) != computed.digest:
                return
            definition = computed.document.get("definition", {})
            contexts = (definition.get("contexts") or {}).values()
            if any(str(c).startswith("target:") for c in contexts):
                return
            wheres = plan.destinations.get(planned.target)
            if wheres is None:
                return
            targets.append(
                {
                    "name": planned.target,
                    "key": record_key(project.base_dir, planned.target, planned.builder),
                    "document": computed.document,
                    "bases": list(computed.bases),
                    "images": planned.images,
                    "kinds": sorted({w.kind for w in wheres}),
                    "wheres": [[w.kind, str(w.path) if w.path else ""] for w in wheres],
                }
            )
        lock = read_lock(lock_path(project.base_dir))
        payload = {
            "kind": KIND,
            "targets": targets,
            "pinned": dict(lock.base) if lock is not None else {},
            "warnings": list(project.warnings),
        }
        apply_cache.store(self.key, inputs, payload)


def record(argv: Sequence[str], env: Mapping[str, str]) -> Recording | None:
    """Start noting what the whole command reads and plans, for a request this path can
    answer later; None for any other command."""
    files = parse(argv)
    if files is None or not apply_cache.enabled(env):
        return None
    from bakepy.engine.builds import observing

    recording = Recording(
        apply_cache.request_key([KIND, *argv], env), files, apply_cache.InputRecorder()
    )
    apply_cache.keep_at_exit(recording.recorder, observing(recording.observe), recording.finish)
    return recording


def run(argv: Sequence[str], env: Mapping[str, str]) -> int | None:
    """Answer a no-change apply of builds from the cache (prints it, returns 0), or start
    recording for the whole command and return None."""
    printed = answer(argv, env)
    if printed is not None:
        sys.stdout.write(printed)
        return 0
    record(argv, env)
    return None
