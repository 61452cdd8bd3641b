"""Whole-Dockerfile rules: each rule has a failing case and a passing case."""

from __future__ import annotations

from pathlib import Path

import pytest

from bakepy.errors import Diagnostic
from bakepy.models.dockerfile.instructions import (
    Add,
    Arg,
    BindMount,
    CacheMount,
    Cmd,
    Comment,
    Copy,
    Dockerfile,
    DockerfileSpec,
    Entrypoint,
    Env,
    Expose,
    Healthcheck,
    Heredoc,
    Label,
    Onbuild,
    Raw,
    Run,
    Shell,
    Stage,
    StageRef,
    Stopsignal,
    User,
    Volume,
    Workdir,
)
from bakepy.resolution.checks.dockerfile import (
    check_dockerfile,
    find_stage_index,
    referenced_names,
    stage_names_in_order,
)

STAGE0 = ("spec", "stages", 0)


def dockerfile(*stages: Stage, **spec: object) -> Dockerfile:
    """A Dockerfile resource called ``app``."""
    return Dockerfile(metadata="app", spec=DockerfileSpec(stages=list(stages), **spec))


def alpine(*instructions: object, name: str | None = None) -> Stage:
    """A stage ``FROM alpine`` holding ``instructions``."""
    return Stage(name=name, from_="alpine", instructions=list(instructions))


def check(*stages: Stage, **spec: object) -> list[Diagnostic]:
    """Diagnostics for a Dockerfile made of ``stages``."""
    return check_dockerfile(dockerfile(*stages, **spec))


def paths(diagnostics: list[Diagnostic]) -> list[tuple[str | int, ...]]:
    """The field path of every diagnostic."""
    return [d.location.field_path for d in diagnostics]


def only(diagnostics: list[Diagnostic]) -> Diagnostic:
    """The single diagnostic of a check that must report exactly one."""
    assert len(diagnostics) == 1, [str(d) for d in diagnostics]
    return diagnostics[0]


# --- locations and helpers --------------------------------------------------------------------


def test_clean_dockerfile_has_no_diagnostics() -> None:
    build = alpine(Run(command="make"), name="build")
    final = alpine(Copy(from_=build, src=["/out"], dest="/"), Cmd(command=["/app"]))
    assert check(build, final) == []


def test_location_names_resource_and_declaring_file() -> None:
    model = dockerfile(alpine(name="a"), alpine(name="A"))
    diagnostic = only(check_dockerfile(model))
    assert diagnostic.location.resource == "Dockerfile/app"
    assert diagnostic.location.file == Path(__file__)
    assert diagnostic.location.line == model.source[1]  # type: ignore[index]


def test_stage_names_in_order() -> None:
    model = dockerfile(alpine(name="build"), alpine())
    assert stage_names_in_order(model) == ["build", None]


def test_find_stage_index_is_case_insensitive() -> None:
    assert find_stage_index([alpine(name="a"), alpine(name="Build")], "build") == 1


# --- duplicate stage names --------------------------------------------------------------------


def test_duplicate_stage_names_differing_in_case_are_reported() -> None:
    diagnostic = only(check(alpine(name="build"), alpine(name="Build")))
    assert "duplicate stage name 'Build'" in diagnostic.message
    assert diagnostic.location.field_path == (*STAGE0[:2], 1, "name")


def test_distinct_stage_names_pass() -> None:
    assert check(alpine(name="build"), alpine(name="test")) == []


# --- stage references -------------------------------------------------------------------------


def test_from_a_later_stage_object_is_reported() -> None:
    later = alpine(name="later")
    diagnostic = only(check(Stage(name="first", from_=later), later))
    assert "comes later" in diagnostic.message
    assert diagnostic.location.field_path == (*STAGE0, "from")


def test_copy_from_a_later_stage_name_is_reported() -> None:
    first = alpine(Copy(from_="later", src=["/x"], dest="/"), name="first")
    diagnostic = only(check(first, alpine(name="later")))
    assert diagnostic.location.field_path == (*STAGE0, "instructions", 0, "from")
    assert diagnostic.hint == "move stage 'later' before stage 'first'"


