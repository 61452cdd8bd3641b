"""Round trips: render(parse(x)) says what x says, and parse(render(model)) is the model.

The fixture comparison reads both texts with a small, independent reference reader (continuation
lines joined, blanks collapsed, flags sorted, mount option aliases unified, quotes removed from
key=value pairs, VOLUME/COPY arguments as lists), so that only spelling may differ.
"""

from __future__ import annotations

import collections
import contextlib
import itertools
import json
import os
import re
import shlex
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, note, settings, strategies as st

from bakepy import load
from bakepy.api.definitions import import_definitions
from bakepy.errors import BakepyError
from bakepy.generators.dockerfile import render_dockerfile
from bakepy.loaders.dockerfile import dockerfile_name
from bakepy.loaders.dockerfile.parser import parse_dockerfile
from bakepy.models.dockerfile.instructions import (
    IMPORTED_FROM,
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
    Instruction,
    Label,
    Onbuild,
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
from bakepy.models.dockerfile.shell_lines import ends_continued, has_line_breaks, shell_text
from bakepy.resolution.checks.dockerfile import check_dockerfile

REPO = Path(__file__).resolve().parents[2]
FIXTURES = sorted((REPO / "tests" / "fixtures" / "dockerfiles").glob("*.Dockerfile"))
EXAMPLES = sorted(
    path / "bakepy.py" for path in (REPO / "examples").iterdir() if (path / "bakepy.py").is_file()
)


def roundtrip(dockerfile: Dockerfile) -> Dockerfile:
    """``parse(render(dockerfile))``."""
    return parse_dockerfile(render_dockerfile(dockerfile), name=dockerfile.metadata.name)


def as_rendered(dockerfile: Dockerfile) -> Dockerfile:
    """``dockerfile`` as a Dockerfile can say it: a RUN command the shell sees on several lines
    is written as a heredoc script (``RUN <<EOT``), which the parser reads as one."""
    escape = dockerfile.spec.escape or "\\"

    def scripted(item: Instruction) -> Instruction:
        plain = isinstance(item, Run) and item.heredoc is None and not item.heredocs
        if plain and isinstance(item.command, str) and has_line_breaks(item.command, escape):
            script = Heredoc(body=item.command.strip())
            return item.model_copy(update={"command": None, "heredoc": script})
        return item

    stages = [
        stage.model_copy(update={"instructions": [scripted(i) for i in stage.instructions]})
        for stage in dockerfile.spec.stages
    ]
    spec = dockerfile.spec.model_copy(update={"stages": stages})
    return dockerfile.model_copy(update={"spec": spec})


def dump(dockerfile: Dockerfile) -> Any:
    """The model as plain data, stage references (``{stage: name}``) written as names, without
    the annotation that says which file it was read from."""

    def plain(value: Any) -> Any:
        if isinstance(value, dict):
            if set(value) == {"stage"}:
                return value["stage"]
            return {key: plain(item) for key, item in value.items()}
        if isinstance(value, list):
            return [plain(item) for item in value]
        return value

    data = plain(dockerfile.model_dump())
    data["metadata"]["annotations"].pop(IMPORTED_FROM, None)
    return data


# --- an independent reading of a Dockerfile, for comparing texts ------------------------------

_MOUNT_ALIASES = {"src": "source", "dst": "target", "destination": "target", "readonly": "ro"}
_LIST_ARGS = frozenset({"COPY", "ADD", "VOLUME"})
_MARKER = re.compile(r"\d*<<(-?)([\"']?)\\?([\w.-]+)\2")


def reference_instructions(text: str) -> list[str]:
    """One normalized string per instruction (and comment after the first FROM)."""
    lines = text.removeprefix("\ufeff").replace("\r\n", "\n").split("\n")
    escape, index = _reference_directives(lines)
    result: list[str] = []
    while index < len(lines):
        line = lines[index].strip()
        index += 1
        if line.startswith("#"):
            if any(item.startswith("FROM") for item in result):
                result.append("# " + line[1:].strip())
            continue
        inside: list[str] = []  # comment lines inside the continuation: listed before it
        while line.endswith(escape) and not line.endswith(escape * 2) and index < len(lines):
            while index < len(lines) - 1 and lines[index].strip()[:1] in ("", "#"):
                if lines[index].strip():
                    inside.append("# " + lines[index].strip()[1:].strip())
                index += 1
            line = line[:-1] + lines[index].rstrip()  # joined as BuildKit joins: indent kept
            index += 1
        if line:
            bodies, index = _reference_bodies(line, lines, index)
            result += inside + [item + bodies for item in _normalize(line, escape)]
    return result


def _reference_directives(lines: list[str]) -> tuple[str, int]:
    escape, index = "\\", 0
    while index < len(lines):
        match = re.fullmatch(r"#\s*(syntax|escape|check)\s*=\s*(.*?)\s*", lines[index], re.I)
        if match is None:
            break
        escape = match.group(2) if match.group(1).lower() == "escape" else escape
        index += 1
    return escape, index


def _reference_bodies(line: str, lines: list[str], index: int) -> tuple[str, int]:
    if "[" in line.split(maxsplit=2)[-1][:1] or not re.match(
        r"(?i)(onbuild\s+)?(run|copy|add)\b", line
    ):
        return "", index
    bodies = ""
    for match in _MARKER.finditer(line):
        body: list[str] = []
        while (lines[index].lstrip("\t") if match.group(1) else lines[index]) != match.group(3):
            body.append(lines[index])
            index += 1
        bodies += "\n" + "\n".join(body) + "\n" + match.group(3)
        index += 1
    return bodies, index


def _normalize(line: str, escape: str) -> list[str]:
    keyword, rest = [*line.split(None, 1), ""][:2]
    keyword = keyword.upper()
    if keyword == "ONBUILD":
        return ["ONBUILD " + item for item in _normalize(rest.strip(), escape)]
    words = rest.split()
    leading = list(itertools.takewhile(lambda word: word.startswith("--"), words))
    flags = sorted(_flag(word) for word in leading)
    args = rest.strip()
    for word in leading:
        args = args.replace(word, "", 1)
    args = _MARKER.sub(lambda m: f"<<{m.group(1)}{m.group(3)}", args.strip())
    if keyword == "ARG":
        return [f"ARG {word}" for word in _shlex(args, escape)]
    return [" ".join([keyword, *flags, _arguments(keyword, args, escape)])]


def _flag(word: str) -> str:
    name, _, value = word[2:].partition("=")
    value = value.strip("\"'")
    if name != "mount":
        return f"--{name}" if value in ("", "true") else f"--{name}={value}"
    options = []
    for option in value.split(","):
        key, _, setting = option.partition("=")
        key = _MOUNT_ALIASES.get(key.lower(), key.lower())
        options.append(key if setting == "true" or not setting else f"{key}={setting}")
    if not any(option.startswith("type=") for option in options):
        options.append("type=bind")  # BuildKit's default mount type
    if "type=bind" in options and "ro" in options:
        options.remove("ro")  # a bind mount is read-only unless rw
    if "type=secret" in options:  # a secret's source= is its id
        options = [f"id={o[len('source=') :]}" if o.startswith("source=") else o for o in options]
    return "--mount=" + ",".join(sorted(options))


def _arguments(keyword: str, args: str, escape: str) -> str:
    if keyword == "HEALTHCHECK" and args[:4].upper() == "CMD ":
        return "CMD " + _arguments("CMD", args[4:].strip(), escape)
    if keyword == "FROM":
        return re.sub(r"(?i) as ", " AS ", " ".join(args.split()))
    if keyword in ("ENV", "LABEL"):
        return json.dumps(_pairs(args, escape))
    if args.startswith("["):
        with contextlib.suppress(ValueError):  # the first JSON value, as BuildKit decodes it
            return "JSON " + json.dumps(json.JSONDecoder().raw_decode(args)[0])
    if keyword in _LIST_ARGS:
        return "JSON " + json.dumps(args.split())
    return " ".join(args.split())


def _pairs(args: str, escape: str) -> dict[str, str]:
    first = args.split()[0]
    if "=" not in first:  # legacy `KEY value`: the value as written, or inside its quotes
        value = args[len(first) :].strip()
        quoted = len(value) > 1 and value[0] == value[-1] and value[0] in "\"'"
        return {first: value[1:-1] if quoted else value}
    return dict(word.split("=", 1) for word in _shlex(args, escape))


def _shlex(text: str, escape: str) -> list[str]:
    if escape == "\\":
        return shlex.split(text)
    swapped = text.replace("\\", "\0").replace("`", "\\")
    return [word.replace("\0", "\\") for word in shlex.split(swapped)]


# --- fixtures: realistic Dockerfiles ----------------------------------------------------------


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda path: path.stem)
def test_rendered_fixture_says_what_the_original_says(fixture: Path) -> None:
    original = fixture.read_text()
    rendered = render_dockerfile(parse_dockerfile(original, name=fixture.stem))
    assert reference_instructions(rendered) == reference_instructions(original)


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda path: path.stem)
def test_parsing_the_rendered_fixture_gives_the_same_model(fixture: Path) -> None:
    parsed = parse_dockerfile(fixture.read_text(), name=fixture.stem)
    assert dump(roundtrip(parsed)) == dump(parsed)


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda path: path.stem)
def test_rendering_what_was_rendered_gives_the_same_bytes(fixture: Path) -> None:
    rendered = render_dockerfile(parse_dockerfile(fixture.read_text(), name=fixture.stem))
    assert render_dockerfile(parse_dockerfile(rendered, name=fixture.stem)) == rendered


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda path: path.stem)
def test_every_comment_line_survives(fixture: Path) -> None:
    """Each ``#`` line (heredoc bodies count alike on both sides) is in the rendered file as
    many times as in the original: header, before a FROM or an ARG, between instructions,
    inside continuation lines. (Where each stands, BuildKit judges: the descriptions.)"""

    def comments(text: str) -> collections.Counter[str]:
        lines = [line.strip() for line in text.replace("\r\n", "\n").split("\n")]
        found = [line[1:].strip() for line in lines if line.startswith("#")]
        return collections.Counter(
            line for line in found if not line.startswith(("syntax", "generated by bakepy"))
        )

    original = fixture.read_text().removeprefix("\ufeff")
    rendered = render_dockerfile(parse_dockerfile(original, name=fixture.stem))
    assert comments(rendered) == comments(original)


