"""HCL expression and template evaluation as docker buildx bake performs it.

Parse once, evaluate many times: every distinct source text is parsed and compiled to Python
closures a single time (cached), so evaluating thousands of targets stays fast.

Names are imported on first use (PEP 562): a command that only escapes text, or that reads
no HCL at all, does not pay for the parser, the evaluator and the function table.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bakepy.support.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from bakepy.errors import HclError as HclError
    from bakepy.hcl.escaping import (
        escape_template as escape_template,
        has_interpolation as has_interpolation,
    )
    from bakepy.hcl.evaluator import evaluate as evaluate, render_template as render_template
    from bakepy.hcl.nodes import Expr as Expr, Template as Template
    from bakepy.hcl.parser import (
        parse_expression as parse_expression,
        parse_template as parse_template,
    )
    from bakepy.hcl.references import (
        expression_references as expression_references,
        template_references as template_references,
    )
    from bakepy.hcl.scope import Scope as Scope
    from bakepy.hcl.stdlib import BUILTIN_FUNCTIONS as BUILTIN_FUNCTIONS

_EXPORTS = {
    "BUILTIN_FUNCTIONS": "bakepy.hcl.stdlib",
    "Expr": "bakepy.hcl.nodes",
    "HclError": "bakepy.errors",
    "Scope": "bakepy.hcl.scope",
    "Template": "bakepy.hcl.nodes",
    "escape_template": "bakepy.hcl.escaping",
    "evaluate": "bakepy.hcl.evaluator",
    "expression_references": "bakepy.hcl.references",
    "has_interpolation": "bakepy.hcl.escaping",
    "parse_expression": "bakepy.hcl.parser",
    "parse_template": "bakepy.hcl.parser",
    "render_template": "bakepy.hcl.evaluator",
    "template_references": "bakepy.hcl.references",
}
"""Each public name and the module that defines it."""

__all__ = sorted(_EXPORTS)


__getattr__, __dir__ = lazy_exports(__name__, globals(), _EXPORTS)
