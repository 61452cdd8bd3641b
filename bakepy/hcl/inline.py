"""Calls of declared bake functions written out in place, for the one place buildx cannot make
them: a JSON bake file's variable default (buildx sees calls only in HCL syntax and registers
the declared functions after every variable, so ``"${pick(V)}"`` there is "no function").

A call ``f(a, b)`` becomes ``[for ARGS in [[a, b]] : [for p in [ARGS[0]] : [for q in
[ARGS[1]] : (RESULT)][0]][0]][0]``: the arguments are evaluated where the call was, then bound
to the parameter names the function's result reads, which is what calling it does.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from bakepy.errors import HclError
from bakepy.hcl.lexer import IDENT, Token, tokenize_template
from bakepy.hcl.writing import hcl_string

ARGS = "bakepy_call_args"
"""The loop variable that holds a written-out call's arguments."""

MAX_CALLS = 200
"""Written-out calls in one value at most (declared functions may call each other)."""

_OPEN = {"(": ")", "[": "]", "{": "}"}
_CLOSE = {")", "]", "}"}


def inline_calls(text: str, functions: Mapping[str, Mapping[str, Any]]) -> str:
    """``text`` (template text, as a JSON bake file holds a string) with every call of a
    function in ``functions`` written out in place; text that calls none is returned as is."""
    for _ in range(MAX_CALLS):
        if "${" not in text and "%{" not in text:
            return text
        try:
            replaced = _inline_first(text, functions)
        except HclError:
            return text  # not a valid template: left as written, for bake to report
        if replaced is None:
            return text
        text = replaced
    raise HclError(f"more than {MAX_CALLS} calls of declared functions to write out")


def _inline_first(text: str, functions: Mapping[str, Mapping[str, Any]]) -> str | None:
    """``text`` with its first call of a declared function written out, or None if none."""
    tokens = tokenize_template(text, quoted=False)
    for index, token in enumerate(tokens[:-1]):
        if token.kind != IDENT or token.value not in functions or tokens[index + 1].kind != "(":
            continue
        if index and tokens[index - 1].kind == ".":
            continue  # an attribute, not a call
        found = _arguments(text, tokens, index + 1)
        if found is None:
            continue  # an expanded call (f(xs...)): left as written
        arguments, end = found
        call = _written_out(functions[token.value], arguments)
        return text[: token.pos] + call + text[end:]
    return None


def _arguments(text: str, tokens: list[Token], start: int) -> tuple[list[str], int] | None:
    """The argument texts of the call whose ``(`` is ``tokens[start]``, and the offset just
    after its ``)``; None for a call that expands its last argument."""
    closing = [")"]
    arguments: list[str] = []
    begin = tokens[start].pos + 1
    for index in range(start + 1, len(tokens)):
        token = tokens[index]
        if token.kind in _OPEN:
            closing.append(_OPEN[token.kind])
        elif token.kind in _CLOSE:
            closing.pop()
            if not closing:
                if text[begin : token.pos].strip():
                    arguments.append(text[begin : token.pos].strip())
                if index and tokens[index - 1].kind == "...":
                    return None
                return arguments, token.pos + 1
        elif token.kind == "," and len(closing) == 1:
            arguments.append(text[begin : token.pos].strip())
            begin = token.pos + 1
    return None


def _written_out(function: Mapping[str, Any], arguments: list[str]) -> str:
    """The call of ``function`` with ``arguments`` as one expression."""
    params = [str(name) for name in function.get("params") or []]
    variadic = function.get("variadic_params")
    body = f"({_as_expression(function.get('result'))})"
    if variadic:
        rest = f"slice({ARGS}, {len(params)}, length({ARGS}))"
        body = f"[for {variadic} in [{rest}] : {body}][0]"
    for position, name in reversed(list(enumerate(params))):
        body = f"[for {name} in [{ARGS}[{position}]] : {body}][0]"
    return f"([for {ARGS} in [[{', '.join(arguments)}]] : {body}][0])"


def _as_expression(value: Any) -> str:
    """A function's result (a native value: template text, a list, a map) as an expression."""
    if isinstance(value, str):
        inner = value[2:-1] if value.startswith("${") and value.endswith("}") else None
        if inner is not None and _one_interpolation(value):
            return inner
        return hcl_string(value)
    if isinstance(value, list):
        return "[" + ", ".join(_as_expression(item) for item in value) + "]"
    if isinstance(value, dict):
        pairs = (f"{hcl_string(key)} = {_as_expression(item)}" for key, item in value.items())
        return "{" + ", ".join(pairs) + "}"
    return json.dumps(value)


def _one_interpolation(text: str) -> bool:
    """Whether template ``text`` is exactly one ``${...}`` and nothing around it."""
    tokens = tokenize_template(text, quoted=False)
    depth = 0
    for token in tokens[:-1]:
        if token.kind in ("INTERP", "CONTROL"):
            depth += 1
        elif token.kind == "SEQ_END":
            depth -= 1
            if depth == 0 and token.pos + (2 if token.value else 1) < len(text):
                return False
    return True
