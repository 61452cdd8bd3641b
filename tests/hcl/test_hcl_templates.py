"""String templates: interpolation, escapes, directives and strip markers."""

from __future__ import annotations

from typing import Any

import pytest

from bakepy.errors import HclError
from bakepy.hcl.evaluator import evaluate, render_template
from bakepy.hcl.nodes import Template
from bakepy.hcl.parser import parse_template
from bakepy.hcl.scope import Scope

SCOPE = Scope(
    {
        "name": "app",
        "tag": "v1",
        "items": ["a", "b"],
        "n": 3,
        "flag": True,
        "m": {"y": 2, "x": 1},
        "nothing": None,
    }
)


def render(text: str, **kwargs: Any) -> Any:
    return render_template(text, SCOPE, **kwargs)


def test_plain_text_is_returned_as_is() -> None:
    assert render("just text") == "just text"


def test_empty_template_is_empty_string() -> None:
    assert render("") == ""


def test_interpolation_inside_text() -> None:
    assert render("${name}:${tag}") == "app:v1"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("${items}", ["a", "b"]),
        ("${n}", 3),
        ("${flag}", True),
        ("${nothing}", None),
        ("${m}", {"y": 2, "x": 1}),
    ],
)
def test_single_interpolation_returns_raw_value(text: str, expected: Any) -> None:
    assert render(text) == expected


def test_single_interpolation_with_strip_markers_is_still_raw() -> None:
    assert render("${~ n ~}") == 3


@pytest.mark.parametrize(
    ("text", "expected"),
    [("n=${n}", "n=3"), ("${flag}!", "true!"), ("${1.5}x", "1.5x"), ("${10/4}", 2.5)],
)
def test_interpolated_primitives_become_text(text: str, expected: Any) -> None:
    assert render(text) == expected


def test_interpolating_null_into_text_is_error() -> None:
    with pytest.raises(HclError, match="null"):
        render("x${nothing}")


def test_interpolating_list_into_text_is_error() -> None:
    with pytest.raises(HclError, match="string template"):
        render("x${items}")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("$${name}", "${name}"),
        ("%%{ if }", "%{ if }"),
        ("$$${name}", "$${name}"),
        ("cost: $5", "cost: $5"),
        ("100%", "100%"),
        ("a$", "a$"),
        ("$$", "$$"),
        ("%%", "%%"),
    ],
)
def test_escaped_sequences_are_literal(text: str, expected: str) -> None:
    assert render(text) == expected


def test_quoted_mode_decodes_backslash_escapes() -> None:
    assert render(r"a\nb\t\"c\"") == 'a\nb\t"c"'


def test_unquoted_mode_keeps_backslashes() -> None:
    assert render(r"a\nb \d", quoted=False) == r"a\nb \d"


def test_unquoted_mode_allows_newlines() -> None:
    assert render("line1\n${name}\n", quoted=False) == "line1\napp\n"


def test_nested_quotes_inside_interpolation() -> None:
    assert render('${replace(name, "p", "\\"")}') == 'a""'


def test_nested_template_inside_interpolation() -> None:
    assert render('${"${name}-${tag}"}') == "app-v1"


def test_braces_inside_interpolation() -> None:
    assert render("${ {a = name}.a }") == "app"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("%{ if flag }yes%{ endif }", "yes"),
        ("%{ if !flag }yes%{ endif }", ""),
        ("%{ if n > 5 }big%{ else }small%{ endif }", "small"),
        ('%{ if tag == "v1" }one%{ else }other%{ endif }', "one"),
        ("%{ if flag }%{ if n == 3 }three%{ endif }%{ endif }", "three"),
    ],
)
def test_if_directive(text: str, expected: str) -> None:
    assert render(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("%{ for x in items }<${x}>%{ endfor }", "<a><b>"),
        ("%{ for i, x in items }${i}=${x};%{ endfor }", "0=a;1=b;"),
        ("%{ for k, v in m }${k}=${v},%{ endfor }", "x=1,y=2,"),
        ("%{ for v in m }${v}%{ endfor }", "12"),
        ("%{ for x in [] }never%{ endfor }", ""),
    ],
)
def test_for_directive(text: str, expected: str) -> None:
    assert render(text) == expected


def test_for_directive_variable_does_not_leak() -> None:
    with pytest.raises(HclError, match='unknown variable "x"'):
        render("%{ for x in items }${x}%{ endfor }${x}")


