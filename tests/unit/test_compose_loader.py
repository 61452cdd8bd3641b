"""The compose loader: compose's YAML rules, .env, interpolation, include, extends, names,
short syntax, errors with file:line, and the bake targets of build sections."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest

from bakepy import ComposeProject, LoadError, ValidationError, load
from bakepy.errors import BakepyError
from bakepy.loaders.compose.bake_targets import bytes_text, compose_bake
from bakepy.loaders.compose.detect import is_compose_file
from bakepy.loaders.compose.pipeline import load_compose
from bakepy.loaders.compose.scalars import go_float_text, go_text, plain_scalar
from bakepy.loaders.compose.to_project import normalize_project_name
from bakepy.models.compose.build import ComposeBuild
from bakepy.models.compose.service import Service


def tree(root: Path, files: dict[str, str]) -> Path:
    """Write ``files`` (relative path -> text, dedented) under ``root``; return root."""
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def compose(
    root: Path, text: str, env: dict[str, str] | None = None, files: dict[str, str] | None = None
) -> ComposeProject:
    """Load ``compose.yaml`` holding ``text`` (plus ``files``) with ``env`` as the shell."""
    tree(root, {"compose.yaml": text, **(files or {})})
    return load_compose([root / "compose.yaml"], environ=env or {}).project


def service(project: ComposeProject, name: str) -> Service:
    return project.spec.services[name]


def build_of(project: ComposeProject, name: str) -> ComposeBuild:
    build = service(project, name).build
    assert isinstance(build, ComposeBuild)
    return build


# -- YAML scalars as go-yaml v3 reads them ---------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("yes", "yes"),
        ("on", "on"),
        ("No", "No"),
        ("true", True),
        ("TRUE", True),
        ("tRue", "tRue"),
        ("22:22", "22:22"),
        ("0440", 288),
        ("0o17", 15),
        ("0x1F", 31),
        ("0b101", 5),
        ("-012", -10),
        ("1_000", 1000),
        ("08", 8.0),
        ("1.50", 1.5),
        (".5", 0.5),
        ("1e3", 1000.0),
        ("1e400", "1e400"),
        ("~", None),
        ("", None),
        ("NULL", None),
        ("2002-12-14", "2002-12-14 00:00:00 +0000 UTC"),
        ("2001-12-14t21:59:43.10-05:00", "2001-12-14 21:59:43.1 -0500 -0500"),
        ("2001-12-14 21:59:43.10 -5", "2001-12-14 21:59:43.10 -5"),
        ("2002-13-14", "2002-13-14"),
        ("0x", "0x"),
    ],
)
def test_plain_scalars_resolve_as_compose_reads_them(text: str, value: Any) -> None:
    assert plain_scalar(text) == value
    assert type(plain_scalar(text)) is type(value)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1.5, "1.5"),
        (1e6, "1e+06"),
        (100000.0, "100000"),
        (123456789.0, "1.23456789e+08"),
        (1234567.5, "1.2345675e+06"),
        (0.00001, "1e-05"),
        (0.000123, "0.000123"),
        (-0.0, "-0"),
        (8.0, "8"),
    ],
)
def test_floats_are_printed_as_go_prints_them(value: float, text: str) -> None:
    assert go_float_text(value) == text


def test_go_text_spells_scalars_for_string_maps() -> None:
    assert [go_text(v) for v in (True, False, 5, 1e6, None, "x")] == [
        "true",
        "false",
        "5",
        "1e+06",
        None,
        "x",
    ]


def test_string_maps_get_compose_spelling_and_modes_are_octal(tmp_path: Path) -> None:
    project = compose(
        tmp_path,
        """\
        services:
          a:
            image: busybox
            labels: {yes_: yes, on_: on, octal: 0440, quoted: '0440', exp: 1e6, t: true, b: 22:22}
            environment: {F: 1.50, N: ~}
            configs: [{source: c, mode: 0440}]
        configs:
          c: {file: ./c.txt}
        """,
    )
    a = service(project, "a")
    assert a.labels == {
        "b": "22:22",
        "exp": "1e+06",
        "octal": "288",
        "on_": "on",
        "quoted": "0440",
        "t": "true",
        "yes_": "yes",
    }
    assert a.environment == {"F": "1.5", "N": None}
    assert a.configs[0].mode == 0o440


def test_anchors_and_merge_keys_the_mapping_wins(tmp_path: Path) -> None:
    project = compose(
        tmp_path,
        """\
        x-base: &base
          image: busybox
          labels: {from: anchor}
        services:
          a:
            <<: *base
            labels: {from: own}
        """,
    )
    assert service(project, "a").image == "busybox"
    assert service(project, "a").labels == {"from": "own"}
    assert project.spec.extensions["x-base"] == {"image": "busybox", "labels": {"from": "anchor"}}


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        (
            "services:\n  a:\n    image: x\n    image: y\n",
            'key "image" already defined at line 3',
            4,
        ),
        ("x-a: &a {k: *a}\nservices: {}\n", "refers to itself", 1),
        ("services:\n  a: [\n", "YAML syntax error", 3),
        ("- a\n- b\n", "must be a mapping", 1),
        ("services:\n  a:\n    image: !!binary aGk=\n", "not supported", 3),
    ],
)
def test_yaml_errors_name_file_and_line(tmp_path: Path, text: str, message: str, line: int) -> None:
    (tmp_path / "compose.yaml").write_text(text)
    with pytest.raises(LoadError, match=message) as caught:
        load_compose([tmp_path / "compose.yaml"], environ={})
    assert caught.value.location.file == tmp_path / "compose.yaml"
    assert caught.value.location.line == line


def test_several_documents_merge_like_several_files(tmp_path: Path) -> None:
    project = compose(
        tmp_path,
        "services:\n  a: {image: x, ports: ['80']}\n---\nservices:\n  a: {ports: ['81']}\n",
    )
    assert [p.target for p in service(project, "a").ports] == [80, 81]


# -- .env and the environment ------------------------------------------------------------------


DOTENV_COMPOSE = """\
services:
  a:
    image: "busybox:${TAG}"
    environment:
      B: ${B}
      C: ${C}
      D: ${D}
