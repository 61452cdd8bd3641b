"""Where blocks and attributes are in HCL and JSON bake files, and the layout rules
hclsyntax enforces that python-hcl2 lets through."""

from __future__ import annotations

import pytest

from bakepy.loaders.bake.positions import LayoutError, hcl_positions, json_positions

TRICKY = """\
# a comment with target "x" { and = signs
variable "TAG" { default = "1.0" }

target "app" {
  dockerfile-inline = <<-EOT
    FROM alpine
    RUN echo "}" && x = 1
    EOT
  tags = [
    "a:${TAG}",   // a comment } with a brace
    "b:${ lower("}") }",
  ]
  /* a block comment
     tags = ["again"] */
  args = { A = "1", B = "{" }
  labels = {
    "x" = "y"
  }
}
"""


def test_attributes_are_found_past_strings_heredocs_and_comments() -> None:
    variable, app = hcl_positions(TRICKY)
    assert (variable.type, variable.name, variable.start) == ("variable", "TAG", (2, 1))
    assert variable.attributes == {"default": (2, 28)}
    assert app.start == (4, 1)
    assert app.attributes == {
        "dockerfile-inline": (5, 23),
        "tags": (9, 10),
        "args": (15, 10),
        "labels": (16, 12),
    }


def test_a_single_line_block_closed_on_its_line_is_fine() -> None:
    (group,) = hcl_positions('group "default" { targets = ["app"] }\n')
    assert group.attributes == {"targets": (1, 29)}


@pytest.mark.parametrize(
    ("text", "message", "position"),
    [
        (
            'target "a" {\n  tags = ["x"]\n  # set again below\n  tags = ["y"]\n}\n',
            "Attribute redefined: the argument 'tags' was already set at line 2",
            (4, 3),
        ),
        (
            'target "a" { tags = ["x"]\n  context = "."\n}\n',
            "Invalid single-argument block definition",
            (1, 26),
        ),
        (
            'target "a" { args = {\n  A = "1"\n}\n}\n',
            "Invalid single-argument block definition",
            (3, 2),
        ),
    ],
)
def test_layout_rules_of_hclsyntax(text: str, message: str, position: tuple[int, int]) -> None:
    with pytest.raises(LayoutError) as info:
        hcl_positions(text)
    assert info.value.message.startswith(message)
    assert info.value.position == position


def test_json_blocks_and_lists_of_bodies() -> None:
    text = (
        '{\n  "target": {\n    "m": [\n      {"tags": ["x"]},\n      {"labels": {}}\n    ],\n'
        '    "c": {\n      "context": "."\n    }\n  }\n}\n'
    )
    blocks = json_positions(text)
    assert [(b.name, b.start, b.attributes) for b in blocks] == [
        ("m", (4, 7), {"tags": (4, 16)}),
        ("m", (5, 7), {"labels": (5, 18)}),
        ("c", (7, 10), {"context": (8, 18)}),
    ]


def test_broken_json_gives_what_was_found() -> None:
    assert json_positions('{"target": {"a": {"tags": [}') == []