def test_copy_from_its_own_stage_is_reported() -> None:
    stage = alpine(Copy(from_=StageRef(stage="self"), src=["/x"], dest="/"), name="self")
    assert "its own stage" in only(check(stage)).message


def test_stage_ref_to_a_missing_stage_is_reported() -> None:
    stage = alpine(Copy(from_=StageRef(stage="nope"), src=["/x"], dest="/"))
    assert "unknown stage 'nope'" in only(check(stage)).message


def test_stage_object_outside_the_dockerfile_is_reported() -> None:
    stray = alpine(name="stray")
    diagnostic = only(check(alpine(Copy(from_=stray, src=["/x"], dest="/"))))
    assert "not one of this Dockerfile's stages" in diagnostic.message


def test_referenced_stage_without_a_name_is_reported() -> None:
    unnamed = alpine()
    diagnostic = only(check(unnamed, alpine(Copy(from_=unnamed, src=["/x"], dest="/"))))
    assert "stage #0, which has no name" in diagnostic.message


def test_plain_string_that_is_not_a_stage_is_an_image() -> None:
    assert check(alpine(Copy(from_="nginx:latest", src=["/etc/nginx"], dest="/"))) == []


def test_earlier_stage_by_name_object_and_ref_pass() -> None:
    base = alpine(name="base")
    later = Stage(
        from_=StageRef(stage="BASE"),
        instructions=[
            Copy(from_=base, src=["/a"], dest="/"),
            Copy(from_="base", src=["/b"], dest="/"),
        ],
    )
    assert check(base, later) == []


def test_mount_from_a_later_stage_is_reported() -> None:
    run = Run(command="ls", mounts=[BindMount(target="/src", from_="later")])
    diagnostic = only(check(alpine(run, name="first"), alpine(name="later")))
    assert diagnostic.location.field_path == (*STAGE0, "instructions", 0, "mounts", 0, "from")


def test_mount_from_an_earlier_stage_passes() -> None:
    run = Run(command="ls", mounts=[CacheMount(target="/c", from_="deps")])
    assert check(alpine(name="deps"), alpine(run)) == []


def test_copy_from_index_out_of_range_is_reported() -> None:
    stage = alpine(Copy(from_="3", src=["/x"], dest="/"))
    assert "stage index 3" in only(check(stage)).message


def test_copy_from_an_earlier_index_passes() -> None:
    assert check(alpine(), alpine(Copy(from_="0", src=["/x"], dest="/"))) == []


# --- ONBUILD ----------------------------------------------------------------------------------


def test_onbuild_onbuild_is_reported() -> None:
    nested = Onbuild(trigger=Onbuild(trigger=Run(command="true")))
    diagnostic = only(check(alpine(nested)))
    assert "ONBUILD ONBUILD" in diagnostic.message
    assert diagnostic.location.field_path == (*STAGE0, "instructions", 0, "trigger")


@pytest.mark.parametrize("text", ["from alpine", "MAINTAINER me", "onbuild RUN true"])
def test_raw_trigger_starting_with_a_forbidden_keyword_is_reported(text: str) -> None:
    assert "ONBUILD" in only(check(alpine(Onbuild(trigger=Raw(text=text))))).message


def test_comment_as_onbuild_trigger_is_reported() -> None:
    assert "not a comment" in only(check(alpine(Onbuild(trigger=Comment(text="x"))))).message


def test_onbuild_with_an_instruction_passes() -> None:
    assert check(alpine(Onbuild(trigger=Raw(text="RUN make")))) == []


# --- SHELL ------------------------------------------------------------------------------------


def test_shell_in_shell_form_is_reported() -> None:
    diagnostic = only(check(alpine(Shell(command="/bin/bash -c"))))
    assert "exec form" in diagnostic.message


def test_empty_shell_list_is_reported() -> None:
    assert "at least one argument" in only(check(alpine(Shell(command=[])))).message


def test_shell_in_exec_form_passes() -> None:
    assert check(alpine(Shell(command=["/bin/bash", "-c"]))) == []


# --- global ARG scope -------------------------------------------------------------------------


