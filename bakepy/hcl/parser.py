"""Recursive-descent (Pratt for binary operators) parser for HCL expressions and templates."""

from __future__ import annotations

import re
from functools import lru_cache

from bakepy.errors import HclError
from bakepy.hcl.lexer import (
    CONTROL,
    CQUOTE,
    EOF,
    IDENT,
    INTERP,
    LITERAL,
    NUMBER,
    OQUOTE,
    SEQ_END,
    Token,
    number_value,
    syntax_error,
    tokenize_expression,
    tokenize_template,
)
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
    TemplatePart,
    TupleCons,
    Unary,
    Variable,
)

__all__ = [
    "Binary",
    "Call",
    "Conditional",
    "Expr",
    "ForExpr",
    "GetAttr",
    "Index",
    "Literal",
    "ObjectCons",
    "Parser",
    "Splat",
    "SplatItem",
    "Template",
    "TemplateFor",
    "TemplateIf",
    "TupleCons",
    "Unary",
    "Variable",
    "parse_expression",
    "parse_template",
    "plain_template_parts",
]

# Binary operator precedence, lowest first (HCL spec).
_PRECEDENCE = {
    "||": 1,
    "&&": 2,
    "==": 3,
    "!=": 3,
    "<": 4,
    "<=": 4,
    ">": 4,
    ">=": 4,
    "+": 5,
    "-": 5,
    "*": 6,
    "/": 6,
    "%": 6,
}
_KEYWORD_LITERALS = {"true": True, "false": False, "null": None}
_PLAIN_TEMPLATE = re.compile(r'(?:[^$%\\"\n\r]|\$\{[A-Za-z_][A-Za-z0-9_]*\})*')
_PLAIN_INTERPOLATION = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_DESCRIBE = {
    EOF: "end of input",
    IDENT: "identifier",
    NUMBER: "number",
    OQUOTE: "string",
    CQUOTE: "closing quote",
    LITERAL: "template text",
    INTERP: "'${'",
    CONTROL: "'%{'",
    SEQ_END: "'}'",
}


# A flat template item before nesting: (kind, payload, strip_left, strip_right, position).
_Item = tuple[str, object, bool, bool, int]


