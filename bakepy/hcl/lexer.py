"""Tokenizer for HCL native-syntax expressions and string templates (mode-aware, like hclsyntax)."""

from __future__ import annotations

import re
from typing import Any, NamedTuple

from bakepy.errors import HclError
from bakepy.hcl.values import nfc, number_from_text

# Token kinds (operators and punctuation use their own text as kind).
NUMBER = "NUMBER"
IDENT = "IDENT"
OQUOTE = "OQUOTE"  # opening quote of a quoted template inside an expression
CQUOTE = "CQUOTE"  # closing quote
LITERAL = "LITERAL"  # literal template text (escapes already decoded)
INTERP = "INTERP"  # ${ or ${~  (value: strip-left flag)
CONTROL = "CONTROL"  # %{ or %{~  (value: strip-left flag)
SEQ_END = "SEQ_END"  # } or ~} closing an interpolation/directive (value: strip-right flag)
EOF = "EOF"

_OPERATOR_RE = re.compile(r"\.\.\.|==|!=|<=|>=|&&|\|\||=>|[-+*/%<>!?:=.,()\[\]{}]")

_NUMBER_RE = re.compile(r"\d+(?:\.\d+)?(?:[eE][+-]?\d+)?")
_IDENT_RE = re.compile(r"[^\W\d][\w-]*")
_SPACE_RE = re.compile(r"[ \t\r]+")
_QUOTED_SPECIAL = re.compile(r'[$%\\"\n]')
_TEMPLATE_SPECIAL = re.compile(r"[$%\n]")
_TEMPLATE_SPECIAL_ESCAPES = re.compile(r"[$%\\\n]")

_SIMPLE_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}


class Token(NamedTuple):
    """One lexical token: its kind, decoded value, source offset and newline-before flag."""

    kind: str
    value: Any
    pos: int
    newline_before: bool = False


def position(text: str, pos: int) -> tuple[int, int]:
    """Convert an offset to a 1-based (line, column) pair."""
    line = text.count("\n", 0, pos) + 1
    column = pos - (text.rfind("\n", 0, pos) + 1) + 1
    return line, column


def syntax_error(text: str, pos: int, message: str) -> HclError:
    """Build an HclError that points at an offset in the source text."""
    line, column = position(text, pos)
    return HclError(message, column=column, line=line)


class _Mode:
    """One entry of the lexer's mode stack."""

    __slots__ = ("braces", "interp", "kind")

    def __init__(self, kind: str, interp: bool = False) -> None:
        self.kind = kind  # "expr", "quoted" (string inside an expression) or "template" (top)
        self.braces = 0
        self.interp = interp