"""


def test_dotenv_of_the_project_folder_and_the_shell_wins(tmp_path: Path) -> None:
    tree(tmp_path, {".env": "TAG=dotenv\nA=one\nB=${A}-x\nC='${A}'\nD=\"${SHELL_ONLY}\"\n"})
    project = compose(tmp_path, DOTENV_COMPOSE, {"TAG": "shell", "SHELL_ONLY": "s"})
    assert service(project, "a").image == "busybox:shell"
    assert service(project, "a").environment == {"B": "one-x", "C": "$${A}", "D": "s"}


def test_env_files_replace_the_dotenv_file(tmp_path: Path) -> None:
    tree(
        tmp_path,
        {".env": "TAG=dotenv\n", "other.env": "TAG=other\n", "compose.yaml": DOTENV_COMPOSE},
    )
    loaded = load_compose(
        [tmp_path / "compose.yaml"], environ={}, env_files=[tmp_path / "other.env"]
    )
    assert service(loaded.project, "a").image == "busybox:other"
    assert loaded.environment == {"TAG": "other"}
    with pytest.raises(LoadError, match=r"env file .*missing\.env not found"):
        load_compose([tmp_path / "compose.yaml"], environ={}, env_files=[tmp_path / "missing.env"])


def test_a_bad_dotenv_line_is_an_error_with_its_line(tmp_path: Path) -> None:
    tree(tmp_path, {".env": "OK=1\nnot a line\n"})
    with pytest.raises(LoadError, match="invalid env file") as caught:
        compose(tmp_path, DOTENV_COMPOSE)
    assert caught.value.location.line == 2


# -- interpolation -------------------------------------------------------------------------------

EVERYWHERE = """\
name: ${NAME}
x-top: ${TAG}
services:
  app:
    image: ${REG}/app:${TAG}
    command: ["echo", "${TAG}", "$$HOME"]
    environment: ["TAG=${TAG}", "LIT=cost $$5"]
    labels:
      ${KEY}: ${TAG}
    ports: ["${PORT}:80", {target: 443, published: "${PORT}"}]
    volumes: ["${DATA}:/data"]
    healthcheck: {test: "curl localhost:${PORT}", interval: "${INTERVAL}"}
    deploy: {replicas: "${REPLICAS}"}
    read_only: ${RO}
    x-note: note ${TAG}
    build:
      context: ${CONTEXT}
      args: {V: "${TAG:-x}", N: "${UNSET:-fallback}", M: "${UNSET_TOO}"}
