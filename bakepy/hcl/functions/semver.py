"""semvercmp(version, constraint): semantic-version constraint checks (Masterminds/semver rules)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bakepy.errors import HclError
from bakepy.hcl.values import to_str

_VERSION = re.compile(
    r"v?(\d+)(?:\.(\d+))?(?:\.(\d+))?"
    r"(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?"
)
_WILDCARD = "(?:x|X|\\*|\\d+)"
_CONSTRAINT_VERSION = (
    rf"v?{_WILDCARD}(?:\.{_WILDCARD})?(?:\.{_WILDCARD})?"
    r"(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?"
)
_OPERATOR = r"(?:!=|>=|=>|<=|=<|~>|>|<|=|~|\^)?"
_ONE_CONSTRAINT = re.compile(rf"\s*({_OPERATOR})\s*({_CONSTRAINT_VERSION})\s*,?")
_HYPHEN_RANGE = re.compile(rf"\s*({_CONSTRAINT_VERSION})\s+-\s+({_CONSTRAINT_VERSION})\s*")
_CONSTRAINT_PARTS = re.compile(
    r"v?(x|X|\*|\d+)(?:\.(x|X|\*|\d+))?(?:\.(x|X|\*|\d+))?(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?"
)


@dataclass(frozen=True, slots=True)
class Version:
    """A parsed semantic version (build metadata ignored)."""

    major: int
    minor: int
    patch: int
    prerelease: str = ""

    def key(self) -> tuple[int, int, int]:
        """The numeric part, for ordering."""
        return (self.major, self.minor, self.patch)


_UINT64 = 1 << 64


def parse_version(text: str) -> Version:
    """Parse a version as Masterminds' NewVersion does: a `v` prefix and missing minor or
    patch are allowed; surrounding spaces, a numeric pre-release identifier with a leading
    zero and a number past 64 bits are not (checked against v3.4.0, the one buildx uses)."""
    match = _VERSION.fullmatch(text)
    if match is None:
        raise HclError("invalid semantic version")
    major, minor, patch, pre, _ = match.groups()
    numbers = [int(part or 0) for part in (major, minor, patch)]
    for part, number in zip((major, minor, patch), numbers, strict=True):
        if number >= _UINT64:
            raise HclError(
                f'error parsing version segment: strconv.ParseUint: parsing "{part}": '
                "value out of range"
            )
    for identifier in (pre or "").split("."):
        if identifier.isdigit() and len(identifier) > 1 and identifier.startswith("0"):
            raise HclError("version segment starts with 0")
    return Version(numbers[0], numbers[1], numbers[2], pre or "")


def _compare_prerelease(left: str, right: str) -> int:
    if left == right:
        return 0
    if not left:
        return 1
    if not right:
        return -1
    for a, b in zip(left.split("."), right.split("."), strict=False):
        if a == b:
            continue
        if a.isdigit() and b.isdigit():
            return -1 if int(a) < int(b) else 1
        if a.isdigit():
            return -1
        if b.isdigit():
            return 1
        return -1 if a < b else 1
    return -1 if len(left.split(".")) < len(right.split(".")) else 1


def compare(left: Version, right: Version) -> int:
    """-1, 0 or 1 by semantic-version precedence."""
    if left.key() != right.key():
        return -1 if left.key() < right.key() else 1
    return _compare_prerelease(left.prerelease, right.prerelease)


@dataclass(frozen=True, slots=True)
class _Constraint:
    operator: str
    version: Version
    minor_dirty: bool
    patch_dirty: bool
    major_dirty: bool = False

    @property
    def dirty(self) -> bool:
        return self.major_dirty or self.minor_dirty or self.patch_dirty


def _parse_constraint(operator: str, text: str) -> _Constraint:
    match = _CONSTRAINT_PARTS.fullmatch(text)
    if match is None:
        raise HclError(f"improper constraint: {text}")
    major, minor, patch, pre = match.groups()
    wild = ("x", "X", "*")
    if major in wild:
        return _Constraint(operator, Version(0, 0, 0, pre or ""), False, False, major_dirty=True)
    if minor is None or minor in wild:
        return _Constraint(operator, Version(int(major), 0, 0, pre or ""), True, True)
    if patch is None or patch in wild:
        return _Constraint(operator, Version(int(major), int(minor), 0, pre or ""), False, True)
    return _Constraint(
        operator, Version(int(major), int(minor), int(patch), pre or ""), False, False
    )


def _tilde(version: Version, con: _Constraint) -> bool:
    target = con.version
    if compare(version, target) < 0:
        return False
    if target.key() == (0, 0, 0) and not (con.minor_dirty or con.patch_dirty):
        return True
    if version.major != target.major:
        return False
    return version.minor == target.minor or con.minor_dirty


def _caret(version: Version, con: _Constraint) -> bool:
    target = con.version
    if compare(version, target) < 0:
        return False
    if con.major_dirty:
        return True
    if target.major > 0 or con.minor_dirty:
        return version.major == target.major
    if target.minor > 0 or con.patch_dirty:
        return version.major == 0 and version.minor == target.minor
    return version.key() == target.key()


def _greater(version: Version, con: _Constraint) -> bool:
    target = con.version
    if not con.dirty or con.major_dirty:
        return compare(version, target) > 0
    if version.major != target.major:
        return version.major > target.major
    if con.minor_dirty:
        return False
    return version.minor > target.minor


def _less_equal(version: Version, con: _Constraint) -> bool:
    target = con.version
    if not con.dirty:
        return compare(version, target) <= 0
    if version.major > target.major:
        return False
    return not (
        version.major == target.major and version.minor > target.minor and not con.minor_dirty
    )


def _check(version: Version, con: _Constraint) -> bool:
    if version.prerelease and not con.version.prerelease and con.operator != "!=":
        return False  # pre-releases only satisfy constraints that mention one
    operator = con.operator
    if operator in ("", "="):
        return _tilde(version, con) if con.dirty else compare(version, con.version) == 0
    if operator == "!=":
        if con.dirty:
            return not _tilde(version, con)
        return compare(version, con.version) != 0
    if operator == ">":
        return _greater(version, con)
    if operator == "<":
        return compare(version, con.version) < 0
    if operator in (">=", "=>"):
        return compare(version, con.version) >= 0
    if operator in ("<=", "=<"):
        return _less_equal(version, con)
    if operator in ("~", "~>"):
        return _tilde(version, con)
    return _caret(version, con)


def parse_constraints(text: str) -> list[list[_Constraint]]:
    """Parse `>= 1.2, < 2 || ^3` into OR-groups of AND-ed constraints."""
    groups: list[list[_Constraint]] = []
    for segment in text.split("||"):
        segment = _HYPHEN_RANGE.sub(lambda m: f">= {m.group(1)}, <= {m.group(2)} ", segment)
        constraints: list[_Constraint] = []
        pos = 0
        while pos < len(segment):
            if segment[pos:].strip() == "":
                break
            match = _ONE_CONSTRAINT.match(segment, pos)
            if match is None or match.end() == pos:
                raise HclError(f"improper constraint: {segment}")  # Masterminds' words
            constraints.append(_parse_constraint(match.group(1), match.group(2)))
            pos = match.end()
        if not constraints:
            raise HclError(f"improper constraint: {segment}")
        groups.append(constraints)
    return groups


def semvercmp(version: Any, constraint: Any) -> bool:
    """Whether `version` satisfies `constraint` (e.g. ">= 1.2.0", "~1.4", "^2 || 3.x")."""
    parsed = parse_version(to_str(version, "version"))
    groups = parse_constraints(to_str(constraint, "constraint"))
    return any(all(_check(parsed, con) for con in group) for group in groups)


FUNCTIONS: dict[str, Callable[..., Any]] = {"semvercmp": semvercmp}