@pytest.mark.parametrize("to", ["python", "yaml"])
@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda path: path.stem)
def test_an_imported_fixture_renders_the_same_dockerfile(
    fixture: Path, to: str, tmp_path: Path
) -> None:
    definition = tmp_path / ("bakepy.py" if to == "python" else "bakepy.yaml")
    definition.write_text(import_definitions([fixture], to))  # type: ignore[arg-type]
    (imported,) = load([definition]).dockerfiles
    direct = parse_dockerfile(fixture.read_text(), name=dockerfile_name(fixture))
    assert render_dockerfile(imported) == render_dockerfile(direct)


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda path: path.stem)
def test_fixtures_load_and_pass_every_check(fixture: Path) -> None:
    from bakepy import check

    check(load([fixture]))


def test_fixtures_use_every_instruction_and_flag() -> None:
    text = "\n".join(path.read_text() for path in FIXTURES)
    for keyword in (
        "ADD",
        "ARG",
        "CMD",
        "COPY",
        "ENTRYPOINT",
        "ENV",
        "EXPOSE",
        "FROM",
        "HEALTHCHECK",
        "LABEL",
        "MAINTAINER",
        "ONBUILD",
        "RUN",
        "SHELL",
        "STOPSIGNAL",
        "USER",
        "VOLUME",
        "WORKDIR",
    ):
        assert re.search(rf"(?im)^\s*(ONBUILD\s+)?{keyword}\b", text), keyword
    for flag in (
        "--platform=",
        "--mount=type=cache",
        "--mount=type=bind",
        "--mount=type=secret",
        "--mount=type=ssh",
        "--mount=type=tmpfs",
        "--network=",
        "--security=",
        "--from=",
        "--chown=",
        "--chmod=",
        "--link",
        "--parents",
        "--exclude=",
        "--checksum=",
        "--keep-git-dir",
        "--unpack",
        "--interval=",
        "--timeout=",
        "--start-period=",
        "--start-interval=",
        "--retries=",
        "# escape=`",
        "# syntax=",
        "# check=",
        "<<-",
        '<<"',
        "<<'",
    ):
        assert flag in text, flag


