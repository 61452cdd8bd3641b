"""One small bakepy project per bake feature, judged by ``docker buildx bake --print``.

Each case is declared in Python with the bakepy models, rendered into ``tmp_path`` as
docker-bake.hcl and docker-bake.json, printed by buildx from both files (same names, same
environment), and compared with what ``bakepy.resolve`` computes for the same request.
The rules each case exercises are in ../shared/reference/bake.md (section numbers cited).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from bakeprint import (  # noqa: F401
    buildx_env,
    buildx_print,
    buildx_print_result,
    normalize,
    ssh_agent_fixture,
)

from bakepy import (
    BakepyError,
    Dockerfile,
    DockerfileSpec,
    Function,
    FunctionSpec,
    Group,
    GroupSpec,
    Project,
    Target,
    TargetSpec,
    Variable,
    VariableSpec,
    render,
    resolve,
)
from bakepy.api.output import write_files
from bakepy.generators import render_project
from bakepy.models.bake import (
    SSH,
    GitContext,
    HttpContext,
    ImageContext,
    LocalContext,
    OciLayoutContext,
    TargetContext,
)
from bakepy.models.dockerfile import Arg, Env, Run, Stage
from bakepy.models.resource import Resource

pytestmark = [pytest.mark.conformance]

IMAGE = "docker.io/library/busybox:1.36"


@dataclass(frozen=True)
class Where:
    """What a case may need from its test: the ssh-agent socket."""

    ssh_agent: str


@dataclass
class Case:
    """A project to render, the names to request, extra environment and files to create."""

    resources: list[Resource]
    names: list[str]
    env: dict[str, str] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)
    """Files to create relative to the folder (a path ending in ``/`` is a directory)."""
    checked: bool = True
    """Render with ``bakepy.render`` (project checks first); False renders without the checks
    (``render_project``), for a case whose names exist only with its environment."""


CASES: dict[str, Callable[[Where], Case]] = {}


def case(name: str) -> Callable[[Callable[[Where], Case]], Callable[[Where], Case]]:
    """Register a case builder under a readable test id."""

    def register(builder: Callable[[Where], Case]) -> Callable[[Where], Case]:
        assert name not in CASES, name
        CASES[name] = builder
        return builder

    return register


def case_params() -> list[Any]:
    """Every case as a pytest parameter."""
    return [pytest.param(name, id=name) for name in CASES]


def target(label: str, /, **spec: Any) -> Target:
    """A Target from keyword attributes (snake_case bake attribute names)."""
    return Target(metadata=label, spec=TargetSpec(**spec))


def group(name: str, *members: Target | Group | str) -> Group:
    """A Group of the given members."""
    return Group(metadata=name, spec=GroupSpec(targets=list(members)))


def variable(name: str, **spec: Any) -> Variable:
    """A Variable from keyword attributes (default, type, validation)."""
    return Variable(metadata=name, spec=VariableSpec(**spec))


def function(name: str, result: str, params: list[str], variadic: str | None = None) -> Function:
    """A user function."""
    return Function(
        metadata=name,
        spec=FunctionSpec(params=params, variadic_params=variadic, result=result),
    )


# -- inherits: merge rules (bake.md §7) -----------------------------------------------------------


@case("inherits-replace-attributes")
def _inherits_replace(where: Where) -> Case:
    base = target(
        "base",
        context="ctx-a",
        dockerfile="a.Dockerfile",
        tags=["r.example/base:1"],
        platforms=["linux/amd64"],
        output=["type=registry"],
        cache_to=["type=inline"],
        target="build",
        pull=True,
        no_cache=True,
        shm_size="64m",
    )
    child = target(
        "child",
        inherits=[base],
        context="ctx-b",
        dockerfile="b.Dockerfile",
        tags=["r.example/child:1", "r.example/child:latest"],
        platforms=["linux/arm64", "linux/arm/v7"],
        output=["type=local,dest=out"],
        cache_to=["type=registry,ref=r.example/cache:child,mode=max"],
        target="release",
        pull=False,
        no_cache=False,
        shm_size="128m",
    )
    keeper = target("keeper", inherits=[base])
    return Case(
        [base, child, keeper], ["base", "child", "keeper"], files={"ctx-a/": "", "ctx-b/": ""}
    )


@case("inherits-dockerfile-inline-replace")
def _inherits_inline(where: Where) -> Case:
    base = target("base", dockerfile_inline="FROM scratch\n")
    child = target("child", inherits=[base], dockerfile_inline="FROM busybox\nRUN true\n")
    keeper = target("keeper", inherits=[base])
    return Case([base, child, keeper], ["child", "keeper"])


@case("inherits-map-merge-args-labels-contexts")
def _inherits_map_merge(where: Where) -> Case:
    base = target(
        "base",
        args={"A": "1", "B": "2", "KEEP": "k"},
        labels={"l.one": "x", "l.keep": "y"},
        contexts={"c1": "docker-image://alpine:3.19", "keep": "docker-image://busybox:1"},
    )
    child = target(
        "child",
        inherits=[base],
        args={"A": "10", "KEEP": None, "NEW": "n", "ONLY_NULL": None},
        labels={"l.one": "z", "l.keep": None, "l.new": "n"},
        contexts={"c1": "docker-image://alpine:3.20", "c2": "docker-image://debian:12"},
    )
    return Case([base, child], ["base", "child"])


@case("inherits-append-and-dedupe")
def _inherits_append(where: Where) -> Case:
    base = target(
        "base",
        annotations=["org.example.a=1", "index:org.example.b=2"],
        cache_from=["type=registry,ref=r.example/cache:base", "type=gha"],
        no_cache_filter=["deps"],
        ulimits=["nofile=1024:2048"],
    )
    child = target(
        "child",
        inherits=[base],
        annotations=["org.example.a=1", "org.example.c=3"],
        cache_from=["type=gha", "type=local,src=cachedir"],
        no_cache_filter=["deps", "build"],
        ulimits=["nofile=1024:2048", "nproc=512"],
    )
    return Case([base, child], ["base", "child"], files={"cachedir/": ""})


@case("inherits-secret-merged-by-id")
def _inherits_secret(where: Where) -> Case:
    base = target(
        "base",
        secret=["id=token,env=TOKEN_A", "id=file,src=secrets/a.txt"],
    )
    child = target(
        "child",
        inherits=[base],
        secret=["id=token,env=TOKEN_B", "id=other,src=secrets/b.txt"],
    )
    return Case(
        [base, child],
        ["base", "child"],
        env={"TOKEN_A": "a", "TOKEN_B": "b"},
        files={"secrets/a.txt": "a\n", "secrets/b.txt": "b\n"},
    )


@case("inherits-ssh-merged-by-id")
def _inherits_ssh(where: Where) -> Case:
    base = target("base", ssh=[SSH(id="default")])
    child = target(
        "child",
        inherits=[base],
        # buildx 0.13 rejects one id with two different values ("invalid duplicate ID
        # default"), so only an identical repeat of a parent's id can be judged by it here.
        ssh=[SSH(id="default"), SSH(id="deploy", paths=[where.ssh_agent])],
    )
    same = target("same", inherits=[base], ssh=[SSH(id="default")])
    return Case([base, child, same], ["base", "child", "same"])


@case("inherits-attest-merged-by-type")
def _inherits_attest(where: Where) -> Case:
    base = target("base", attest=["type=sbom", "type=provenance,mode=min"])
    child = target("child", inherits=[base], attest=["type=provenance,mode=max"])
    off = target("off", inherits=[base], attest=["type=sbom,disabled=true"])
    return Case([base, child, off], ["base", "child", "off"])


@case("inherits-three-levels")
def _inherits_levels(where: Where) -> Case:
    grandparent = target(
        "grandparent",
        args={"G": "g", "X": "from-grandparent"},
        labels={"level": "grandparent"},
        tags=["r.example/gp"],
        cache_from=["type=registry,ref=r.example/c:gp"],
    )
    parent = target(
        "parent",
        inherits=[grandparent],
        args={"P": "p", "X": "from-parent"},
        platforms=["linux/amd64"],
        cache_from=["type=registry,ref=r.example/c:parent"],
    )
    child = target("child", inherits=[parent], args={"C": "c"}, tags=["r.example/child"])
    return Case([grandparent, parent, child], ["child"])


@case("inherits-two-parents-later-wins")
def _inherits_two_parents(where: Where) -> Case:
    first = target(
        "first",
        args={"X": "first", "A": "a"},
        tags=["r.example/first"],
        target="one",
        attest=["type=provenance,mode=min"],
    )
    second = target(
        "second",
        args={"X": "second", "B": "b"},
        tags=["r.example/second"],
        cache_from=["type=gha"],
        attest=["type=provenance,mode=max"],
    )
    child = target("child", inherits=[first, second], args={"C": "c"})
    reverse = target("reverse", inherits=[second, first])
    return Case([first, second, child, reverse], ["child", "reverse"])


@case("inherits-empty-lists-clear-parent")
def _inherits_clear(where: Where) -> Case:
    base = target(
        "base",
        tags=["r.example/base:1"],
        platforms=["linux/amd64", "linux/arm64"],
        output=["type=registry"],
        cache_to=["type=inline"],
    )
    child = target("child", inherits=[base], tags=[], platforms=[], output=[], cache_to=[])
    return Case([base, child], ["base", "child"])


@case("labels-null-parent-value-child-and-parent-declared-later")
def _labels_null_parent(where: Where) -> Case:
    child = target("child", inherits=["base"], labels={"a": "child"}, args={"A": "child"})
    base = target("base", labels={"a": None, "b": None, "c": "base"}, args={"A": None})
    return Case([child, base], ["child", "base"])


# -- matrix (bake.md §5) --------------------------------------------------------------------------


@case("matrix-one-axis")
def _matrix_one_axis(where: Where) -> Case:
    app = target(
        "app",
        matrix={"mode": ["dev", "prod"]},
        name="app-${mode}",
        target="${mode}",
        tags=["r.example/app:${mode}"],
        args={"MODE": "${mode}"},
    )
    return Case([app], ["app"])


@case("matrix-two-axes")
def _matrix_two_axes(where: Where) -> Case:
    img = target(
        "img",
        matrix={"distro": ["alpine", "debian"], "ver": ["1.0", "2.1"]},
        name='img-${distro}-${replace(ver, ".", "-")}',
        tags=["r.example/${distro}:${ver}"],
        labels={"distro": "${distro}", "version": "${ver}"},
    )
    return Case([img], ["img"])


@case("matrix-object-values")
def _matrix_objects(where: Where) -> Case:
    svc = target(
        "svc",
        matrix={"item": [{"name": "api", "port": 8080}, {"name": "web", "port": 80}]},
        name="svc-${item.name}",
        args={"PORT": "${item.port}", "NAME": "${item.name}"},
        tags=["r.example/${item.name}:latest"],
    )
    return Case([svc], ["svc"])


@case("matrix-generated-names-requested")
def _matrix_by_name(where: Where) -> Case:
    app = target("app", matrix={"mode": ["dev", "prod"]}, name="app-${mode}", args={"M": "${mode}"})
    other = target("other")
    return Case([app, other], ["app-prod", "other"])


@case("matrix-name-from-functions-and-variables")
def _matrix_name_functions(where: Where) -> Case:
    app = target(
        "app",
        matrix={"ver": ["1.20", "1.21"], "os": ["Alpine"]},
        name='${PREFIX}-${slug(os)}-${replace(ver, ".", "-")}',
        tags=["${image(lower(os), ver)}"],
    )
    return Case(
        [
            variable("PREFIX", default="go"),
            function("slug", "${lower(s)}", ["s"]),
            function("image", "r.example/${n}:${v}", ["n", "v"]),
            app,
            group("all", app, "golang-alpine-1-21"),
        ],
        ["all"],
        env={"PREFIX": "golang"},
        # the group names a target that exists only with PREFIX=golang in the environment,
        # so checking it at render time (without that environment) would rightly fail
        checked=False,
    )


@case("matrix-single-combination-without-name")
def _matrix_single(where: Where) -> Case:
    solo = target("solo", matrix={"v": ["1"]}, args={"V": "${v}"})
    return Case([solo], ["solo"])


@case("matrix-in-group")
def _matrix_in_group(where: Where) -> Case:
    app = target("app", matrix={"mode": ["dev", "prod"]}, name="app-${mode}")
    other = target("other")
    return Case([app, other, group("all", app, other)], ["all"])


def _matrix_inherited_resources() -> list[Resource]:
    base = target(
        "base",
        matrix={"v": ["a", "b"]},
        name="base-${v}",
        args={"V": "${v}"},
        tags=["r.example/base:${v}"],
    )
    child = target("child", inherits=["base-b"], labels={"child": "yes"})
    return [base, child]


def _matrix_linked_resources() -> list[Resource]:
    base = target("base", matrix={"v": ["a", "b"]}, name="base-${v}", output=["type=docker"])
    app = target("app", contexts={"dep": "target:base-a"})
    return [base, app]


def _matrix_grouped_resources() -> list[Resource]:
    base = target("base", matrix={"v": ["a", "b"]}, name="base-${v}")
    return [base, group("some", "base-a")]


@case("matrix-generated-name-inherited")
def _matrix_inherited(where: Where) -> Case:
    return Case(_matrix_inherited_resources(), ["child"])


@case("matrix-generated-name-linked")
def _matrix_linked(where: Where) -> Case:
    return Case(_matrix_linked_resources(), ["app"])


@case("matrix-generated-name-in-group")
def _matrix_grouped(where: Where) -> Case:
    return Case(_matrix_grouped_resources(), ["some"])


@case("matrix-generated-name-merges-into-existing-target")
def _matrix_merge_existing(where: Where) -> Case:
    plain = target("app-dev", args={"FROM": "plain", "PLAIN": "p"}, tags=["r.example/plain"])
    app = target("app", matrix={"m": ["dev", "prod"]}, name="app-${m}", args={"FROM": "matrix"})
    return Case([plain, app], ["app"])


@case("matrix-values-from-variables-and-inherits")
def _matrix_values_vars(where: Where) -> Case:
    base = target("base", args={"BASE": "yes", "V": "base"}, platforms=["linux/amd64"])
    app = target(
        "app",
        inherits=[base],
        matrix={"v": ["${FIRST}", "second"]},
        name="app-${v}",
        args={"V": "${v}"},
    )
    return Case([variable("FIRST", default="first"), base, app], ["app"], env={"FIRST": "env"})


# -- variables (bake.md §3) -----------------------------------------------------------------------


@case("variable-defaults")
def _variable_defaults(where: Where) -> Case:
    return Case(
        [
            variable("REGISTRY", default="r.example"),
            variable("TAG", default="latest"),
            target(
                "app",
                tags=["${REGISTRY}/app:${TAG}"],
                args={"TAG": "${TAG}"},
                labels={"org.example.tag": "${TAG}"},
            ),
        ],
        ["app"],
    )


@case("variable-env-overrides-string-bool-number")
def _variable_env(where: Where) -> Case:
    return Case(
        [
            variable("STR", default="a"),
            variable("FLAG", default=False),
            variable("NUM", default=1),
            target(
                "app",
                tags=["r.example/app:${STR}"],
                args={
                    "S": "${STR}",
                    "F": "${FLAG}",
                    "N": "${NUM}",
                    "NEXT": "${NUM + 1}",
                    "WHEN": '${FLAG ? "on" : "off"}',
                },
            ),
        ],
        ["app"],
        env={"STR": "b", "FLAG": "true", "NUM": "42"},
    )


@case("variable-env-bool-spellings")
def _variable_env_bools(where: Where) -> Case:
    return Case(
        [
            variable("ONE", default=False),
            variable("OFF", default=True),
            variable("UNSET", default=True),
            variable("HALF", default=0),
            target(
                "app",
                args={"ONE": "${ONE}", "OFF": "${OFF}", "UNSET": "${UNSET}", "HALF": "${HALF}"},
            ),
        ],
        ["app"],
        env={"ONE": "1", "OFF": "F", "HALF": "1.5"},
    )


@case("variable-default-references-variable")
def _variable_chain(where: Where) -> Case:
    return Case(
        [
            variable("REGISTRY", default="r.example"),
            variable("IMAGE", default="${REGISTRY}/app"),
            variable("REF", default="${IMAGE}:${upper(TAG)}"),
            variable("TAG", default="v1"),
            target("app", tags=["${REF}"], args={"IMAGE": "${IMAGE}"}),
        ],
        ["app"],
        env={"REGISTRY": "other.example"},
    )


@case("variable-without-default-is-empty")
def _variable_empty(where: Where) -> Case:
    return Case(
        [
            variable("NODEF"),
            target("app", args={"WRAPPED": "x${NODEF}y", "BARE": "${NODEF}"}),
        ],
        ["app"],
    )


@case("variable-null-default")
def _variable_null(where: Where) -> Case:
    return Case(
        [
            variable("NULL", default=None),
            variable("SET", default=None),
            target("app", args={"NULL": "${NULL}", "SET": "${SET}", "KEPT": "k"}),
        ],
        ["app"],
        env={"SET": "from-env"},
    )


def _variable_uses(env: dict[str, str]) -> Case:
    return Case(
        [
            variable("CTX", default="src"),
            variable("VERSION", default="1.2.3"),
            target(
                "app",
                context="${CTX}",
                tags=["r.example/app:${VERSION}", "r.example/app:${CTX}"],
                args={"VERSION": "${VERSION}"},
                labels={"org.opencontainers.image.version": "${VERSION}"},
            ),
        ],
        ["app"],
        env=env,
        files={"src/": "", "other/": ""},
    )


@case("variable-top-level-uses-defaults")
def _variable_uses_defaults(where: Where) -> Case:
    return _variable_uses({})


@case("variable-top-level-uses-env-overrides")
def _variable_uses_env(where: Where) -> Case:
    return _variable_uses({"CTX": "other", "VERSION": "2.0.0"})


# -- functions (bake.md §4) -----------------------------------------------------------------------


@case("function-user-defined")
def _functions(where: Where) -> Case:
    return Case(
        [
            variable("REGISTRY", default="r.example"),
            function("image", "${REGISTRY}/${name}", ["name"]),
            function("tag", "${image(name)}:${ver}", ["name", "ver"]),
            function("joined", '${name}:${join(",", rest)}', ["name"], variadic="rest"),
            function("count", "${length(rest)}", [], variadic="rest"),
            target(
                "app",
                tags=['${tag("app", "1")}', '${tag("app", "latest")}'],
                args={
                    "ALL": '${joined("x", "a", "b", "c")}',
                    "NONE": '${joined("x")}',
                    "COUNT": "${count(1, 2, 3)}",
                    "ZERO": "${count()}",
                },
            ),
        ],
        ["app"],
        env={"REGISTRY": "env.example"},
    )


_STRING_FUNCTIONS = {
    "UPPER": '${upper("abc")}',
    "LOWER": '${lower("ABC")}',
    "JOIN": '${join("-", ["a", "b", "c"])}',
    "REPLACE": '${replace("1.2.3", ".", "_")}',
    "REPLACE_RE": '${replace("a1b22", "/[0-9]+/", "#")}',
    "FORMAT": '${format("%s-%03d-%.1f", "v", 7, 2.5)}',
    "FORMATLIST": '${join(",", formatlist("<%s>", ["a", "b"]))}',
    "SPLIT": '${join("|", split(",", "a,b,c"))}',
    "TRIMPREFIX": '${trimprefix("v1.2", "v")}',
    "TRIMSUFFIX": '${trimsuffix("app.tar", ".tar")}',
    "TRIM": '${trim("--x--", "-")}',
    "TRIMSPACE": '${trimspace("  x  ")}',
    "CHOMP": '${chomp("line\\n")}',
    "REGEX_REPLACE": '${regex_replace("a1b22", "[0-9]+", "#")}',
    "REGEX": '${regex("v([0-9]+)", "v42")[0]}',
    "SUBSTR": '${substr("abcdef", 1, 3)}',
    "TITLE": '${title("hello world")}',
    "STRLEN": '${strlen("héllo")}',
    "INDENT": '${indent(2, "a\\nb")}',
    "REVERSE": '${reverse("abc")}',
}
_COLLECTION_FUNCTIONS = {
    "LENGTH": '${length(["a", "b"])}',
    "CONCAT": '${join(",", concat(["a"], ["b", "c"]))}',
    "CONTAINS": '${contains(["a", "b"], "b")}',
    "ELEMENT": '${element(["a", "b", "c"], 4)}',
    "LOOKUP": '${lookup({a = "1"}, "b", "dflt")}',
    "MAP_NAMES": '${join(",", keys({b = 1, a = 2}))}',
    "VALUES": '${join(",", values({b = "1", a = "2"}))}',
    "MERGE": "${jsonencode(merge({a = 1}, {b = 2}))}",
    "DISTINCT": '${join(",", distinct(["a", "b", "a"]))}',
    "SORT": '${join(",", sort(["c", "a", "b"]))}',
    "FLATTEN": '${join(",", flatten([["a"], ["b", ["c"]]]))}',
    "COALESCE": '${coalesce("", "x")}',
    "COMPACT": '${join(",", compact(["a", "", "b"]))}',
    "RANGE": '${join(",", range(3))}',
    "SLICE": '${join(",", slice(["a", "b", "c"], 1, 3))}',
    "ZIPMAP": '${jsonencode(zipmap(["a", "b"], [1, 2]))}',
    "INDEX": '${index(["a", "b"], 1)}',
    "SETUNION": '${length(setunion(["a"], ["b", "a"]))}',
    "FOR": '${join(",", [for s in ["a", "b"] : upper(s)])}',
    "SPLAT": '${join(",", [{n = "x"}, {n = "y"}][*].n)}',
}
_OTHER_FUNCTIONS = {
    "MAX": "${max(3, 7, 5)}",
    "MIN": "${min(3, 7, 5)}",
    "ABSOLUTE": "${absolute(-4)}",
    "CEIL": "${ceil(1.2)}",
    "FLOOR": "${floor(1.8)}",
    "POW": "${pow(2, 10)}",
    "PARSEINT": '${parseint("ff", 16)}',
    "SIGNUM": "${signum(-3)}",
    "ARITH": "${7 % 3 + 10 / 4}",
    "JSONENCODE": '${jsonencode({a = [1, "x", true]})}',
    "JSONDECODE": '${jsondecode("{\\"a\\": 5}").a}',
    "BASE64": '${base64encode("hello")}',
    "BASE64DECODE": '${base64decode("aGVsbG8=")}',
    "MD5": '${md5("hello")}',
    "SHA1": '${sha1("hello")}',
    "SHA256": '${sha256("hello")}',
    "URLENCODE": '${urlencode("a b&c")}',
    "FORMATDATE": '${formatdate("YYYY-MM-DD hh:mm", "2024-03-05T07:08:09Z")}',
    "TIMEADD": '${timeadd("2024-01-01T00:00:00Z", "90m")}',
    "CIDRHOST": '${cidrhost("10.0.0.0/8", 5)}',
    "CIDRSUBNET": '${cidrsubnet("10.0.0.0/8", 8, 2)}',
    "CSVDECODE": '${csvdecode("a,b\\n1,2")[0].b}',
    "CONDITIONAL": '${1 > 2 ? "yes" : "no"}',
    "TRY": '${try(jsondecode("nope"), "fallback")}',
    "CAN": '${can(jsondecode("nope"))}',
}


@case("builtin-string-functions")
def _builtin_strings(where: Where) -> Case:
    return Case([target("app", args=_STRING_FUNCTIONS)], ["app"])


@case("builtin-collection-functions")
def _builtin_collections(where: Where) -> Case:
    return Case([target("app", args=_COLLECTION_FUNCTIONS)], ["app"])


@case("builtin-numeric-encoding-time-network-functions")
def _builtin_other(where: Where) -> Case:
    return Case([target("app", args=_OTHER_FUNCTIONS)], ["app"])


# -- templates and escapes (bake.md §3, §12) ------------------------------------------------------


@case("escaped-interpolation-in-args-and-labels")
def _escapes(where: Where) -> Case:
    return Case(
        [
            variable("VAR", default="v"),
            target(
                "app",
                args={"LITERAL": "$${HOME}", "MIXED": "$${A}-${VAR}", "DIRECTIVE": "%%{ if }"},
                labels={"org.example.literal": "$${X}", "org.example.dollar": "$HOME and $"},
            ),
        ],
        ["app"],
    )


@case("string-escapes-quotes-backslashes-newlines")
def _string_escapes(where: Where) -> Case:
    return Case(
        [
            variable("V", default='q"uote'),
            target(
                "app",
                args={
                    "QUOTES": 'say "hi" ${V}',
                    "BACKSLASH": "C:\\new\\table \\${V}",
                    "TAB": "a\tb",
                    "NESTED": '${"in\\tside"}-${upper("a\\"b")}',
                    "MULTILINE": "line one\nline two",
                    "TRAILING": "line one\nline two ${V}\n",
                    "NESTED_BRACES": '${jsonencode({a = "}"})}',
                    "DIRECTIVE": '%{ for x in ["a", "b"] }${x};%{ endfor }',
                    "STRIP": "a ${~ V ~} b",
                },
                labels={"org.example.multi": "one\ntwo\n", "org.example.unicode": "héllo ✓"},
            ),
        ],
        ["app"],
    )


@case("dockerfile-inline-from-model")
def _dockerfile_inline(where: Where) -> Case:
    dockerfile = Dockerfile(
        metadata="inline",
        spec=DockerfileSpec(
            stages=[
                Stage(
                    name="app",
                    from_=IMAGE,
                    instructions=[
                        Arg(name="VERSION", default="1.0"),
                        Env(env={"APP_VERSION": "${VERSION}", "HOME_DIR": "$HOME"}),
                        Run(command='echo "${VERSION} %{x}" > /version'),
                    ],
                )
            ]
        ),
    )
    return Case([target("app", dockerfile_inline=dockerfile, args={"VERSION": "2.0"})], ["app"])


@case("dockerfile-model-with-inherited-context")
def _dockerfile_inherited_context(where: Where) -> Case:
    dockerfile = Dockerfile(
        metadata="app",
        spec=DockerfileSpec(stages=[Stage(name="app", from_=IMAGE)]),
    )
    base = target("base", context="src/app")
    app = target("app", inherits=[base], dockerfile=dockerfile)
    return Case([base, app], ["app"], files={"src/app/": ""})


@case("dockerfile-model-with-subfolder-context")
def _dockerfile_file(where: Where) -> Case:
    dockerfile = Dockerfile(
        metadata="app",
        spec=DockerfileSpec(stages=[Stage(name="app", from_=IMAGE)]),
    )
    return Case([target("app", context="src", dockerfile=dockerfile)], ["app"], files={"src/": ""})


# -- groups and the request (bake.md §2, §12) -----------------------------------------------------


def _web_project() -> list[Resource]:
    frontend = target("frontend", tags=["r.example/frontend"])
    backend = target("backend", tags=["r.example/backend"])
    db = target("db", tags=["r.example/db"])
    tools = target("tools")
    web = group("web", frontend, backend)
    return [frontend, backend, db, tools, web, group("all", web, db)]


@case("group-nested")
def _group_nested(where: Where) -> Case:
    return Case(_web_project(), ["all"])


@case("request-group")
def _request_group(where: Where) -> Case:
    return Case(_web_project(), ["web"])


@case("request-targets")
def _request_targets(where: Where) -> Case:
    return Case(_web_project(), ["db", "frontend"])


@case("request-group-and-targets")
def _request_mix(where: Where) -> Case:
    return Case(_web_project(), ["tools", "web", "frontend"])


@case("request-two-groups")
def _request_groups(where: Where) -> Case:
    return Case(_web_project(), ["web", "all"])


def _default_project() -> list[Resource]:
    a = target("a", args={"WHO": "a"})
    b = target("b", args={"WHO": "b"})
    return [a, b, group("default", a)]


@case("default-group-when-nothing-requested")
def _default_nothing(where: Where) -> Case:
    return Case(_default_project(), [])


@case("default-group-requested-by-name")
def _default_by_name(where: Where) -> Case:
    return Case(_default_project(), ["default"])


@case("default-group-other-name-requested")
def _default_other(where: Where) -> Case:
    return Case(_default_project(), ["b"])


@case("default-group-and-other-requested")
def _default_and_other(where: Where) -> Case:
    return Case(_default_project(), ["default", "b"])


# -- target: contexts (bake.md §6) ----------------------------------------------------------------


@case("target-context-linked-target-printed-without-output")
def _target_link(where: Where) -> Case:
    base = target("base", tags=["r.example/base"], output=["type=docker"], args={"B": "1"})
    app = target("app", contexts={"base": TargetContext(target=base)}, output=["type=registry"])
    return Case([base, app], ["app"])


@case("target-context-linked-target-also-requested")
def _target_link_requested(where: Where) -> Case:
    base = target("base", output=["type=docker"])
    app = target("app", contexts={"base": base})
    return Case([base, app], ["app", "base"])


@case("target-context-multi-platform")
def _target_link_platforms(where: Where) -> Case:
    platforms = ["linux/amd64", "linux/arm64"]
    base = target("base", platforms=platforms)
    app = target("app", contexts={"base": base}, platforms=platforms)
    single = target("single", contexts={"base": base}, platforms=["linux/arm/v7"])
    return Case([base, app, single], ["app", "single"])


@case("target-context-chain")
def _target_chain(where: Where) -> Case:
    base = target("base", output=["type=docker"])
    mid = target("mid", contexts={"base": base}, output=["type=docker"])
    app = target("app", contexts={"mid": mid, "img": "docker-image://busybox:1"})
    return Case([base, mid, app], ["app"])


@case("target-context-inherited")
def _target_inherited(where: Where) -> Case:
    base = target("base", output=["type=docker"])
    parent = target("parent", contexts={"base": base})
    child = target("child", inherits=[parent])
    return Case([base, parent, child], ["child"])


@case("target-references-other-target")
def _target_reference(where: Where) -> Case:
    base = target("base", tags=["r.example/base:1"], args={"V": "1"})
    app = target("app", args={"BASE": "${target.base.tags[0]}", "V": "${target.base.args.V}"})
    return Case([base, app], ["app"])


# -- contexts of every kind, defaults, SOURCE_DATE_EPOCH, arg values (bake.md §2, §12) -----------


@case("contexts-every-kind")
def _contexts(where: Where) -> Case:
    base = target("base")
    app = target(
        "app",
        context="app",
        contexts={
            "local": LocalContext(path="vendor"),
            "local_str": "./vendor/sub",
            "git": GitContext(
                url="https://github.com/moby/buildkit.git", ref="v0.13.0", subdir="frontend"
            ),
            "git_str": "https://github.com/docker/buildx.git#master:hack",
            "tarball": HttpContext(url="https://example.com/ctx.tar.gz"),
            "image": ImageContext(image="alpine:3.20"),
            "image_str": "docker-image://busybox@sha256:" + "a" * 64,
            "layout": OciLayoutContext(path="layout:v1"),
            "base": TargetContext(target=base),
        },
    )
    remote = target("remote", context="https://github.com/docker/buildx.git#v0.13.1")
    return Case(
        [base, app, remote],
        ["app", "remote"],
        files={"app/": "", "vendor/sub/": "", "layout/": ""},
    )


@case("inherits-empty-context-value-deletes-key")
def _contexts_delete(where: Where) -> Case:
    base = target("base", contexts={"keep": "docker-image://a:1", "drop": "docker-image://b:1"})
    child = target("child", inherits=[base], contexts={"drop": ""})
    return Case([base, child], ["base", "child"])


@case("attributes-ignored-by-buildx-0-13")
def _ignored(where: Where) -> Case:
    app = target(
        "app",
        description="dropped by 0.13",
        network="host",
        call="check",
        entitlements=["network.host"],
        extra_hosts={"db": "10.0.0.2"},
        tags=["r.example/app"],
    )
    return Case(
        [app, Group(metadata="all", spec=GroupSpec(targets=[app], description="d"))], ["all"]
    )


@case("defaults-filled")
def _defaults(where: Where) -> Case:
    return Case(
        [target("plain"), target("empty", context=".", dockerfile="Dockerfile")], ["plain", "empty"]
    )


@case("source-date-epoch-from-env")
def _source_date_epoch(where: Where) -> Case:
    return Case(
        [
            target("plain"),
            target("with-args", args={"A": "1"}),
            target("explicit", args={"SOURCE_DATE_EPOCH": "1"}),
        ],
        ["plain", "with-args", "explicit"],
        env={"SOURCE_DATE_EPOCH": "1700000000"},
    )


@case("args-numeric-and-bool-values")
def _args_values(where: Where) -> Case:
    return Case(
        [
            target(
                "app",
                args={"INT": 3, "FLOAT": 1.5, "TRUE": True, "FALSE": False, "STR": "s"},
                labels={"int": 7, "bool": True},
            )
        ],
        ["app"],
    )


# -- the test -------------------------------------------------------------------------------------


def merge_by_id_as_newer_buildx(printed: dict[str, Any]) -> dict[str, Any]:
    """buildx 0.13 merges inherited ``secret`` and ``ssh`` lists by appending (then dropping
    exact duplicates only); newer buildx merges them by id, a later entry replacing the earlier
    one in its place (bake.md §2 and §7: "merge by id"). bakepy follows the newer rule, so the
    0.13 output is brought to it here: same entries, one per id, last value wins."""
    out: dict[str, Any] = json.loads(json.dumps(printed))
    for attrs in out.get("target", {}).values():
        for key, ident in (("secret", _secret_id), ("ssh", _ssh_id)):
            if key not in attrs:
                continue
            merged: dict[str, Any] = {}
            for entry in attrs[key]:
                merged[ident(entry)] = entry  # an existing key keeps its first position
            attrs[key] = list(merged.values())
    return out


def _secret_id(entry: dict[str, Any]) -> str:
    """The id of a secret entry, as ``normalize`` shapes it (an object)."""
    return str(entry.get("id", entry))


def _ssh_id(entry: dict[str, Any]) -> str:
    return str(entry.get("id", ""))


def _create_files(folder: Path, files: dict[str, str]) -> None:
    for relative, text in files.items():
        path = folder / relative
        if relative.endswith("/"):
            path.mkdir(parents=True, exist_ok=True)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)


@pytest.mark.parametrize("name", case_params())
def test_buildx_print_matches_bakepy_resolve(
    name: str, buildx: str, ssh_agent: str, tmp_path: Path
) -> None:
    built = CASES[name](Where(ssh_agent))
    _create_files(tmp_path, built.files)
    project = Project(built.resources, base_dir=tmp_path)
    files = render(project, tmp_path) if built.checked else render_project(project, tmp_path)
    write_files(files, tmp_path)
    env = buildx_env(ssh_agent, built.env)

    from_hcl = normalize(buildx_print(buildx, tmp_path, "docker-bake.hcl", built.names, env))
    from_json = normalize(buildx_print(buildx, tmp_path, "docker-bake.json", built.names, env))
    ours = normalize(resolve(project, built.names, env, base_dir=tmp_path).to_dict())

    assert from_json == from_hcl
    assert ours == merge_by_id_as_newer_buildx(from_hcl)


REJECTED: dict[str, Callable[[], tuple[list[Resource], list[str], dict[str, str]]]] = {
    "unknown-target": lambda: ([target("app")], ["nope"], {}),
    "group-member-missing": lambda: (
        [target("app"), Group(metadata="all", spec=GroupSpec(targets=["app", "ghost"]))],
        ["all"],
        {},
    ),
    "target-context-self-link": lambda: (
        [target("app", contexts={"self": "target:app"})],
        ["app"],
        {},
    ),
    "target-context-cycle": lambda: (
        [target("a", contexts={"b": "target:b"}), target("b", contexts={"a": "target:a"})],
        ["a"],
        {},
    ),
    "target-context-to-group": lambda: (
        [
            target("app", contexts={"dep": "target:all"}),
            target("lib"),
            Group(metadata="all", spec=GroupSpec(targets=["lib"])),
        ],
        ["app"],
        {},
    ),
    "variable-cycle": lambda: (
        [variable("A", default="${B}"), variable("B", default="${A}"), target("app")],
        ["app"],
        {},
    ),
    "bool-variable-bad-env": lambda: (
        [variable("PUSH", default=False), target("app")],
        ["app"],
        {"PUSH": "maybe"},
    ),
    "number-variable-bad-env": lambda: (
        [variable("JOBS", default=1), target("app")],
        ["app"],
        {"JOBS": "many"},
    ),
    "untyped-list-variable-from-env": lambda: (
        [variable("TAGS", default=["a"]), target("app")],
        ["app"],
        {"TAGS": "x,y"},
    ),
    "null-variable-inside-text": lambda: (
        [variable("N", default=None), target("app", args={"X": "x-${N}"})],
        ["app"],
        {},
    ),
    "matrix-invalid-name": lambda: (
        [target("app", matrix={"v": ["1.0"]}, name="app-${v}")],
        ["app"],
        {},
    ),
    "matrix-duplicate-name": lambda: (
        [target("app", matrix={"v": ["a", "b"]}, name="app")],
        ["app"],
        {},
    ),
    "unknown-function": lambda: ([target("app", args={"X": "${nope(1)}"})], ["app"], {}),
    "user-function-arity": lambda: (
        [function("f", "${a}", ["a"]), target("app", args={"X": "${f(1, 2)}"})],
        ["app"],
        {},
    ),
    "builtin-function-arity": lambda: (
        [target("app", args={"X": '${upper("a", "b")}'})],
        ["app"],
        {},
    ),
    "linked-target-for-other-platforms": lambda: (
        [
            target("base", platforms=["linux/amd64", "linux/arm64"]),
            target(
                "app",
                contexts={"base": "target:base"},
                platforms=["linux/amd64", "linux/arm/v7"],
            ),
        ],
        ["app"],
        {},
    ),
}
"""Projects buildx rejects; bakepy.resolution must reject them too (with a BakepyError)."""


@pytest.mark.parametrize("name", list(REJECTED))
def test_buildx_and_bakepy_reject_the_same_mistakes(
    name: str, buildx: str, ssh_agent: str, tmp_path: Path
) -> None:
    resources, names, overrides = REJECTED[name]()
    project = Project(resources, base_dir=tmp_path)
    # render_project: the project checks would stop some of these before bake is reached
    write_files(render_project(project, tmp_path), tmp_path)
    env = buildx_env(ssh_agent, overrides)
    for file in ("docker-bake.hcl", "docker-bake.json"):
        result = buildx_print_result(buildx, tmp_path, file, names, env)
        assert result.returncode != 0, f"buildx accepted {file}: {result.stdout}"
    with pytest.raises(BakepyError):
        resolve(project, names, env, base_dir=tmp_path)


@pytest.mark.parametrize(
    "resources",
    [_matrix_inherited_resources, _matrix_linked_resources, _matrix_grouped_resources],
    ids=["inherits", "link", "group"],
)
def test_render_accepts_matrix_generated_references(
    resources: Callable[[], list[Resource]], tmp_path: Path
) -> None:
    render(Project(resources(), base_dir=tmp_path), tmp_path)
