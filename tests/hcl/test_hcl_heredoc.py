"""Indented heredocs (``<<-EOT``) lose their indentation as hclsyntax removes it; the
expected texts are what buildx 0.13.1 prints for the same heredocs."""

from __future__ import annotations

import pytest

from bakepy.hcl.heredoc import flush_heredoc


@pytest.mark.parametrize(
    ("body", "flushed"),
    [
        ("    FROM a\n    RUN b\n", "FROM a\nRUN b\n"),
        # a line of only spaces counts for nothing and keeps its spaces
        ("    FROM a\n      \n    RUN b\n", "FROM a\n      \nRUN b\n"),
        # an interpolation at a line start: nothing is common, nothing is removed
        ("${X} first\n  second\n", "${X} first\n  second\n"),
        # a ~ marker strips the newline, so the next line is no line start: it keeps its
        # indentation and does not count towards the common one
        (
            "  one\n%{ if true ~}\n  two\n%{ endif ~}\n  three\n",
            "  one\n%{ if true }  two\n%{ endif }  three\n",
        ),
        ("    a $${NOT} %%{NOR}\n", "a $${NOT} %%{NOR}\n"),
        ("\ta\n\t\tb\n", "a\n\tb\n"),
    ],
)
def test_flush_heredoc(body: str, flushed: str) -> None:
    assert flush_heredoc(body) == flushed