# --- models: parse(render(model)) == model ----------------------------------------------------


def test_example_dockerfiles_survive_render_then_parse() -> None:
    dockerfiles = [dockerfile for example in EXAMPLES for dockerfile in load([example]).dockerfiles]
    assert len(dockerfiles) >= 3
    for dockerfile in dockerfiles:
        expected = dump(dockerfile)
        expected["spec"]["dockerignore"] = None  # rendered beside the Dockerfile, not in it
        assert dump(roundtrip(dockerfile)) == expected, dockerfile.ref


EVERY_INSTRUCTION: list[Instruction] = [
    Comment(text="every instruction, each flag"),
    Run(command="apt-get update \\\n    && apt-get install -y curl"),
    Run(command="echo first > /out\necho second >> /out"),
    Run(command=["/bin/sh", "-c", "echo exec"]),
    Run(
        command="make",
        mounts=[
            CacheMount(
                target="/c",
                id="c",
                sharing="locked",
                from_="base",
                source="/s",
                mode="0755",
                uid=1,
                gid=2,
                readonly=True,
            ),
            BindMount(target="/b", source="b", from_="base", rw=True),
            SecretMount(id="s", target="/s", env="S", required=True, mode="0400", uid=1, gid=1),
            SshMount(id="gh", target="/ssh", required=True, mode="0600", uid=1, gid=1),
            TmpfsMount(target="/t", size="64m"),
        ],
        network="none",
        security="insecure",
    ),
    Run(command="bash -ex", heredoc=Heredoc(body="set -e\necho $HOME", strip_tabs=True)),
    Run(heredoc=Heredoc(body="echo '$literal'", delimiter="SCRIPT", expand=False)),
    Run(
        command="cat <<A > /a && cat <<B > /b",
        heredocs=[Heredoc(body="a", delimiter="A"), Heredoc(body="\n", delimiter="B")],
    ),
    Cmd(command=["serve", "--port", "80"]),
    Cmd(command="echo hello"),
    Entrypoint(command=["/bin/app"]),
    Label(labels={"org.opencontainers.image.title": "My app", "a b": 'say "hi"', "e": ""}),
    Expose(ports=["80", "53/udp", "8000-8010/tcp"]),
    Env(env={"PATH": "/opt/bin:$PATH", "GREETING": "hello world", "WIN": "C:\\path"}),
    Copy(
        src=["a", "b"],
        dest="/dst/",
        from_="base",
        chown="app:app",
        chmod="0644",
        link=True,
        parents=True,
        exclude=["*.md", "**/tmp"],
    ),
    Copy(src=["my file"], dest="/my dir/"),
    Copy(
        heredocs=[Heredoc(body="x", delimiter="run.sh"), Heredoc(body="y", delimiter="EOF")],
        dest="/bin/",
    ),
    Add(
        src=["https://example.com/a.tgz"],
        dest="/a",
        checksum="sha256:abc",
        keep_git_dir=False,
        unpack=True,
        chown="1:1",
        chmod="755",
        link=True,
        exclude=["x"],
    ),
    Volume(paths=["/data", "/my logs"]),
    User(user="app", group="app"),
    User(user="1000"),
    Workdir(path="/srv/app"),
    Arg(name="VERSION", default="1.0 beta"),
    Arg(name="EMPTY", default=""),
    Arg(name="NOTHING"),
    Stopsignal(signal="SIGQUIT"),
    Healthcheck(
        command="curl -f http://localhost/ || exit 1",
        interval="30s",
        timeout="3s",
        start_period="5s",
        start_interval="1s",
        retries=3,
    ),
    Healthcheck(command=["true"]),
    Shell(command=["/bin/bash", "-o", "pipefail", "-c"]),
    Onbuild(trigger=Run(command="make")),
    Onbuild(trigger=Copy(src=["."], dest="/app", chown="app")),
]


