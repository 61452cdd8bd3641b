"""A field that may hold another family's model objects (a Target's Dockerfile, Stage or
Builder) without building that family's validators into its owner.

pydantic builds the schema of every model a field may hold into the model that owns the field:
each Target carried the thirty Dockerfile instruction models, built at import by every command,
though a render of targets naming their Dockerfile by path validates none (issue 12). With
``OnDemand`` the member's objects and strings are taken as they are (as pydantic takes them:
models never revalidate an instance), and only other input, a mapping in a manifest, is
validated by the whole member type, whose validator is built then; errors and JSON Schema are
the same as the plain member type's.
"""

from __future__ import annotations

from typing import Any, get_args

from pydantic import BaseModel, GetCoreSchemaHandler, GetJsonSchemaHandler, TypeAdapter
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, core_schema

from bakepy.models.base import BakepyModel


class OnDemand:
    """``Annotated[Dockerfile | ResourceRef | str, OnDemand(), ...]``: validated as the member
    type, its models built only when input other than their objects or a string comes. One
    instance serves one member type (an alias used by several fields)."""

    def __init__(self) -> None:
        self.member: Any = None
        self.models: tuple[type[BaseModel], ...] = ()
        self.takes_strings = False
        self._adapter: TypeAdapter[Any] | None = None

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        """A function that passes objects and strings and validates the rest."""
        if self.member != source:
            choices = get_args(source) or (source,)
            self.member, self._adapter = source, None
            self.models = tuple(
                c for c in choices if isinstance(c, type) and issubclass(c, BaseModel)
            )
            self.takes_strings = str in choices
        return core_schema.no_info_plain_validator_function(self.validate)

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        """As input, the member type's own JSON Schema (its models in ``$defs``, as before);
        as output, what the field's serializer says."""
        if handler.mode == "serialization":
            return handler(schema)
        return handler(self.adapter().core_schema)

    def adapter(self) -> TypeAdapter[Any]:
        """The member type's validator, built the first time it is needed."""
        if self._adapter is None:
            for model in self.models:  # built first: the union then reuses their schemas, and
                model.model_rebuild()  # names them in error locations, as the plain union does
            self._adapter = TypeAdapter(self.member, config=BakepyModel.model_config)
        return self._adapter

    def validate(self, value: Any) -> Any:
        """``value`` as the member type validates it; objects and strings as they are."""
        if isinstance(value, self.models) or (self.takes_strings and type(value) is str):
            return value
        return self.adapter().validate_python(value)
