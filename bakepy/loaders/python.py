"""Load a Python definition file: run it as a module and collect its Project or resources."""

from __future__ import annotations

import hashlib
import importlib.util
import sys
import traceback
from pathlib import Path

from pydantic import ValidationError as PydanticValidationError

from bakepy.errors import BakepyError, LoadError, Location
from bakepy.models.resource import Resource
from bakepy.models.validation_errors import convert_validation_error
from bakepy.project import Project


def _user_frame(exc: BaseException, path: Path) -> int | None:
    """The line in the definition file where ``exc`` was raised (through its calls)."""
    line = None
    for frame in traceback.extract_tb(exc.__traceback__):
        if Path(frame.filename).resolve() == path.resolve():
            line = frame.lineno
    return line


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
