"""regex(), regexall() and regex_replace() with Go RE2 syntax."""

from __future__ import annotations

from typing import Any

import pytest

from bakepy.errors import HclError
from bakepy.hcl.evaluator import evaluate
from bakepy.hcl.scope import Scope


def call(pattern: str, text: str, function: str = "regex") -> Any:
    return evaluate(f"{function}(p, s)", Scope({"p": pattern, "s": text}))


@pytest.mark.parametrize(
    ("pattern", "text", "expected"),
    [
        ("[a-z]+", "53453453.345345aaabbbccc23454", "aaabbbccc"),
        (r"(\d\d\d\d)-(\d\d)-(\d\d)", "2019-02-01", ["2019", "02", "01"]),
        (
            r"^(?:(?P<scheme>[^:/?#]+):)?(?://(?P<authority>[^/?#]*))?",
            "https://terraform.io/docs/",
            {"scheme": "https", "authority": "terraform.io"},
        ),
        (r"(?<major>\d+)\.(?<minor>\d+)", "v1.22", {"major": "1", "minor": "22"}),
        ("(a)|(b)", "b", [None, "b"]),
        (r"[[:digit:]]+", "ab123c", "123"),
        (r"[[:alpha:][:space:]]+", "1ab c2", "ab c"),
        (r"\Qa.b\E", "xa.b", "a.b"),
        (r"b$", "ab\n", None),
        (r"(?m)b$", "ab\ncd", "b"),
        (r"a\z", "ba", "a"),
        (r"\d+", "٣42", "42"),
        (r"(?i)HELLO", "say hello", "hello"),
        (r"[&~|-]+", "a&~|-b", "&~|-"),
    ],
)
def test_regex(pattern: str, text: str, expected: Any) -> None:
    if expected is None:
        with pytest.raises(HclError, match="did not match"):
            call(pattern, text)
    else:
        assert call(pattern, text) == expected


@pytest.mark.parametrize(
    ("pattern", "text", "expected"),
    [
        ("[a-z]+", "1234abcd5678efgh9", ["abcd", "efgh"]),
        ("[a-z]+", "1234", []),
        (r"(\w)=(\d)", "a=1 b=2", [["a", "1"], ["b", "2"]]),
        ("a*", "baaa", ["", "aaa"]),
        ("x*", "", [""]),
    ],
)
def test_regexall(pattern: str, text: str, expected: Any) -> None:
    assert call(pattern, text, "regexall") == expected


@pytest.mark.parametrize(
    ("text", "pattern", "replacement", "expected"),
    [
        ("hello world", "o", "0", "hell0 w0rld"),
        ("2019-02-01", r"(\d+)-(\d+)-(\d+)", "$3/$2/$1", "01/02/2019"),
        ("2019-02-01", r"(?P<y>\d+)-(\d+)", "${y}!", "2019!-01"),
        ("abc", "b", "$$", "a$c"),
        ("abc", "(b)", "$1x", "ac"),
        ("abc", "(b)", "${1}x", "abxc"),
        ("abxd", "x*", "-", "-a-b-d-"),
        ("aaa", "a*?", "-", "-a-a-a-"),
        ("abc", "", "-", "-a-b-c-"),
        ("v1.2.3", r"[^a-zA-Z0-9_-]", "_", "v1_2_3"),
    ],
)
def test_regex_replace(text: str, pattern: str, replacement: str, expected: str) -> None:
    scope = Scope({"s": text, "p": pattern, "r": replacement})
    assert evaluate("regex_replace(s, p, r)", scope) == expected


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("[", "invalid regexp"),
        ("(a)(?P<b>b)", "mix"),
        ("[[:bogus:]]", "character class"),
    ],
)
def test_invalid_patterns(pattern: str, message: str) -> None:
    with pytest.raises(HclError, match=message):
        call(pattern, "x")


def test_refused_patterns_print_nothing_on_stderr(capfd: pytest.CaptureFixture[str]) -> None:
    """RE2 logs parse errors on stderr unless told not to: an error is bakepy's to report."""
    with pytest.raises(HclError, match="invalid regexp pattern"):
        call("a{1001}", "a")
    assert capfd.readouterr().err == ""


def test_without_re2_patterns_are_translated_to_python(monkeypatch: pytest.MonkeyPatch) -> None:
    """A platform without google-re2 gets Python's re with Go's spellings translated; what
    the translation cannot express says to install google-re2."""
    from bakepy.hcl.functions import regex as module

    monkeypatch.setattr(module, "re2", None)
    module.compile_go_regex.cache_clear()
    try:
        assert module.regexall(r"[[:alpha:]]+\z", "12ab") == ["ab"]
        assert module.regex_replace("a.b", r"\Q.\E", "-") == "a-b"
        with pytest.raises(HclError, match="install google-re2"):
            module.regexall(r"\x{263a}", "x")
    finally:
        module.compile_go_regex.cache_clear()