class Lexer:
    """Turns source text into a token list, switching between expression and template modes."""

    def __init__(self, text: str, *, template: bool, decode_escapes: bool) -> None:
        self.text = text
        self.pos = 0
        self.tokens: list[Token] = []
        self.decode_escapes = decode_escapes
        self.newline = False
        self.modes = [_Mode("template") if template else _Mode("expr")]

    def run(self) -> list[Token]:
        """Tokenize the whole text."""
        text = self.text
        while self.pos < len(text):
            mode = self.modes[-1]
            if mode.kind == "expr":
                self._expr_token(mode)
            else:
                self._template_chunk(mode)
        mode = self.modes[-1]
        if len(self.modes) > 1:
            if mode.kind == "quoted":
                raise syntax_error(text, len(text), "unterminated string: missing closing quote")
            raise syntax_error(text, len(text), "unclosed template sequence: missing '}'")
        self.tokens.append(Token(EOF, None, len(text), self.newline))
        return self.tokens

    def _emit(self, kind: str, value: Any, pos: int) -> None:
        self.tokens.append(Token(kind, value, pos, self.newline))
        self.newline = False

    # -- expression mode -------------------------------------------------------------------

    def _expr_token(self, mode: _Mode) -> None:
        text = self.text
        pos = self.pos
        char = text[pos]
        if char in " \t\r":
            match = _SPACE_RE.match(text, pos)
            assert match is not None
            self.pos = match.end()
            return
        if char == "\n":
            self.newline = True
            self.pos = pos + 1
            return
        if char == "#" or text.startswith("//", pos):
            end = text.find("\n", pos)
            self.pos = len(text) if end < 0 else end
            return
        if text.startswith("/*", pos):
            end = text.find("*/", pos + 2)
            if end < 0:
                raise syntax_error(text, pos, "unterminated comment")
            if "\n" in text[pos:end]:
                self.newline = True
            self.pos = end + 2
            return
        if char.isdigit():
            match = _NUMBER_RE.match(text, pos)
            assert match is not None
            self._emit(NUMBER, match.group(), pos)
            self.pos = match.end()
            return
        match = _IDENT_RE.match(text, pos)
        if match is not None:
            self._emit(IDENT, match.group(), pos)
            self.pos = match.end()
            return
        if char == '"':
            self._emit(OQUOTE, None, pos)
            self.modes.append(_Mode("quoted"))
            self.pos = pos + 1
            return
        if char == "{":
            mode.braces += 1
        elif char == "}" or (char == "~" and text.startswith("~}", pos)):
            if mode.braces == 0:
                if not mode.interp:
                    raise syntax_error(text, pos, f"unexpected {char!r}")
                strip = char == "~"
                self._emit(SEQ_END, strip, pos)
                self.modes.pop()
                self.pos = pos + (2 if strip else 1)
                return
            mode.braces -= 1
        if text.startswith("<<", pos):
            raise syntax_error(text, pos, "heredoc strings are not supported in expressions")
        operator = _OPERATOR_RE.match(text, pos)
        if operator is not None:
            symbol = operator.group()
            self._emit(symbol, symbol, pos)
            self.pos = operator.end()
            return
        raise syntax_error(text, pos, f"unexpected character {char!r}")

    # -- template mode ---------------------------------------------------------------------

    def _template_chunk(self, mode: _Mode) -> None:
        """Scan literal text up to the next interpolation, directive or closing quote."""
        text = self.text
        quoted = mode.kind == "quoted"
        decode = quoted or self.decode_escapes
        if quoted:
            special = _QUOTED_SPECIAL
        else:
            special = _TEMPLATE_SPECIAL_ESCAPES if decode else _TEMPLATE_SPECIAL
        start = self.pos
        pos = start
        parts: list[str] = []
        while True:
            match = special.search(text, pos)
            if match is None:
                parts.append(text[pos:])
                pos = len(text)
                break
            index = match.start()
            parts.append(text[pos:index])
            char = text[index]
            if char == '"':
                self._flush_literal(parts, start)
                self._emit(CQUOTE, None, index)
                self.modes.pop()
                self.pos = index + 1
                return
            if char == "\n":
                if quoted:
                    raise syntax_error(text, index, "unterminated string: newline in quoted string")
                # Like hclsyntax, each source line is its own literal token, so strip
                # markers (~) only trim the line next to them.
                parts.append("\n")
                self._flush_literal(parts, start)
                parts = []
                pos = start = index + 1
                continue
            if char == "\\":
                decoded, pos = self._escape(index)
                parts.append(decoded)
                continue
            # char is "$" or "%"
            if text.startswith(char + char + "{", index):
                parts.append(char + "{")
                pos = index + 3
                continue
            if text.startswith(char + "{", index):
                self._flush_literal(parts, start)
                strip = text.startswith("~", index + 2)
                self._emit(INTERP if char == "$" else CONTROL, strip, index)
                self.modes.append(_Mode("expr", interp=True))
                self.pos = index + (3 if strip else 2)
                return
            parts.append(char)
            pos = index + 1
        self._flush_literal(parts, start)
        self.pos = pos

    def _flush_literal(self, parts: list[str], start: int) -> None:
        literal = "".join(parts)
        if literal:
            self._emit(LITERAL, nfc(literal), start)

    def _escape(self, index: int) -> tuple[str, int]:
        """Decode one backslash escape starting at `index`; return (text, next offset)."""
        text = self.text
        if index + 1 >= len(text):
            raise syntax_error(text, index, "invalid escape sequence at end of string")
        code = text[index + 1]
        simple = _SIMPLE_ESCAPES.get(code)
        if simple is not None:
            return simple, index + 2
        if code in "uU":
            width = 4 if code == "u" else 8
            digits = text[index + 2 : index + 2 + width]
            if len(digits) != width or not all(c in "0123456789abcdefABCDEF" for c in digits):
                raise syntax_error(
                    text, index, f"invalid unicode escape: \\{code} needs {width} hex digits"
                )
            codepoint = int(digits, 16)
            if codepoint > 0x10FFFF:
                raise syntax_error(text, index, "invalid unicode escape: out of range")
            return chr(codepoint), index + 2 + width
        raise syntax_error(text, index, f"invalid escape sequence \\{code}")


def tokenize_expression(text: str) -> list[Token]:
    """Tokenize a bare HCL expression."""
    return Lexer(text, template=False, decode_escapes=True).run()


def tokenize_template(text: str, *, quoted: bool = True) -> list[Token]:
    """Tokenize a template body; `quoted` decodes backslash escapes as inside "..."."""
    return Lexer(text, template=True, decode_escapes=quoted).run()


def number_value(token: Token) -> int | float:
    """The numeric value of a NUMBER token."""
    return number_from_text(str(token.value))
