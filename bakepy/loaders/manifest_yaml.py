"""The documents of a plain YAML manifest file, as PyYAML's safe loader gives them, built
straight from libyaml's nodes.

PyYAML's constructor is pure Python and takes several calls for every value; a manifest file
of ten targets spent most of its load there. Most manifests hold only mappings with string
keys, lists, strings, whole numbers, booleans and nulls, and no anchors: those are built here
in one call per node. Anything else (an anchor or alias, a merge key, a float, a timestamp,
a number in another base, a duplicate or non-string key, another tag) gives None, and the
caller runs PyYAML's constructor on the whole file. A test compares both on many files.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import yaml

_STR = "tag:yaml.org,2002:str"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_INT = "tag:yaml.org,2002:int"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_DECIMAL = re.compile(r"[-+]?(?:0|[1-9][0-9]*)")
"""A whole number PyYAML reads as decimal (a leading 0 is octal in YAML 1.1, ``_`` and
``:`` are read their own ways)."""
_BOOLEANS = {"yes": True, "no": False, "true": True, "false": False, "on": True, "off": False}

_BASE_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_RESOLVER = yaml.resolver.Resolver()


@lru_cache(maxsize=4096)
def _implicit_tag(value: str) -> str:
    """The tag the safe loader gives an untagged plain scalar (a manifest repeats its keys
    and values: each is matched against the resolver's patterns once)."""
    tag: str = _RESOLVER.resolve(yaml.ScalarNode, value, (True, False))  # type: ignore[no-untyped-call]
    return tag


class _Loader(_BASE_LOADER):  # type: ignore[misc]
    """The safe loader, resolving tags as it does with fewer Python steps per node: libyaml
    asks for every node's tag (and calls the path-resolver hooks, which bakepy never sets)."""

    def resolve(self, kind: type[yaml.Node], value: Any, implicit: Any) -> str:
        if kind is yaml.ScalarNode:
            return _implicit_tag(value) if implicit[0] else _STR
        return _MAP if kind is yaml.MappingNode else _SEQ

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        """No path resolvers: nothing to follow."""

    def ascend_resolver(self) -> None:
        """No path resolvers: nothing to follow."""


_LOADER: Any = _Loader


class NotPlain(Exception):
    """A node PyYAML's constructor must build."""


def plain_scalar(text: str) -> Any:
    """The value of the untagged plain scalar ``text``, as the safe loader gives it: a
    string, a decimal whole number, a boolean or None; NotPlain for any other type."""
    tag = _implicit_tag(text)
    if tag == _STR:
        return text
    if tag == _INT and _DECIMAL.fullmatch(text):
        return int(text)
    if tag == _BOOL:
        return _BOOLEANS[text.lower()]
    if tag == _NULL:
        return None
    raise NotPlain


def plain_documents(text: str) -> list[Any] | None:
    """The non-null documents of ``text`` as ``yaml.load_all`` with the safe loader gives
    them; None when the file holds anything but plain values (or an anchor)."""
    if "&" in text:  # anchors (and so aliases): shared or recursive values
        return None
    try:
        built = [
            _value(node) for node in yaml.compose_all(text, Loader=_LOADER) if node is not None
        ]
    except NotPlain:
        return None
    return [document for document in built if document is not None]


def _value(node: yaml.Node) -> Any:
    """The value of one node (and all below it)."""
    tag = node.tag
    if tag == _STR:
        return node.value
    if tag == _MAP:
        mapping: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag != _STR or key_node.value in mapping:
                raise NotPlain  # a merge key, a key of another type, or a key given twice
            mapping[key_node.value] = _value(value_node)
        return mapping
    if tag == _SEQ:
        return [_value(item) for item in node.value]
    if tag == _INT and _DECIMAL.fullmatch(node.value):
        return int(node.value)
    if tag == _BOOL:
        return _BOOLEANS[node.value.lower()]
    if tag == _NULL:
        return None
    raise NotPlain


__all__ = ["NotPlain", "plain_documents", "plain_scalar"]