@pytest.mark.parametrize("escape", [None, "\\", "`"])
def test_every_instruction_survives_render_then_parse(escape: str | None) -> None:
    stages = [
        Stage(
            name="base",
            from_="alpine:3.20",
            platform="$BUILDPLATFORM",
            instructions=EVERY_INSTRUCTION,
        ),
        Stage(from_="base", instructions=[Healthcheck(none=True), Comment(text="")]),
    ]
    spec = DockerfileSpec(
        syntax="docker/dockerfile:1-labs",
        escape=escape,
        check="skip=all",
        args=[Arg(name="BASE", default="alpine")],
        stages=stages,
    )
    dockerfile = Dockerfile(metadata="every", spec=spec)
    assert dump(roundtrip(dockerfile)) == dump(as_rendered(dockerfile))


# --- properties -------------------------------------------------------------------------------

FRAGMENTS = [
    "FROM",
    "from",
    "RUN",
    "CMD",
    "COPY",
    "ADD",
    "ENV",
    "LABEL",
    "ARG",
    "ONBUILD",
    "HEALTHCHECK",
    "SHELL",
    "USER",
    "VOLUME",
    "EXPOSE",
    "WORKDIR",
    "STOPSIGNAL",
    "MAINTAINER",
    "ENTRYPOINT",
    "NONE",
    "AS",
    " ",
    "  ",
    "\t",
    "\n",
    "\r\n",
    "\\",
    "\\\n",
    "`",
    "#",
    "# escape=`\n",
    "# syntax=x\n",
    "=",
    '"',
    "'",
    "$",
    "${A:-b}",
    "[",
    "]",
    '["a", "b"]',
    "[1]",
    ",",
    "--mount=",
    "type=cache",
    "type=secret",
    "type=bind",
    "type=tmpfs",
    "type=ssh",
    "target=/x",
    "id=a",
    "ro",
    "rw",
    "required",
    "uid=1",
    "--from=",
    "--chown=",
    "--link",
    "--link=false",
    "--network=none",
    "--interval=",
    "--retries=",
    "<<EOT",
    "<<-EOT",
    "<<'EOT'",
    "EOT",
    "\tEOT",
    "3<<A",
    "A",
    "--",
    "-",
    "a",
    "x y",
    "/",
    ":",
    "CMD",
    "\ufeff",
]
dockerfile_like = st.lists(
    st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=4)), max_size=40
).map("".join)


