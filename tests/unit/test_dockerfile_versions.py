"""Dockerfile features and frontend versions: each gated feature is refused by a frontend that
lacks it and accepted by one that has it (the builtin, a ``# syntax=`` release, the labs
channel); which frontend a ``# syntax=`` value names; which frontend an engine has built in."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from bakepy.errors import Diagnostic
from bakepy.models.dockerfile.features import (
    BUILDKIT_FRONTENDS,
    ENGINE_BUILDKIT,
    FEATURE_BY_NAME,
    FEATURES,
    LATEST_FRONTEND,
    DockerfileFeature,
    buildkit_frontend,
    builtin_frontend,
    frontend_for,
    short_version,
)
from bakepy.models.dockerfile.instructions import (
    Add,
    Arg,
    CacheMount,
    Copy,
    Dockerfile,
    DockerfileSpec,
    Env,
    Healthcheck,
    Heredoc,
    Onbuild,
    Run,
    SecretMount,
    Stage,
    TmpfsMount,
    Workdir,
)
from bakepy.models.toolchain import Version
from bakepy.resolution.checks.dockerfile_versions import check_dockerfile_versions, is_git_source

V = Version.parse
DIGEST = "sha256:" + "0" * 64
GIT_URL = "https://github.com/moby/buildkit.git#v0.13.0"


def dockerfile(*instructions: object, **spec: object) -> Dockerfile:
    """A one-stage Dockerfile ``app`` FROM alpine holding ``instructions``."""
    stage = Stage(from_="alpine", instructions=list(instructions))
    return Dockerfile(metadata="app", spec=DockerfileSpec(stages=[stage], **spec))


def uses(*instructions: object, **spec: object) -> Callable[[], Dockerfile]:
    """A Dockerfile factory: each check gets a fresh model."""
    return lambda: dockerfile(*instructions, **spec)


CASES: dict[str, Callable[[], Dockerfile]] = {
    "RUN --mount": uses(Run(command="true", mounts=[CacheMount(target="/root/.cache")])),
    "RUN --security": uses(Run(command="true", security="insecure")),
    "RUN --network": uses(Run(command="true", network="none")),
    "COPY --chmod": uses(Copy(src=["app"], dest="/app", chmod="0755")),
    "ADD --chmod": uses(Add(src=["app"], dest="/app", chmod="0755")),
    "heredocs": uses(Run(heredoc=Heredoc(body="echo hi\n"))),
    "COPY --link": uses(Copy(src=["app"], dest="/app", link=True)),
    "ADD --link": uses(Add(src=["app"], dest="/app", link=True)),
    "RUN --mount=type=tmpfs,size=": uses(
        Run(command="true", mounts=[TmpfsMount(target="/tmp", size="64m")])
    ),
    "ADD from a Git URL": uses(Add(src=[GIT_URL], dest="/src")),
    "ADD --checksum": uses(Add(src=["https://example.com/a.tar"], dest="/a", checksum=DIGEST)),
    "ADD --keep-git-dir": uses(Add(src=["app"], dest="/app", keep_git_dir=True)),
    "HEALTHCHECK --start-interval": uses(Healthcheck(command="true", start_interval="2s")),
    "${VAR-word}, ${VAR+word} or ${VAR?word} (no colon)": uses(Env(env={"A": "${B-default}"})),
    "${VAR#pattern}, ${VAR%pattern} or ${VAR/old/new}": uses(Workdir(path="/src/${NAME%.tar}")),
    "COPY --exclude": uses(Copy(src=["."], dest="/app", exclude=["*.tmp"])),
    "ADD --exclude": uses(Add(src=["."], dest="/app", exclude=["*.tmp"])),
    "COPY --parents": uses(Copy(src=["src/*/go.mod"], dest="/app/", parents=True)),
    "the # check= directive": uses(Run(command="true"), check="skip=JSONArgsRecommended"),
    "# check=experimental=": uses(Run(command="true"), check="experimental=all"),
    "RUN --mount=type=secret,env=": uses(
        Run(command="true", mounts=[SecretMount(id="token", env="TOKEN")])
    ),
    "COPY --chmod with a variable": uses(
        Arg(name="MODE", default="0700"), Copy(src=["app"], dest="/app", chmod="$MODE")
    ),
    "ADD --chmod with a variable": uses(
        Arg(name="MODE", default="0700"), Add(src=["app"], dest="/app", chmod="${MODE}")
    ),
    "an ONBUILD trigger using --from or a mount from=": uses(
        Onbuild(trigger=Copy(from_="golang:1.22", src=["/usr/local/go"], dest="/go"))
    ),
    "COPY --chmod with a symbolic mode": uses(Copy(src=["app"], dest="/app", chmod="u+x")),
    "ADD --chmod with a symbolic mode": uses(Add(src=["app"], dest="/app", chmod="a=rX")),
    "ADD --checksum with a Git source": uses(
        Add(src=["git@github.com:moby/buildkit.git#v0.13.0"], dest="/src", checksum=DIGEST)
    ),
    "ADD --unpack": uses(Add(src=["https://example.com/a.tar.gz"], dest="/a", unpack=True)),
}
"""A Dockerfile using each feature the model can express, by feature name."""

NOT_IN_THE_MODEL = {"RUN --device"}
"""Features the model has no field for (a Raw instruction can still write them)."""


def names(diagnostics: list[Diagnostic]) -> list[str]:
    """The feature each diagnostic names (the words before ``needs``)."""
    return [d.message.split(" needs ")[0] for d in diagnostics]


def before(version: Version) -> Version:
    """A release just before ``version``: 1.18 for 1.19, 1.1.0 for 1.1.6."""
    if version.patch:
        return Version(version.major, version.minor)
    return Version(version.major, version.minor - 1)


def with_syntax(make: Callable[[], Dockerfile], syntax: str) -> Dockerfile:
    """The Dockerfile ``make`` builds, with a ``# syntax=`` line."""
    model = make()
    model.spec.syntax = syntax
    return model


