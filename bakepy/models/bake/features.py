"""What each buildx version makes of a bake file: the attributes, variable fields, value forms
and functions that appeared after 0.13, and what an older buildx does with them.

``refused``: the older buildx stops with an error (bakepy refuses the file for it, naming the
version needed). ``ignored``: it drops the attribute without a word (bakepy warns). Versions
are the first release whose source has the feature (../shared/reference/bake.md §2-§4, §13).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bakepy.models.toolchain import Version


@dataclass(frozen=True)
class Feature:
    """One bake feature: what it is, the first buildx that has it, what older ones do."""

    what: str
    since: Version
    before: Literal["refused", "ignored"]

    def available(self, buildx: Version) -> bool:
        """Whether ``buildx`` has it."""
        return buildx >= self.since


def _v(text: str) -> Version:
    return Version.parse(text)


TARGET_ATTRIBUTES: dict[str, Feature] = {
    "call": Feature("the target attribute `call`", _v("0.16"), "ignored"),
    "description": Feature("the target attribute `description`", _v("0.16"), "ignored"),
    "entitlements": Feature("the target attribute `entitlements`", _v("0.17"), "ignored"),
    "network": Feature("the target attribute `network`", _v("0.17"), "ignored"),
    "extra-hosts": Feature("the target attribute `extra-hosts`", _v("0.25"), "ignored"),
    "policy": Feature("the target attribute `policy`", _v("0.31"), "ignored"),
    "resources": Feature("the target attribute `resources`", _v("0.35"), "ignored"),
}
"""Target attributes newer than 0.13; an older buildx drops them from the build."""

GROUP_ATTRIBUTES: dict[str, Feature] = {
    "description": Feature("the group attribute `description`", _v("0.16"), "ignored"),
}
"""Group attributes newer than 0.13."""

VARIABLE_FIELDS: dict[str, Feature] = {
    "description": Feature("a variable's `description`", _v("0.16"), "refused"),
    "validation": Feature("a variable's `validation` block", _v("0.19"), "refused"),
    "type": Feature("a variable's `type`", _v("0.24"), "refused"),
}
"""Variable block contents newer than 0.13; 0.13 stops at them (``Unsupported argument``)."""

OBJECT_FORMS: dict[str, Feature] = {
    key: Feature(f"`{key}` entries written as objects", _v(since), "refused")
    for key, since in (
        ("cache-from", "0.19"),
        ("cache-to", "0.19"),
        ("output", "0.19"),
        ("secret", "0.19"),
        ("ssh", "0.19"),
        ("attest", "0.20"),
    )
}
"""List attributes whose entries may be objects (``{type = "gha"}``) only from these versions;
before, every entry must be a string (``element 0: string required``)."""

FUNCTIONS: dict[str, Feature] = {
    name: Feature(f"the function `{name}()`", _v(since), "refused")
    for name, since in (
        ("indexof", "0.14"),
        ("basename", "0.17"),
        ("dirname", "0.17"),
        ("sanitize", "0.17"),
        ("homedir", "0.27"),
        ("semvercmp", "0.31"),
        ("formattimestamp", "0.33"),
        ("unixtimestampparse", "0.33"),
    )
}
"""Built-in functions newer than 0.13 (``Call to unknown function`` before)."""

MERGE_SECRETS_BY_ID = _v("0.20")
"""From this version a target's ``secret`` and ``ssh`` entries with the same id replace each
other through ``inherits`` and same-name targets; before, they are appended."""

LINKS_BY_SUBSET = _v("0.20")
"""From this version a multi-platform target may use a ``target:`` context built for more
platforms than its own; before, both must list the same platforms (buildx sorts both)."""

OVERRIDE_FILES_LAST = _v("0.20")
"""From this version the default files are read as json, hcl, override.json, override.hcl;
before, as json, override.json, hcl, override.hcl."""


def default_files(buildx: Version) -> tuple[str, ...]:
    """The bake files a folder is searched for, in the order ``buildx`` reads them."""
    if buildx >= OVERRIDE_FILES_LAST:
        return (
            "docker-bake.json",
            "docker-bake.hcl",
            "docker-bake.override.json",
            "docker-bake.override.hcl",
        )
    return (
        "docker-bake.json",
        "docker-bake.override.json",
        "docker-bake.hcl",
        "docker-bake.override.hcl",
    )
