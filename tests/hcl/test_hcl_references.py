"""Free-variable analysis used for dependency ordering."""

from __future__ import annotations

import pytest

from bakepy.errors import HclError
from bakepy.hcl.references import expression_references, template_references


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a", {"a"}),
        ("a + b * c", {"a", "b", "c"}),
        ("upper(name)", {"name"}),
        ("target.app.tags[0]", {"target"}),
        ("m[key]", {"m", "key"}),
        ("users[*].name", {"users"}),
        ("[for x in xs : x + y]", {"xs", "y"}),
        ("{for k, v in m : k => v if v != z}", {"m", "z"}),
        ("[for x in x : x]", {"x"}),
        ("c ? t : f", {"c", "t", "f"}),
        ('{a = b, (c) = "d"}', {"b", "c"}),
        ('"${a}-%{ for i in items }${i}${j}%{ endfor }"', {"a", "items", "j"}),
        ("try(A, B)", {"A", "B"}),
        ("convert(v, list(string))", {"v"}),
        ("1 + 2", set()),
        ("true && null == false", set()),
    ],
)
def test_expression_references(text: str, expected: set[str]) -> None:
    assert expression_references(text) == frozenset(expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("plain", set()),
        ("${REGISTRY}/${name}:${TAG}", {"REGISTRY", "name", "TAG"}),
        ("$${NOT_A_VAR}", set()),
        ("%{ if FLAG }${A}%{ else }${B}%{ endif }", {"FLAG", "A", "B"}),
        ("%{ for k, v in M }${k}${v}${OUT}%{ endfor }", {"M", "OUT"}),
        ('${join(",", LIST)}', {"LIST"}),
        ('${ "${INNER}" }', {"INNER"}),
    ],
)
def test_template_references(text: str, expected: set[str]) -> None:
    assert template_references(text) == frozenset(expected)


def test_references_return_frozenset() -> None:
    assert isinstance(template_references("${a}"), frozenset)


def test_references_of_invalid_syntax_raise() -> None:
    with pytest.raises(HclError):
        expression_references("a +")
