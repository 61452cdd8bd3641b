"""YAML text for compose and stack files: stable, readable, and read back the same by compose.

``yaml.safe_dump`` quotes every string that YAML 1.1 or 1.2 could read as something else
(``'yes'``, ``'22:22'``, ``'0440'``), so compose's YAML 1.2 parser sees what was meant.
Lists are indented under their key and multi-line strings are written as ``|`` blocks.
"""

from __future__ import annotations

from typing import Any

import yaml

from bakepy.generators.files import HEADER
from bakepy.generators.yaml_fast import fast_yaml


class _Dumper(yaml.SafeDumper):
    """SafeDumper with indented sequences and block scalars for multi-line text."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)


def dump_yaml(data: Any) -> str:
    """``data`` as YAML in its own key order, after the generated-by header."""
    body = fast_yaml(data) or pyyaml_text(data)
    return f"# {HEADER}\n{body}"


def pyyaml_text(data: Any) -> str:
    """``data`` as PyYAML writes it with this module's dumper (``fast_yaml`` gives the same
    text for the values it takes, faster)."""
    return yaml.dump(
        data,
        Dumper=_Dumper,
        sort_keys=False,
        default_flow_style=False,
        allow_unicode=True,
        width=4096,
    )