def stable(feature: DockerfileFeature) -> Version:
    """The first stable release of ``feature`` (every case has one)."""
    assert feature.stable is not None
    return feature.stable


# --- each gated feature, both directions ------------------------------------------------------


def test_every_feature_the_model_can_express_has_a_case() -> None:
    assert set(CASES) | NOT_IN_THE_MODEL == set(FEATURE_BY_NAME)


@pytest.mark.parametrize("name", sorted(CASES))
def test_refused_by_the_builtin_release_before_it(name: str) -> None:
    feature = FEATURE_BY_NAME[name]
    diagnostics = check_dockerfile_versions(CASES[name](), before(stable(feature)))
    assert name in names(diagnostics)


@pytest.mark.parametrize("name", sorted(CASES))
def test_accepted_by_the_builtin_release_that_has_it(name: str) -> None:
    assert check_dockerfile_versions(CASES[name](), stable(FEATURE_BY_NAME[name])) == []


@pytest.mark.parametrize("name", sorted(CASES))
def test_accepted_with_a_syntax_line_naming_a_release_that_has_it(name: str) -> None:
    tag = short_version(stable(FEATURE_BY_NAME[name]))
    model = with_syntax(CASES[name], f"docker/dockerfile:{tag}")
    assert check_dockerfile_versions(model, V("1.0")) == []


@pytest.mark.parametrize("name", sorted(CASES))
def test_refused_with_a_syntax_line_naming_an_older_release(name: str) -> None:
    tag = short_version(before(stable(FEATURE_BY_NAME[name])))
    model = with_syntax(CASES[name], f"docker/dockerfile:{tag}")
    assert name in names(check_dockerfile_versions(model, LATEST_FRONTEND))


@pytest.mark.parametrize("name", sorted(CASES))
def test_accepted_when_the_frontend_is_unknown(name: str) -> None:
    assert check_dockerfile_versions(CASES[name](), None) == []
    digest = with_syntax(CASES[name], f"docker/dockerfile@{DIGEST}")
    assert check_dockerfile_versions(digest, V("1.0")) == []
    custom = with_syntax(CASES[name], "registry.example.com/my/frontend:1")
    assert check_dockerfile_versions(custom, V("1.0")) == []