def test_directive_result_is_always_a_string() -> None:
    assert render("%{ if flag }${n}%{ endif }") == "3"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a   ${~ name}", "aapp"),
        ("${name ~}   b", "appb"),
        ("a   ${~ name ~}   b", "aappb"),
        # Outside quotes every line is its own literal, so a marker only trims the adjacent
        # line (results checked against docker buildx bake 0.13.1 heredocs).
        ("a \n ${~ name ~} \n b\n", "a \napp b\n"),
        ("x %{~ if flag ~} \n yes \n %{~ endif ~} y\n", "x yes \ny\n"),
        ("%{ for x in items ~}\n  ${x}\n%{~ endfor }\n", "  a  b\n"),
        ("%{ for x in items ~}\n  [${x}]\n%{ endfor ~}\ntail\n", "  [a]\n  [b]\ntail\n"),
    ],
)
def test_strip_markers_in_unquoted_templates(text: str, expected: str) -> None:
    assert render(text, quoted=False) == expected


def test_strip_markers_in_quoted_templates_cross_escaped_newlines() -> None:
    assert render(r"a \n ${~ name ~} \t b") == "aappb"


def test_without_strip_markers_whitespace_is_kept() -> None:
    assert render("%{ if flag }\n yes \n%{ endif }", quoted=False) == "\n yes \n"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("%{ if flag }x", "endif"),
        ("%{ endif }", "unexpected"),
        ("%{ else }", "unexpected"),
        ("%{ for x in items }x", "endfor"),
        ("%{ if flag }a%{ else }b%{ else }c%{ endif }", "else"),
        ("%{ while x }", "unknown template directive"),
        ("${name", "missing"),
        ("${}", "expected an expression"),
        ("${ name name }", "'}'"),
        ("%{ for in items }%{ endfor }", "'in'"),
    ],
)
def test_malformed_templates_raise(text: str, message: str) -> None:
    with pytest.raises(HclError, match=message):
        parse_template(text)


def test_if_condition_must_be_bool() -> None:
    with pytest.raises(HclError, match="bool"):
        render("%{ if name }x%{ endif }")


def test_if_condition_accepts_bool_strings() -> None:
    assert render('%{ if "true" }x%{ endif }') == "x"


def test_parse_template_returns_template_node() -> None:
    assert isinstance(parse_template("a${b}"), Template)


def test_parse_template_is_cached() -> None:
    assert parse_template("cached ${x}") is parse_template("cached ${x}")


def test_quoted_strings_in_expressions_are_templates() -> None:
    assert evaluate('"${name}-${n + 1}"', SCOPE) == "app-4"


def test_quoted_single_interpolation_in_expression_is_raw() -> None:
    assert evaluate('"${items}"', SCOPE) == ["a", "b"]


PLAIN_TEXTS = [
    "",
    "just text",
    "${name}",
    "${n}",
    "${items}",
    "${m}",
    "${flag}",
    "${name}${tag}",
    "${name}/app:${tag}",
    "registry/${name}:${n}-${flag}",
    "pre ${name} post",
    "${nothing}",
    "x${nothing}",
    "x${items}",
    "${missing}",
    "a:${name}:${missing}",
    "${name}${name}${name}${name}",
]


@pytest.mark.parametrize("text", PLAIN_TEXTS)
@pytest.mark.parametrize("quoted", [True, False])
def test_plain_template_compiles_as_its_node(text: str, quoted: bool) -> None:
    """A plain template (only ``${name}``) compiled straight from its parts gives what its
    syntax tree gives: the same value (a lone interpolation's raw value) or the same error."""
    from bakepy.hcl.evaluator import compile_node, compile_template
    from bakepy.hcl.parser import plain_template_parts

    assert plain_template_parts(text) is not None
    node = compile_node(parse_template(text, quoted=quoted))
    fast = compile_template(text, quoted=quoted)
    assert _outcome(fast) == _outcome(node)


def _outcome(compiled: Any) -> tuple[str, Any]:
    """What a compiled template gives in ``SCOPE``: its value and type, or its error."""
    try:
        value = compiled(SCOPE)
    except HclError as error:
        return "error", str(error)
    return type(value).__name__, value


@pytest.mark.parametrize("text", ["${true}", "${null}x", "a\\nb", "$x", "%{ if flag }y%{ endif }"])
def test_templates_that_are_not_plain_take_the_parser(text: str) -> None:
    from bakepy.hcl.parser import plain_template_parts

    assert plain_template_parts(text) is None
