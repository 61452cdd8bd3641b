"""One error per union, not one per branch: what pydantic says about each choice, reduced.

A field that takes several forms (``build: .`` or ``build: {context: .}``) fails in every
branch pydantic tried, and each branch adds its own error. A user wrote one form: the branch
whose shape the value has (its errors go inside the value, or its validator refused it) is the
one they meant, and only its errors are kept; when the value has the shape of no branch, the
branches' wrong-type errors become one message naming the forms it may take.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from pydantic import BaseModel

Loc = tuple[int | str, ...]

_NOUNS = {
    "string_type": "a string",
    "list_type": "a list",
    "tuple_type": "a list",
    "set_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
    "dataclass_type": "a mapping",
    "int_type": "an integer",
    "int_parsing": "an integer",
    "int_from_float": "an integer",
    "float_type": "a number",
    "float_parsing": "a number",
    "bool_type": "a boolean",
    "bool_parsing": "a boolean",
    "none_required": "null",
}
"""The form a wrong-type error of pydantic asks for."""

_TAGS = frozenset({"str", "int", "float", "bool", "bytes", "none", "decimal", "any"})
"""Branch names pydantic gives a union's plain types."""


@dataclass(frozen=True)
class Entry:
    """One error: where (pydantic's location, branch names included), what, and, for a value
    of the wrong type, the forms it should have had."""

    loc: Loc
    message: str
    type: str
    input: Any
    forms: tuple[str, ...] = ()


@cache
def _model_names() -> frozenset[str]:
    """The names of every pydantic model class, which pydantic uses for a union's branches."""
    names: set[str] = set()
    pending: list[type[BaseModel]] = [BaseModel]
    while pending:
        model = pending.pop()
        for sub in model.__subclasses__():
            if sub.__name__ not in names:
                names.add(sub.__name__)
                pending.append(sub)
    return frozenset(names)


def is_branch(part: int | str) -> bool:
    """Whether ``part`` of a location names a union's branch rather than a field or key."""
    if isinstance(part, int):
        return False
    return (
        "[" in part
        or part.startswith(("function-", "tagged-union", "nullable", "lax-or-strict"))
        or part in _TAGS
        or part in _model_names()
    )


def _noun_of(value: Any) -> str:
    """The form of a value, in the words of the forms (``an integer``)."""
    if value is None:
        return "null"
    kinds: tuple[tuple[type, str], ...] = (
        (bool, "a boolean"),
        (int, "an integer"),
        (float, "a number"),
        (str, "a string"),
        (list, "a list"),
        (dict, "a mapping"),
    )
    return next((noun for kind, noun in kinds if isinstance(value, kind)), type(value).__name__)


def entry(error: dict[str, Any]) -> Entry:
    """An Entry of one of pydantic's errors."""
    kind = str(error.get("type", ""))
    message = str(error.get("msg", "invalid value"))
    form = _NOUNS.get(kind)
    if form is None and kind == "literal_error":
        form = message.removeprefix("Input should be ")
    return Entry(tuple(error["loc"]), message, kind, error.get("input"), (form,) if form else ())


def _fields(loc: Loc) -> int:
    return sum(1 for part in loc if not is_branch(part))


def wrong_type(forms: Sequence[str], value: Any) -> str:
    """``must be a string or a list, not an integer``: what a value should have been."""
    wanted = ", ".join(forms[:-1]) + f" or {forms[-1]}" if len(forms) > 1 else forms[0]
    got = _noun_of(value)
    return f"must be {wanted}" + ("" if got in forms else f", not {got}")


def _merged(prefix: Loc, entries: Sequence[Entry]) -> Entry:
    """One wrong-type error for a value no branch has the shape of."""
    forms = tuple(dict.fromkeys(form for found in entries for form in found.forms))
    message = wrong_type(forms, entries[0].input)
    return Entry(prefix, message, "union_type", entries[0].input, forms)


def reduce_unions(entries: Sequence[Entry]) -> list[Entry]:
    """The errors with each union's branches reduced to the branch the value was written for,
    or to one wrong-type message when it fits none (in their first order)."""
    out: list[Entry | Loc] = []
    groups: dict[Loc, dict[int | str, list[Entry]]] = {}
    for found in entries:
        at = next((i for i, part in enumerate(found.loc) if is_branch(part)), None)
        if at is None:
            out.append(found)
            continue
        prefix = found.loc[:at]
        if prefix not in groups:
            groups[prefix] = {}
            out.append(prefix)
        loc = (*prefix, *found.loc[at + 1 :])
        rest = Entry(loc, found.message, found.type, found.input, found.forms)
        groups[prefix].setdefault(found.loc[at], []).append(rest)
    result: list[Entry] = []
    for item in out:
        if isinstance(item, Entry):
            result.append(item)
            continue
        branches: list[list[Entry]] = [reduce_unions(found) for found in groups[item].values()]
        if len(branches) == 1:
            result += branches[0]
            continue
        depth = _fields(item)
        meant: list[list[Entry]] = [
            branch
            for branch in branches
            if any(_fields(found.loc) > depth or not found.forms for found in branch)
        ]
        if meant:
            shortest: list[Entry] = min(meant, key=len)
            result += shortest
        else:
            result.append(_merged(item, [found for branch in branches for found in branch]))
    return result