LABS = sorted(name for name in CASES if FEATURE_BY_NAME[name].labs is not None)


@pytest.mark.parametrize("name", LABS)
def test_the_labs_channel_has_it_from_its_labs_release(name: str) -> None:
    feature = FEATURE_BY_NAME[name]
    assert feature.labs is not None
    labs = short_version(feature.labs)
    accepted = with_syntax(CASES[name], f"docker/dockerfile:{labs}-labs")
    assert check_dockerfile_versions(accepted, None) == []


@pytest.mark.parametrize(
    "name", [name for name in LABS if FEATURE_BY_NAME[name].labs > Version(1, 0)]
)
def test_the_stable_channel_of_the_labs_release_lacks_it(name: str) -> None:
    feature = FEATURE_BY_NAME[name]
    assert feature.labs is not None
    stable_channel = with_syntax(CASES[name], f"docker/dockerfile:{short_version(feature.labs)}")
    assert name in names(check_dockerfile_versions(stable_channel, None))
    older_labs = with_syntax(
        CASES[name], f"docker/dockerfile:{short_version(before(feature.labs))}-labs"
    )
    assert name in names(check_dockerfile_versions(older_labs, None))


@pytest.mark.parametrize(
    ("name", "syntax", "refused"),
    [
        ("COPY --exclude", "docker/dockerfile:1.7-labs", False),
        ("COPY --exclude", "docker/dockerfile:1-labs", False),
        ("COPY --exclude", "docker/dockerfile:1", False),
        ("COPY --exclude", "docker/dockerfile:1.7", True),
        ("COPY --exclude", "docker/dockerfile:1.18", True),
        ("COPY --exclude", "docker.io/docker/dockerfile:1.19", False),
        ("COPY --parents", "docker/dockerfile:1.19", True),
        ("COPY --parents", "docker/dockerfile:1.19-labs", False),
        ("RUN --security", "docker/dockerfile:1.19", True),
        ("RUN --security", "docker/dockerfile:1.7-labs", False),
        ("RUN --security", "docker/dockerfile:1.20", False),
        ("COPY --chmod with a symbolic mode", "docker/dockerfile:1.10-labs", True),
        ("COPY --chmod with a symbolic mode", "docker/dockerfile:1.11-labs", False),
        ("COPY --chmod with a symbolic mode", "docker/dockerfile:1.13", True),
        ("RUN --mount=type=secret,env=", "docker/dockerfile:1.9-labs", True),
        ("RUN --mount=type=secret,env=", "docker/dockerfile:1.10", False),
        ("the # check= directive", "docker/dockerfile:1.7.1", True),
        ("the # check= directive", "docker/dockerfile:1.8.1", False),
    ],
)
def test_channels_and_releases(name: str, syntax: str, refused: bool) -> None:
    model = with_syntax(CASES[name], syntax)
    assert (name in names(check_dockerfile_versions(model, V("1.7")))) is refused


# --- messages, hints, locations ---------------------------------------------------------------


def test_the_message_names_the_release_the_labs_release_and_the_builtin() -> None:
    [diagnostic] = check_dockerfile_versions(CASES["COPY --exclude"](), V("1.7"))
    assert diagnostic.message == (
        "COPY --exclude needs Dockerfile frontend 1.19 (labs from 1.7); "
        "the engine's built-in frontend is 1.7.0"
    )
    assert diagnostic.hint == (
        'add "# syntax=docker/dockerfile:1.19" (a frontend pulled at build time), '
        "or do without COPY --exclude"
    )
    assert diagnostic.location.field_path == ("spec", "stages", 0, "instructions", 0, "exclude")


def test_with_a_syntax_line_the_message_names_it_and_a_labs_user_is_offered_labs() -> None:
    model = with_syntax(CASES["COPY --chmod with a symbolic mode"], "docker/dockerfile:1.7-labs")
    [diagnostic] = check_dockerfile_versions(model, None)
    assert '"# syntax=docker/dockerfile:1.7-labs" selects frontend 1.7 (labs)' in diagnostic.message
    assert diagnostic.hint is not None
    assert diagnostic.hint.startswith(
        'change the syntax line to "# syntax=docker/dockerfile:1.11-labs"'
    )


