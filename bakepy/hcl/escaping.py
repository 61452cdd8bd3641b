"""Helpers for moving between literal text and HCL template text."""

from __future__ import annotations

import re

# `${` / `%{` start a sequence unless the introducer is doubled (`$${`, `%%{`): scanning left
# to right, any `{` preceded by two or more introducer characters is a literal.
_UNESCAPED_SEQUENCE = re.compile(r"(?<!\$)\$\{|(?<!%)%\{")


def has_interpolation(text: str) -> bool:
    """True if the template text has a `${` or `%{` sequence that is not escaped (`$${`, `%%{`)."""
    return "{" in text and _UNESCAPED_SEQUENCE.search(text) is not None


def escape_template(text: str) -> str:
    """Literal text to template text: `${` becomes `$${` and `%{` becomes `%%{`."""
    return text.replace("${", "$${").replace("%{", "%%{")
