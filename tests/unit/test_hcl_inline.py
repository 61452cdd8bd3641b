"""Calls of declared functions written out in place (bakepy.hcl.inline), which a rendered
docker-bake.json needs in its variable defaults; buildx judges the result in the
bake-world fixture vars-default-calls-declared-function."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import bakepy
from bakepy.hcl.inline import ARGS, inline_calls
from bakepy.hcl.writing import hcl_string
from bakepy.models.toolchain import NO_LIMITS

FUNCTIONS = {
    "pick": {"params": ["v"], "result": '${v == "7" ? "old" : "new"}'},
    "wrap": {"params": ["x"], "result": "${pick(x)}-w"},
    "refs": {"params": ["name"], "variadic_params": "more", "result": ["r/${name}", "${more}"]},
}


def test_text_that_calls_no_declared_function_is_kept_as_written() -> None:
    for text in ("plain", "${upper(V)}", "${obj.pick}", "a-${V}", "${pick}"):
        assert inline_calls(text, FUNCTIONS) == text


def test_every_call_is_written_out_nested_ones_too() -> None:
    written = inline_calls("x-${wrap(V)}-${upper(pick(W))}", FUNCTIONS)
    assert "pick(" not in written
    assert "wrap(" not in written
    assert written.startswith("x-${([for " + ARGS + " in [[V]] : [for x in [")
    assert "upper(([for" in written


def test_an_expanded_call_is_left_as_written() -> None:
    assert inline_calls("${pick(xs...)}", FUNCTIONS) == "${pick(xs...)}"


def test_a_broken_template_is_left_as_written() -> None:
    assert inline_calls("${pick(", FUNCTIONS) == "${pick("


CALLS = """
variable "V" {
  default = "7"
}
function "pick" {
  params = [v]
  result = v == "7" ? "old" : "new"
}
function "wrap" {
  params = [x]
  result = "${pick(x)}-w"
}
function "refs" {
  params = [name]
  variadic_params = more
  result = ["r/${name}", more]
}
target "t" {
  args = { A = A, B = B }
  tags = flatten(C)
}
"""


def test_written_out_defaults_evaluate_as_the_calls_do(tmp_path: Path) -> None:
    """The same variables, once calling the functions and once written out, resolve alike."""
    defaults = {"A": "${pick(V)}", "B": "${wrap(V)}", "C": '${refs("app", V, "x")}'}
    calls = "".join(
        f'variable "{k}" {{\n  default = {hcl_string(v)}\n}}\n' for k, v in defaults.items()
    )
    written = "".join(
        f'variable "{k}" {{\n  default = {hcl_string(inline_calls(v, FUNCTIONS))}\n}}\n'
        for k, v in defaults.items()
    )
    (tmp_path / "calls.hcl").write_text(calls + CALLS)
    (tmp_path / "written.hcl").write_text(written + CALLS)
    called = _resolved(tmp_path / "calls.hcl")
    inlined = _resolved(tmp_path / "written.hcl")
    assert called == inlined
    target = called["target"]["t"]
    assert target["args"] == {"A": "old", "B": "old-w"}
    assert target["tags"] == ["r/app", "7", "x"]


def _resolved(path: Path) -> dict[str, Any]:
    """Target ``t`` of the bake file at ``path``, as print shows it."""
    return bakepy.resolve(bakepy.load([path]), ["t"], {}, toolchain=NO_LIMITS).to_dict()