class Parser:
    """Parses one token list; `newline_stops` tracks where newlines end an expression."""

    def __init__(self, text: str, tokens: list[Token]) -> None:
        self.text = text
        self.tokens = tokens
        self.index = 0
        self.newline_stops = [False]

    # -- token helpers ---------------------------------------------------------------------

    def peek(self, offset: int = 0) -> Token:
        """The token `offset` places ahead (EOF when past the end)."""
        index = self.index + offset
        if index < len(self.tokens):
            return self.tokens[index]
        return self.tokens[-1]

    def advance(self) -> Token:
        """Consume and return the current token."""
        token = self.tokens[self.index]
        if token.kind != EOF:
            self.index += 1
        return token

    def at(self, kind: str) -> bool:
        """True when the current token has `kind` and is not cut off by a significant newline."""
        token = self.peek()
        if token.kind != kind:
            return False
        return not (self.newline_stops[-1] and token.newline_before)

    def expect(self, kind: str, context: str) -> Token:
        """Consume a token of `kind` or raise a syntax error naming what was expected."""
        token = self.peek()
        if token.kind != kind:
            raise self.error(token, f"expected {_DESCRIBE.get(kind, repr(kind))} {context}")
        return self.advance()

    def error(self, token: Token, message: str) -> HclError:
        """A syntax error at `token`, mentioning what was found there."""
        found = _DESCRIBE.get(token.kind)
        if found is None:
            found = repr(token.value)
        elif token.kind in (IDENT, NUMBER):
            found = f"{found} {token.value!r}"
        return syntax_error(self.text, token.pos, f"{message}, found {found}")

    def _ident_is(self, token: Token, word: str) -> bool:
        return token.kind == IDENT and token.value == word

    # -- entry points ----------------------------------------------------------------------

    def parse_whole_expression(self) -> Expr:
        """Parse the entire token list as one expression."""
        expr = self.expression()
        token = self.peek()
        if token.kind != EOF:
            raise self.error(token, "unexpected extra input after expression")
        return expr

    def parse_whole_template(self) -> Template:
        """Parse the entire token list as one template."""
        return self.template(EOF)

    # -- expressions -----------------------------------------------------------------------

    def expression(self) -> Expr:
        """expression := binary ('?' expression ':' expression)?"""
        cond = self.binary(1)
        if not self.at("?"):
            return cond
        self.advance()
        self.newline_stops.append(False)
        try:
            if_true = self.expression()
            self.expect(":", "in conditional expression")
            if_false = self.expression()
        finally:
            self.newline_stops.pop()
        return Conditional(cond, if_true, if_false)

    def binary(self, min_precedence: int) -> Expr:
        """Precedence climbing over left-associative binary operators."""
        left = self.unary()
        while True:
            token = self.peek()
            precedence = _PRECEDENCE.get(token.kind)
            if precedence is None or precedence < min_precedence:
                return left
            if self.newline_stops[-1] and token.newline_before:
                return left
            self.advance()
            right = self.binary(precedence + 1)
            left = Binary(token.kind, left, right)

    def unary(self) -> Expr:
        """unary := ('-' | '!') unary | postfix"""
        token = self.peek()
        if token.kind in ("-", "!"):
            self.advance()
            operand = self.unary()
            if (
                token.kind == "-"
                and isinstance(operand, Literal)
                and isinstance(operand.value, int | float)
                and not isinstance(operand.value, bool)
            ):
                return Literal(-operand.value)
            return Unary(token.kind, operand)
        return self.postfix(self.primary())

    def postfix(self, expr: Expr, *, attrs_only: bool = False) -> Expr:
        """Attribute access, indexing and splats following a primary expression."""
        while True:
            if self.at("."):
                token = self.peek(1)
                if token.kind == IDENT:
                    self.index += 2
                    expr = GetAttr(expr, str(token.value))
                elif token.kind == NUMBER:
                    self.index += 2
                    for part in str(token.value).split("."):
                        if not part.isdigit():
                            raise self.error(token, "invalid legacy index")
                        expr = Index(expr, Literal(int(part)))
                elif token.kind == "*" and not attrs_only:
                    self.index += 2
                    each = self.postfix(SplatItem(), attrs_only=True)
                    expr = Splat(expr, each)
                else:
                    raise self.error(token, "expected attribute name after '.'")
            elif self.at("[") and not attrs_only:
                if self.peek(1).kind == "*" and self.peek(2).kind == "]":
                    self.index += 3
                    each = self.postfix(SplatItem())
                    return Splat(expr, each)
                self.advance()
                self.newline_stops.append(False)
                try:
                    key = self.expression()
                    self.expect("]", "to close index")
                finally:
                    self.newline_stops.pop()
                expr = Index(expr, key)
            else:
                return expr

    def primary(self) -> Expr:
        """Literals, variables, calls, parentheses, collections, strings."""
        token = self.peek()
        kind = token.kind
        if kind == NUMBER:
            self.advance()
            return Literal(number_value(token))
        if kind == IDENT:
            self.advance()
            name = str(token.value)
            if name in _KEYWORD_LITERALS:
                return Literal(_KEYWORD_LITERALS[name])
            if self.at("("):
                return self.call(name)
            return Variable(name)
        if kind == OQUOTE:
            self.advance()
            return self.template(CQUOTE)
        if kind == "(":
            self.advance()
            self.newline_stops.append(False)
            try:
                inner = self.expression()
                self.expect(")", "to close parenthesis")
            finally:
                self.newline_stops.pop()
            return inner
        if kind == "[":
            return self.tuple_or_for()
        if kind == "{":
            return self.object_or_for()
        raise self.error(token, "expected an expression")

    def call(self, name: str) -> Expr:
        """Function call arguments: '(' (expr (',' expr)* '...'? ','?)? ')'"""
        self.advance()  # "("
        self.newline_stops.append(False)
        args: list[Expr] = []
        expand = False
        try:
            while self.peek().kind != ")":
                args.append(self.expression())
                if self.peek().kind == "...":
                    self.advance()
                    expand = True
                    if self.peek().kind == ",":
                        self.advance()
                    if self.peek().kind != ")":
                        raise self.error(self.peek(), "'...' must follow the last argument")
                    break
                if self.peek().kind == ",":
                    self.advance()
                elif self.peek().kind != ")":
                    raise self.error(self.peek(), f"expected ',' or ')' in call to {name}")
            self.advance()  # ")"
        finally:
            self.newline_stops.pop()
        return Call(name, tuple(args), expand)

    def tuple_or_for(self) -> Expr:
        """'[' items ']' or a tuple for-expression."""
        self.advance()  # "["
        self.newline_stops.append(False)
        try:
            if self._ident_is(self.peek(), "for") and self.peek(1).kind == IDENT:
                return self.for_expression("]")
            items: list[Expr] = []
            while self.peek().kind != "]":
                items.append(self.expression())
                if self.peek().kind == ",":
                    self.advance()
                elif self.peek().kind != "]":
                    raise self.error(self.peek(), "expected ',' or ']' in tuple")
            self.advance()
        finally:
            self.newline_stops.pop()
        return TupleCons(tuple(items))

    def object_or_for(self) -> Expr:
        """'{' (key ('='|':') value (','|newline))* '}' or an object for-expression."""
        self.advance()  # "{"
        if self._ident_is(self.peek(), "for") and self.peek(1).kind == IDENT:
            self.newline_stops.append(False)
            try:
                return self.for_expression("}")
            finally:
                self.newline_stops.pop()
        self.newline_stops.append(True)
        items: list[tuple[Expr, Expr]] = []
        separated = True
        try:
            while self.peek().kind != "}":
                if not (separated or self.peek().newline_before):
                    raise self.error(self.peek(), "expected ',' or newline between object items")
                key = self.object_key()
                if self.peek().kind not in ("=", ":"):
                    raise self.error(self.peek(), "expected '=' or ':' after object key")
                self.advance()
                items.append((key, self.expression()))
                separated = self.peek().kind == ","
                if separated:
                    self.advance()
            self.advance()
        finally:
            self.newline_stops.pop()
        return ObjectCons(tuple(items))

    def object_key(self) -> Expr:
        """An object key: a bare identifier is a literal name, anything else is evaluated."""
        token = self.peek()
        if token.kind == IDENT and self.peek(1).kind in ("=", ":"):
            self.advance()
            return Literal(str(token.value))
        return self.expression()

    def for_expression(self, close: str) -> Expr:
        """`for k, v in coll : [key =>] value [...] [if cond]` up to the closing bracket."""
        self.advance()  # "for"
        first = str(self.expect(IDENT, "after 'for'").value)
        key_var: str | None = None
        value_var = first
        if self.peek().kind == ",":
            self.advance()
            key_var = first
            value_var = str(self.expect(IDENT, "after ',' in for expression").value)
        if not self._ident_is(self.peek(), "in"):
            raise self.error(self.peek(), "expected 'in' in for expression")
        self.advance()
        collection = self.expression()
        self.expect(":", "after the collection in for expression")
        key: Expr | None = None
        value = self.expression()
        group = False
        if close == "}":
            self.expect("=>", "in object for expression")
            key = value
            value = self.expression()
            if self.peek().kind == "...":
                self.advance()
                group = True
        cond: Expr | None = None
        if self._ident_is(self.peek(), "if"):
            self.advance()
            cond = self.expression()
        self.expect(close, "to close for expression")
        return ForExpr(key_var, value_var, collection, key, value, cond, group)

    # -- templates -------------------------------------------------------------------------

    def template(self, end: str) -> Template:
        """Parse template tokens up to `end` (closing quote or EOF) into a Template node."""
        items: list[_Item] = []
        self.newline_stops.append(False)
        try:
            while True:
                token = self.peek()
                if token.kind == end:
                    self.advance()
                    break
                if token.kind == LITERAL:
                    self.advance()
                    items.append(("lit", token.value, False, False, token.pos))
                elif token.kind == INTERP:
                    self.advance()
                    expr = self.expression()
                    close = self.expect(SEQ_END, "to close interpolation")
                    items.append(("interp", expr, bool(token.value), bool(close.value), token.pos))
                elif token.kind == CONTROL:
                    self.advance()
                    items.append(self.directive(token))
                else:
                    raise self.error(token, "unexpected token in template")
        finally:
            self.newline_stops.pop()
        wrap = len(items) == 1 and items[0][0] == "interp"
        _apply_strip_markers(items)
        builder = _TemplateBuilder(self.text, items)
        parts = builder.build_until(())
        return Template(tuple(parts), wrap)

    def directive(self, opener: Token) -> _Item:
        """Parse the inside of a `%{ ... }` directive into a flat item."""
        keyword = self.expect(IDENT, "(a directive keyword: if, else, endif, for, endfor)")
        word = str(keyword.value)
        payload: object = None
        if word == "if":
            payload = self.expression()
        elif word == "for":
            first = str(self.expect(IDENT, "after 'for'").value)
            key_var: str | None = None
            value_var = first
            if self.peek().kind == ",":
                self.advance()
                key_var = first
                value_var = str(self.expect(IDENT, "after ',' in for directive").value)
            if not self._ident_is(self.peek(), "in"):
                raise self.error(self.peek(), "expected 'in' in for directive")
            self.advance()
            payload = (key_var, value_var, self.expression())
        elif word not in ("else", "endif", "endfor"):
            raise syntax_error(self.text, keyword.pos, f"unknown template directive {word!r}")
        close = self.expect(SEQ_END, f"to close %{{ {word} }} directive")
        return (word, payload, bool(opener.value), bool(close.value), opener.pos)


