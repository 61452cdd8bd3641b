"""Addresses of resources in a repository of packages, and the specs that select them.

A package is a folder holding definitions, named by its path from the repository root
(``services/payments``; the root itself is ``""``). A resource's address is
``PACKAGE:NAME`` (``services/payments:api``; ``:api`` in the root package). Specs select
as Pants does: ``services/payments:api`` one resource, ``services/payments:`` every one in
that package, ``services/payments::`` every one at or below it, ``::`` the whole repository.

Bake knows one flat namespace, so each address has a bake name: the root package's
resources keep their names, the others are prefixed with their package's path, ``/`` as
``-`` (``services-payments-api``). Two addresses that meet on one bake name are an error
naming both; the mapping never depends on what else is loaded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

_PACKAGE = re.compile(r"^(?:[A-Za-z0-9_.][A-Za-z0-9_.-]*)(?:/[A-Za-z0-9_.][A-Za-z0-9_.-]*)*$")


def _check_package(package: str, text: str) -> str:
    package = package.strip("/")
    if package in (".", ""):
        return ""
    if not _PACKAGE.match(package) or any(part in (".", "..") for part in package.split("/")):
        raise ValueError(f"invalid package path {package!r} in {text!r}")
    return package


@dataclass(frozen=True, order=True)
class Address:
    """``PACKAGE:NAME``: a resource in one package."""

    package: str
    name: str

    @classmethod
    def parse(cls, text: str, *, relative_to: str = "") -> Address:
        """``services/payments:api``; ``:api`` (the root package); a bare ``api`` is in
        ``relative_to`` (the package the reference is written in)."""
        package, colon, name = text.rpartition(":")
        if not colon:
            return cls(relative_to, text)
        if not name or name.endswith(":"):
            raise ValueError(f"{text!r} is a spec, not an address: it names no resource")
        return cls(_check_package(package, text), name)

    def __str__(self) -> str:
        return f"{self.package}:{self.name}"

    def bake_name(self) -> str:
        """The name bake files use: the name itself in the root package, else prefixed with
        the package path (``services-payments-api``)."""
        if not self.package:
            return self.name
        return self.package.replace("/", "-").replace(".", "_") + "-" + self.name


@dataclass(frozen=True)
class AddressSpec:
    """What a command line spec selects: one address, a package, or a package and below."""

    package: str
    name: str | None = None
    scope: Literal["one", "package", "below"] = "one"

    @classmethod
    def parse(cls, text: str) -> AddressSpec:
        """``pkg:name``, ``pkg:``, ``pkg::`` or ``::``."""
        if text.endswith("::"):
            return cls(_check_package(text[:-2], text), None, "below")
        if text.endswith(":"):
            return cls(_check_package(text[:-1], text), None, "package")
        address = Address.parse(text)
        return cls(address.package, address.name, "one")

    def selects_package(self, package: str) -> bool:
        """Whether resources of ``package`` can be selected by this spec."""
        if self.scope == "below":
            return (
                not self.package
                or package == self.package
                or package.startswith(self.package + "/")
            )
        return package == self.package

    def selects(self, address: Address) -> bool:
        """Whether ``address`` is selected."""
        if not self.selects_package(address.package):
            return False
        return self.scope != "one" or address.name == self.name

    def __str__(self) -> str:
        if self.scope == "below":
            return f"{self.package}::"
        if self.scope == "package":
            return f"{self.package}:"
        return f"{self.package}:{self.name}"


def is_spec(text: str) -> bool:
    """Whether a command line name is an address spec (it holds a ``:``) rather than a bare
    target or group name."""
    return ":" in text
