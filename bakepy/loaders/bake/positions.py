"""Where each block and attribute of a bake file is (line and column), and the HCL layout
rules python-hcl2 lets through.

python-hcl2 gives values without positions, so an error could only name the block. A light
scanner (it knows what hides a brace or a newline: strings with ``${...}``, heredocs and
comments) finds every ``name =`` in every block, so an error names the attribute's line and
column, as buildx names the expression's. It also refuses what hclsyntax refuses and
python-hcl2 reads: an attribute set twice in one block, and a block opened with an attribute
on its first line that is not closed on that line.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from bakepy.loaders.bake.chunks import skip_string

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_HEREDOC = re.compile(r"<<-?([A-Za-z_][A-Za-z0-9_-]*)[ \t]*\r?$", re.M)
_SPACE = " \t\r"

Position = tuple[int, int]
"""A 1-based (line, column)."""


class LayoutError(ValueError):
    """An HCL layout rule broken (python-hcl2 reads the file, hclsyntax does not)."""

    def __init__(self, message: str, position: Position) -> None:
        super().__init__(message)
        self.message = message
        self.position = position


@dataclass
class BlockPositions:
    """One block: where it starts, where each attribute's value starts and where each
    nested block's header is."""

    type: str
    name: str
    start: Position
    attributes: dict[str, Position] = field(default_factory=dict)
    nested: dict[tuple[str, int, str | None], Position] = field(default_factory=dict)
    """Each nested block by kind and occurrence (a variable's second ``validation`` is
    ``("validation", 1, None)``) and each of its attributes (``("validation", 1, "condition")``)."""


class _Scanner:
    """Walks HCL text block by block, attribute by attribute."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.index = 0
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def position(self, index: int) -> Position:
        line = _bisect(self.line_starts, index)
        return line + 1, index - self.line_starts[line] + 1

    def skip_blank(self, *, newlines: bool) -> None:
        """Past spaces and comments (and newlines, when ``newlines``)."""
        text = self.text
        while self.index < len(text):
            char = text[self.index]
            if char in _SPACE or (newlines and char == "\n"):
                self.index += 1
            elif char == "#" or text.startswith("//", self.index):
                end = text.find("\n", self.index)
                self.index = end if end >= 0 else len(text)
            elif text.startswith("/*", self.index):
                end = text.find("*/", self.index + 2)
                self.index = end + 2 if end >= 0 else len(text)
            else:
                return

    def expression_end(self) -> None:
        """Past one attribute's value: up to the newline or ``}`` outside every bracket."""
        text = self.text
        depth = 0
        while self.index < len(text):
            char = text[self.index]
            if char == '"':
                self.index = skip_string(text, self.index + 1)
            elif char == "#" or text.startswith(("//", "/*"), self.index):
                if depth == 0 and not text.startswith("/*", self.index):
                    return
                self.skip_blank(newlines=False)
            elif char == "<" and text.startswith("<<", self.index):
                self._skip_heredoc()
            elif char in "([{":
                depth += 1
                self.index += 1
            elif char in ")]}":
                if depth == 0:
                    return
                depth -= 1
                self.index += 1
            elif char == "\n" and depth == 0:
                return
            else:
                self.index += 1

    def _skip_heredoc(self) -> None:
        text = self.text
        line_end = text.find("\n", self.index)
        match = _HEREDOC.match(text, self.index, line_end if line_end >= 0 else len(text))
        if match is None or line_end < 0:
            self.index += 2
            return
        closing = re.compile(rf"^[ \t]*{re.escape(match.group(1))}[ \t]*\r?$", re.M)
        end = closing.search(text, line_end + 1)
        self.index = end.end() if end else len(text)

    def name(self) -> str | None:
        match = _NAME.match(self.text, self.index)
        if match is None:
            return None
        self.index = match.end()
        return match.group()

    def labels(self) -> list[str]:
        """The labels of a block header, up to its ``{``."""
        labels: list[str] = []
        while True:
            self.skip_blank(newlines=False)
            if self.text.startswith('"', self.index):
                end = skip_string(self.text, self.index + 1)
                labels.append(self.text[self.index + 1 : end - 1])
                self.index = end
            elif (label := self.name()) is not None:
                labels.append(label)
            else:
                return labels

    def body(self, block: BlockPositions | None) -> None:
        """A block's body, after its ``{``, up to and past its ``}``."""
        text = self.text
        first = True
        while True:
            self.skip_blank(newlines=not first)
            if self.index >= len(text):
                return
            if text[self.index] == "}":
                self.index += 1
                return
            if text[self.index] == "\n":  # the first line of the body ends empty
                first = False
                continue
            start = self.index
            name = self.name()
            if name is None:  # not bake's shape: leave the error to the parser
                self.skip_unknown(start)
                continue
            self.skip_blank(newlines=False)
            if text.startswith("=", self.index) and not text.startswith("==", self.index):
                self.index += 1
                self.skip_blank(newlines=False)
                self._attribute(block, name, start)
                self.expression_end()
                if first:
                    self._single_line_closed()
            else:  # a nested block (a variable's validation): where its header is
                inner = self._nested(block, name, start)
                self.labels()
                if text.startswith("{", self.index):
                    self.index += 1
                    self.body(inner)
                if block is not None and inner is not None:
                    for key, position in inner.attributes.items():
                        block.nested[(name, int(inner.name), key)] = position
            first = False

    def _nested(self, block: BlockPositions | None, name: str, start: int) -> BlockPositions | None:
        """Where a nested block's header is, recorded in ``block`` under its kind and
        occurrence; the positions its own attributes are read into (named by occurrence)."""
        if block is None:
            return None
        block.attributes.setdefault(name, self.position(start))
        occurrence = sum(1 for kind, _, key in block.nested if kind == name and key is None)
        block.nested[(name, occurrence, None)] = self.position(start)
        return BlockPositions(name, str(occurrence), self.position(start))

    def _attribute(self, block: BlockPositions | None, name: str, start: int) -> None:
        if block is None:
            return
        if name in block.attributes:
            line, column = block.attributes[name]
            raise LayoutError(
                f"Attribute redefined: the argument {name!r} was already set at "
                f"line {line}, column {column}; each argument may be set only once",
                self.position(start),
            )
        block.attributes[name] = self.position(self.index)

    def skip_unknown(self, start: int) -> None:
        """Past something that is not ``name = ...`` nor a block (the parser reports it)."""
        self.expression_end()
        if self.index == start:
            self.index += 1

    def _single_line_closed(self) -> None:
        """A block opened with an attribute on its line must close on that line."""
        self.skip_blank(newlines=False)
        if not self.text.startswith("}", self.index):
            raise LayoutError(
                "Invalid single-argument block definition: an argument on the same line as "
                "its block's opening brace makes a single-line block, which must also be "
                "closed on that line",
                self.position(self.index),
            )