def test_what_an_older_frontend_ignores_is_said_to_be_ignored() -> None:
    [ignored] = check_dockerfile_versions(CASES["COPY --chmod with a symbolic mode"](), V("1.7"))
    assert ignored.message.endswith("which ignores it without a word")
    [refused] = check_dockerfile_versions(CASES["COPY --chmod with a symbolic mode"](), V("1.10"))
    assert "ignores" not in refused.message
    [check] = check_dockerfile_versions(CASES["the # check= directive"](), V("1.7"))
    assert check.message.endswith("which ignores it without a word")


def test_one_diagnostic_per_place_naming_the_newest_release_needed() -> None:
    diagnostics = check_dockerfile_versions(CASES["# check=experimental="](), V("1.7"))
    assert names(diagnostics) == ["# check=experimental="]
    git = check_dockerfile_versions(CASES["ADD --checksum with a Git source"](), V("1.5"))
    assert names(git) == ["ADD --checksum with a Git source", "ADD from a Git URL"]


def test_every_feature_is_reported_in_file_order() -> None:
    model = dockerfile(
        Copy(src=["."], dest="/app", exclude=["*.tmp"], parents=True),
        Run(command="true", security="insecure", mounts=[SecretMount(id="t", env="T")]),
        Add(src=["app.tar"], dest="/app", unpack=True),
    )
    assert names(check_dockerfile_versions(model, V("1.7"))) == [
        "COPY --exclude",
        "COPY --parents",
        "RUN --security",
        "RUN --mount=type=secret,env=",
        "ADD --unpack",
    ]


def test_onbuild_triggers_are_checked_where_they_stand() -> None:
    model = dockerfile(Onbuild(trigger=Copy(src=["."], dest="/app", exclude=["*.tmp"])))
    [diagnostic] = check_dockerfile_versions(model, V("1.7"))
    path = ("spec", "stages", 0, "instructions", 0, "trigger", "exclude")
    assert diagnostic.location.field_path == path
    mount = Run(command="true", mounts=[CacheMount(target="/c", from_="builder")])
    assert names(check_dockerfile_versions(dockerfile(Onbuild(trigger=mount)), V("1.10"))) == [
        "an ONBUILD trigger using --from or a mount from="
    ]


def test_substitutions_in_shell_commands_are_left_to_the_shell() -> None:
    model = dockerfile(
        Run(command="echo ${NAME%.tar} ${A-b}"), Env(env={"PLAIN": "${A:-b} $B ${C:+d}"})
    )
    assert check_dockerfile_versions(model, V("1.5")) == []


def test_substitutions_in_global_args_and_from_lines_are_checked() -> None:
    model = Dockerfile(
        metadata="app",
        spec=DockerfileSpec(
            args=[Arg(name="TAG", default="${VERSION#v}")],
            stages=[Stage(from_="alpine:${TAG-3.20}")],
        ),
    )
    diagnostics = check_dockerfile_versions(model, V("1.5"))
    assert [d.location.field_path for d in diagnostics] == [
        ("spec", "args", 0, "default"),
        ("spec", "stages", 0, "from"),
    ]


def test_octal_and_quoted_heredoc_are_not_mistaken_for_newer_features() -> None:
    model = dockerfile(
        Copy(src=["app"], dest="/app", chmod="0755"),
        Copy(heredocs=[Heredoc(body="${A#b}\n", expand=False)], dest="/f"),
    )
    assert check_dockerfile_versions(model, V("1.4")) == []


@pytest.mark.parametrize(
    ("source", "git"),
    [
        ("https://github.com/moby/buildkit.git", True),
        ("https://github.com/moby/buildkit.git#v0.13.0:frontend", True),
        ("git@github.com:moby/buildkit.git", True),
        ("ssh://git@github.com/moby/buildkit", True),
        ("git://example.com/repo", True),
        ("https://example.com/archive.tar.gz", False),
        ("github.com/moby/buildkit", False),
        ("src/app.git", False),
    ],
)
def test_git_sources(source: str, git: bool) -> None:
    assert is_git_source(source) is git