KEYWORDS = [
    "RUN",
    "CMD",
    "ENTRYPOINT",
    "COPY",
    "ADD",
    "ENV",
    "LABEL",
    "ARG",
    "EXPOSE",
    "VOLUME",
    "USER",
    "WORKDIR",
    "STOPSIGNAL",
    "HEALTHCHECK",
    "SHELL",
    "ONBUILD RUN",
    "ONBUILD COPY",
    "MAINTAINER",
    "run",
    "HEALTHCHECK CMD",
    "HEALTHCHECK NONE",
]
ARGUMENTS = [
    "a ",
    "x=1 ",
    "b=two ",
    '"q q" ',
    "'s s' ",
    'k="v w" ',
    "$A ",
    "${B:-c} ",
    "\\\n  ",
    "\\\n# c\n  ",
    "\\\n\n  ",
    "--mount=type=cache,target=/c ",
    "--mount=type=secret,id=s ",
    "--mount=target=/b,ro ",
    "--from=b ",
    "--chown=1:1 ",
    "--link ",
    "--network=none ",
    "--interval=5s ",
    "--retries=2 ",
    "<<EOT ",
    "<<-EOT ",
    "<<'EOT' ",
    '["a", "b"] ',
    "[a b] ",
    "/d ",
    "80/tcp ",
    "\\ ",
    "= ",
    "\\$x ",
    "\t",
    "  ",
]
_INSTRUCTION_LINE = st.tuples(
    st.sampled_from(KEYWORDS),
    st.lists(st.sampled_from(ARGUMENTS) | st.text(max_size=3), max_size=8).map("".join),
).map(lambda parts: f"{parts[0]} {parts[1]}\nEOT" if "<<" in parts[1] else " ".join(parts))
instruction_like = st.lists(_INSTRUCTION_LINE, min_size=1, max_size=6).map(
    lambda lines: "FROM a AS b\n" + "\n".join(lines) + "\n"
)


FUZZ_EXAMPLES = int(os.environ.get("BAKEPY_FUZZ_EXAMPLES", "400"))  # raise it for a long hunt


@settings(max_examples=FUZZ_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.one_of(st.text(), dockerfile_like, instruction_like))
def test_the_parser_raises_only_bakepy_errors(text: str) -> None:
    with contextlib.suppress(BakepyError):
        parsed = parse_dockerfile(text)
        check_dockerfile(parsed)  # what it parsed, the rules and the renderer take too
        render_dockerfile(parsed)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=instruction_like)
