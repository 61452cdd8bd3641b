"""`bakepy schema` is a valid Draft 2020-12 JSON Schema whose references resolve, and it accepts
what the manifest loader accepts: every example and fixture manifest, and the manifests
`bakepy import` writes for the bake and compose fixtures."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator

from bakepy.api.definitions import import_definitions
from bakepy.errors import BakepyError
from bakepy.loaders.manifests import load_yaml
from bakepy.models.kinds import KINDS
from bakepy.models.schema import DIALECT, manifest_schema, schema_text

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures"
MANIFESTS = sorted([*REPO.glob("examples/*/bakepy.yaml"), *(FIXTURES / "manifests").glob("*.yaml")])
ALL = Draft202012Validator(manifest_schema())
BY_KIND = {kind: Draft202012Validator(manifest_schema(kind)) for kind in KINDS}


def _documents(text: str) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(text) if doc is not None]


def _problems(validator: Draft202012Validator, document: dict[str, Any]) -> list[str]:
    return [
        f"{'.'.join(map(str, error.absolute_path))}: {error.message}"
        for error in validator.iter_errors(document)
    ]


def _refs(node: object) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


@pytest.mark.parametrize("kind", [None, *sorted(KINDS)])
def test_schema_is_valid_and_its_references_resolve(kind: str | None) -> None:
    schema = manifest_schema(kind)
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == DIALECT
    assert schema["$id"].startswith("https://")
    for ref in set(_refs(schema)):
        assert ref.startswith("#/$defs/"), ref
        assert ref.removeprefix("#/$defs/") in schema["$defs"], f"{ref} dangles"


def test_all_kinds_schema_dispatches_on_kind() -> None:
    schema = manifest_schema()
    assert schema["properties"]["kind"]["enum"] == sorted(KINDS)
    assert schema["required"] == ["apiVersion", "kind", "metadata"]


@pytest.mark.parametrize("path", MANIFESTS, ids=lambda p: str(p.relative_to(REPO)))
def test_every_example_and_fixture_manifest_is_valid(path: Path) -> None:
    resources = load_yaml(path)  # the loader accepts it ...
    documents = _documents(path.read_text(encoding="utf-8"))
    assert len(documents) == len(resources)
    for document in documents:  # ... and so does the schema, of all kinds and of its kind
        assert _problems(ALL, document) == []
        assert _problems(BY_KIND[document["kind"]], document) == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"spec": {"tagz": ["app"]}}, "'tagz' was unexpected"),
        ({"kind": "Taget"}, "'Taget' is not one of"),
        ({"apiVersion": "bakepy.dev/v1"}, "'bakepy.dev/v1alpha1' was expected"),
        ({"spec": {"network": "hots"}}, "network"),
    ],
)
def test_schema_rejects_what_the_loader_rejects(change: dict[str, Any], expected: str) -> None:
    document = {"apiVersion": "bakepy.dev/v1alpha1", "kind": "Target", "metadata": {"name": "a"}}
    document.update(change)
    assert any(expected in problem for problem in _problems(ALL, document))


def test_a_manifest_must_say_its_api_version_and_kind() -> None:
    document = {"apiVersion": "bakepy.dev/v1alpha1", "metadata": {"name": "a"}}
    assert any("'kind' is a required property" in p for p in _problems(ALL, document))
    document = {"kind": "Group", "metadata": "a", "spec": {"targets": ["x"]}}
    assert any("'apiVersion' is a required" in p for p in _problems(BY_KIND["Group"], document))


def _import_cases() -> list[list[Path]]:
    cases = []
    for folder in sorted([*FIXTURES.glob("bake-world/*"), *FIXTURES.glob("bake/*")]):
        files = [p for p in sorted(folder.iterdir()) if p.suffix in (".hcl", ".json")]
        files = [p for p in files if p.name != "case.json"]
        if files:
            cases.append(files)
    cases += [[p] for p in sorted(FIXTURES.glob("compose/*/compose.yaml"))]
    cases += [[p] for p in sorted(FIXTURES.glob("dockerfiles/*"))]
    return cases


@pytest.mark.parametrize(
    "files", _import_cases(), ids=lambda files: str(files[0].parent.relative_to(FIXTURES))
)
def test_imported_manifests_are_valid(files: list[Path], tmp_path: Path) -> None:
    """What `bakepy import --to yaml` writes and the loader reads back, the schema accepts."""
    try:
        text = import_definitions(files, "yaml")
    except BakepyError:
        pytest.skip("bakepy refuses to import this fixture (a case that must fail)")
    manifest = tmp_path / "bakepy.yaml"
    manifest.write_text(text, encoding="utf-8")
    try:
        load_yaml(manifest)
    except BakepyError:
        pytest.skip("the loader refuses the imported file")
    for document in _documents(text):
        assert _problems(ALL, document) == [], document["metadata"]


def test_cli_prints_the_committed_schema() -> None:
    committed = (REPO / "docs" / "reference" / "bakepy.schema.json").read_text(encoding="utf-8")
    assert committed == schema_text()