# --- which frontend parses the file -----------------------------------------------------------


@pytest.mark.parametrize(
    ("syntax", "expected"),
    [
        (None, (V("1.7"), False)),
        ("", (V("1.7"), False)),
        ("docker/dockerfile:1", (LATEST_FRONTEND, False)),
        ("docker/dockerfile", (LATEST_FRONTEND, False)),
        ("docker/dockerfile:latest", (LATEST_FRONTEND, False)),
        ("docker/dockerfile:1.7", (V("1.7"), False)),
        ("docker/dockerfile:1.7.1", (V("1.7.1"), False)),
        ("docker/dockerfile:1.10", (V("1.10"), False)),
        ("docker/dockerfile:1-labs", (LATEST_FRONTEND, True)),
        ("docker/dockerfile:1.7-labs", (V("1.7"), True)),
        ("docker/dockerfile:1.7.1-labs", (V("1.7.1"), True)),
        ("docker/dockerfile:labs", (LATEST_FRONTEND, True)),
        ("docker/dockerfile:1.8.0-rc1-labs", (V("1.8"), True)),
        ("docker/dockerfile:1.1-experimental", (V("1.1"), True)),
        ("docker.io/docker/dockerfile:1.10", (V("1.10"), False)),
        ("Docker.io/Docker/Dockerfile:1.10 ", (V("1.10"), False)),
        ("index.docker.io/docker/dockerfile:1", (LATEST_FRONTEND, False)),
        ("docker/dockerfile-upstream:master-labs", (LATEST_FRONTEND, True)),
        (f"docker/dockerfile:1.7@{DIGEST}", (V("1.7"), False)),
        (f"docker/dockerfile@{DIGEST}", (None, False)),
        ("docker/dockerfile:2", (None, False)),
        ("docker/dockerfile:nightly", (None, False)),
        ("registry.example.com/docker/dockerfile:1.10", (None, False)),
        ("localhost:5000/frontend", (None, False)),
        ("tonistiigi/dockerfile:runmount20180618", (None, False)),
    ],
)
def test_frontend_for(syntax: str | None, expected: tuple[Version | None, bool]) -> None:
    assert frontend_for(syntax, V("1.7")) == expected


def test_no_syntax_and_no_known_builtin_is_unknown() -> None:
    assert frontend_for(None, None) == (None, False)
    assert frontend_for("docker/dockerfile:1.19", None) == (V("1.19"), False)


@pytest.mark.parametrize(
    ("engine", "frontend"),
    [
        ("20.10.24", "1.2"),
        ("23.0.6", "1.4"),
        ("24.0.7", "1.5"),
        ("25.0.5", "1.6"),
        ("26.0.0", "1.7"),
        ("26.1.5+dfsg1", "1.7"),
        ("v26.1.4", "1.7"),
        ("27.0.3", "1.8"),
        ("27.1.1", "1.9"),
        ("27.3.1", "1.10"),
        ("27.4.0", "1.11"),
        ("27.5.1", "1.12"),
        ("28.0.4", "1.14"),
        ("28.1.1", "1.15"),
        ("28.5.2", "1.19"),
        ("29.0.0", "1.19"),
        ("29.1.3", "1.20"),
        ("29.7.2", "1.26"),
    ],
)
def test_builtin_frontend(engine: str, frontend: str) -> None:
    assert builtin_frontend(V(engine)) == V(frontend)


@pytest.mark.parametrize("engine", ["22.06.0", "27.9.0", "99.0.0", "1.13.1"])
def test_an_unknown_engine_has_no_known_builtin(engine: str) -> None:
    assert builtin_frontend(V(engine)) is None


def test_buildkit_frontend() -> None:
    assert buildkit_frontend(V("0.13.2")) == V("1.7")
    assert buildkit_frontend(V("v0.12.5")) == V("1.6")
    assert buildkit_frontend(V("0.99")) is None