def test_parsing_what_was_parsed_and_rendered_is_stable(text: str) -> None:
    try:
        parsed = parse_dockerfile(text)
    except BakepyError:
        return
    assert dump(roundtrip(parsed)) == dump(parsed)


_NAME = st.from_regex(r"[A-Za-z][A-Za-z0-9_]{0,7}", fullmatch=True)
_WORD = st.from_regex(r"[a-z0-9/._:@+][a-z0-9/._:@+=-]{0,8}", fullmatch=True)
_KEY = st.from_regex(r"[a-z0-9][a-z0-9/._:-]{0,8}", fullmatch=True)  # no `=`: it splits the pair
_VARIABLE = _NAME.map(lambda name: f"${name}") | _NAME.map(lambda name: "${" + name + "}")
_VALUE = st.lists(
    st.text(alphabet=" abcXYZ019_-./:@=,+\"'\\{}#<>&|;*?!~^()[]", max_size=6) | _VARIABLE,
    max_size=4,
).map("".join)
_SHELL_LINE = st.lists(_WORD, min_size=1, max_size=4).map(" ".join)
_EXEC = st.lists(
    st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=8), min_size=1, max_size=3
)
_BODY = (
    st.lists(st.text(alphabet="ab $\t'\"{}", max_size=6), max_size=3)
    .map("\n".join)
    .filter(lambda body: not body.endswith("\n") and "EOT" not in body)
)
_DURATION = st.integers(1, 90).map(lambda n: f"{n}s")


_COMMENT_LINE = st.from_regex(
    r"[A-Z0-9][A-Za-z0-9 .,:;!?()'\"#=\\-]{0,16}[A-Za-z0-9.)]", fullmatch=True
)
_COMMENT = st.lists(_COMMENT_LINE | st.just(""), min_size=1, max_size=3).map("\n".join)
"""Comment text: lines that start with an upper-case letter or a digit, so that none reads as
a description of the (lower-case) stages; an empty line is BuildKit's reset."""
_DESCRIPTION = st.from_regex(r"[a-zA-Z0-9][a-zA-Z0-9 ,.()-]{0,20}[a-z.]", fullmatch=True)


def _mounts() -> st.SearchStrategy[Any]:
    optional = st.none() | _WORD
    ids = st.none() | st.integers(0, 65535)
    return st.one_of(
        st.builds(
            CacheMount,
            target=_WORD,
            id=optional,
            sharing=st.none() | st.sampled_from(["shared", "private", "locked"]),
            source=optional,
            mode=st.none() | st.just("0755"),
            uid=ids,
            gid=ids,
            readonly=st.booleans(),
        ),
        st.builds(BindMount, target=_WORD, source=optional, rw=st.booleans()),
        st.builds(
            SecretMount,
            id=_WORD,
            target=optional,
            env=st.none() | _NAME,
            required=st.booleans(),
            mode=st.none() | st.just("0400"),
            uid=ids,
            gid=ids,
        ),
        st.builds(SshMount, id=optional, target=optional, required=st.booleans()),
        st.builds(TmpfsMount, target=_WORD, size=st.none() | st.just("64m")),
    )


