"""HCL expression and template evaluation as docker buildx bake performs it.

Parse once, evaluate many times: every distinct source text is parsed and compiled to Python
closures a single time (cached), so evaluating thousands of targets stays fast.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from bakepy.hcl.errors import HclError
from bakepy.hcl.escaping import escape_template, has_interpolation
from bakepy.hcl.evaluator import evaluate, render_template
from bakepy.hcl.nodes import Expr, Template
from bakepy.hcl.parser import parse_expression, parse_template
from bakepy.hcl.references import expression_references, template_references
from bakepy.hcl.scope import Scope

__all__ = [
    "BUILTIN_FUNCTIONS",
    "Expr",
    "HclError",
    "Scope",
    "Template",
    "escape_template",
    "evaluate",
    "expression_references",
    "has_interpolation",
    "parse_expression",
    "parse_template",
    "render_template",
    "template_references",
]


def __getattr__(name: str) -> Mapping[str, Callable[..., Any]]:
    """``BUILTIN_FUNCTIONS`` is loaded on first use: most definitions call no function."""
    if name == "BUILTIN_FUNCTIONS":
        from bakepy.hcl.stdlib import BUILTIN_FUNCTIONS

        return BUILTIN_FUNCTIONS
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
