"""Load a Python definition file: run it as a module and collect its Project or resources."""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import os
import sys
import traceback
from collections.abc import Iterator
from pathlib import Path

from pydantic import ValidationError as PydanticValidationError

from bakepy.errors import BakepyError, LoadError, Location
from bakepy.models.resource import Resource
from bakepy.models.validation_errors import convert_validation_error
from bakepy.project import Project
from bakepy.support.forked import carry_back


def _user_frame(exc: BaseException, path: Path) -> int | None:
    """The line in the definition file where ``exc`` was raised (through its calls)."""
    line = None
    for frame in traceback.extract_tb(exc.__traceback__):
        if Path(frame.filename).resolve() == path.resolve():
            line = frame.lineno
    return line


@contextlib.contextmanager
def importable_from(root: Path) -> Iterator[set[str]]:
    """Definitions may import one another from ``root`` (a repository's: ``from
    libs.base.bakepy import base`` in any package), as a project's own modules resolve from
    its root. The root comes last on ``sys.path`` (it shadows nothing installed), and the
    modules imported from it are forgotten afterwards, so that another load (the tree at a
    git revision, for ``bakepy affected``) imports its own; the set yielded then holds their
    files (what one package's definition took from another's), those a forked child of a
    shared load imported included."""
    folder = str(root.resolve())
    modules = _ImportedModules(folder, set(sys.modules))
    carry_back(modules)
    imported: set[str] = set()  # the files of those modules, filled on the way out
    sys.path.append(folder)
    try:
        yield imported
    finally:
        with contextlib.suppress(ValueError):
            sys.path.remove(folder)
        imported |= modules.files() | modules.children
        for name in modules.names():
            sys.modules.pop(name, None)


class _ImportedModules:
    """The modules imported from a folder since a load started (in this process, and those
    its forked children report back: :func:`bakepy.support.forked.carry_back`)."""

    def __init__(self, folder: str, before: set[str]) -> None:
        self.folder = folder
        self.before = before
        self.children: set[str] = set()

    def names(self) -> list[str]:
        """Judged while all are present (a namespace package's path asks for its parent's)."""
        new = set(sys.modules) - self.before
        return [name for name in new if _comes_from(sys.modules[name], self.folder)]

    def files(self) -> set[str]:
        found = {getattr(sys.modules[name], "__file__", None) or "" for name in self.names()}
        return found - {""}

    def carried(self) -> object:
        return sorted(self.files())

    def take_back(self, state: object) -> None:
        if isinstance(state, list):
            self.children.update(str(file) for file in state)


def _comes_from(module: object, folder: str) -> bool:
    """Whether a module (or a namespace package, which has no file) was found in ``folder``."""
    places = [getattr(module, "__file__", None) or "", *(getattr(module, "__path__", None) or [])]
    return any(str(place).startswith(folder + os.sep) for place in places)


def load_python(path: Path) -> list[Resource] | Project:
    """Run ``path``; return its ``project`` (a Project) or the Resources it defines at top level."""
    module_name = "bakepy_definition_" + hashlib.sha1(str(path.resolve()).encode()).hexdigest()[:12]
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise LoadError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    sys.path.insert(0, str(path.parent))
    writes_bytecode = sys.dont_write_bytecode
    sys.dont_write_bytecode = True  # no __pycache__ left in the user's package folder
    try:
        spec.loader.exec_module(module)
    except BakepyError:
        raise
    except PydanticValidationError as exc:
        raise convert_validation_error(
            exc, file=str(path), resource=exc.title, default_line=_user_frame(exc, path)
        ) from None
    except SyntaxError as exc:
        raise LoadError(f"syntax error: {exc.msg}", Location(path, exc.lineno)) from None
    except Exception as exc:  # a user's definition file may raise anything
        raise LoadError(
            f"{type(exc).__name__}: {exc}", Location(path, _user_frame(exc, path))
        ) from None
    except SystemExit as exc:  # sys.exit() in a definition ends the definition, not bakepy
        raise LoadError(
            f"the definition called sys.exit({exc.code!r}) instead of declaring resources",
            Location(path, _user_frame(exc, path)),
        ) from None
    except KeyboardInterrupt as exc:
        raise LoadError(
            "stopped (KeyboardInterrupt) while running the definition",
            Location(path, _user_frame(exc, path)),
        ) from None
    finally:
        sys.dont_write_bytecode = writes_bytecode
        sys.path.remove(str(path.parent))
        sys.modules.pop(module_name, None)
    project = getattr(module, "project", None)
    if isinstance(project, Project):
        return project
    found = [value for value in vars(module).values() if isinstance(value, Resource)]
    if not found:
        raise LoadError(
            "defines no resources",
            Location(path),
            hint="assign resources to module-level names, or a Project to `project`",
        )
    return found