def test_global_arg_used_in_a_stage_without_redeclaring_is_reported() -> None:
    stage = alpine(Run(command="echo $VERSION"), name="build")
    diagnostic = only(check(stage, args=[Arg(name="VERSION", default="1")]))
    assert "global ARG VERSION" in diagnostic.message
    assert diagnostic.hint == 'add "ARG VERSION" to stage build'
    assert diagnostic.location.field_path == (*STAGE0, "instructions", 0, "command")


def test_global_arg_redeclared_before_use_passes() -> None:
    stage = alpine(Arg(name="VERSION"), Run(command="echo ${VERSION}"))
    assert check(stage, args=[Arg(name="VERSION", default="1")]) == []


def test_global_arg_redeclared_after_use_is_reported() -> None:
    stage = alpine(Run(command="echo ${VERSION:-dev}"), Arg(name="VERSION"))
    assert len(check(stage, args=[Arg(name="VERSION")])) == 1


def test_global_arg_in_the_from_line_passes() -> None:
    stage = Stage(from_="alpine:${VERSION}", platform="$BUILDPLATFORM")
    assert check(stage, args=[Arg(name="VERSION", default="3.20")]) == []


def test_platform_arg_used_without_declaring_is_reported() -> None:
    diagnostic = only(check(alpine(Run(command="GOARCH=$TARGETARCH go build"))))
    assert "automatic platform ARG TARGETARCH" in diagnostic.message


def test_escaped_dollar_is_not_a_reference() -> None:
    assert check(alpine(Run(command="echo \\$VERSION")), args=[Arg(name="VERSION")]) == []


def test_exec_form_is_not_expanded() -> None:
    assert check(alpine(Run(command=["echo", "$VERSION"])), args=[Arg(name="VERSION")]) == []


def test_env_declared_earlier_in_the_stage_passes() -> None:
    stage = alpine(Env(env={"VERSION": "2"}), Run(command="echo $VERSION"))
    assert check(stage, args=[Arg(name="VERSION")]) == []


def test_env_of_the_parent_stage_is_in_scope() -> None:
    base = alpine(Env(env={"VERSION": "2"}), name="base")
    child = Stage(from_=base, instructions=[Run(command="echo $VERSION")])
    assert check(base, child, args=[Arg(name="VERSION")]) == []


def test_arg_of_the_parent_stage_is_not_inherited() -> None:
    base = alpine(Arg(name="VERSION"), name="base")
    child = Stage(from_=base, instructions=[Run(command="echo $VERSION")])
    assert paths(check(base, child, args=[Arg(name="VERSION")])) == [
        ("spec", "stages", 1, "instructions", 0, "command")
    ]


def test_expanding_heredoc_body_is_checked() -> None:
    run = Run(heredoc=Heredoc(body="echo $VERSION"))
    assert len(check(alpine(run), args=[Arg(name="VERSION")])) == 1


def test_quoted_heredoc_body_is_not_expanded() -> None:
    run = Run(heredoc=Heredoc(body="echo $VERSION", expand=False))
    assert check(alpine(run), args=[Arg(name="VERSION")]) == []


@pytest.mark.parametrize(
    "instruction",
    [
        Copy(src=["app-${VERSION}.tar"], dest="/"),
        Add(src=["a"], dest="/opt/$VERSION/"),
        Env(env={"APP_VERSION": "$VERSION"}),
        Label(labels={"version": "${VERSION}"}),
        Workdir(path="/srv/$VERSION"),
        User(user="app", group="$VERSION"),
        Expose(ports=["$VERSION"]),
        Volume(paths=["/data/$VERSION"]),
        Stopsignal(signal="$VERSION"),
        Arg(name="FULL", default="v$VERSION"),
        Run(command="true", mounts=[CacheMount(target="/cache/$VERSION")]),
    ],
    ids=lambda item: type(item).__name__,
)
def test_global_arg_in_expanded_fields_is_reported(instruction: object) -> None:
    assert len(check(alpine(instruction), args=[Arg(name="VERSION")])) == 1


def test_single_quoted_word_is_not_expanded() -> None:
    assert check(alpine(Env(env={"LITERAL": "'$VERSION'"})), args=[Arg(name="VERSION")]) == []