def _apply_strip_markers(items: list[_Item]) -> None:
    """Apply `~` strip markers to the literal items adjacent to interpolations/directives."""
    for position, item in enumerate(items):
        kind, _, strip_left, strip_right, _ = item
        if kind == "lit":
            continue
        if strip_left and position > 0 and items[position - 1][0] == "lit":
            prev = items[position - 1]
            items[position - 1] = (
                "lit",
                str(prev[1]).rstrip(),
                prev[2],
                prev[3],
                prev[4],
            )
        if strip_right and position + 1 < len(items) and items[position + 1][0] == "lit":
            nxt = items[position + 1]
            items[position + 1] = ("lit", str(nxt[1]).lstrip(), nxt[2], nxt[3], nxt[4])


class _TemplateBuilder:
    """Nests a flat template item list into parts with if/for directives."""

    def __init__(self, text: str, items: list[_Item]) -> None:
        self.text = text
        self.items = items
        self.index = 0

    def build_until(self, stops: tuple[str, ...]) -> list[TemplatePart]:
        """Collect parts until one of the `stops` directive keywords (left unconsumed)."""
        parts: list[TemplatePart] = []
        while self.index < len(self.items):
            kind, payload, _, _, pos = self.items[self.index]
            if kind in stops:
                return parts
            self.index += 1
            if kind == "lit":
                if payload:
                    parts.append(str(payload))
            elif kind == "interp":
                assert isinstance(payload, Expr)
                parts.append(payload)
            elif kind == "if":
                assert isinstance(payload, Expr)
                parts.append(self._if(payload, pos))
            elif kind == "for":
                assert isinstance(payload, tuple)
                parts.append(self._for(payload, pos))
            else:
                raise syntax_error(self.text, pos, f"unexpected %{{ {kind} }} directive")
        if stops:
            raise syntax_error(self.text, len(self.text), f"missing %{{ {stops[-1]} }} directive")
        return parts

    def _if(self, cond: Expr, pos: int) -> TemplateIf:
        then = self.build_until(("else", "endif"))
        if self.index >= len(self.items):
            raise syntax_error(self.text, pos, "the if directive has no matching endif")
        otherwise: list[TemplatePart] = []
        if self.items[self.index][0] == "else":
            self.index += 1
            otherwise = self.build_until(("else", "endif"))
            if self.index < len(self.items) and self.items[self.index][0] == "else":
                raise syntax_error(self.text, self.items[self.index][4], "duplicate else directive")
        if self.index >= len(self.items):
            raise syntax_error(self.text, pos, "the if directive has no matching endif")
        self.index += 1  # endif
        return TemplateIf(cond, Template(tuple(then)), Template(tuple(otherwise)))

    def _for(self, payload: tuple[object, ...], pos: int) -> TemplateFor:
        key_var, value_var, collection = payload
        body = self.build_until(("endfor",))
        if self.index >= len(self.items):
            raise syntax_error(self.text, pos, "the for directive has no matching endfor")
        self.index += 1  # endfor
        assert isinstance(collection, Expr)
        return TemplateFor(
            key_var if isinstance(key_var, str) else None,
            str(value_var),
            collection,
            Template(tuple(body)),
        )