def _bisect(starts: list[int], index: int) -> int:
    low, high = 0, len(starts)
    while high - low > 1:
        middle = (low + high) // 2
        if starts[middle] <= index:
            low = middle
        else:
            high = middle
    return low


def hcl_positions(text: str) -> list[BlockPositions]:
    """Every top-level block of an HCL file, in order, with its attributes' positions; raises
    LayoutError for an attribute set twice in a block or an unclosed single-line block."""
    scanner = _Scanner(text)
    blocks: list[BlockPositions] = []
    while True:
        scanner.skip_blank(newlines=True)
        if scanner.index >= len(text):
            return blocks
        start = scanner.index
        kind = scanner.name()
        if kind is None:
            scanner.skip_unknown(start)
            continue
        scanner.skip_blank(newlines=False)
        if text.startswith("=", scanner.index):  # a top-level attribute
            scanner.index += 1
            scanner.expression_end()
            continue
        labels = scanner.labels()
        if not text.startswith("{", scanner.index):
            scanner.expression_end()
            continue
        scanner.index += 1
        block = BlockPositions(kind, labels[0] if labels else "", scanner.position(start))
        scanner.body(block)
        blocks.append(block)


def json_positions(text: str) -> list[BlockPositions]:
    """Every block of a JSON bake file (``{"target": {"app": {...}}}``), in order, with the
    position of each attribute's value; a list of bodies gives one block per body."""
    blocks: list[BlockPositions] = []
    scanner = _Scanner(text)
    decoder = json.JSONDecoder()

    def value_end(index: int) -> int:
        return decoder.raw_decode(text, index)[1]

    def skip_ws(index: int) -> int:
        while index < len(text) and text[index] in " \t\r\n":
            index += 1
        return index

    def members(index: int) -> list[tuple[str, int, int]]:
        """(key, value start, value end) of the object starting at ``index``."""
        found: list[tuple[str, int, int]] = []
        index = skip_ws(index + 1)
        while index < len(text) and text[index] != "}":
            key, index = decoder.raw_decode(text, index)
            index = skip_ws(skip_ws(index) + 1)  # past the colon
            end = value_end(index)
            found.append((str(key), index, end))
            index = skip_ws(end)
            if index < len(text) and text[index] == ",":
                index = skip_ws(index + 1)
        return found

    def bodies(index: int) -> list[int]:
        if text[index] == "{":
            return [index]
        if text[index] != "[":
            return []
        starts: list[int] = []
        index = skip_ws(index + 1)
        while index < len(text) and text[index] != "]":
            if text[index] == "{":
                starts.append(index)
            index = skip_ws(value_end(index))
            if index < len(text) and text[index] == ",":
                index = skip_ws(index + 1)
        return starts

    def nested(block: BlockPositions, kind: str, index: int) -> None:
        """Each body of a nested block list (a variable's validations) and its attributes."""
        for occurrence, body in enumerate(bodies(index)):
            block.nested[(kind, occurrence, None)] = scanner.position(body)
            for attribute, value_start, _ in members(body):
                block.nested[(kind, occurrence, attribute)] = scanner.position(value_start)

    try:
        root = skip_ws(0)
        if root >= len(text) or text[root] != "{":
            return []
        for kind, kind_start, _ in members(root):
            if kind not in ("variable", "function", "group", "target") or text[kind_start] != "{":
                continue
            for name, name_start, _ in members(kind_start):
                for body in bodies(name_start):
                    block = BlockPositions(kind, name, scanner.position(body))
                    for attribute, value_start, _ in members(body):
                        block.attributes.setdefault(attribute, scanner.position(value_start))
                        if kind == "variable" and attribute == "validation":
                            nested(block, attribute, value_start)
                    blocks.append(block)
    except (json.JSONDecodeError, IndexError):
        return blocks  # the JSON parser reports the syntax error
    return blocks