# --- the tables are consistent ----------------------------------------------------------------


def test_features_are_sorted_by_first_release_and_consistent() -> None:
    firsts = [feature.first for feature in FEATURES]
    assert firsts == sorted(firsts)
    assert len(FEATURE_BY_NAME) == len(FEATURES)
    for feature in FEATURES:
        assert feature.stable is not None or feature.labs is not None, feature.name
        if feature.stable is not None and feature.labs is not None:
            assert feature.stable >= feature.labs, feature.name
        if feature.stable is not None:
            assert feature.stable <= LATEST_FRONTEND, feature.name
        if feature.ignored_before is not None:
            assert feature.stable is not None, feature.name
            assert feature.ignored_before <= feature.stable, feature.name
        assert feature.note, feature.name
        assert "\n" not in feature.note, feature.name


def test_a_feature_is_available_from_its_releases_only() -> None:
    exclude = FEATURE_BY_NAME["COPY --exclude"]
    assert not exclude.available(V("1.18"))
    assert exclude.available(V("1.19"))
    assert exclude.available(V("1.7"), labs=True)
    assert not exclude.available(V("1.6"), labs=True)
    device = FEATURE_BY_NAME["RUN --device"]
    assert device.available(V("1.14"), labs=True)
    assert not device.available(V("1.26"))


def test_buildkit_and_engine_tables_only_move_forward() -> None:
    buildkits = list(BUILDKIT_FRONTENDS)
    assert buildkits == sorted(buildkits)
    assert list(BUILDKIT_FRONTENDS.values()) == sorted(BUILDKIT_FRONTENDS.values())
    engines = list(ENGINE_BUILDKIT)
    assert engines == sorted(engines)
    assert list(ENGINE_BUILDKIT.values()) == sorted(ENGINE_BUILDKIT.values())
    assert set(ENGINE_BUILDKIT.values()) <= set(BUILDKIT_FRONTENDS)
    assert all(version.patch == 0 for version in [*buildkits, *engines])
    assert max(BUILDKIT_FRONTENDS.values()) <= LATEST_FRONTEND


def test_in_the_user_s_own_file_what_the_frontend_ignores_is_a_warning(tmp_path: Path) -> None:
    """BuildKit builds a file whose ``# check=`` an older frontend ignores: a file read from
    disk warns; the same Dockerfile declared in bakepy is refused."""
    from bakepy import Project, ValidationError, check
    from bakepy.loaders.dockerfile import load_dockerfile
    from bakepy.models.toolchain import Toolchain

    path = tmp_path / "Dockerfile"
    path.write_text("# syntax=docker/dockerfile:1.7\n# check=error=true\nFROM busybox\n")
    old = Toolchain(dockerfile=V("1.7"))
    loaded = load_dockerfile(path)
    [warning] = check(Project([loaded], base_dir=tmp_path), toolchain=old)
    assert "which ignores it without a word" in warning
    assert warning.startswith(f"{path}:2:")
    declared = Dockerfile(metadata="app", spec=loaded.spec)
    with pytest.raises(ValidationError, match="ignores it without a word"):
        check(Project([declared], base_dir=tmp_path), toolchain=old)
    unknown_flag = "# syntax=docker/dockerfile:1.7\nFROM busybox\nCOPY --parents a /b\n"
    path.write_text(unknown_flag)
    with pytest.raises(ValidationError, match="COPY --parents"):
        check(Project([load_dockerfile(path)], base_dir=tmp_path), toolchain=old)


def test_a_multi_line_run_command_is_a_heredoc_script_the_frontend_must_know() -> None:
    heredocs = FEATURE_BY_NAME["heredocs"]
    script = dockerfile(Run(command="echo first\necho second"))
    diagnostics = check_dockerfile_versions(script, before(stable(heredocs)))
    assert names(diagnostics) == ["heredocs"]
    assert diagnostics[0].location.field_path[-1] == "command"
    continued = dockerfile(Run(command="apt-get update \\\n    && apt-get clean"))
    assert check_dockerfile_versions(continued, before(stable(heredocs))) == []
