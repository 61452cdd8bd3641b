"""The one jinja2 environment every text generator renders its templates with.

Templates stay dumb (loops, ifs, filters); generators compute the view data in Python and pass
it in. Undefined names are errors, so a typo in a template fails loudly instead of rendering
an empty string.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined


@cache
def environment() -> Environment:
    """The shared, cached environment over ``bakepy/templates``."""
    return Environment(
        loader=PackageLoader("bakepy", "templates"),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
    )


def render_template(name: str, **context: Any) -> str:
    """Render the template ``name`` (e.g. ``Dockerfile.j2``) with ``context``."""
    return environment().get_template(name).render(**context)
