"""The base model every bakepy model derives from: strict, aliased to the native field names.

The modules of the models a command builds do without ``from __future__ import annotations``:
pydantic compiles and evaluates each string annotation (~30 us a field, over 500 fields at every
import), where an evaluated one is taken as it is (tests/unit/test_model_build_cost.py).
"""

import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any, cast

from pydantic import BaseModel, ConfigDict, GetJsonSchemaHandler, PrivateAttr
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

_PACKAGE_DIR = str(Path(__file__).resolve().parents[1])
_PYDANTIC_MARKERS = ("pydantic", "<frozen", "typing.py")
_INSIDE: dict[str, bool] = {}
"""Whether the code of a module (by its name) is bakepy's or pydantic's: a load declares
thousands of objects, each walking the same dozen frames, and a frame's code is read only
once per module (reading ``f_code`` raises an audit event, which a render's cache hook
sees: 30,000 of them for 2,000 targets)."""


def empty_list() -> list[Any]:
    """An empty list, the ``default_factory`` of list fields. pydantic reads a factory's
    signature at every field it builds a schema for, and the builtin ``list`` has only a text
    signature, parsed each time (~90 us, 70 fields on every command's import); a function's
    signature is read directly."""
    return []


def kebab_alias(name: str) -> str:
    """``cache_from`` -> ``cache-from``: bake spells its attributes in kebab-case."""
    return name.rstrip("_").replace("_", "-")


def native_alias(name: str) -> str:
    """``from_`` -> ``from``: Python keywords carry a trailing underscore, the native name not."""
    return name.rstrip("_")


class BakepyModel(BaseModel):
    """Strict base: unknown fields are errors and the native spelling of a name is accepted."""

    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
        validate_default=False,
        alias_generator=native_alias,
        use_enum_values=True,
        arbitrary_types_allowed=False,
        revalidate_instances="never",
        hide_input_in_errors=True,  # an error must never echo a value back (it may be a secret)
    )


class KebabModel(BakepyModel):
    """A model whose native file spells fields in kebab-case (bake)."""

    model_config = ConfigDict(alias_generator=kebab_alias)


class ShortSyntax(BakepyModel):
    """A model that also takes a short string form (``"db_password"``, ``"linux/arm64"``),
    which its before-validator parses; its input JSON Schema accepts the string too."""

    @classmethod
    def __get_pydantic_json_schema__(
        cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        """As input (validation mode), a string is accepted beside the object form."""
        json_schema = handler(core_schema)
        if handler.mode == "validation":
            handler.resolve_ref_schema(json_schema)["type"] = ["object", "string"]
        return json_schema


def _inside(filename: str) -> bool:
    """Whether code from ``filename`` is bakepy's or pydantic's (or the import system's),
    not the user's that declared an object."""
    return filename.startswith(_PACKAGE_DIR) or any(
        marker in filename for marker in _PYDANTIC_MARKERS
    )


class SourceTracked(BakepyModel):
    """A model that remembers the Python file and line that created it, for error messages."""

    _source: tuple[str, int] | None = PrivateAttr(default=None)
    _field_lines: Mapping[tuple[str | int, ...], int] | None = PrivateAttr(default=None)

    def model_post_init(self, context: Any, /) -> None:
        """Record the first caller outside bakepy and pydantic as this object's source."""
        frame = sys._getframe(1)
        while frame is not None:
            module = frame.f_globals.get("__name__")
            inside = _INSIDE.get(module) if type(module) is str else None
            if inside is None:
                inside = _inside(frame.f_code.co_filename)
                if type(module) is str:
                    _INSIDE[module] = inside
            if not inside:
                private = cast("dict[str, Any]", self.__pydantic_private__)  # set by pydantic
                private["_source"] = (frame.f_code.co_filename, frame.f_lineno)
                break
            frame = frame.f_back  # type: ignore[assignment]

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        """pydantic wraps ``model_post_init`` again in every subclass (each wrapper sets the
        private attributes, then calls the parent's wrapper): a Target ran three. Each subclass
        runs SourceTracked's one wrapper (which sets every private attribute of the instance's
        class) instead."""
        super().__pydantic_init_subclass__(**kwargs)
        wrapped = getattr(cls.model_post_init, "__wrapped__", None)
        if hasattr(wrapped, "__wrapped__"):  # a wrapper of a wrapper: not the class's own
            cls.model_post_init = SourceTracked.model_post_init  # type: ignore[method-assign]

    @property
    def source(self) -> tuple[str, int] | None:
        """``(file, line)`` where this object was declared (a manifest's line is found the
        first time it is asked for)."""
        if self._source is not None and self._source[1] == 0 and self._field_lines is not None:
            self._source = (self._source[0], self._field_lines.get((), 1))
        return self._source

    @property
    def source_file(self) -> str | None:
        """The file this object was declared in (no line: cheap for every resource)."""
        return self._source[0] if self._source is not None else None

    def set_source(
        self, file: str, line: int, field_lines: Mapping[tuple[str | int, ...], int] | None = None
    ) -> None:
        """Override the recorded source; manifest loaders also give the line of every field
        (a mapping that may find them only when first read)."""
        # what pydantic's __setattr__ writes, written directly
        private = cast("dict[str, Any]", self.__pydantic_private__)
        private["_source"] = (file, line)
        private["_field_lines"] = field_lines

    def line_of(self, field_path: tuple[str | int, ...]) -> int | None:
        """The line of the deepest known prefix of ``field_path`` (or of the object itself)."""
        if self._field_lines is not None:
            for end in range(len(field_path), -1, -1):
                line = self._field_lines.get(field_path[:end])
                if line is not None:
                    return line
        return self._source[1] if self._source else None