@lru_cache(maxsize=16384)
def parse_expression(text: str) -> Expr:
    """Parse a bare HCL expression (cached: each distinct source text is parsed once)."""
    if not isinstance(text, str):
        raise HclError(f"expression source must be a string, got {type(text).__name__}")
    return Parser(text, tokenize_expression(text)).parse_whole_expression()


@lru_cache(maxsize=16384)
def parse_template(text: str, *, quoted: bool = True) -> Template:
    """Parse a template body: `${...}` interpolations, `%{...}` directives, `$${`/`%%{` escapes.

    With `quoted` (the default) the text is the inside of an HCL quoted string, so backslash
    escapes such as `\\n` are decoded; pass `quoted=False` for heredoc/JSON-style templates.
    """
    if not isinstance(text, str):
        raise HclError(f"template source must be a string, got {type(text).__name__}")
    plain = _plain_template(text)
    if plain is not None:
        return plain
    return Parser(text, tokenize_template(text, quoted=quoted)).parse_whole_template()


def _plain_template(text: str) -> Template | None:
    """The node of ASCII text whose only sequences are ``${name}``, built without the lexer.

    Most bake strings (tags like ``${REGISTRY}/app:${TAG}``) are such templates; the lexer and
    parser would give the very same node: literal runs and Variable parts, wrapped when the text
    is one interpolation. Anything else (escapes, directives, ``$``/``%`` alone, quotes,
    newlines, non-ASCII text, true/false/null) returns None and takes the full parser.
    """
    split = plain_template_parts(text)
    if split is None:
        return None
    parts: list[TemplatePart] = []
    for index, part in enumerate(split):
        if index % 2:
            parts.append(Variable(part))
        elif part:
            parts.append(part)
    return Template(tuple(parts), len(parts) == 1 and isinstance(parts[0], Variable))


def plain_template_parts(text: str) -> list[str] | None:
    """A plain template (``_plain_template``'s kind) split into its literal runs and variable
    names, alternating and starting with a literal (``["", "REGISTRY", "/app:", "TAG", ""]``);
    None for any other text. The evaluator compiles such a text straight from these parts."""
    if not text.isascii() or _PLAIN_TEMPLATE.fullmatch(text) is None:
        return None
    parts = _PLAIN_INTERPOLATION.split(text)
    for index in range(1, len(parts), 2):
        if parts[index] in _KEYWORD_LITERALS:
            return None
    return parts
