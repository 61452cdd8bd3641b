"""Variables and user functions as bake evaluates them: env overrides, types, validation."""

from __future__ import annotations

import json
import math
import platform
from collections.abc import Callable, Mapping
from typing import Any

from bakepy.errors import CycleError, EvaluationError, HclError, Location
from bakepy.hcl.evaluator import evaluate, render_template
from bakepy.hcl.references import template_calls
from bakepy.hcl.scope import Scope
from bakepy.hcl.values import nfc, to_str
from bakepy.models.bake.features import FUNCTIONS
from bakepy.models.toolchain import LATEST_BUILDX, Version

LocateFn = Callable[[str, str], Location | None]
LocateFieldFn = Callable[[tuple[str, str], tuple[str | int, ...]], Location | None]
"""Where a field of a block is (``("variable", "V"), ("validation", 1, "condition")``)."""
"""Given (block type, name), where that block was declared."""

_MACHINES = {
    "x86_64": "amd64",
    "amd64": "amd64",
    "aarch64": "arm64",
    "arm64": "arm64",
    "armv7l": "arm/v7",
    "armv6l": "arm/v6",
    "i386": "386",
    "i686": "386",
}


def local_platform() -> str:
    """This machine's platform as buildx names it (``linux/amd64``, ``linux/arm/v7``)."""
    machine = platform.machine().lower()
    return f"{platform.system().lower()}/{_MACHINES.get(machine, machine)}"


BUILTIN_VARIABLES = {"BAKE_CMD_CONTEXT": "cwd://", "BAKE_LOCAL_PLATFORM": local_platform()}
"""Variables bake defines itself; nothing overrides them (bake.md §3)."""

_TRUE = {"1", "t", "T", "TRUE", "true", "True"}
_FALSE = {"0", "f", "F", "FALSE", "false", "False"}


def parse_bool(text: str) -> bool:
    """Go's strconv.ParseBool, which bake uses for bool variables set from the environment."""
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"{text!r} is not a bool")


