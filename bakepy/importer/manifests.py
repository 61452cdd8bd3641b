"""Write resources as Kubernetes-style YAML manifests (one document each, kubectl-style)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import yaml
from pydantic import BaseModel

from bakepy.models.resource import API_VERSION, Resource

_DISCRIMINATORS = ("instruction", "type")


def _mark_discriminators(value: Any) -> None:
    """Count the tag fields of tagged unions (instruction, mount type) as set, so that a dump
    of only the set fields keeps them: a manifest needs them to say which kind of item it is."""
    if isinstance(value, BaseModel):
        for name in _DISCRIMINATORS:
            if name in type(value).model_fields:
                value.model_fields_set.add(name)
        for field in type(value).model_fields:
            _mark_discriminators(getattr(value, field))
    elif isinstance(value, list | tuple):
        for item in value:
            _mark_discriminators(item)
    elif isinstance(value, dict):
        for item in value.values():
            _mark_discriminators(item)


def manifest(resource: Resource) -> dict[str, Any]:
    """One resource as a manifest: apiVersion, kind, metadata and the fields its spec sets."""
    metadata = resource.metadata.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    document: dict[str, Any] = {
        "apiVersion": API_VERSION,
        "kind": resource.KIND,
        "metadata": metadata,
    }
    spec = getattr(resource, "spec", None)
    if spec is not None:
        _mark_discriminators(spec)
        document["spec"] = spec.model_dump(mode="json", by_alias=True, exclude_unset=True)
    return document


class _Dumper(yaml.SafeDumper):
    """safe_dump, with multi-line strings (Dockerfiles, scripts) as literal blocks."""


def _string(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if "\n" in value.rstrip("\n") or value.endswith("\n"):
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_Dumper.add_representer(str, _string)


def manifests_yaml(resources: list[Resource], source: str, notes: Sequence[str] = ()) -> str:
    """Every resource as a YAML document, in order, after a comment naming the source and
    one per note (what the import left out)."""
    documents = [
        yaml.dump(manifest(r), Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
        for r in resources
    ]
    comments = "".join(f"# note: {note}\n" for note in notes)
    return f"# imported by bakepy from {source}; edit freely\n{comments}" + "---\n".join(documents)
