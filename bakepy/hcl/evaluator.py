"""Compiles HCL syntax trees into Python closures (once per source text) and evaluates them."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

from bakepy.errors import HclError
from bakepy.hcl.functions.special import can_function, convert_function, try_function
from bakepy.hcl.nodes import (
    Binary,
    Call,
    Conditional,
    Expr,
    ForExpr,
    GetAttr,
    Index,
    Literal,
    ObjectCons,
    Splat,
    SplatItem,
    Template,
    TemplateFor,
    TemplateIf,
    TupleCons,
    Unary,
    Variable,
)
from bakepy.hcl.operators import ARITHMETIC, get_attr, get_index, negate
from bakepy.hcl.parser import parse_expression, parse_template, plain_template_parts
from bakepy.hcl.scope import Scope
from bakepy.hcl.types import TypeSpec, convert, type_from_expression
from bakepy.hcl.values import (
    equal,
    format_number,
    is_number,
    iterate,
    to_bool,
    to_str,
    type_name,
)

Compiled = Callable[[Scope], Any]

_SPLAT_ITEM = "\x00splat-item"  # a variable name no HCL source can spell
_RUNTIME_ERRORS = (
    TypeError,
    ValueError,
    ArithmeticError,
    IndexError,
    KeyError,
    AttributeError,
    RecursionError,
)


def describe_exception(exc: BaseException) -> str:
    """A readable one-line reason for a Python exception raised while evaluating."""
    if isinstance(exc, OverflowError):
        return "number is too large"
    if isinstance(exc, ArithmeticError):
        return "invalid numeric operation"
    if isinstance(exc, ValueError) and "integer string conversion" in str(exc):
        return "number is too large to convert to text"
    text = str(exc).replace("\n", " ").strip()
    return text or type(exc).__name__


def compile_node(node: Expr) -> Compiled:
    """Turn a syntax tree into a function of the scope that computes its value."""
    compiler = _COMPILERS.get(type(node))
    if compiler is None:
        raise HclError(f"cannot evaluate {type(node).__name__} node")
    return compiler(node)


# -- leaves -------------------------------------------------------------------------------


def _literal(node: Literal) -> Compiled:
    value = node.value
    return lambda _scope: value


def _variable(node: Variable) -> Compiled:
    name = node.name
    return lambda scope: scope.lookup(name)


def _splat_item(_node: SplatItem) -> Compiled:
    return lambda scope: scope.lookup(_SPLAT_ITEM)


# -- traversals ---------------------------------------------------------------------------


def _get_attr(node: GetAttr) -> Compiled:
    source = compile_node(node.source)
    name = node.name
    return lambda scope: get_attr(source(scope), name)


def _index(node: Index) -> Compiled:
    source = compile_node(node.source)
    if isinstance(node.key, Literal):
        constant = node.key.value
        return lambda scope: get_index(source(scope), constant)
    key = compile_node(node.key)
    return lambda scope: get_index(source(scope), key(scope))


def _splat(node: Splat) -> Compiled:
    source = compile_node(node.source)
    each = compile_node(node.each)

    def run(scope: Scope) -> Any:
        value = source(scope)
        if value is None:
            return []
        items = value if isinstance(value, list | tuple) else [value]
        frame: dict[str, Any] = {}
        inner = Scope(frame, parent=scope)
        result = []
        for item in items:
            frame[_SPLAT_ITEM] = item
            result.append(each(inner))
        return result

    return run


# -- operators ----------------------------------------------------------------------------


def _unary(node: Unary) -> Compiled:
    operand = compile_node(node.operand)
    if node.op == "-":
        return lambda scope: negate(operand(scope))
    return lambda scope: not to_bool(operand(scope), 'operand of "!"')


def _binary(node: Binary) -> Compiled:
    left = compile_node(node.left)
    right = compile_node(node.right)
    op = node.op
    if op == "==":
        return lambda scope: equal(left(scope), right(scope))
    if op == "!=":
        return lambda scope: not equal(left(scope), right(scope))
    if op in ("&&", "||"):
        return _logical(op, left, right)
    operation = ARITHMETIC[op]
    return lambda scope: operation(left(scope), right(scope))


def _logical(op: str, left: Compiled, right: Compiled) -> Compiled:
    """`&&`/`||`: a decisive side wins even if the other side fails, as in current HCL."""
    decisive = op == "||"

    def side(scope: Scope, operand: Compiled, name: str) -> tuple[bool | None, HclError | None]:
        try:
            value = operand(scope)
        except HclError as exc:
            return None, exc
        return to_bool(value, f'{name} operand of "{op}"'), None

    def run(scope: Scope) -> bool:
        left_value, left_error = side(scope, left, "left")
        if left_value is decisive:
            return decisive
        right_value, right_error = side(scope, right, "right")
        if right_value is decisive:
            return decisive
        if left_error is not None:
            raise left_error
        if right_error is not None:
            raise right_error
        return not decisive

    return run


def _static_kind(node: Expr) -> str | None:
    """The result type of a branch when it is obvious without evaluating it."""
    if isinstance(node, Template):
        return None if node.wrap else "string"
    if isinstance(node, Literal):
        value = node.value
        if value is None:
            return None
        if isinstance(value, bool):
            return "bool"
        return "string" if isinstance(value, str) else "number"
    if isinstance(node, TupleCons) or (isinstance(node, ForExpr) and node.key is None):
        return "tuple"
    if isinstance(node, ObjectCons | ForExpr):
        return "object"
    return None


def _unifiable(first: str | None, second: str | None) -> bool:
    """Whether HCL can find one type for both conditional results (when both are known)."""
    if first is None or second is None or first == second:
        return True
    return "string" in (first, second) and {first, second} <= {"string", "number", "bool"}


def _conditional(node: Conditional) -> Compiled:
    cond = compile_node(node.cond)
    if_true = compile_node(node.if_true)
    if_false = compile_node(node.if_false)
    true_kind = _static_kind(node.if_true)
    false_kind = _static_kind(node.if_false)
    inconsistent = not _unifiable(true_kind, false_kind)
    # HCL unifies both result types: `c ? 1 : "x"` yields the string "1".
    true_to_string = false_kind == "string"
    false_to_string = true_kind == "string"

    def run(scope: Scope) -> Any:
        if inconsistent:
            raise HclError(
                "inconsistent conditional result types: the true value is "
                f"{true_kind}, but the false value is {false_kind}"
            )
        condition = cond(scope)
        if condition is None:
            raise HclError("conditional: the condition value is null")
        if to_bool(condition, "condition"):
            value = if_true(scope)
            to_string = true_to_string
        else:
            value = if_false(scope)
            to_string = false_to_string
        if to_string and (isinstance(value, bool) or is_number(value)):
            return to_str(value)
        return value

    return run


# -- collections --------------------------------------------------------------------------


def _tuple(node: TupleCons) -> Compiled:
    items = [compile_node(item) for item in node.items]
    return lambda scope: [item(scope) for item in items]


def _object_key(value: Any) -> str:
    if value is None:
        raise HclError("object key must not be null")
    if isinstance(value, list | tuple | dict):
        raise HclError(f"object key must be a string, got {type_name(value)}")
    return to_str(value)


def _object(node: ObjectCons) -> Compiled:
    pairs: list[tuple[str | Compiled, Compiled]] = []
    for key_node, value_node in node.items:
        if isinstance(key_node, Literal):
            key: str | Compiled = _object_key(key_node.value)
        else:
            key = compile_node(key_node)
        pairs.append((key, compile_node(value_node)))

    def run(scope: Scope) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key, value in pairs:
            name = key if isinstance(key, str) else _object_key(key(scope))
            result[name] = value(scope)
        return result

    return run


def _for(node: ForExpr) -> Compiled:
    collection = compile_node(node.collection)
    value_fn = compile_node(node.value)
    key_fn = compile_node(node.key) if node.key is not None else None
    cond_fn = compile_node(node.cond) if node.cond is not None else None
    key_var = node.key_var
    value_var = node.value_var
    group = node.group

    def accept(inner: Scope) -> bool:
        if cond_fn is None:
            return True
        condition = cond_fn(inner)
        if condition is None:
            raise HclError("for expression: the if condition is null")
        return to_bool(condition, "for expression condition")

    def run(scope: Scope) -> Any:
        frame: dict[str, Any] = {}
        inner = Scope(frame, parent=scope)
        pairs = iterate(collection(scope))
        if key_fn is None:
            items = []
            for key, value in pairs:
                if key_var is not None:
                    frame[key_var] = key
                frame[value_var] = value
                if accept(inner):
                    items.append(value_fn(inner))
            return items
        result: dict[str, Any] = {}
        for key, value in pairs:
            if key_var is not None:
                frame[key_var] = key
            frame[value_var] = value
            if not accept(inner):
                continue
            name = _object_key(key_fn(inner))
            element = value_fn(inner)
            if group:
                result.setdefault(name, []).append(element)
            elif name in result:
                raise HclError(
                    f'for expression produced duplicate key "{name}"; '
                    'add "..." after the value to group values by key'
                )
            else:
                result[name] = element
        return result

    return run


# -- function calls -----------------------------------------------------------------------


@lru_cache(maxsize=1)
def _arity_table() -> Mapping[Callable[..., Any], tuple[int, int | None]]:
    """The built-ins' argument counts, loaded once, with the function table they describe
    (a scope loads that table before any function is called)."""
    from bakepy.hcl.stdlib import ARITY

    return ARITY


def call_function(name: str, function: Callable[..., Any], args: list[Any]) -> Any:
    """Call a function, turning argument-count mistakes and failures into HclError."""
    arity = _arity_table().get(function)
    if arity is not None:
        minimum, maximum = arity
        if len(args) < minimum or (maximum is not None and len(args) > maximum):
            raise HclError(
                f'call to function "{name}" failed: {_arity_text(minimum, maximum)}, '
                f"got {len(args)}"
            )
    try:
        return function(*args)
    except HclError as exc:
        raise HclError(f'call to function "{name}" failed: {exc.message}') from None
    except _RUNTIME_ERRORS as exc:
        raise HclError(f'call to function "{name}" failed: {describe_exception(exc)}') from exc


def _arity_text(minimum: int, maximum: int | None) -> str:
    def plural(count: int) -> str:
        return f"{count} argument" + ("" if count == 1 else "s")

    if maximum is None:
        return f"expected at least {plural(minimum)}"
    if minimum == maximum:
        return f"expected {plural(minimum)}"
    return f"expected {minimum} to {plural(maximum)}"


def _call(node: Call) -> Compiled:
    name = node.name
    args = [compile_node(arg) for arg in node.args]
    expand = node.expand
    convert_type: TypeSpec | HclError | None = None
    if name == "convert" and len(node.args) == 2:
        try:
            convert_type = type_from_expression(node.args[1])
        except HclError as exc:
            convert_type = exc

    def evaluate_args(scope: Scope) -> list[Any]:
        values = [arg(scope) for arg in args]
        if expand:
            last = values.pop()
            if not isinstance(last, list | tuple):
                raise HclError(
                    f'call to function "{name}" failed: the argument before "..." must be a '
                    f"list, got {type_name(last)}"
                )
            values.extend(last)
        return values

    def run(scope: Scope) -> Any:
        function = scope.function(name)
        if function is try_function:
            return _try(args, scope)
        if function is can_function:
            return _can(args, scope)
        if function is convert_function and convert_type is not None:
            if isinstance(convert_type, HclError):
                raise HclError(f'call to function "convert" failed: {convert_type.message}')
            try:
                return convert(args[0](scope), convert_type)
            except HclError as exc:
                raise HclError(f'call to function "convert" failed: {exc.message}') from None
        return call_function(name, function, evaluate_args(scope))

    return run


def _try(args: list[Compiled], scope: Scope) -> Any:
    """try(a, b, ...): the first argument that evaluates without an error."""
    if not args:
        raise HclError('call to function "try" failed: at least one argument is required')
    last_error: HclError | None = None
    for arg in args:
        try:
            return arg(scope)
        except HclError as exc:
            last_error = exc
    raise HclError(f'call to function "try" failed: no expression succeeded: {last_error}')


def _can(args: list[Compiled], scope: Scope) -> bool:
    """can(expr): whether the argument evaluates without an error."""
    if len(args) != 1:
        raise HclError(f'call to function "can" failed: expected 1 argument, got {len(args)}')
    try:
        args[0](scope)
    except HclError:
        return False
    return True


# -- templates ----------------------------------------------------------------------------


def template_string(value: Any) -> str:
    """Convert an interpolated value to text; null and collections are errors."""
    if type(value) is str:
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if is_number(value):
        return format_number(value)
    if value is None:
        raise HclError("invalid template interpolation value: the value is null")
    raise HclError(
        f"invalid template interpolation value: cannot include a {type_name(value)} "
        "in a string template"
    )


def _template(node: Template) -> Compiled:
    if node.wrap:
        first = node.parts[0]
        assert isinstance(first, Expr)
        return compile_node(first)
    return _template_text(node)


def _template_text(node: Template) -> Callable[[Scope], str]:
    pieces: list[str | Callable[[Scope], str]] = []
    for part in node.parts:
        if isinstance(part, str):
            if pieces and isinstance(pieces[-1], str):
                pieces[-1] += part
            else:
                pieces.append(part)
        elif isinstance(part, TemplateIf):
            pieces.append(_template_if(part))
        elif isinstance(part, TemplateFor):
            pieces.append(_template_for(part))
        else:
            pieces.append(_interpolation(compile_node(part)))
    if not pieces:
        return lambda _scope: ""
    if len(pieces) == 1:
        only = pieces[0]
        if isinstance(only, str):
            return lambda _scope: only
        return only

    def run(scope: Scope) -> str:
        return "".join([p if isinstance(p, str) else p(scope) for p in pieces])

    return run


def _interpolation(expr: Compiled) -> Callable[[Scope], str]:
    return lambda scope: template_string(expr(scope))


def _template_if(part: TemplateIf) -> Callable[[Scope], str]:
    cond = compile_node(part.cond)
    then = _template_text(part.then)
    otherwise = _template_text(part.otherwise)

    def run(scope: Scope) -> str:
        condition = cond(scope)
        if condition is None:
            raise HclError("template if directive: the condition value is null")
        return then(scope) if to_bool(condition, "if directive condition") else otherwise(scope)

    return run


def _template_for(part: TemplateFor) -> Callable[[Scope], str]:
    collection = compile_node(part.collection)
    body = _template_text(part.body)
    key_var = part.key_var
    value_var = part.value_var

    def run(scope: Scope) -> str:
        frame: dict[str, Any] = {}
        inner = Scope(frame, parent=scope)
        chunks = []
        for key, value in iterate(collection(scope), "template for directive"):
            if key_var is not None:
                frame[key_var] = key
            frame[value_var] = value
            chunks.append(body(inner))
        return "".join(chunks)

    return run


_COMPILERS: dict[type, Callable[[Any], Compiled]] = {
    Literal: _literal,
    Variable: _variable,
    SplatItem: _splat_item,
    GetAttr: _get_attr,
    Index: _index,
    Splat: _splat,
    Unary: _unary,
    Binary: _binary,
    Conditional: _conditional,
    TupleCons: _tuple,
    ObjectCons: _object,
    ForExpr: _for,
    Call: _call,
    Template: _template,
}


# -- public entry points ------------------------------------------------------------------


@lru_cache(maxsize=16384)
def compile_expression(text: str) -> Compiled:
    """The compiled form of a bare expression (parsed and compiled once per source text)."""
    return compile_node(parse_expression(text))


@lru_cache(maxsize=16384)
def compile_template(text: str, *, quoted: bool = True) -> Compiled:
    """The compiled form of a template body (parsed and compiled once per source text); a
    plain one (only ``${name}`` sequences) straight from its parts, without a syntax tree."""
    parts = plain_template_parts(text)
    if parts is not None:
        return _plain_template(parts)
    return compile_node(parse_template(text, quoted=quoted))


def _plain_template(parts: list[str]) -> Compiled:
    """What ``compile_node`` makes of a plain template's node, in one closure: a monorepo's
    thousands of distinct tags (``${REGISTRY}/team/app:${TAG}``) are each compiled once, and
    the node and its three closures a tag cost more than the evaluation. ``parts`` alternate
    literal runs and variable names (``plain_template_parts``); the values are looked up and
    converted left to right, as ``_template_text``'s pieces are."""
    if len(parts) == 1:
        literal = parts[0]
        return lambda _scope: literal
    if len(parts) == 3 and not parts[0] and not parts[2]:  # one interpolation: its raw value
        only = parts[1]
        return lambda scope: scope.lookup(only)
    head = parts[0]
    rest = tuple(zip(parts[1::2], parts[2::2], strict=True))

    def run(scope: Scope) -> str:
        text = head
        for name, literal in rest:
            text += template_string(scope.lookup(name)) + literal
        return text

    return run


def _run(compiled: Compiled, scope: Scope) -> Any:
    try:
        return compiled(scope)
    except RecursionError:
        raise HclError("evaluation is nested too deeply (recursive function?)") from None
    except HclError:
        raise
    except _RUNTIME_ERRORS as exc:
        raise HclError(f"evaluation failed: {describe_exception(exc)}") from exc


def evaluate(text: str, scope: Scope) -> Any:
    """Evaluate a bare HCL expression such as `TAG != "" && length(X) > 2`."""
    return _run(compile_expression(text), scope)


def render_template(text: str, scope: Scope, *, quoted: bool = True) -> Any:
    """Evaluate a template body; a lone `${expr}` returns its raw value, otherwise a string."""
    return _run(compile_template(text, quoted=quoted), scope)
