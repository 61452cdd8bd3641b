"""The public API is exact: ``bakepy`` exports the verbs, every exception and the resource
kinds, from one sorted table; each domain package exports every value type it defines."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
from pathlib import Path
from types import ModuleType

import pytest

import bakepy
from bakepy import errors, models
from bakepy.errors import BakepyError
from bakepy.models.base import BakepyModel
from bakepy.models.kinds import KINDS

DOMAINS = ("dockerfile", "bake", "compose", "host")
VERBS = {
    "apply",
    "apply_builds",
    "apply_host",
    "apply_runtime",
    "apply_stack",
    "bake_print",
    "check",
    "delete",
    "delete_runtime",
    "delete_stack",
    "graph",
    "import_definitions",
    "load",
    "load_compose",
    "load_selected",
    "plan",
    "plan_host",
    "plan_runtime",
    "plan_stack",
    "render",
    "render_graph",
    "resolve",
    "write_files",
}
BASES = {"ComposeModel"}
"""Models that only other models derive from: not value types a user builds."""
HELPERS = {"dockerfile": {"DockerIgnore"}, "host": {"drop_in_for"}}
"""What a domain exports beside its models: the .dockerignore matcher, a drop-in's derivation."""


def _exports(module: ModuleType) -> dict[str, str]:
    table: dict[str, str] = module._EXPORTS
    return table


def _type_checking_imports(module: ModuleType) -> dict[str, str]:
    """The ``if TYPE_CHECKING:`` imports of a lazily exporting module: name -> module."""
    assert module.__file__ is not None
    tree = ast.parse(Path(module.__file__).read_text())
    found: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            for statement in node.body:
                assert isinstance(statement, ast.ImportFrom)
                assert statement.module
                for alias in statement.names:
                    assert alias.asname == alias.name, "re-export as the same name"
                    found[alias.name] = statement.module
    return found


def _lazy_modules() -> list[ModuleType]:
    return [bakepy, models, *(importlib.import_module(f"bakepy.models.{d}") for d in DOMAINS)]


@pytest.mark.parametrize("module", _lazy_modules(), ids=lambda m: m.__name__)
def test_one_table_lists_each_name_once_sorted_and_type_checkers_see_the_same(
    module: ModuleType,
) -> None:
    table = _exports(module)
    assert list(table) == sorted(table)
    assert _type_checking_imports(module) == table
    assert sorted(set(module.__all__) - {"__version__"}) == sorted(table)


@pytest.mark.parametrize("module", _lazy_modules(), ids=lambda m: m.__name__)
def test_every_name_is_importable_and_is_what_its_name_says(module: ModuleType) -> None:
    for name, home in _exports(module).items():
        value = getattr(module, name)
        assert getattr(importlib.import_module(home), name) is value
        if inspect.isclass(value) or inspect.isfunction(value):
            assert value.__name__ == name, f"{name} is an alias of {value.__name__}"


def test_no_public_name_ends_in_an_underscore() -> None:
    for module in _lazy_modules():
        assert not [n for n in module.__all__ if n.endswith("_") and not n.startswith("__")]


def test_the_top_level_is_the_verbs_the_errors_and_the_kinds() -> None:
    exceptions = {
        name
        for name, value in vars(errors).items()
        if inspect.isclass(value) and issubclass(value, Exception)
    }
    kinds = {name for kind in KINDS.values() for name in (kind.__name__, f"{kind.__name__}Spec")}
    expected = VERBS | exceptions | {"Diagnostic", "Location"} | kinds | {"Metadata", "Project"}
    expected |= {"Toolchain"}  # the buildx and Dockerfile frontend the files are for
    assert set(_exports(bakepy)) == expected
    assert len(expected) < 70


def test_every_bakepy_error_is_defined_in_bakepy_errors() -> None:
    for info in pkgutil.walk_packages(bakepy.__path__, "bakepy."):
        if info.name.startswith("bakepy.testing") or info.name == "bakepy.__main__":
            continue
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            if inspect.isclass(value) and issubclass(value, BakepyError):
                assert value.__module__ == "bakepy.errors", f"{value.__name__} in {info.name}"


@pytest.mark.parametrize("domain", DOMAINS)
def test_a_domain_exports_every_value_type_it_defines(domain: str) -> None:
    package = importlib.import_module(f"bakepy.models.{domain}")
    defined: set[str] = set()
    for info in pkgutil.iter_modules(package.__path__, f"{package.__name__}."):
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if (
                inspect.isclass(value)
                and issubclass(value, BakepyModel)
                and value.__module__ == module.__name__
                and not name.startswith("_")
            ):
                defined.add(name)
    assert set(_exports(package)) == (defined - BASES) | HELPERS.get(domain, set())


def test_value_types_import_from_their_domain() -> None:
    from bakepy.models.bake import Platform, Target
    from bakepy.models.compose import ComposeVolume, Service
    from bakepy.models.dockerfile import Run, Volume
    from bakepy.models.host import drop_in_for

    assert Target is bakepy.Target
    assert Volume is not ComposeVolume
    assert {Platform.__name__, Service.__name__, Run.__name__, drop_in_for.__name__}
