"""Compose forms a loaded file may use and compose 2.26 takes: the legacy ``external: {name}``,
``!reset`` and ``!override``, a name in capitals, the project name as a variable, empty values
from unset variables; and what it refuses: option values of the wrong type, missing env and
label files. Each judged by ``docker compose config`` in tests/conformance as well."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from bakepy import LoadError
from bakepy.loaders.compose.pipeline import LoadedCompose, load_compose


def loaded(root: Path, text: str, env: dict[str, str] | None = None, **files: str) -> LoadedCompose:
    """``compose.yaml`` holding ``text`` (and ``files``, by name) loaded with ``env``."""
    for name, body in {"compose.yaml": text, **files}.items():
        path = root / name.replace("__", "/")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(body), encoding="utf-8")
    return load_compose([root / "compose.yaml"], environ=env or {})


def test_legacy_external_name_is_the_name_with_a_deprecation_warning(tmp_path: Path) -> None:
    done = loaded(
        tmp_path,
        """\
        services: {app: {image: x, networks: [proxy]}}
        networks:
          proxy:
            external:
              name: traefik_proxy
        """,
    )
    network = done.project.spec.networks["proxy"]
    assert (network.name, network.external) == ("traefik_proxy", True)
    assert done.warnings == [
        "networks.proxy: external.name is deprecated. Please set name and external: true"
    ]


def test_a_name_that_disagrees_with_external_name_is_refused(tmp_path: Path) -> None:
    text = "services: {}\nvolumes:\n  v:\n    name: a\n    external: {name: b}\n"
    with pytest.raises(LoadError, match=r"name and external\.name conflict"):
        loaded(tmp_path, text)


def test_reset_removes_and_override_replaces_what_extends_brings(tmp_path: Path) -> None:
    done = loaded(
        tmp_path,
        """\
        services:
          base: {image: x, ports: ["80:80"], environment: {A: "1"}, command: [sleep, "1"]}
          app:
            extends: base
            ports: !override ["81:81"]
            environment: !reset {}
            command: !reset null
        """,
    )
    app = done.project.spec.services["app"]
    assert [(p.target, p.published) for p in app.ports] == [(81, "81")]
    assert app.environment == {}
    assert app.command is None


def test_a_reset_in_the_service_extended_drops_its_key(tmp_path: Path) -> None:
    """The extended service is copied before the merge: its ``!reset`` stays one (compose
    drops the key; it was refused as "must be a list")."""
    done = loaded(
        tmp_path,
        """\
        services:
          web:
            extends: {file: base.yml, service: b}
          local: {extends: b}
          b: {image: x, ports: !reset [], environment: !reset null}
        """,
        **{"base.yml": "services:\n  b:\n    image: x\n    ports: !reset []\n"},
    )
    services = done.project.spec.services
    assert (services["web"].image, services["web"].ports) == ("x", [])
    assert (services["local"].ports, services["local"].environment) == ([], {})


def test_the_name_key_is_made_a_project_name_and_lent_to_the_variables(tmp_path: Path) -> None:
    done = loaded(
        tmp_path, "name: My_Shop\nservices:\n  a: {image: x, labels: {p: $COMPOSE_PROJECT_NAME}}\n"
    )
    assert done.project.project_name == "my_shop"
    assert done.project.spec.services["a"].labels == {"p": "my_shop"}


def test_values_an_unset_variable_empties_are_none(tmp_path: Path) -> None:
    service = loaded(tmp_path, "services:\n  a: {image: x, restart: $R, container_name: $C}\n")
    app = service.project.spec.services["a"]
    assert (app.restart, app.container_name) == (None, None)


def test_an_env_file_not_required_may_be_missing_a_required_one_not(tmp_path: Path) -> None:
    text = "services:\n  a:\n    image: x\n    env_file: [{path: gone.env, required: false}]\n"
    assert loaded(tmp_path, text).project.spec.services["a"].env_file
    with pytest.raises(LoadError, match=r"env file .*gone\.env not found"):
        loaded(tmp_path, "services:\n  a: {image: x, env_file: gone.env}\n")


def test_a_service_that_runs_only_with_a_profile_is_not_read_for_env_files(tmp_path: Path) -> None:
    text = "services:\n  a: {image: x, profiles: [p], env_file: gone.env}\n"
    assert loaded(tmp_path, text).project.spec.services["a"].profiles == ["p"]
    with pytest.raises(LoadError, match="not found"):
        loaded(tmp_path, text, {"COMPOSE_PROFILES": "p"})


@pytest.mark.parametrize(
    ("option", "message"),
    [
        ("services:\n  a: {image: x, logging: {options: {compress: true}}}\n", "string, number"),
        ("services: {}\nnetworks:\n  n: {driver_opts: {mtu: true}}\n", "a string or number"),
        ("services: {}\nnetworks:\n  n: {ipam: {options: {a: 1}}}\n", "must be a string"),
    ],
)
def test_option_values_compose_refuses_are_refused(
    tmp_path: Path, option: str, message: str
) -> None:
    with pytest.raises(LoadError, match=message):
        loaded(tmp_path, option)


def test_the_project_env_file_is_carried_for_the_rendered_folder(tmp_path: Path) -> None:
    done = loaded(
        tmp_path, "services:\n  a: {image: x, environment: [KEY]}\n", **{".env": "KEY=1\n"}
    )
    assert done.project.dotenv == "KEY=1\n"
    assert done.project.spec.services["a"].environment == {"KEY": None}


def test_a_load_that_keeps_variables_keeps_them_and_literal_keys_escaped(tmp_path: Path) -> None:
    (tmp_path / "compose.yaml").write_text(
        "services:\n  a:\n    image: x:${TAG:-1}\n    labels: ['${L}=v']\n"
        "    environment: {'${K}': v, M: '${M:-dev}'}\n"
    )
    project = load_compose([tmp_path / "compose.yaml"], environ={}, interpolate=False).project
    app = project.spec.services["a"]
    assert app.image == "x:${TAG:-1}"
    assert app.labels == {"${L}": "v"}  # a list entry: compose interpolates its key
    assert app.environment == {"$${K}": "v", "M": "${M:-dev}"}  # a mapping key: literal


def test_a_folder_gives_its_compose_file_and_the_override_compose_merges(tmp_path: Path) -> None:
    from bakepy.loaders.compose.detect import compose_files_in

    for name in ("docker-compose.yml", "compose.yaml", "docker-compose.override.yml"):
        (tmp_path / name).write_text("services: {}\n")
    assert compose_files_in(tmp_path) == [
        tmp_path / "compose.yaml",
        tmp_path / "docker-compose.override.yml",
    ]