secrets:
  s: {file: "${SECRET_FILE}"}
"""
EVERYWHERE_ENV = {
    "NAME": "proj",
    "TAG": "1.0",
    "REG": "reg.local",
    "KEY": "k",
    "PORT": "8080",
    "DATA": "./data",
    "INTERVAL": "15s",
    "REPLICAS": "3",
    "RO": "true",
    "CONTEXT": "./ctx",
    "SECRET_FILE": "./s.txt",
}


def test_interpolation_in_every_value_never_in_keys(tmp_path: Path) -> None:
    loaded = load_compose(
        [tree(tmp_path, {"compose.yaml": EVERYWHERE}) / "compose.yaml"], environ=EVERYWHERE_ENV
    )
    project = loaded.project
    app = service(project, "app")
    assert project.project_name == "proj"
    assert project.spec.extensions == {"x-top": "1.0"}
    assert app.image == "reg.local/app:1.0"
    assert app.command == ["echo", "1.0", "$$HOME"]
    assert app.environment == {"LIT": "cost $$5", "TAG": "1.0"}
    assert app.labels == {"$${KEY}": "1.0"}  # a literal key: compose never interpolates keys
    assert [(p.target, p.published) for p in app.ports] == [(80, "8080"), (443, "8080")]
    assert app.volumes[0].source == "./data"
    assert app.healthcheck is not None
    assert app.healthcheck.test == "curl localhost:8080"
    assert app.healthcheck.interval == "15s"
    assert app.deploy is not None
    assert app.deploy.replicas == 3
    assert app.read_only is True
    assert app.extensions == {"x-note": "note 1.0"}
    build = build_of(project, "app")
    assert build.context == "./ctx"
    assert build.args == {"M": "", "N": "fallback", "V": "1.0"}
    assert project.spec.secrets["s"].file == "./s.txt"
    assert loaded.warnings == ['The "UNSET_TOO" variable is not set. Defaulting to a blank string.']


def test_a_required_variable_unset_is_an_error_at_its_line(tmp_path: Path) -> None:
    text = "services:\n  a:\n    image: busybox\n    environment:\n      X: ${NEED:?set NEED}\n"
    with pytest.raises(LoadError, match="required variable NEED is missing a value: set NEED") as e:
        compose(tmp_path, text)
    assert (e.value.location.line, e.value.location.field_path) == (
        5,
        ("services", "a", "environment", "X"),
    )


def test_an_unterminated_variable_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match="invalid interpolation format"):
        compose(tmp_path, "services:\n  a:\n    image: busybox:${TAG\n")


# -- include ------------------------------------------------------------------------------------


def test_include_imports_resources_with_paths_from_their_folder(tmp_path: Path) -> None:
    project = compose(
        tmp_path,
        """\
        include:
          - db/compose.yaml
          - path: mon/compose.yaml
            env_file: mon.env
          - path: shared/agent.yaml
            project_directory: agent
        services:
          app: {image: busybox, depends_on: [db]}
        networks:
          back: {}
        """,
        files={
            "db/compose.yaml": """\
        services:
          db:
            image: postgres:${PG}
            env_file: db.env
            volumes: [./init:/init, data:/var/lib/data]
            networks: [back]
        networks:
          back: {}
        volumes:
          data: {}
        """,
            "db/.env": "PG=16\n",
            "db/db.env": "POSTGRES_DB=app\n",
            "mon/compose.yaml": """\
        include: [nested/exporter.yaml]
        services:
          grafana: {image: "grafana:${GV}", build: ./img}
        secrets:
          token: {file: ./token.txt}
        """,
            "mon/nested/exporter.yaml": "services:\n  exporter: {image: x, volumes: [./cfg:/c]}\n",
            "mon.env": "GV=11\n",
            "shared/agent.yaml": "services:\n  agent: {image: x, volumes: ['./conf:/conf']}\n",
        },
    )
    spec = project.spec
    assert list(spec.services) == ["app", "db", "grafana", "exporter", "agent"]
    db = service(project, "db")
    assert db.image == "postgres:16"  # the included project's own .env
    assert db.env_file == ["./db/db.env"]
    assert db.volumes[0].source == "./db/init"
    assert build_of(project, "grafana").context == "./mon/img"
    assert service(project, "grafana").image == "grafana:11"
    assert spec.secrets["token"].file == "./mon/token.txt"
    assert service(project, "exporter").volumes[0].source == "./mon/nested/cfg"  # nested include
    assert service(project, "agent").volumes[0].source == "./agent/conf"
    assert set(spec.networks) == {"back"}
    assert set(spec.volumes) == {"data"}


def test_an_included_project_reads_its_own_dotenv_and_ours_wins(tmp_path: Path) -> None:
    project = compose(
        tmp_path,
        "include: [inc/compose.yaml]\nservices: {}\n",
        {"B": "shell"},
        {
            "inc/compose.yaml": "services:\n  i: {image: 'x:${A}-${B}'}\n",
            "inc/.env": "A=inc\nB=inc\n",
        },
    )
    assert service(project, "i").image == "x:inc-shell"


def test_a_resource_defined_differently_on_both_sides_conflicts(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match=r"services\.db conflicts with imported resource") as e:
        compose(
            tmp_path,
            "include: [inc.yaml]\nservices:\n  db: {image: postgres}\n",
            files={"inc.yaml": "services:\n  db: {image: mysql}\n"},
        )
    assert e.value.location.line == 3


def test_include_cycles_and_missing_files_are_errors(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match="include cycle detected"):
        compose(
            tmp_path,
            "include: [a.yaml]\nservices: {}\n",
            files={"a.yaml": "include: [compose.yaml]\nservices: {}\n"},
        )
    with pytest.raises(LoadError, match=r"included file .*nope\.yaml not found") as e:
        compose(tmp_path, "services: {}\ninclude:\n  - nope.yaml\n")
    assert e.value.location.line == 3


# -- extends -----------------------------------------------------------------------------------


def test_extends_in_the_same_file_merges_as_compose(tmp_path: Path) -> None:
    project = compose(
        tmp_path,
        """\
        services:
          base:
            image: busybox
            command: [sleep, "1"]
            environment: {A: "1", B: "2"}
            labels: [x=1, y=2]
            ports: ["80:80", "81:81"]
            volumes: ["./a:/data", "./logs:/logs"]
            depends_on: [db]
            healthcheck: {test: [CMD, "true"], interval: 10s}
          web:
            extends: base
            command: [sleep, "2"]
            environment: [B=3, C=4]
            labels: {y: "3"}
            ports: ["81:81", "82:82"]
            volumes: ["./b:/data"]
            depends_on: {cache: {condition: service_healthy}}
            healthcheck: {test: "true"}
          db: {image: postgres}
          cache: {image: redis}
        """,
    )
    web = service(project, "web")
    assert web.image == "busybox"
    assert web.command == ["sleep", "2"]
    assert web.environment == {"A": "1", "B": "3", "C": "4"}
    assert web.labels == {"x": "1", "y": "3"}
    assert [p.published for p in web.ports] == ["80", "81", "82"]
    assert [(v.source, v.target) for v in web.volumes] == [("./b", "/data"), ("./logs", "/logs")]
    assert {k: v.condition for k, v in web.depends_on.items()} == {
        "db": "service_started",
        "cache": "service_healthy",
    }
    assert web.healthcheck is not None
    assert (web.healthcheck.test, web.healthcheck.interval) == ("true", "10s")
    assert web.extends is None


def test_extends_from_another_file_moves_its_paths(tmp_path: Path) -> None:
    project = compose(
        tmp_path,
        "services:\n  web:\n    extends: {file: common/base.yaml, service: app}\n",
        files={
            "common/base.yaml": """\
        services:
          root:
            image: nginx
            volumes: ["./html:/html"]
            env_file: [common.env]
          app:
            extends: root
            build: {context: ./app}
        """,
            "common/common.env": "A=1\n",
        },
    )
    web = service(project, "web")
    assert web.image == "nginx"
    assert web.volumes[0].source == "./common/html"
    assert web.env_file == ["./common/common.env"]
    assert build_of(project, "web").context == "./common/app"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "services:\n  a: {image: x, extends: b}\n  b: {image: y, extends: a}\n",
            "circular reference with extends: a in compose.yaml -> b in compose.yaml -> a",
        ),
        ("services:\n  a: {image: x, extends: nope}\n", "service 'nope' not found"),
        ("services:\n  a: {image: x, extends: {file: no.yaml, service: b}}\n", "no.yaml not found"),
        ("services:\n  a: {image: x, extends: [b]}\n", "extends must be a service name"),
    ],
)
def test_extends_errors(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(LoadError, match=message) as e:
        compose(tmp_path, text)
    assert e.value.location.line == 2


# -- version, name, profiles -------------------------------------------------------------------


def test_version_is_dropped_with_a_warning(tmp_path: Path) -> None:
    tree(tmp_path, {"compose.yaml": "version: '3.8'\nservices:\n  a: {image: x}\n"})
    loaded = load_compose([tmp_path / "compose.yaml"], environ={})
    assert loaded.warnings == [
        f"{tmp_path / 'compose.yaml'}: the attribute `version` is obsolete, it will be ignored, "
        "please remove it to avoid potential confusion"
    ]


@pytest.mark.parametrize(
    ("folder", "name"),
    [("My App.v2", "myappv2"), ("_web-1", "web-1"), ("Ünïcode", "ncode")],
)
def test_project_name_from_the_folder_as_compose_makes_it(folder: str, name: str) -> None:
    assert normalize_project_name(folder) == name


def test_project_name_precedence(tmp_path: Path) -> None:
    root = tmp_path / "Some Folder"
    root.mkdir()
    assert compose(root, "services: {}\n").name == "somefolder"
    assert compose(root, "name: declared\nservices: {}\n").name == "declared"
    assert compose(root, "name: declared\n", {"COMPOSE_PROJECT_NAME": "env"}).name == "env"
    assert compose(root, "name: My App.1\nservices: {}\n").name == "myapp1"  # as compose does
    with pytest.raises(LoadError, match="project name must not be empty"):
        compose(root, "name: __\nservices: {}\n")
    with pytest.raises(LoadError, match="invalid project name 'Env'"):
        compose(root, "services: {}\n", {"COMPOSE_PROJECT_NAME": "Env"})
    empty = tmp_path / "___"
    empty.mkdir()
    with pytest.raises(LoadError, match="cannot make a project name"):
        compose(empty, "services: {}\n")


def test_profiles_are_kept_as_declared(tmp_path: Path) -> None:
    project = compose(
        tmp_path,
        "services:\n  a: {image: x, profiles: [debug, tools]}\n  b: {image: x, profiles: [dev]}\n",
    )
    assert service(project, "a").profiles == ["debug", "tools"]
    assert service(project, "b").profiles == ["dev"]


# -- short syntax into long --------------------------------------------------------------------


def test_every_short_syntax_becomes_long(tmp_path: Path) -> None:
    project = compose(
        tmp_path,
        """\
        services:
          a:
            build: ./ctx
            ports: [3000, "8000-8001:80-81", "127.0.0.1:53:53/udp"]
            volumes: ["./src:/src:ro", "data:/data:nocopy", "/anon"]
            environment: [A=1, B]
            labels: [l=1, novalue]
            depends_on: [b]
            networks: [front]
            secrets: [s]
            configs: [c]
            extra_hosts: ["h:1.2.3.4"]
            healthcheck: {test: "curl -f localhost"}
            dns: 8.8.8.8
            ulimits: {nproc: 10}
          b: {image: x}
        networks: {front: }
        volumes: {data: }
        secrets: {s: {file: ./s}}
        configs: {c: {file: ./c}}
        """,
    )
    a = service(project, "a")
    assert build_of(project, "a").context == "./ctx"
    assert [(p.target, p.published, p.host_ip, p.protocol) for p in a.ports] == [
        (3000, None, None, None),
        (80, "8000", None, None),
        (81, "8001", None, None),
        (53, "53", "127.0.0.1", "udp"),
    ]
    assert [(v.type, v.source, v.target, v.read_only) for v in a.volumes] == [
        ("bind", "./src", "/src", True),
        ("volume", "data", "/data", None),
        ("volume", None, "/anon", None),
    ]
    assert a.volumes[1].volume is not None
    assert a.volumes[1].volume.nocopy is True
    assert a.environment == {"A": "1", "B": None}
    assert a.labels == {"l": "1", "novalue": ""}
    assert a.depends_on["b"].condition == "service_started"
    assert a.networks == {"front": None}
    assert (a.secrets[0].source, a.configs[0].source) == ("s", "c")
    assert a.extra_hosts == {"h": "1.2.3.4"}
    assert a.dns == ["8.8.8.8"]
    assert a.ulimits == {"nproc": 10}


def test_duplicate_ports_and_mount_targets_keep_one_entry(tmp_path: Path) -> None:
    project = compose(
        tmp_path,
        "services:\n  a:\n    image: x\n    ports: ['80:80', '80:80']\n"
        "    volumes: ['./a:/d', './b:/d']\n",
    )
    a = service(project, "a")
    assert len(a.ports) == 1
    assert [v.source for v in a.volumes] == ["./b"]


# -- errors with file:line ---------------------------------------------------------------------


def test_model_errors_point_at_the_file_and_line_they_came_from(tmp_path: Path) -> None:
    with pytest.raises(ValidationError) as caught:
        compose(
            tmp_path,
            "include: [inc.yaml]\nservices:\n  a:\n    image: x\n    restart: sometimes\n",
            files={"inc.yaml": "services:\n  i:\n    image: x\n    ports: ['80:http']\n"},
        )
    problems = {str(d.location.file.name): d for d in caught.value.diagnostics if d.location.file}
    assert problems["compose.yaml"].location.line == 5
    assert "restart 'sometimes'" in problems["compose.yaml"].message
    assert problems["inc.yaml"].location.line == 4
    assert problems["inc.yaml"].location.field_path == ("services", "i", "ports")
    assert str(problems["compose.yaml"]).startswith(
        f"{tmp_path / 'compose.yaml'}:5: services.a.restart: "
    )


def test_unknown_service_keys_are_errors(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="unknown field") as caught:
        compose(tmp_path, "services:\n  a:\n    image: x\n    imagee: y\n")
    assert caught.value.location.line == 4


# -- build sections as bake targets ----------------------------------------------------------


def test_build_sections_become_bake_targets_as_bake_reads_them(tmp_path: Path) -> None:
    project = compose(
        tmp_path,
        """\
        services:
          api.v2:
            image: reg/api:1
            environment: {FROM_ENV: service}
            build:
              context: ./api/../api
              dockerfile: ./Dockerfile.api
              args: {A: "1", FROM_ENV: null, FROM_VARS: null, NEVER: null, LIT: "$${X}"}
              labels: [l=1]
              secrets: [f, e]
              additional_contexts: {lib: ./lib, base: service:base.img, img: docker-image://a}
              shm_size: 1g
              ulimits: {nproc: 5, nofile: {soft: 1, hard: 2}}
              extra_hosts: ["h:1.1.1.1", "h:2.2.2.2"]
              platforms: [linux/amd64]
              ssh: [key=/k, default]
              no_cache: true
              pull: false
              x-bake:
                tags: a:1 b:2
                platforms: [linux/arm64, linux/amd64]
                output: [type=docker]
                no-cache-filter: [deps]
                pull: true
                contexts: {extra: ./raw}
          base.img: {build: .}
          image-only: {image: x}
        secrets:
          f: {file: ./secrets/../f.txt}
          e: {environment: TOKEN}
        """,
    )
    native = compose_bake(project, {"FROM_VARS": "vars"})
    assert native.groups == {"default": {"targets": ["api_v2", "base_img"]}}
    assert native.targets["base_img"] == {"context": "."}
    assert native.targets["api_v2"] == {
        "context": "api",
        "contexts": {
            "lib": "lib",
            "base": "target:base_img",
            "img": "docker-image://a",
            "extra": "./raw",
        },
        "dockerfile": "./Dockerfile.api",
        "args": {"A": "1", "FROM_ENV": "service", "FROM_VARS": "vars", "LIT": "$${X}"},
        "labels": {"l": "1"},
        "tags": ["a:1", "b:2"],
        "secret": ["id=f,src=f.txt", "id=e,env=TOKEN"],
        "ssh": ["default", "key=/k"],
        "platforms": ["linux/amd64", "linux/arm64"],
        "ulimits": ["nofile=1:2", "nproc=5:5"],
        "shm-size": "1GiB",
        "extra-hosts": {"h": "1.1.1.1,2.2.2.2"},
        "no-cache": True,
        "output": ["type=docker"],
        "no-cache-filter": ["deps"],
        "pull": True,
    }
    assert native.locations[("target", "api_v2")].line == 2


def test_tags_default_to_the_image(tmp_path: Path) -> None:
    project = compose(tmp_path, "services:\n  a: {image: reg/a:1, build: .}\n")
    assert compose_bake(project, {}).targets["a"]["tags"] == ["reg/a:1"]


def test_an_external_build_secret_is_an_error_for_bake(tmp_path: Path) -> None:
    project = compose(
        tmp_path,
        "services:\n  a:\n    build: {context: ., secrets: [s]}\nsecrets:\n  s: {external: true}\n",
    )
    with pytest.raises(LoadError, match="external secret 's'") as caught:
        compose_bake(project, {})
    assert caught.value.location.line == 3


@pytest.mark.parametrize(
    ("size", "text"),
    [(1024**3, "1GiB"), (100000, "97.66KiB"), (512, "512B"), (int(1.5 * 1024**2), "1.5MiB")],
)
def test_shm_size_as_bake_prints_it(size: int, text: str) -> None:
    assert bytes_text(size) == text


# -- registration in bakepy.load ---------------------------------------------------------------


def test_load_reads_compose_files_and_keeps_manifests_working(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("UNSET_IN_TEST", raising=False)
    tree(
        tmp_path,
        {
            "stack.yml": "services:\n  a: {image: 'x:${UNSET_IN_TEST}', build: .}\n",
            "bakepy.yaml": "apiVersion: bakepy.dev/v1alpha1\nkind: Target\nmetadata: {name: t}\n",
            "docker-bake.hcl": 'target "h" {}\n',
        },
    )
    assert is_compose_file(tmp_path / "stack.yml")
    assert not is_compose_file(tmp_path / "bakepy.yaml")
    project = load([tmp_path / "stack.yml", tmp_path / "bakepy.yaml"])
    composes = project.of_kind(ComposeProject)
    assert [c.name for c in composes] == [normalize_project_name(tmp_path.name)]
    assert project.base_dir_of(composes[0]) == tmp_path.resolve()
    assert project.bake_files[0].native.targets["a"]["tags"] == ["x:"]
    assert project.warnings == [
        'The "UNSET_IN_TEST" variable is not set. Defaulting to a blank string.'
    ]
    (tmp_path / "bakepy.yaml").unlink()
    tree(tmp_path, {"compose.yaml": "services:\n  c: {build: .}\n"})
    found = load([tmp_path])
    assert [f.path.name for f in found.bake_files] == ["compose.yaml", "docker-bake.hcl"]


def test_loading_never_raises_anything_but_a_bakepy_error(tmp_path: Path) -> None:
    for text in ("services: 5\n", "include: 5\n", "services:\n  a: {extends: {service: 5}}\n"):
        (tmp_path / "compose.yaml").write_text(text)
        with pytest.raises(BakepyError):
            load_compose([tmp_path / "compose.yaml"], environ={})


def test_several_compose_files_make_one_project_as_compose_f_f(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    tree(
        tmp_path,
        {
            "compose.yaml": "services:\n  web: {image: nginx, ports: ['80:80'], build: .}\n",
            "prod.yaml": "services:\n  web: {ports: ['443:443']}\n  extra: {image: busybox}\n",
        },
    )
    project = load([tmp_path / "compose.yaml", tmp_path / "prod.yaml"])
    [merged] = project.of_kind(ComposeProject)
    assert [p.target for p in service(merged, "web").ports] == [80, 443]
    assert list(merged.spec.services) == ["web", "extra"]
    assert [f.path.name for f in project.bake_files] == ["compose.yaml"]
