"""Limits on what a YAML file may make bakepy build: an alias bomb (700 bytes that expand to
billions of nodes) or a document nested thousands deep is refused with an error naming the
limit, as compose refuses "excessive aliasing", instead of growing memory without bound."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from bakepy.errors import LoadError, Location

EXPANDED_NODES_LIMIT = 1_000_000
"""Nodes a document may hold once its aliases are expanded."""
DEPTH_LIMIT = 200
"""Levels of nesting a document may have (Python's recursion is the hard stop)."""
LIMITS_HINT = "bakepy refuses YAML this large or deep; write the values out, or split the file"
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _expanded_size(node: yaml.Node, memo: dict[int, int], depth: int) -> int:
    """How many nodes ``node`` stands for with every alias expanded (shared nodes counted
    each time they are used, as a reader walking the data sees them)."""
    known = memo.get(id(node))
    if known is not None:
        return known
    if depth > DEPTH_LIMIT:
        raise RecursionError
    size = 1
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            size += _expanded_size(key, memo, depth + 1) + _expanded_size(value, memo, depth + 1)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            size += _expanded_size(item, memo, depth + 1)
    memo[id(node)] = size
    return size


_OPENING = (
    yaml.BlockMappingStartToken,
    yaml.BlockSequenceStartToken,
    yaml.FlowMappingStartToken,
    yaml.FlowSequenceStartToken,
)
_CLOSING = (yaml.BlockEndToken, yaml.FlowMappingEndToken, yaml.FlowSequenceEndToken)


def too_deep(path: Path, text: str) -> LoadError:
    """The error for a document nested deeper than ``DEPTH_LIMIT``, at the line where its
    nesting first goes past the limit (found by YAML's scanner, which does not recurse), or
    where libyaml's scanner stopped at its own limit."""
    depth = 0
    line: int | None = None
    try:
        for token in yaml.scan(text, Loader=_LOADER):
            if isinstance(token, _OPENING):
                depth += 1
                if depth > DEPTH_LIMIT:
                    line = token.start_mark.line + 1
                    break
            elif isinstance(token, _CLOSING):
                depth -= 1
    except yaml.YAMLError as exc:  # libyaml stops at its own depth limit: where it stopped
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
    return LoadError(
        f"nested deeper than {DEPTH_LIMIT} levels", Location(path, line), hint=LIMITS_HINT
    )


def check_aliases(path: Path, text: str) -> None:
    """Refuse a file whose aliases expand past ``EXPANDED_NODES_LIMIT`` nodes (only files that
    use anchors are composed for it: the others cannot grow)."""
    if "&" not in text or "*" not in text:
        return
    try:
        for node in yaml.compose_all(text, Loader=_LOADER):
            if node is None:
                continue
            size = _expanded_size(node, {}, 0)
            if size > EXPANDED_NODES_LIMIT:
                raise LoadError(
                    f"its aliases expand to {size:,} nodes, over the limit of "
                    f"{EXPANDED_NODES_LIMIT:,}",
                    Location(path, node.start_mark.line + 1),
                    hint=LIMITS_HINT,
                )
    except RecursionError:
        raise too_deep(path, text) from None
    except yaml.YAMLError:
        return  # the loader reports the syntax error with its line
