"""CIDR functions (documented Terraform examples)."""

from __future__ import annotations

from typing import Any

import pytest

from bakepy.errors import HclError
from bakepy.hcl.evaluator import evaluate
from bakepy.hcl.scope import Scope


def call(text: str) -> Any:
    return evaluate(text, Scope())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('cidrhost("10.12.112.0/20", 16)', "10.12.112.16"),
        ('cidrhost("10.12.112.0/20", 268)', "10.12.113.12"),
        ('cidrhost("10.12.112.0/20", -1)', "10.12.127.255"),
        ('cidrhost("fd00:fd12:3456:7890:00a2::/72", 34)', "fd00:fd12:3456:7890::22"),
        ('cidrnetmask("172.16.0.0/12")', "255.240.0.0"),
        ('cidrnetmask("10.0.0.0/8")', "255.0.0.0"),
        ('cidrnetmask("fd00::/8")', "ff00::"),
        ('cidrsubnet("172.16.0.0/12", 4, 2)', "172.18.0.0/16"),
        ('cidrsubnet("10.1.2.0/24", 4, 15)', "10.1.2.240/28"),
        ('cidrsubnet("fd00:fd12:3456:7890::/56", 16, 162)', "fd00:fd12:3456:7800:a200::/72"),
        ('cidrsubnet("10.0.0.0/8", 0, 0)', "10.0.0.0/8"),
        (
            'cidrsubnets("10.1.0.0/16", 4, 4, 8, 4)',
            ["10.1.0.0/20", "10.1.16.0/20", "10.1.32.0/24", "10.1.48.0/20"],
        ),
        (
            'cidrsubnets("fd00:fd12:3456:7890::/56", 16, 16, 16, 32)',
            [
                "fd00:fd12:3456:7800::/72",
                "fd00:fd12:3456:7800:100::/72",
                "fd00:fd12:3456:7800:200::/72",
                "fd00:fd12:3456:7800:300::/88",
            ],
        ),
        ('cidrsubnets("10.0.0.0/8")', []),
    ],
)
def test_cidr_function(text: str, expected: Any) -> None:
    assert call(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('cidrhost("10.0.0.0/30", 4)', "does not accommodate a host"),
        ('cidrhost("nonsense", 1)', "invalid CIDR"),
        ('cidrsubnet("10.0.0.0/30", 4, 0)', "insufficient address space"),
        ('cidrsubnet("10.0.0.0/8", 2, 4)', "does not accommodate a subnet"),
        ('cidrsubnets("10.0.0.0/30", 1, 1, 1)', "not enough remaining address space"),
        ('cidrsubnets("10.0.0.0/30", 3)', "too long"),
    ],
)
def test_cidr_function_errors(text: str, message: str) -> None:
    with pytest.raises(HclError, match=message):
        call(text)
