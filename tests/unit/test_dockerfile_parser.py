"""The Dockerfile parser: directives, continuations, comments, instructions, flags, errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bakepy import Dockerfile, LoadError, ValidationError, check, load
from bakepy.generators.dockerfile import render_instruction
from bakepy.loaders.dockerfile import dockerfile_name, is_dockerfile
from bakepy.loaders.dockerfile.parser import parse_dockerfile
from bakepy.models.dockerfile.instructions import (
    Add,
    Arg,
    BindMount,
    CacheMount,
    Cmd,
    Comment,
    Copy,
    Entrypoint,
    Env,
    Expose,
    Healthcheck,
    Heredoc,
    Instruction,
    Label,
    Onbuild,
    Raw,
    Run,
    SecretMount,
    Shell,
    SshMount,
    Stage,
    Stopsignal,
    TmpfsMount,
    User,
    Volume,
    Workdir,
)


def parse(text: str) -> Dockerfile:
    """``text`` parsed as a Dockerfile called ``app``."""
    return parse_dockerfile(text, name="app")


def stage(body: str, header: str = "FROM scratch\n") -> Stage:
    """The only stage of ``header + body``."""
    (only,) = parse(header + body).spec.stages
    return only


def instructions(body: str) -> list[Instruction]:
    """The instructions of the only stage of ``FROM scratch`` + ``body``."""
    return stage(body).instructions


def one(body: str) -> Instruction:
    """The single instruction ``body`` declares."""
    (only,) = instructions(body)
    return only


def error(text: str) -> LoadError:
    """The LoadError parsing ``text`` raises."""
    with pytest.raises(LoadError) as caught:
        parse(text)
    return caught.value


# --- parser directives ------------------------------------------------------------------------


def test_directives_at_the_top_go_to_the_spec() -> None:
    spec = parse("# syntax=docker/dockerfile:1\n# escape=`\n# check=skip=all\nFROM a\n").spec
    assert (spec.syntax, spec.escape, spec.check) == ("docker/dockerfile:1", "`", "skip=all")


@pytest.mark.parametrize(
    "line", ["#syntax=x", "# SYNTAX = x", "  #  Syntax=x  ", "#\tsyntax\t=\tx"]
)
def test_directive_keys_are_case_insensitive_and_blanks_are_free(line: str) -> None:
    assert parse(f"{line}\nFROM a\n").spec.syntax == "x"


@pytest.mark.parametrize(
    "text",
    [
        "# a comment\n# syntax=x\nFROM a\n",
        "\n# syntax=x\nFROM a\n",
        "# unknown=1\n# syntax=x\nFROM a\n",
        "FROM a\n# syntax=x\n",
    ],
)
def test_directives_only_count_before_any_other_line(text: str) -> None:
    assert parse(text).spec.syntax is None


def test_a_directive_after_an_instruction_is_a_comment() -> None:
    assert instructions("# escape=`\n") == [Comment(text="escape=`")]


def test_a_repeated_directive_is_an_error_on_its_line() -> None:
    caught = error("# escape=`\n# escape=\\\nFROM a\n")
    assert "only one escape parser directive" in caught.message
    assert caught.location.line == 2


def test_an_escape_directive_other_than_backslash_or_backtick_is_an_error() -> None:
    assert "invalid escape token" in error("# escape=|\nFROM a\n").message


def test_a_byte_order_mark_is_ignored() -> None:
    assert parse("\ufeff# syntax=x\nFROM a\n").spec.syntax == "x"


# --- continuations ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("escape", "text"),
    [
        ("\\", "RUN apt-get update \\\n    && apt-get install -y curl\n"),
        ("`", "RUN apt-get update `\n    && apt-get install -y curl\n"),
    ],
)
def test_continuation_lines_are_kept_as_written(escape: str, text: str) -> None:
    header = f"# escape={escape}\nFROM scratch\n"
    run = stage(text, header).instructions[0]
    assert run == Run(command=f"apt-get update {escape}\n    && apt-get install -y curl")


def test_backslash_is_an_ordinary_character_with_the_backtick_escape() -> None:
    run = stage("RUN dir C:\\ \nCMD a\n", "# escape=`\nFROM scratch\n").instructions[0]
    assert run == Run(command="dir C:\\")


def test_blanks_after_the_continuation_character_still_continue() -> None:
    assert one("RUN a \\   \n  b\n") == Run(command="a \\   \n  b")


def test_an_escaped_escape_at_the_end_does_not_continue() -> None:
    assert instructions("RUN echo a\\\\\nCMD b\n")[0] == Run(command="echo a\\\\")


def test_comment_lines_inside_a_run_continuation_stay_in_place_and_blank_lines_go() -> None:
    text = "RUN a \\\n\n   \n  # not part of it \\\n  && b\n"
    assert one(text) == Run(command="a \\\n  # not part of it \\\n  && b")


def test_comment_lines_inside_other_continuations_come_before_the_instruction() -> None:
    body = "ENV A=1 \\\n  # about B\n  B=2\n"
    assert instructions(body) == [Comment(text="about B"), Env(env={"A": "1", "B": "2"})]


def test_a_comment_line_inside_quotes_stays_where_it_was_written() -> None:
    body = 'RUN echo "a \\\n  # in quotes\n  b"\n'
    assert instructions(body) == [Run(command='echo "a \\\n  # in quotes\n  b"')]


def test_comment_lines_after_the_last_command_line_come_after_the_run() -> None:
    body = "RUN a \\\n# the end\n"
    assert instructions(body) == [Run(command="a"), Comment(text="the end")]


def test_a_comment_between_flag_lines_and_the_command_comes_before_the_run() -> None:
    body = "RUN --network=none \\\n  # why\n  make\n"
    assert instructions(body) == [Comment(text="why"), Run(command="make", network="none")]


def test_lines_continued_without_blanks_are_kept_as_written() -> None:
    assert one("RUN echo ab\\\ncd\n") == Run(command="echo ab\\\ncd")


def test_a_continuation_inside_quotes_is_kept_as_written() -> None:
    assert one('RUN echo "a \\\n   b"\n') == Run(command='echo "a \\\n   b"')


def test_cmd_keeps_its_continuation_lines_as_written() -> None:
    assert one("CMD echo a \\\n    && echo b\n") == Cmd(command="echo a \\\n    && echo b")


def test_healthcheck_and_entrypoint_keep_their_continuation_lines_and_comments() -> None:
    text = "HEALTHCHECK CMD curl -f \\\n  # local only\n  localhost\nENTRYPOINT exec \\\n  app\n"
    assert instructions(text) == [
        Healthcheck(command="curl -f \\\n  # local only\n  localhost"),
        Entrypoint(command="exec \\\n  app"),
    ]


def test_comments_inside_an_exec_form_or_none_come_before_the_instruction() -> None:
    text = 'HEALTHCHECK \\\n  # off\n  NONE\nCMD ["a", \\\n  # b\n  "c"]\n'
    assert instructions(text) == [
        Comment(text="off"),
        Healthcheck(none=True),
        Comment(text="b"),
        Cmd(command=["a", "c"]),
    ]


def test_an_onbuild_trigger_command_is_one_joined_line() -> None:
    assert one("ONBUILD CMD a \\\n  b\n") == Onbuild(trigger=Cmd(command="a   b"))


@pytest.mark.parametrize("text", ["RUN a \\\n# c\n  \\ \n", "RUN a \\\n# c\n  \\\n  \n"])
def test_a_command_whose_last_lines_are_a_comment_and_a_lone_escape_ends_at_its_last_word(
    text: str,
) -> None:
    assert instructions(text) == [Run(command="a"), Comment(text="c")]


def test_a_raw_onbuild_trigger_keeps_its_comment_lines_once() -> None:
    text = 'ONBUILD COPY "q q" \\\n# c\n  <<EOT a \nEOT\n'
    [onbuild] = instructions(text)
    assert isinstance(onbuild, Onbuild)
    assert onbuild.trigger == Raw(text='COPY "q q" \\\n# c\n  <<EOT a \nEOT')


def test_a_continuation_at_the_end_of_the_file_ends_the_instruction() -> None:
    assert one("RUN echo done \\") == Run(command="echo done")


def test_flags_may_span_continuation_lines() -> None:
    run = one("RUN --network=none \\\n    --security=sandbox \\\n    make\n")
    assert run == Run(command="make", network="none", security="sandbox")


# --- comments ---------------------------------------------------------------------------------


def test_comments_inside_a_stage_are_kept_in_order() -> None:
    body = "# install\nRUN a\n#\n#   indented text\n"
    assert instructions(body) == [
        Comment(text="install"),
        Run(command="a"),
        Comment(text=""),
        Comment(text="  indented text"),
    ]


def test_comments_before_the_first_from_belong_to_the_arg_and_the_stage() -> None:
    dockerfile = parse("# about A\nARG A\n# about the stage\nFROM a\n")
    assert dockerfile.spec.stages[0].instructions == []
    assert dockerfile.spec.stages[0].comment == "about the stage"
    assert dockerfile.spec.args == [Arg(name="A", comment="about A")]
    assert dockerfile.spec.comment is None


def test_comments_set_apart_by_a_blank_line_before_the_first_instruction_are_the_header() -> None:
    text = "# syntax=docker/dockerfile:1\n# licence\n#\n# more\n\n# about A\nARG A\nFROM a\n"
    spec = parse(text).spec
    assert spec.comment == "licence\n\nmore"
    assert spec.args == [Arg(name="A", comment="about A")]


def test_the_generated_by_line_of_a_rendered_file_is_not_read_as_the_header() -> None:
    text = "# generated by bakepy from Dockerfile/app; do not edit\n\n# mine\n\nFROM a\n"
    assert parse(text).spec.comment == "mine"


def test_a_comment_before_the_next_from_is_that_stage_s_comment() -> None:
    stages = parse("FROM a AS one\nRUN x\n\n# the second stage\nFROM b\n").spec.stages
    assert stages[0].instructions == [Run(command="x")]
    assert stages[1].comment == "the second stage"


def test_comment_blocks_before_the_last_blank_line_end_the_stage_before() -> None:
    text = "FROM a AS one\nRUN x\n# about x\n\n# two the second\nFROM b AS two\n"
    stages = parse(text).spec.stages
    assert stages[0].instructions == [Run(command="x"), Comment(text="about x")]
    assert (stages[1].comment, stages[1].description) == (None, "the second")


def test_the_last_comment_line_naming_the_stage_is_its_description() -> None:
    text = "# Build stage\n# build compiles the app\nFROM a AS build\n"
    (only,) = parse(text).spec.stages
    assert (only.comment, only.description) == ("Build stage", "compiles the app")


def test_a_description_line_buildkit_would_not_take_stays_a_comment() -> None:
    earlier = parse("# build first\n# build second\nFROM a AS build\n").spec.stages[0]
    assert (earlier.comment, earlier.description) == ("build first\nbuild second", None)
    unnamed = parse("# build it\nFROM a\n").spec.stages[0]
    assert (unnamed.comment, unnamed.description) == ("build it", None)
    after_reset = parse("# build first\n#\n# build second\nFROM a AS build\n").spec.stages[0]
    assert (after_reset.comment, after_reset.description) == ("build first\n", "second")


# --- FROM and stages --------------------------------------------------------------------------


def test_from_with_platform_image_and_name() -> None:
    parsed = stage("", "FROM --platform=$BUILDPLATFORM golang:1.22 AS build\n")
    assert (parsed.from_, parsed.name, parsed.platform) == (
        "golang:1.22",
        "build",
        "$BUILDPLATFORM",
    )


@pytest.mark.parametrize("word", ["as", "As", "AS"])
def test_from_as_is_case_insensitive(word: str) -> None:
    assert stage("", f"from alpine {word} base\n").name == "base"


def test_an_earlier_stage_is_referenced_by_its_name() -> None:
    stages = parse("FROM alpine AS base\nFROM base AS app\nCOPY --from=base /a /b\n").spec.stages
    assert stages[1].from_ == "base"
    assert isinstance(stages[1].instructions[0], Copy)
    assert stages[1].instructions[0].from_ == "base"


def test_global_args_go_to_the_spec() -> None:
    spec = parse('ARG BASE=alpine:3.20\nARG VERSION\nARG A="x y" B=2\nFROM ${BASE}\n').spec
    assert spec.args == [
        Arg(name="BASE", default="alpine:3.20"),
        Arg(name="VERSION"),
        Arg(name="A", default="x y"),
        Arg(name="B", default="2"),
    ]
    assert spec.stages[0].from_ == "${BASE}"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("FROM\n", "FROM requires either one or three arguments"),
        ("FROM a b\n", "FROM requires either one or three arguments"),
        ("FROM a AS b c\n", "FROM requires either one or three arguments"),
        ("FROM --link a\n", "FROM: unknown flag: --link"),
        ("FROM a AS 1st\n", "stage name '1st' must start with a letter"),
        ("RUN x\nFROM a\n", "RUN before the first FROM"),
        ("BOGUS x\nFROM a\n", "unknown instruction: BOGUS"),
        ("", "no FROM instruction"),
        ("# just a comment\n", "no FROM instruction"),
        ("ARG A='$x'\nFROM a\n", "global ARG default"),
    ],
)
def test_from_and_file_errors(text: str, message: str) -> None:
    assert message in error(text).message


# --- RUN, CMD, ENTRYPOINT, SHELL --------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("RUN make all", Run(command="make all")),
        ('RUN ["make", "all"]', Run(command=["make", "all"])),
        ('RUN  [ "a" ,"b" ]  ', Run(command=["a", "b"])),
        ("RUN [not json]", Run(command="[not json]")),
        ('RUN ["unterminated"', Run(command='["unterminated"')),
        ('CMD ["a"] ignored', Cmd(command=["a"])),
        ("CMD echo hi", Cmd(command="echo hi")),
        ("CMD []", Cmd(command=[])),
        ('ENTRYPOINT ["/bin/app", "--flag"]', Entrypoint(command=["/bin/app", "--flag"])),
        ("ENTRYPOINT exec /bin/app", Entrypoint(command="exec /bin/app")),
        (
            'SHELL ["/bin/bash", "-o", "pipefail", "-c"]',
            Shell(command=["/bin/bash", "-o", "pipefail", "-c"]),
        ),
        ("run ls", Run(command="ls")),
        ("Cmd ls", Cmd(command="ls")),
    ],
)
def test_exec_form_is_a_json_array_of_strings_anything_else_is_shell_form(
    body: str, expected: Instruction
) -> None:
    assert one(body + "\n") == expected


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('RUN ["a", 1]', "arrays must be comprised of strings only"),
        ("RUN []", "exec-form command must not be empty"),
        ("SHELL /bin/sh -c", "SHELL requires the arguments to be in JSON form"),
        ("SHELL []", "SHELL requires at least one argument"),
        ("CMD --verbose", "CMD: unknown flag: --verbose"),
        ("RUN --network=bridge x", "RUN: network"),
        ("RUN --security=root x", "RUN: security"),
    ],
)
def test_command_errors(body: str, message: str) -> None:
    assert message in error(f"FROM a\n{body}\n").message


@pytest.mark.parametrize(
    ("flag", "expected"),
    [
        ("--network=none", {"network": "none"}),
        ("--network=host", {"network": "host"}),
        ("--network=default", {"network": "default"}),
        ("--security=insecure", {"security": "insecure"}),
        ("--security=sandbox", {"security": "sandbox"}),
    ],
)
def test_run_network_and_security(flag: str, expected: dict[str, str]) -> None:
    assert one(f"RUN {flag} make\n") == Run(command="make", **expected)


# --- RUN --mount ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("type=cache,target=/root/.cache", CacheMount(target="/root/.cache")),
        (
            "type=cache,id=go,target=/go,sharing=locked,from=deps,source=/src,mode=0700,uid=1,gid=2,ro",
            CacheMount(
                target="/go",
                id="go",
                sharing="locked",
                from_="deps",
                source="/src",
                mode="0700",
                uid=1,
                gid=2,
                readonly=True,
            ),
        ),
        ("type=cache,dst=/c,readonly=true", CacheMount(target="/c", readonly=True)),
        ("type=cache,destination=/c,rw", CacheMount(target="/c")),
        ("target=/src", BindMount(target="/src")),
        ("type=bind,src=go.mod,dst=/src/go.mod", BindMount(source="go.mod", target="/src/go.mod")),
        (
            "type=bind,from=build,source=/out,target=/out,rw",
            BindMount(target="/out", source="/out", from_="build", rw=True),
        ),
        ("type=bind,target=/x,readwrite=true", BindMount(target="/x", rw=True)),
        ("type=bind,target=/x,readonly=false", BindMount(target="/x", rw=True)),
        ("type=bind,target=/x,rw,ro", BindMount(target="/x")),
        ("type=secret,id=npm", SecretMount(id="npm")),
        (
            "type=secret,id=aws,target=/root/.aws/credentials,required=true,mode=0400,uid=1000,gid=1000",
            SecretMount(
                id="aws",
                target="/root/.aws/credentials",
                required=True,
                mode="0400",
                uid=1000,
                gid=1000,
            ),
        ),
        ("type=secret,id=token,env=TOKEN", SecretMount(id="token", env="TOKEN")),
        (
            "type=secret,source=npmrc,target=/root/.npmrc",
            SecretMount(id="npmrc", target="/root/.npmrc"),
        ),
        (
            "type=secret,target=/run/secrets/token,required",
            SecretMount(id="token", target="/run/secrets/token", required=True),
        ),
        ("type=secret,id=x,ro", SecretMount(id="x")),
        ("type=ssh", SshMount()),
        (
            "type=ssh,id=github,target=/ssh.sock,required=false,mode=0600,uid=1,gid=1",
            SshMount(id="github", target="/ssh.sock", mode="0600", uid=1, gid=1),
        ),
        ("type=tmpfs,target=/tmp", TmpfsMount(target="/tmp")),
        ("type=tmpfs,target=/tmp,size=64m,rw", TmpfsMount(target="/tmp", size="64m")),
        ("TYPE=CACHE,TARGET=/c", CacheMount(target="/c")),
    ],
)
def test_every_mount_type_and_option(value: str, expected: Any) -> None:
    assert one(f"RUN --mount={value} make\n") == Run(command="make", mounts=[expected])


def test_several_mounts_keep_their_order() -> None:
    run = one("RUN --mount=type=cache,target=/a --mount=type=bind,target=/b make\n")
    assert isinstance(run, Run)
    assert [type(m) for m in run.mounts] == [CacheMount, BindMount]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("type=volume,target=/x", "unsupported mount type 'volume'"),
        ("type=cache,target=/x,required", "unexpected key 'required' for type=cache"),
        ("type=bind,target=/x,mode=0755", "unexpected key 'mode' for mount type 'bind'"),
        ("type=cache,target=/x,uid=root", "uid must be a number"),
        ("type=cache,target", "invalid field 'target': it must be a key=value pair"),
        ("type=cache,target=/x,ro=maybe", "invalid value for readonly"),
        ("type=cache,target=/a,target=/b", "target is given twice"),
        ("type=secret,id=a,source=b", "can't set both source and id"),
        ("type=secret,required", "needs an id, a source or a target"),
        ("type=cache,target=/x,sharing=sometimes", "sharing"),
    ],
)
def test_mount_errors(value: str, message: str) -> None:
    assert message in error(f"FROM a\nRUN --mount={value} make\n").message


@pytest.mark.parametrize(
    "body",
    [
        "RUN --device=/dev/fuse x",
        "RUN --mount=type=bind,target=/x,id=foo make",
        "RUN --mount=type=tmpfs,target=/x,ro make",
        "RUN --mount=type=secret,id=x,rw make",
        "RUN --mount=type=ssh,from=tools make",
        'RUN --mount=type=bind,"source=a b",target=/x make',
        'COPY ["", "/b"]',
        'COPY ["<<EOF", "/b"]',
        "COPY -- --weird /b",
        "COPY --chown=a\\\\b a /b",
        "COPY 3<<EOF /b\nx\nEOF",
    ],
)
def test_what_buildkit_takes_but_the_model_cannot_say_is_kept_as_raw(body: str) -> None:
    assert one(body + "\n") == Raw(text=body)


# --- RUN heredocs -----------------------------------------------------------------------------


def test_run_heredoc_with_a_command_after_the_marker() -> None:
    run = one("RUN <<EOT bash -ex\nset -e\necho hi\nEOT\n")
    assert run == Run(command="bash -ex", heredoc=Heredoc(body="set -e\necho hi"))


def test_run_heredoc_alone_is_the_script() -> None:
    run = one("RUN <<SCRIPT\n#!/bin/sh\necho hi\nSCRIPT\n")
    assert run == Run(heredoc=Heredoc(body="#!/bin/sh\necho hi", delimiter="SCRIPT"))


@pytest.mark.parametrize(
    ("marker", "expand", "strip_tabs"),
    [
        ("<<EOT", True, False),
        ('<<"EOT"', False, False),
        ("<<'EOT'", False, False),
        ("<<-EOT", True, True),
        ("<<-'EOT'", False, True),
        ("<<\\EOT", True, False),
    ],
)
def test_heredoc_markers(marker: str, expand: bool, strip_tabs: bool) -> None:
    run = one(f"RUN {marker}\necho $HOME\nEOT\n")
    heredoc = Heredoc(body="echo $HOME", expand=expand, strip_tabs=strip_tabs)
    assert run == Run(heredoc=heredoc)


def test_strip_tabs_heredoc_closes_on_a_tab_indented_delimiter_and_keeps_the_tabs() -> None:
    run = one("RUN <<-EOT\n\techo a\n\t\tEOT\n")
    assert run == Run(heredoc=Heredoc(body="\techo a", strip_tabs=True))


def test_without_strip_tabs_a_tab_indented_delimiter_is_body() -> None:
    run = one("RUN <<EOT\n\tEOT\nEOT\n")
    assert run == Run(heredoc=Heredoc(body="\tEOT"))


def test_run_heredoc_with_flags() -> None:
    run = one("RUN --mount=type=cache,target=/c --network=none <<EOT sh\nls\nEOT\n")
    assert run == Run(
        command="sh", heredoc=Heredoc(body="ls"), mounts=[CacheMount(target="/c")], network="none"
    )


def test_a_heredoc_read_by_the_command_keeps_its_marker_in_the_command() -> None:
    run = one('RUN python3 <<EOF\nprint("hi")\nEOF\n')
    assert run == Run(
        command="python3 <<EOF", heredocs=[Heredoc(body='print("hi")', delimiter="EOF")]
    )


def test_several_run_heredocs_follow_the_command_in_order() -> None:
    run = one("RUN cat <<A > /a && cat <<'B' > /b\none\nA\ntwo $X\nB\n")
    assert run == Run(
        command="cat <<A > /a && cat <<'B' > /b",
        heredocs=[
            Heredoc(body="one", delimiter="A"),
            Heredoc(body="two $X", delimiter="B", expand=False),
        ],
    )


def test_a_heredoc_on_a_file_descriptor_stays_in_the_command() -> None:
    run = one("RUN cat /dev/fd/3 3<<EOF\nx\nEOF\n")
    assert run == Run(command="cat /dev/fd/3 3<<EOF", heredocs=[Heredoc(body="x", delimiter="EOF")])


def test_heredoc_markers_inside_quotes_or_exec_form_are_not_heredocs() -> None:
    assert instructions('RUN echo "<<EOT"\nRUN ["cat", "<<EOT"]\n') == [
        Run(command='echo "<<EOT"'),
        Run(command=["cat", "<<EOT"]),
    ]


@pytest.mark.parametrize(
    ("content", "body"),
    [("", ""), ("\n", "\n"), ("a\n", "a"), ("a\n\n", "a\n\n"), ("a\n\nb\n", "a\n\nb")],
)
def test_heredoc_bodies_keep_their_empty_lines(content: str, body: str) -> None:
    run = one(f"RUN <<EOT\n{content}EOT\n")
    assert run == Run(heredoc=Heredoc(body=body))
    assert render_instruction(run) == f"RUN <<EOT\n{content}EOT"


def test_an_unterminated_heredoc_is_an_error_at_its_instruction() -> None:
    caught = error("FROM a\nRUN ls\nRUN <<EOT\necho\n")
    assert "unterminated heredoc 'EOT'" in caught.message
    assert caught.location.line == 3


def test_windows_line_endings_end_lines_but_stay_in_heredoc_bodies() -> None:
    body = "RUN a \\\r\n  b\r\nCOPY <<EOT /x\r\nline\r\nEOT\r\n"
    assert instructions(body) == [
        Run(command="a \\\n  b"),
        Copy(heredocs=[Heredoc(body="line\r")], dest="/x"),
    ]


# --- COPY and ADD -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("COPY a b /dst/", Copy(src=["a", "b"], dest="/dst/")),
        ('COPY ["a b", "/my dir/"]', Copy(src=["a b"], dest="/my dir/")),
        ("COPY --from=build /out /bin/", Copy(from_="build", src=["/out"], dest="/bin/")),
        (
            "COPY --from=nginx:latest /etc/nginx /etc/nginx",
            Copy(from_="nginx:latest", src=["/etc/nginx"], dest="/etc/nginx"),
        ),
        ("COPY --from=0 /a /b", Copy(from_="0", src=["/a"], dest="/b")),
        (
            "COPY --chown=app:app --chmod=0755 a /b",
            Copy(chown="app:app", chmod="0755", src=["a"], dest="/b"),
        ),
        ('COPY --chown="app user" a /b', Copy(chown="app user", src=["a"], dest="/b")),
        ("COPY --link a /b", Copy(link=True, src=["a"], dest="/b")),
        ("COPY --link=true a /b", Copy(link=True, src=["a"], dest="/b")),
        ("COPY --link=false a /b", Copy(src=["a"], dest="/b")),
        ("COPY --parents ./x/*/y /b/", Copy(parents=True, src=["./x/*/y"], dest="/b/")),
        (
            "COPY --exclude=*.md --exclude=**/tmp . /b",
            Copy(exclude=["*.md", "**/tmp"], src=["."], dest="/b"),
        ),
        ("COPY -- a /b", Copy(src=["a"], dest="/b")),
        ("ADD https://x/y.tgz /z", Add(src=["https://x/y.tgz"], dest="/z")),
        (
            "ADD --checksum=sha256:abc https://x/y /z",
            Add(checksum="sha256:abc", src=["https://x/y"], dest="/z"),
        ),
        (
            "ADD --keep-git-dir=true https://x/r.git /r",
            Add(keep_git_dir=True, src=["https://x/r.git"], dest="/r"),
        ),
        (
            "ADD --keep-git-dir git@x:r.git /r",
            Add(keep_git_dir=True, src=["git@x:r.git"], dest="/r"),
        ),
        ("ADD --unpack=false a.tar /r/", Add(unpack=False, src=["a.tar"], dest="/r/")),
        (
            "ADD --chown=1:2 --chmod=644 --link --exclude=x a /b",
            Add(chown="1:2", chmod="644", link=True, exclude=["x"], src=["a"], dest="/b"),
        ),
    ],
)
def test_copy_and_add_flags(body: str, expected: Instruction) -> None:
    assert one(body + "\n") == expected


def test_copy_heredoc_file() -> None:
    copy = one("COPY <<EOF /etc/motd\nhello $USER\nEOF\n")
    assert copy == Copy(heredocs=[Heredoc(body="hello $USER", delimiter="EOF")], dest="/etc/motd")


def test_several_copy_heredocs_named_like_files() -> None:
    copy = one(
        "COPY --chmod=0755 <<run.sh <<check.sh /bin/\necho run\nrun.sh\necho check\ncheck.sh\n"
    )
    assert copy == Copy(
        chmod="0755",
        heredocs=[
            Heredoc(body="echo run", delimiter="run.sh"),
            Heredoc(body="echo check", delimiter="check.sh"),
        ],
        dest="/bin/",
    )


def test_add_heredoc() -> None:
    assert one("ADD <<'EOF' /x\n$literal\nEOF\n") == Add(
        heredocs=[Heredoc(body="$literal", delimiter="EOF", expand=False)], dest="/x"
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("COPY a", "COPY requires at least two arguments"),
        ("COPY a <<EOF\nx\nEOF", "a heredoc cannot be the destination"),
        ("COPY --chown a /b", "COPY: missing a value on flag --chown"),
        ("COPY --link= a /b", "COPY: missing a value on flag --link"),
        ("COPY --link=yes a /b", "expecting a boolean value for --link"),
        ("COPY --from=a --from=b x /y", "duplicate flag specified: --from"),
        ("COPY --form=build a /b", "COPY: unknown flag: --form"),
        ("ADD --parents a /b", "ADD: unknown flag: --parents"),
        ("ADD --from=build a /b", "ADD: unknown flag: --from"),
        ("COPY --checksum=sha256:a a /b", "COPY: unknown flag: --checksum"),
        ("ADD --checksum=md5:abc http://x /y", "checksum must look like sha256"),
        ("COPY <<'A B' /b\nx\nA B", "could not be matched to markers"),
        ("RUN <<'A B'\nx\nA B", "heredoc delimiter 'A B' must be a word"),
    ],
)
def test_copy_and_add_errors(body: str, message: str) -> None:
    assert message in error(f"FROM a\n{body}\n").message


def test_an_unknown_flag_suggests_the_closest() -> None:
    assert error("FROM a\nCOPY --chmd=1 a /b\n").diagnostic.hint == "did you mean --chmod?"


# --- ENV, LABEL, ARG --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("ENV A=1", Env(env={"A": "1"})),
        ("ENV A=1 B=2", Env(env={"A": "1", "B": "2"})),
        ("ENV A=\"hello world\" B='single'", Env(env={"A": "hello world", "B": "single"})),
        ("ENV A=hello\\ world", Env(env={"A": "hello world"})),
        ('ENV A="say \\"hi\\""', Env(env={"A": 'say "hi"'})),
        ('ENV A="C:\\\\path" B="a\\nb"', Env(env={"A": "C:\\path", "B": "a\\nb"})),
        ("ENV PATH=/opt/bin:$PATH", Env(env={"PATH": "/opt/bin:$PATH"})),
        ('ENV A="${B:-default value}"', Env(env={"A": "${B:-default value}"})),
        ("ENV A=", Env(env={"A": ""})),
        ("ENV A B", Env(env={"A": "B"})),
        ('ENV A  hello   "big"  world', Env(env={"A": "hello   big  world"})),
        ('LABEL a=1 "b c"="d e"', Label(labels={"a": "1", "b c": "d e"})),
        (
            'LABEL org.opencontainers.image.title="My app"',
            Label(labels={"org.opencontainers.image.title": "My app"}),
        ),
        ("LABEL description my app", Label(labels={"description": "my app"})),
        ("ARG A", Arg(name="A")),
        ("ARG A=1", Arg(name="A", default="1")),
        ('ARG A="x y"', Arg(name="A", default="x y")),
        ("ARG A=", Arg(name="A", default="")),
        ("ARG A=$B", Arg(name="A", default="$B")),
    ],
)
def test_key_value_instructions(body: str, expected: Instruction) -> None:
    assert one(body + "\n") == expected


def test_one_arg_instruction_may_declare_several() -> None:
    assert instructions("ARG A=1 B\n") == [Arg(name="A", default="1"), Arg(name="B")]


@pytest.mark.parametrize(
    "body",
    [
        "ENV A='$HOME'",
        "ENV A=\\$HOME",
        'ENV A="\\$HOME"',
        "ARG A='$x'",
    ],
)
def test_a_literal_dollar_the_model_cannot_say_is_kept_as_raw(body: str) -> None:
    assert one(body + "\n") == Raw(text=body)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ('LABEL a=${B:-"x"}', Label(labels={"a": '${B:-"x"}'})),
        ('ARG A=${B:+"unsupported"}', Arg(name="A", default='${B:+"unsupported"}')),
        ("ENV A=${B:-'x'}/bin", Env(env={"A": "${B:-'x'}/bin"})),
    ],
)
def test_quotes_inside_a_substitution_are_kept_and_written_back_as_they_are(
    body: str, expected: Instruction
) -> None:
    assert one(body + "\n") == expected
    assert render_instruction(expected) == body


def test_raw_keeps_continuation_lines_verbatim() -> None:
    text = "ENV A='$x' \\\n    B=2"
    assert one(text + "\n") == Raw(text=text)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("ENV", "ENV requires at least one argument"),
        ("ENV A", "ENV must have two arguments"),
        ("ENV A=1 B", "can't find = in 'B'"),
        ("ENV =1", "ENV names can not be blank"),
        ('ENV A="unterminated', "matching double-quote"),
        ("LABEL a='x", "matching single-quote"),
        ("ARG", "ARG requires at least one argument"),
        ("ARG =1", "ARG names can not be blank"),
        ("ARG 1A", "must start with a letter"),
        ("ENV --x=1 A=1", "ENV: unknown flag: --x"),
    ],
)
def test_key_value_errors(body: str, message: str) -> None:
    assert message in error(f"FROM a\n{body}\n").message


# --- the other instructions -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("EXPOSE 80", Expose(ports=["80"])),
        ("EXPOSE 80/tcp 53/udp 8000-8010", Expose(ports=["80/tcp", "53/udp", "8000-8010"])),
        ("EXPOSE ${PORT}", Expose(ports=["${PORT}"])),
        ('VOLUME ["/data", "/my logs"]', Volume(paths=["/data", "/my logs"])),
        ("VOLUME /data /logs", Volume(paths=["/data", "/logs"])),
        ("USER app", User(user="app")),
        ("USER 1000:1000", User(user="1000", group="1000")),
        ("USER ${UID:-1000}:${GID}", User(user="${UID:-1000}", group="${GID}")),
        ("WORKDIR /app", Workdir(path="/app")),
        ('WORKDIR "/my app"', Workdir(path='"/my app"')),
        ("STOPSIGNAL SIGTERM", Stopsignal(signal="SIGTERM")),
        ("STOPSIGNAL 9", Stopsignal(signal="9")),
        ("MAINTAINER Jane <jane@example.com>", Raw(text="MAINTAINER Jane <jane@example.com>")),
    ],
)
def test_single_purpose_instructions(body: str, expected: Instruction) -> None:
    assert one(body + "\n") == expected


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("EXPOSE", "EXPOSE requires at least one argument"),
        ("VOLUME", "VOLUME requires at least one argument"),
        ('VOLUME ["/a", " "]', "VOLUME specified can not be an empty string"),
        ("USER", "USER requires exactly one argument"),
        ("WORKDIR", "WORKDIR requires exactly one argument"),
        ("STOPSIGNAL", "STOPSIGNAL requires exactly one argument"),
        ("MAINTAINER", "MAINTAINER requires exactly one argument"),
        ("WORKDIR --x=1 /a", "WORKDIR: unknown flag: --x"),
    ],
)
def test_single_purpose_errors(body: str, message: str) -> None:
    assert message in error(f"FROM a\n{body}\n").message


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("HEALTHCHECK NONE", Healthcheck(none=True)),
        ("healthcheck none", Healthcheck(none=True)),
        (
            "HEALTHCHECK CMD curl -f http://localhost/ || exit 1",
            Healthcheck(command="curl -f http://localhost/ || exit 1"),
        ),
        (
            'HEALTHCHECK CMD ["curl", "-f", "http://localhost/"]',
            Healthcheck(command=["curl", "-f", "http://localhost/"]),
        ),
        (
            "HEALTHCHECK --interval=30s --timeout=3s --start-period=5s --start-interval=1s "
            "--retries=3 cmd true",
            Healthcheck(
                command="true",
                interval="30s",
                timeout="3s",
                start_period="5s",
                start_interval="1s",
                retries=3,
            ),
        ),
    ],
)
def test_healthcheck(body: str, expected: Instruction) -> None:
    assert one(body + "\n") == expected


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("HEALTHCHECK", "HEALTHCHECK requires at least one argument"),
        ("HEALTHCHECK NONE x", "HEALTHCHECK NONE takes no arguments"),
        ("HEALTHCHECK --interval=5s NONE", "HEALTHCHECK NONE takes no options"),
        ("HEALTHCHECK CMD", "missing command after HEALTHCHECK CMD"),
        ("HEALTHCHECK RUN true", "unknown type 'RUN' in HEALTHCHECK"),
        ("HEALTHCHECK --retries=many CMD true", "--retries must be a number"),
        ("HEALTHCHECK --every=5s CMD true", "HEALTHCHECK: unknown flag: --every"),
    ],
)
def test_healthcheck_errors(body: str, message: str) -> None:
    assert message in error(f"FROM a\n{body}\n").message


# --- ONBUILD ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "trigger"),
    [
        ("ONBUILD RUN make", Run(command="make")),
        ("onbuild copy --chown=app . /app", Copy(chown="app", src=["."], dest="/app")),
        ("ONBUILD RUN a \\\n    && b", Run(command="a     && b")),
        ("ONBUILD RUN <<EOT\necho $X\nEOT", Run(heredoc=Heredoc(body="echo $X"))),
        ("ONBUILD ENV A='$x'", Raw(text="ENV A='$x'")),
        ("ONBUILD HEALTHCHECK NONE", Healthcheck(none=True)),
    ],
)
def test_onbuild_triggers(body: str, trigger: Instruction) -> None:
    assert one(body + "\n") == Onbuild(trigger=trigger)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("ONBUILD", "ONBUILD requires at least one argument"),
        ("ONBUILD ONBUILD RUN x", "chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed"),
        ("ONBUILD FROM alpine", "FROM isn't allowed as an ONBUILD trigger"),
        ("ONBUILD MAINTAINER me", "MAINTAINER isn't allowed as an ONBUILD trigger"),
        ("ONBUILD BOGUS x", "unknown instruction: BOGUS"),
    ],
)
def test_onbuild_errors(body: str, message: str) -> None:
    assert message in error(f"FROM a\n{body}\n").message


# --- errors name the line ---------------------------------------------------------------------


def test_an_unknown_instruction_names_its_line_and_the_closest_keyword() -> None:
    caught = error("FROM a\n\nRUN ok\nCOPPY a /b\n")
    assert (caught.message, caught.location.line, caught.diagnostic.hint) == (
        "unknown instruction: COPPY",
        4,
        "did you mean COPY?",
    )


def test_an_error_in_a_continued_instruction_names_its_first_line() -> None:
    caught = error("FROM a\nRUN --mount=type=nope,target=/x \\\n    make\n")
    assert caught.location.line == 2


def test_errors_name_the_file(tmp_path: Path) -> None:
    with pytest.raises(LoadError) as caught:
        parse_dockerfile("FROM a\nNOPE\n", path=tmp_path / "Dockerfile")
    assert str(caught.value).startswith(f"{tmp_path / 'Dockerfile'}:2: unknown instruction: NOPE")


def test_a_lone_continuation_character_is_an_empty_instruction() -> None:
    assert "empty instruction" in error("FROM a\n\\\n").message


# --- loading Dockerfiles ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filename", "name"),
    [
        ("Dockerfile", "dockerfile"),
        ("dockerfile", "dockerfile"),
        ("api.Dockerfile", "api"),
        ("web.api.dockerfile", "web.api"),
        ("Dockerfile.dev", "dev"),
        (".Dockerfile", "dockerfile"),
        ("Dockerfile-alpine", "alpine"),
        ("Dockerfile_dev", "dev"),
        ("Dockerfile-alpine-otel.template", "alpine-otel.template"),
    ],
)
def test_dockerfile_file_names(filename: str, name: str) -> None:
    assert is_dockerfile(Path(filename))
    assert dockerfile_name(Path(filename)) == name


@pytest.mark.parametrize(
    "filename",
    ["api.Dockerfile.dockerignore", "Dockerfiles", "bakepy.yaml", "dockerfile_test.go"],
)
def test_other_file_names_are_not_dockerfiles(filename: str) -> None:
    assert not is_dockerfile(Path(filename))


def test_load_reads_a_dockerfile_into_a_resource(tmp_path: Path) -> None:
    path = tmp_path / "api.Dockerfile"
    path.write_text("FROM alpine AS base\nRUN echo hi\n")
    project = load([path])
    dockerfile = project.get(Dockerfile, "api")
    assert dockerfile.spec.stages[0].instructions == [Run(command="echo hi")]
    assert dockerfile.source == (str(path), 1)


def test_load_reports_a_parse_error_with_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "Dockerfile"
    path.write_text("FROM alpine\nRUN ok\nNOPE\n")
    with pytest.raises(LoadError, match=r"Dockerfile:3: unknown instruction: NOPE"):
        load([path])


def test_rule_errors_on_a_loaded_dockerfile_point_at_the_instruction_line(tmp_path: Path) -> None:
    path = tmp_path / "Dockerfile"
    path.write_text("FROM alpine AS app\nRUN ok\n\nFROM alpine AS app\n")
    with pytest.raises(ValidationError) as caught:
        check(load([path]))
    assert caught.value.location.line == 4
    assert "duplicate stage name" in caught.value.message


# --- what the parser needed from the model and the renderer -----------------------------------


def test_run_heredocs_render_after_the_command_that_reads_them() -> None:
    run = Run(
        command="cat <<A > /a && cat <<'B' > /b",
        heredocs=[Heredoc(body="one", delimiter="A"), Heredoc(body="$two", delimiter="B")],
        mounts=[CacheMount(target="/c"), BindMount(target="/s")],
    )
    assert render_instruction(run) == (
        "RUN --mount=type=cache,target=/c \\\n    --mount=type=bind,target=/s \\\n"
        "    cat <<A > /a && cat <<'B' > /b\none\nA\n$two\nB"
    )


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"command": "cat > /a", "heredocs": [Heredoc(body="x")]}, "no <<EOT marker"),
        ({"command": ["cat"], "heredocs": [Heredoc(body="x")]}, "shell-form command"),
        (
            {"command": "cat <<EOT", "heredoc": Heredoc(body="x"), "heredocs": [Heredoc(body="y")]},
            "either `heredoc` or `heredocs`",
        ),
    ],
)
def test_run_heredocs_need_their_markers_in_a_shell_command(
    fields: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        Run(**fields)


@pytest.mark.parametrize("delimiter", ["robots.txt", "a-b.c", "EOF_1", "3rd"])
def test_heredoc_delimiters_may_be_file_names(delimiter: str) -> None:
    assert Heredoc(body="x", delimiter=delimiter).delimiter == delimiter


@pytest.mark.parametrize("delimiter", ["-EOT", "a b", "", "a/b", "$X"])
def test_heredoc_delimiters_that_would_not_read_back_are_rejected(delimiter: str) -> None:
    with pytest.raises(ValueError, match="heredoc delimiter"):
        Heredoc(body="x", delimiter=delimiter)


def test_a_tab_indented_delimiter_line_only_closes_a_strip_tabs_heredoc() -> None:
    assert Heredoc(body="\tEOT", strip_tabs=False).body == "\tEOT"
    with pytest.raises(ValueError, match="its own delimiter line"):
        Heredoc(body="\tEOT", strip_tabs=True)


def test_a_run_with_flags_and_an_empty_command_ends_its_continuation() -> None:
    run = Run(command="", network="none", security="sandbox")
    assert render_instruction(run) == "RUN --network=none \\\n    --security=sandbox"


def test_values_with_any_whitespace_are_quoted() -> None:
    assert render_instruction(Env(env={"A": "x\u00a0y"})) == 'ENV A="x\u00a0y"'