def test_runtime_command_hint_mentions_env() -> None:
    diagnostic = only(
        check(alpine(Cmd(command="echo $VERSION"), name="app"), args=[Arg(name="VERSION")])
    )
    assert "ENV VERSION=${VERSION}" in (diagnostic.hint or "")


def test_proxy_args_are_not_global_args() -> None:
    assert check(alpine(Run(command="curl --proxy $HTTP_PROXY example.com"))) == []


def test_each_missing_arg_is_reported_once_per_stage() -> None:
    stage = alpine(Run(command="echo $VERSION"), Run(command="echo $VERSION"))
    assert len(check(stage, args=[Arg(name="VERSION")])) == 1


def test_referenced_names_finds_every_form() -> None:
    text = "$A ${B} ${C:-$D} ${E%x} \\$F '$G'"
    assert referenced_names(text) == ["A", "B", "C", "D", "E"]


# --- values BuildKit rejects ------------------------------------------------------------------


def test_add_checksum_on_a_local_source_is_reported() -> None:
    add = Add(src=["local.tar"], dest="/", checksum="sha256:abc")
    assert "HTTP(S) or Git" in only(check(alpine(add))).message


def test_add_checksum_with_several_sources_is_reported() -> None:
    add = Add(src=["https://a/x", "https://a/y"], dest="/", checksum="sha256:abc")
    assert "multiple sources" in only(check(alpine(add))).message


def test_add_checksum_on_an_https_source_passes() -> None:
    add = Add(src=["https://example.com/x.tgz"], dest="/", checksum="sha256:abc")
    assert check(alpine(add)) == []


def test_non_octal_chmod_is_reported() -> None:
    assert "chmod" in only(check(alpine(Copy(src=["a"], dest="/", chmod="0789")))).message


@pytest.mark.parametrize("mode", ["755", "0644", "u+x"])
def test_valid_chmod_passes(mode: str) -> None:
    assert check(alpine(Copy(src=["a"], dest="/", chmod=mode))) == []


def test_non_octal_mount_mode_is_reported() -> None:
    run = Run(command="ls", mounts=[CacheMount(target="/c", mode="999")])
    assert "octal" in only(check(alpine(run))).message


def test_octal_mount_mode_passes() -> None:
    assert check(alpine(Run(command="ls", mounts=[CacheMount(target="/c", mode="0755")]))) == []


def test_mount_from_with_a_variable_is_reported() -> None:
    run = Run(command="ls", mounts=[BindMount(target="/x", from_="${IMAGE}")])
    assert "variable expansion" in only(check(alpine(run))).message


@pytest.mark.parametrize("value", ["30", "ten seconds", "500us"])
def test_bad_healthcheck_interval_is_reported(value: str) -> None:
    check_ = Healthcheck(command="true", interval=value)
    assert only(check(alpine(check_))).location.field_path[-1] == "interval"


@pytest.mark.parametrize("value", ["0s", "30s", "1m30s", "1.5h", "1ms"])
def test_valid_healthcheck_duration_passes(value: str) -> None:
    assert check(alpine(Healthcheck(command="true", timeout=value))) == []


def test_negative_healthcheck_retries_is_reported() -> None:
    assert "negative" in only(check(alpine(Healthcheck(command="true", retries=-1)))).message


def test_empty_healthcheck_command_is_reported() -> None:
    assert "missing command" in only(check(alpine(Healthcheck(command=[])))).message


@pytest.mark.parametrize("port", ["http", "80/icmp", "80:80"])
def test_invalid_port_is_reported(port: str) -> None:
    assert "invalid port" in only(check(alpine(Expose(ports=[port])))).message


@pytest.mark.parametrize("port", ["80", "53/udp", "8000-8010/TCP", "${PORT}"])
def test_valid_port_passes(port: str) -> None:
    assert check(alpine(Expose(ports=[port]))) == []


def test_expose_without_ports_is_reported() -> None:
    assert "at least one port" in only(check(alpine(Expose(ports=[])))).message


@pytest.mark.parametrize("signal", ["SIGFOO", "0", "TERMINATE"])
def test_invalid_stopsignal_is_reported(signal: str) -> None:
    assert "invalid signal" in only(check(alpine(Stopsignal(signal=signal)))).message