def parse_number(text: str) -> int | float:
    """A number from the environment (Go's strconv.ParseFloat, finite); integral values stay
    ints."""
    try:
        number = float(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a number") from None
    if text != text.strip() or not math.isfinite(number):
        raise ValueError(f"{text!r} is not a number")
    return (
        int(number)
        if number.is_integer() and "." not in text and "e" not in text.lower()
        else number
    )


def _convert_primitive(text: str, kind: str) -> Any:
    if kind == "bool":
        return parse_bool(text)
    if kind == "number":
        return parse_number(text)
    return text


def convert_env_value(name: str, text: str, default: Any, type_: str | None) -> Any:
    """Convert an environment override to the variable's type, as buildx does (its text in
    normal form C, as cty keeps every string)."""
    text = nfc(text)
    if type_ is not None:
        if type_ in ("string", "any"):
            return text
        if type_ in ("bool", "number"):
            return _convert_primitive(text, type_)
        inner = type_[type_.index("(") + 1 : -1]
        if type_.startswith("map"):
            return {k: _convert_primitive(v, inner) for k, v in json.loads(text).items()}
        items = [item.strip() for item in text.split(",")] if text else []
        return [_convert_primitive(item, inner) for item in items]
    if isinstance(default, bool):
        return parse_bool(text)
    if isinstance(default, int | float):
        return parse_number(text)
    if isinstance(default, list | dict):
        raise ValueError(
            f"unsupported type {'tuple' if isinstance(default, list) else 'object'} for "
            f"variable {name}: give it a type, e.g. list(string), to set it from the environment"
        )
    return text


class VariableResolver:
    """Evaluates variables lazily, in dependency order, detecting cycles."""

    def __init__(
        self,
        variables: Mapping[str, Mapping[str, Any]],
        functions: Mapping[str, Mapping[str, Any]],
        env: Mapping[str, str],
        locate: LocateFn,
        attributes: Mapping[str, Any] | None = None,
        buildx: Version = LATEST_BUILDX,
        blocks: Mapping[str, Callable[[], Any]] | None = None,
        locate_field: LocateFieldFn | None = None,
    ) -> None:
        self.blocks = variables
        self.locate_field = locate_field
        self.block_values = dict(blocks or {})
        """Names that stand for other blocks (``target``), given lazily: a global attribute
        or a default may read ``target.NAME.ATTR`` as a target attribute may."""
        self.buildx = buildx
        self.warnings: list[str] = []
        self.env = env
        self.locate = locate
        self.attributes = dict(attributes or {})
        self.values: dict[str, Any] = {}
        self._in_progress: list[str] = []
        self._calling: list[str] = []
        """User functions being evaluated right now: calling one again loops."""
        self._declared_functions = functions
        self.scope = Scope(resolver=self._lookup, table=self._functions)

    def _functions(self) -> dict[str, Any]:
        """The function table as this buildx has it: its built-ins (a newer one raises what
        buildx raises, with the version that has it), then the user functions, which never
        replace a built-in of the same name (buildx calls the built-in)."""
        from bakepy.hcl.stdlib import BUILTIN_FUNCTIONS

        table: dict[str, Any] = {}
        for name, function in BUILTIN_FUNCTIONS.items():
            feature = FUNCTIONS.get(name)
            if feature is None or feature.available(self.buildx):
                table[name] = function
            else:
                table[name] = _unavailable(name, feature.since, self.buildx)
        for name, block in self._declared_functions.items():
            if name in table and not isinstance(table[name], _Unavailable):
                self.warnings.append(
                    f"function {name!r}: buildx calls its built-in {name}() instead; "
                    "rename the function"
                )
                continue
            table[name] = self._user_function(name, block)
        return table

    def _lookup(self, name: str) -> Any:
        if name in BUILTIN_VARIABLES:
            return BUILTIN_VARIABLES[name]
        if name in self.attributes or name in self.blocks:
            return self.value(name)
        if name in self.block_values:
            return self.block_values[name]()
        raise KeyError(name)

    def value(self, name: str) -> Any:
        """The final value of variable ``name``."""
        if name in self.values:
            return self.values[name]
        if name in self._in_progress:
            path = " -> ".join([*self._in_progress[self._in_progress.index(name) :], name])
            raise CycleError(f"variable cycle: {path}", self.locate("variable", name))
        self._in_progress.append(name)
        try:
            self.values[name] = self._compute(name)
        finally:
            self._in_progress.pop()
        return self.values[name]

    def _compute(self, name: str) -> Any:
        block = self.blocks.get(name, {})
        if name in self.attributes:
            # a top-level attribute is the definition even beside a variable block of the same
            # name; only such a block lets the environment override it (buildx resolveValue)
            block = {**block, "default": self.attributes[name]}
        default = block.get("default")
        type_ = block.get("type")
        self._refuse_json_default_calls(name, default)
        if name in self.env and name in self.blocks:
            if type_ is None and default is not None:
                # the environment is converted to the type of the evaluated default
                default = self.evaluate_value(default, ("variable", name))
            try:
                return convert_env_value(name, self.env[name], default, type_)
            except (ValueError, json.JSONDecodeError) as exc:
                raise EvaluationError(
                    f"variable {name} from the environment: {exc}", self.locate("variable", name)
                ) from None
        if name + "_JSON" in self.env and type_ is not None and name + "_JSON" not in self.blocks:
            try:
                return json.loads(self.env[name + "_JSON"])
            except json.JSONDecodeError as exc:
                raise EvaluationError(
                    f"variable {name}_JSON is not JSON: {exc}", self.locate("variable", name)
                ) from None
        if "default" not in block:
            return None if type_ is not None else ""
        if default is None:
            return None  # `default = null`: a null, unlike a missing default (bake.md §3)
        return self.evaluate_value(default, ("variable", name))

    def _refuse_json_default_calls(self, name: str, default: Any) -> None:
        """buildx finds the functions a value calls only in HCL syntax, and registers the
        declared ones after every variable: a JSON file's variable default that calls one
        fails there ('There is no function named ...'), even when the environment sets it."""
        where = self.locate("variable", name)
        if where is None or where.file is None or where.file.suffix != ".json":
            return
        for text in _strings_in(default):
            if "${" not in text and "%{" not in text:
                continue
            try:
                called = template_calls(text, quoted=False)
            except HclError:
                continue  # not a valid template: evaluating it reports where and why
            declared = sorted(called & set(self._declared_functions))
            if declared:
                raise EvaluationError(
                    f"its default calls {declared[0]}(), a function the bake "
                    "files declare, which buildx does not find from a JSON file's variable",
                    where.with_field("default"),
                    hint="declare the variable in an HCL file, or write its default without it",
                )

    def evaluate_value(self, value: Any, where: tuple[str, str]) -> Any:
        """Evaluate templates inside a value (strings, and strings nested in lists and maps)."""
        if isinstance(value, str):
            return self.template(value, where)
        if isinstance(value, list):
            return [self.evaluate_value(item, where) for item in value]
        if isinstance(value, dict):
            return {
                self.key(key, where): self.evaluate_value(item, where)
                for key, item in value.items()
            }
        return value

    def key(self, key: str, where: tuple[str, str], scope: Scope | None = None) -> str:
        """An object key, which is a template like any string (``"com.${ORG}.x" = ...``)."""
        value = self.template(key, where, scope)
        try:
            return to_str(value, f"object key {key!r}")
        except HclError as exc:
            raise EvaluationError(str(exc), self.locate(*where)) from None

    def template(self, text: str, where: tuple[str, str], scope: Scope | None = None) -> Any:
        """Evaluate one string template; errors name the block it belongs to.

        The text is template source as a JSON bake file holds it: backslashes in literal parts
        are literal (only strings inside ``${...}`` decode escapes), as buildx reads JSON.
        """
        if "${" not in text and "%{" not in text:
            return text
        try:
            return render_template(text, scope or self.scope, quoted=False)
        except HclError as exc:
            raise EvaluationError(str(exc), self.locate(*where)) from None

    def expression(self, text: str, where: tuple[str, str], scope: Scope | None = None) -> Any:
        """Evaluate one bare expression (a validation condition)."""
        try:
            return evaluate(text, scope or self.scope)
        except HclError as exc:
            raise EvaluationError(str(exc), self.locate(*where)) from None

    def evaluate_all(self) -> None:
        """Evaluate every variable, used or not, as buildx does: a bad environment override or a
        cycle is an error even in a variable no target reads."""
        for name in [*self.attributes, *self.blocks]:
            self.value(name)

    def _rule_location(self, name: str, index: int, key: str) -> Location | None:
        """Where validation ``index``'s ``key`` of variable ``name`` is, with its field path."""
        where = ("variable", name)
        path: tuple[str | int, ...] = ("validation", index, key)
        found = self.locate_field(where, path) if self.locate_field is not None else None
        return found or (self.locate(*where) or Location()).with_field(*path)

    def validate(self) -> None:
        """Check every variable's validation blocks, after all variables are known; an error
        names the validation's line and field path (``validation[1].condition``)."""
        for name, block in self.blocks.items():
            for index, rule in enumerate(block.get("validation", [])):
                where = self._rule_location(name, index, "condition")
                try:
                    ok = evaluate(rule["condition"], self.scope)
                except HclError as exc:
                    raise EvaluationError(str(exc), where) from None
                if ok is not True:
                    try:
                        message = render_template(rule["error_message"], self.scope, quoted=False)
                    except HclError as exc:
                        at = self._rule_location(name, index, "error_message")
                        raise EvaluationError(str(exc), at) from None
                    raise EvaluationError(f"variable {name}: {message}", where)

    def _user_function(self, name: str, block: Mapping[str, Any]) -> Callable[..., Any]:
        params: list[str] = list(block.get("params", []))
        variadic: str | None = block.get("variadic_params")
        result: str = block["result"]

        def call(*args: Any) -> Any:
            if len(args) < len(params) or (variadic is None and len(args) > len(params)):
                raise HclError(
                    f"function {name} takes {len(params)} argument(s)"
                    f"{' or more' if variadic else ''}, got {len(args)}"
                )
            if name in self._calling:
                raise HclError(f"function cycle not allowed for {name}")
            bound = dict(zip(params, args, strict=False))
            if variadic is not None:
                bound[variadic] = list(args[len(params) :])
            self._calling.append(name)
            try:
                return _function_result(result, self.scope.child(bound))
            finally:
                self._calling.pop()

        return call


class _Unavailable:
    """A built-in the targeted buildx does not have yet: calling it is buildx's error."""

    def __init__(self, name: str, since: Version, buildx: Version) -> None:
        self.name, self.since, self.buildx = name, since, buildx

    def __call__(self, *args: Any) -> Any:
        raise HclError(
            f'call to unknown function "{self.name}": {self.name}() needs buildx {self.since} '
            f"or newer (this is buildx {self.buildx})"
        )


def _strings_in(value: Any) -> list[str]:
    """Every string inside a value (nested in lists and maps, keys too)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [text for item in value for text in _strings_in(item)]
    if isinstance(value, dict):
        return [text for k, v in value.items() for text in (*_strings_in(k), *_strings_in(v))]
    return []


def _unavailable(name: str, since: Version, buildx: Version) -> _Unavailable:
    return _Unavailable(name, since, buildx)


def _function_result(value: Any, scope: Scope) -> Any:
    """A function's ``result`` evaluated: a template, or a list or object of them (HCL)."""
    if isinstance(value, str):
        return render_template(value, scope, quoted=False)
    if isinstance(value, list):
        return [_function_result(item, scope) for item in value]
    if isinstance(value, dict):
        return {
            to_str(_function_result(key, scope), "object key"): _function_result(item, scope)
            for key, item in value.items()
        }
    return value