def _simple_instructions(*, in_onbuild: bool = False) -> st.SearchStrategy[Any]:
    lines = 1 if in_onbuild else 3
    command = st.lists(_SHELL_LINE, min_size=1, max_size=lines).map("\n".join)
    if not in_onbuild:  # continuation lines: an ONBUILD trigger is read back as one line
        continued = st.lists(_SHELL_LINE, min_size=2, max_size=lines).map(" \\\n    ".join)
        command = command | continued
    return st.one_of(
        st.builds(
            Run,
            command=command | _EXEC,
            mounts=st.lists(_mounts(), max_size=2),
            network=st.none() | st.sampled_from(["none", "host", "default"]),
        ),
        st.builds(
            Run,
            command=st.none() | _SHELL_LINE,
            heredoc=st.builds(Heredoc, body=_BODY, expand=st.booleans(), strip_tabs=st.booleans()),
        ),
        st.builds(Cmd, command=_SHELL_LINE | _EXEC),
        st.builds(Entrypoint, command=_SHELL_LINE | _EXEC),
        st.builds(Env, env=st.dictionaries(_NAME, _VALUE, min_size=1, max_size=3)),
        st.builds(Label, labels=st.dictionaries(_KEY, _VALUE, min_size=1, max_size=3)),
        st.builds(Arg, name=_NAME, default=st.none() | _VALUE),
        st.builds(
            Expose,
            ports=st.lists(
                st.from_regex(r"[1-9][0-9]{0,4}(/tcp|/udp)?", fullmatch=True),
                min_size=1,
                max_size=3,
            ),
        ),
        st.builds(Workdir, path=_WORD.map("/".__add__)),
        st.builds(User, user=_NAME, group=st.none() | _NAME),
        st.builds(Stopsignal, signal=st.sampled_from(["SIGTERM", "SIGINT", "9"])),
        st.builds(Volume, paths=st.lists(_WORD.map("/".__add__), min_size=1, max_size=3)),
        st.builds(
            Copy,
            src=st.lists(_WORD, min_size=1, max_size=3),
            dest=_WORD,
            chown=st.none() | _NAME,
            chmod=st.none() | st.just("0755"),
            link=st.booleans(),
            parents=st.booleans(),
            exclude=st.lists(_WORD, max_size=2),
        ),
        st.builds(
            Add,
            src=st.lists(_WORD, min_size=1, max_size=2),
            dest=_WORD,
            keep_git_dir=st.none() | st.booleans(),
            unpack=st.none() | st.booleans(),
        ),
        st.builds(
            Healthcheck,
            command=_SHELL_LINE | _EXEC,
            interval=st.none() | _DURATION,
            retries=st.none() | st.integers(1, 9),
        ),
        st.builds(Shell, command=_EXEC),
        st.builds(Comment, text=_COMMENT_LINE),
    )


_INSTRUCTIONS = _simple_instructions() | st.builds(
    Onbuild,
    trigger=_simple_instructions(in_onbuild=True).filter(
        lambda item: not isinstance(item, Comment | Arg)
    ),
)


@st.composite
def dockerfiles(draw: st.DrawFn) -> Dockerfile:
    """A Dockerfile of one to three stages of simple instructions, with comments: a header,
    global ARG comments, stage comments and descriptions, Comment instructions."""
    names = draw(
        st.lists(
            st.from_regex(r"[a-z][a-z0-9-]{0,6}", fullmatch=True),
            min_size=1,
            max_size=3,
            unique=True,
        )
    )
    stages = [
        Stage(
            name=name,
            from_=draw(st.sampled_from(["alpine:3.20", *names[:index]])),
            comment=draw(st.none() | _COMMENT),
            description=draw(st.none() | _DESCRIPTION),
            instructions=draw(st.lists(_INSTRUCTIONS, max_size=6)),
        )
        for index, name in enumerate(names)
    ]
    arg = st.builds(Arg, name=_NAME, default=st.none() | _VALUE, comment=st.none() | _COMMENT)
    spec = DockerfileSpec(
        escape=draw(st.sampled_from([None, "\\", "`"])),
        comment=draw(st.none() | _COMMENT),
        args=draw(st.lists(arg, max_size=2)),
        stages=stages,
    )
    return Dockerfile(metadata="generated", spec=spec)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(dockerfile=dockerfiles())
def test_parse_of_render_is_the_model(dockerfile: Dockerfile) -> None:
    note(render_dockerfile(dockerfile))
    assert dump(roundtrip(dockerfile)) == dump(as_rendered(dockerfile))


_SCRIPT_LINE = st.text(alphabet="ab #'\"\\$&|;<E\tOT", max_size=8)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lines=st.lists(_SCRIPT_LINE, min_size=2, max_size=5))
def test_a_rendered_run_script_gives_the_shell_the_declared_lines(lines: list[str]) -> None:
    command = "\n".join(lines).strip()
    assume(command and has_line_breaks(command) and not ends_continued(command))
    stage = Stage(from_="alpine:3.20", instructions=[Run(command=command)])
    model = Dockerfile(metadata="script", spec=DockerfileSpec(stages=[stage]))
    text = render_dockerfile(model)
    note(text)
    [run] = [i for i in roundtrip(model).spec.stages[0].instructions if isinstance(i, Run)]
    assert run.heredoc is not None
    assert shell_text(run.heredoc.body) == shell_text(command)
