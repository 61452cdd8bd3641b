"""JSON Schema of every manifest kind, from the models (so descriptions come from Field docs)."""

from __future__ import annotations

from typing import Any

from bakepy.errors import BakepyError
from bakepy.models.kinds import KINDS

KIND_NAMES = tuple(sorted(KINDS))


def manifest_schema(kind: str | None = None) -> dict[str, Any]:
    """The schema of one kind, or a schema accepting any kind (``oneOf`` on ``kind``)."""
    if kind is not None:
        model = KINDS.get(kind) or {k.lower(): v for k, v in KINDS.items()}.get(kind.lower())
        if model is None:
            raise BakepyError(f"unknown kind {kind!r}; expected one of {', '.join(KIND_NAMES)}")
        return model.model_json_schema(by_alias=True)
    schemas = {name: KINDS[name].model_json_schema(by_alias=True) for name in KIND_NAMES}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "bakepy manifest",
        "oneOf": [{"$ref": f"#/$defs/{name}"} for name in KIND_NAMES],
        "$defs": schemas,
    }
