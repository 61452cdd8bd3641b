"""Compose interpolation and .env parsing, case by case as `docker compose config` behaves."""

from __future__ import annotations

import pytest

from bakepy.interpolation.dotenv import DotenvError, parse_dotenv
from bakepy.interpolation.variables import InterpolationError, interpolate

ENV = {"SET": "value", "EMPTY": ""}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("${SET}", "value"),
        ("$SET", "value"),
        ("$SET.suffix", "value.suffix"),
        ("pre-${SET}-post", "pre-value-post"),
        ("${UNSET}", ""),
        ("${UNSET:-d}", "d"),
        ("${EMPTY:-d}", "d"),
        ("${EMPTY-d}", ""),
        ("${UNSET-d}", "d"),
        ("${SET:+alt}", "alt"),
        ("${EMPTY:+alt}", ""),
        ("${EMPTY+alt}", "alt"),
        ("${UNSET+alt}", ""),
        ("${UNSET:-${SET}-x}", "value-x"),
        ("cost 5$$", "cost 5$"),
        ("$${SET}", "${SET}"),
        ("a $ b", "a $ b"),
        ("${EMPTY?set}", ""),
    ],
)
def test_interpolation(text: str, expected: str) -> None:
    assert interpolate(text, ENV) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("${UNSET:?must be set}", "required variable UNSET is missing a value: must be set"),
        ("${EMPTY:?no}", "required variable EMPTY"),
        ("${UNSET?gone}", "required variable UNSET"),
        ("${SET", "invalid interpolation format"),
        ("${1BAD}", "invalid interpolation format"),
    ],
)
def test_interpolation_errors(text: str, message: str) -> None:
    with pytest.raises(InterpolationError, match=message):
        interpolate(text, ENV)


def test_unset_variables_are_reported_to_the_warn_callback() -> None:
    warnings: list[str] = []
    interpolate({"image": "${NOPE}", "list": ["$NOPE2"]}, ENV, warnings.append)
    assert warnings == [
        'The "NOPE" variable is not set. Defaulting to a blank string.',
        'The "NOPE2" variable is not set. Defaulting to a blank string.',
    ]


@pytest.mark.parametrize(
    "text", ["${SET:-${NOPE}}", "${SET-${NOPE}}", "${UNSET:+${NOPE}}", "${SET:?${NOPE}}"]
)
def test_a_nested_variable_is_expanded_even_where_its_value_is_not_used(text: str) -> None:
    """As compose: ``${REGISTRY:+${REGISTRY}/}`` warns for an unset REGISTRY."""
    warnings: list[str] = []
    interpolate(text, ENV, warnings.append)
    assert warnings == ['The "NOPE" variable is not set. Defaulting to a blank string.']


def test_a_nested_required_variable_fails_even_where_its_value_is_not_used() -> None:
    with pytest.raises(InterpolationError, match="required variable NOPE is missing a value: x"):
        interpolate("${SET:-${NOPE:?x}}", ENV)


def test_mapping_keys_are_not_interpolated() -> None:
    assert interpolate({"${SET}": "${SET}"}, ENV) == {"${SET}": "value"}


def test_dotenv_forms() -> None:
    text = (
        "# comment\n"
        "PLAIN=value\n"
        "export EXPORTED=yes\n"
        "SPACED = padded  \n"
        "SINGLE='no $expansion \\n'\n"
        'DOUBLE="line\\nbreak \\"q\\""\n'
        "INLINE=value # trailing comment\n"
        "EMPTY=\n"
        "BARE\n"
    )
    assert parse_dotenv(text) == {
        "PLAIN": "value",
        "EXPORTED": "yes",
        "SPACED": "padded",
        "SINGLE": "no $expansion \\n",
        "DOUBLE": 'line\nbreak "q"',
        "INLINE": "value",
        "EMPTY": "",
    }


def test_dotenv_rejects_garbage_with_the_line_number() -> None:
    with pytest.raises(DotenvError, match="line 2"):
        parse_dotenv("A=1\n=oops\n")


def test_dotenv_reads_what_compose_reads() -> None:
    text = (
        'A="line1\\nline2"\n'
        "B='multi\nline'\n"
        "export C = spaced # comment\n"
        "D: colon\n"
        'E="escaped \\"quote\\" and \\$HOME"\n'
        "F\n"
        "# comment\n"
        "G=a=b\n"
    )
    assert parse_dotenv(text) == {
        "A": "line1\nline2",
        "B": "multi\nline",
        "C": "spaced",
        "D": "colon",
        "E": 'escaped "quote" and $$HOME',
        "G": "a=b",
    }


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("A B=1\n", "key cannot contain a space"),
        ("$X=1\n", "unexpected character"),
        ('A="open\n', "unterminated quoted value"),
    ],
)
def test_dotenv_refuses_what_compose_refuses(text: str, message: str) -> None:
    with pytest.raises(DotenvError, match=message):
        parse_dotenv(text)