@pytest.mark.parametrize("signal", ["SIGTERM", "sigquit", "9", "RTMIN+3", "$SIG"])
def test_valid_stopsignal_passes(signal: str) -> None:
    assert check(alpine(Stopsignal(signal=signal))) == []


@pytest.mark.parametrize(
    ("instruction", "field"),
    [
        (User(user=""), ("user",)),
        (Workdir(path=" "), ("path",)),
        (Volume(paths=[]), ("paths",)),
        (Volume(paths=["/a", ""]), ("paths", 1)),
        (Env(env={}), ("env",)),
        (Label(labels={"": "x"}), ("labels", "")),
        (Copy(src=["a"], dest=""), ("dest",)),
    ],
    ids=["user", "workdir", "volume", "volume-path", "env", "label-name", "copy-dest"],
)
def test_empty_required_value_is_reported(instruction: object, field: tuple[object, ...]) -> None:
    diagnostic = only(check(alpine(instruction)))
    assert diagnostic.location.field_path == (*STAGE0, "instructions", 0, *field)


def test_line_break_in_an_env_value_is_reported() -> None:
    assert "line break" in only(check(alpine(Env(env={"MOTD": "a\nb"})))).message


def test_line_break_in_a_global_arg_default_is_reported() -> None:
    diagnostic = only(check(alpine(), args=[Arg(name="MOTD", default="a\nb")]))
    assert diagnostic.location.field_path == ("spec", "args", 0, "default")


@pytest.mark.parametrize(
    "instruction",
    [
        Cmd(command="serve\n--port 80"),
        Entrypoint(command="a\nb"),
        Healthcheck(command="curl -f localhost\nexit 1"),
        Run(command="bash\nset -e", heredoc=Heredoc(body="echo hi")),
        Run(command="cat <<A > /a\ntrue", heredocs=[Heredoc(body="a", delimiter="A")]),
    ],
)
def test_a_line_break_a_shell_form_command_cannot_carry_is_reported(instruction: object) -> None:
    diagnostic = only(check(alpine(instruction)))
    assert "line break the shell would have to see" in diagnostic.message
    assert diagnostic.location.field_path == (*STAGE0, "instructions", 0, "command")


@pytest.mark.parametrize(
    "instruction",
    [
        Run(command="echo first\necho second"),
        Run(command="apt-get update \\\n    && apt-get clean"),
        Cmd(command="serve \\\n    --port 80"),
        Healthcheck(command="curl -f localhost \\\n  || exit 1"),
    ],
)
def test_continuations_and_multi_line_run_scripts_pass(instruction: object) -> None:
    assert check(alpine(instruction)) == []


@pytest.mark.parametrize("line", ["&& apt-get install -y curl", "  || true", "| sort", "; ls"])
def test_a_script_line_starting_with_an_operator_is_reported(line: str) -> None:
    diagnostic = only(check(alpine(Run(command=f"apt-get update\n{line}"))))
    assert "starts with" in diagnostic.message
    assert diagnostic.hint == "end the line before it with \\ to continue it there"


def test_a_backslash_line_end_is_a_line_break_under_the_backtick_escape() -> None:
    diagnostic = only(check(alpine(Cmd(command="a \\\nb")), escape="`"))
    assert "line break" in diagnostic.message


@pytest.mark.parametrize("command", ["make \\", "make \\\n  # the end", "a\nb \\  "])
def test_a_command_ending_inside_a_continuation_is_reported(command: str) -> None:
    diagnostic = only(check(alpine(Run(command=command))))
    assert "ends inside a line continuation" in diagnostic.message


def test_variables_on_comment_lines_inside_a_continuation_are_not_expanded() -> None:
    run = Run(command="echo a \\\n  # uses $GLOBAL_ONLY\n  b")
    assert check(alpine(run), args=[Arg(name="GLOBAL_ONLY")]) == []


def test_malformed_dockerignore_pattern_is_reported() -> None:
    diagnostic = only(check(alpine(), dockerignore=["node_modules", "[a-"]))
    assert diagnostic.location.field_path == ("spec", "dockerignore", 1)


def test_valid_dockerignore_patterns_pass() -> None:
    assert check(alpine(), dockerignore=["**/*.pyc", "!keep.pyc", "# comment"]) == []
