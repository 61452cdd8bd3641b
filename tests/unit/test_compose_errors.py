"""Errors of a compose file as a user reads them: one message for a field that takes several
forms (not one per form bakepy tried), "did you mean" for a misspelt key, every error at once,
and values compose refuses (a boolean for a number) refused with the file and line."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from bakepy import ValidationError
from bakepy.errors import BakepyError
from bakepy.loaders.compose.pipeline import load_compose


def errors_of(tmp_path: Path, text: str) -> list[str]:
    """The errors (with hints) of loading ``compose.yaml`` holding ``text``."""
    path = tmp_path / "compose.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    with pytest.raises(BakepyError) as raised:
        load_compose([path], environ={})
    error = raised.value
    found = error.diagnostics if isinstance(error, ValidationError) else [error.diagnostic]
    return [str(found_one).replace(str(tmp_path) + "/", "") for found_one in found]


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        (
            "build: 3",
            "compose.yaml:4: services.app.build: must be a string or a mapping, not an integer",
        ),
        (
            "healthcheck: {test: 5}",
            "compose.yaml:4: services.app.healthcheck.test: must be a string or a list, "
            "not an integer",
        ),
        (
            "command: {a: b}",
            "compose.yaml:4: services.app.command: must be a string or a list, not a mapping",
        ),
        (
            "ports: [{target: abc}]",
            "compose.yaml:4: services.app.ports[0].target: 'abc' is not an integer",
        ),
        (
            "ulimits: {nofile: [1]}",
            "compose.yaml:4: services.app.ulimits.nofile: must be an integer, a string or a "
            "mapping, not a list",
        ),
    ],
)
def test_a_field_of_several_forms_gets_one_message(
    tmp_path: Path, field: str, expected: str
) -> None:
    text = f"services:\n  app:\n    image: busybox\n    {field}\n"
    assert errors_of(tmp_path, text) == [expected]


def test_the_form_written_is_the_one_whose_errors_are_shown(tmp_path: Path) -> None:
    found = errors_of(
        tmp_path,
        """\
        services:
          app:
            image: busybox
            build:
              context: .
              dockerfil: Dockerfile.dev
            ulimits:
              nofile: {soft: 1024, hrd: 2048}
        """,
    )
    assert found == [
        "compose.yaml:6: services.app.build.dockerfil: unknown field\n"
        "  hint: did you mean 'dockerfile'?",
        "compose.yaml:8: services.app.ulimits.nofile.hard: field required",
        "compose.yaml:8: services.app.ulimits.nofile.hrd: unknown field\n"
        "  hint: did you mean 'hard'?",
    ]


@pytest.mark.parametrize(
    ("text", "meant"),
    [
        ("servics:\n  app: {image: busybox}\n", "services"),
        ("services:\n  app: {image: busybox, restrat: always}\n", "restart"),
        ("services:\n  app: {image: busybox, enviroment: {A: '1'}}\n", "environment"),
        ("services:\n  app: {image: busybox, logging: {drivr: syslog}}\n", "driver"),
        ("services:\n  app: {image: busybox, healthcheck: {intervl: 5s}}\n", "interval"),
        ("services:\n  app: {image: busybox, networks: {default: {aliasess: [a]}}}\n", "aliases"),
        ("services:\n  app: {image: busybox, deploy: {resorces: {}}}\n", "resources"),
        ("services:\n  app: {image: busybox}\nnetworks:\n  n: {drivr: bridge}\n", "driver"),
        ("services:\n  app: {image: busybox}\nvolumes:\n  v: {extrnal: true}\n", "external"),
    ],
)
def test_a_misspelt_key_gets_the_key_meant(tmp_path: Path, text: str, meant: str) -> None:
    found = errors_of(tmp_path, text)
    assert len(found) == 1, found
    assert "unknown field" in found[0]
    assert found[0].endswith(f"hint: did you mean {meant!r}?")


def test_a_far_off_key_gets_no_guess(tmp_path: Path) -> None:
    found = errors_of(tmp_path, "services:\n  app: {image: busybox, zzzqqq: 1}\n")
    assert found == ["compose.yaml:2: services.app.zzzqqq: unknown field"]


def test_every_error_of_the_file_is_reported_at_once(tmp_path: Path) -> None:
    found = errors_of(
        tmp_path,
        """\
        services:
          app:
            image: busybox
            enviroment: {A: "1"}
          web:
            image: busybox
            restrat: always
        networks:
          n: {drivr: bridge}
        """,
    )
    assert [line.split(":")[1] for line in found] == ["4", "7", "9"]


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("ulimits: {nofile: true}", "ulimits.nofile: must be an integer, not a boolean"),
        ("cpu_shares: true", "cpu_shares: must be an integer, not a boolean"),
        ("ports: [{target: true}]", "ports[0].target: must be an integer, not a boolean"),
        ("shm_size: true", "shm_size: must be a byte count or a size such as 64m, not a boolean"),
    ],
)
def test_a_boolean_where_compose_wants_a_number_is_refused(
    tmp_path: Path, field: str, message: str
) -> None:
    found = errors_of(tmp_path, f"services:\n  app:\n    image: busybox\n    {field}\n")
    assert found == [f"compose.yaml:4: services.app.{message}"]


@pytest.mark.parametrize(
    ("port", "message"),
    [
        ("80:80:80", "Invalid ip address: 80"),
        ("localhost:8080:80", "Invalid ip address: localhost"),
        ("8080:80/xyz", "Invalid proto: xyz"),
        ("[::1]:53:53/dns", "Invalid proto: dns"),
    ],
)
def test_a_short_port_compose_refuses_is_refused_in_its_words(
    tmp_path: Path, port: str, message: str
) -> None:
    found = errors_of(tmp_path, f'services:\n  app:\n    image: busybox\n    ports: ["{port}"]\n')
    assert found == [f"compose.yaml:4: services.app.ports: {message}"]


def test_a_short_port_s_protocol_is_read_in_any_case(tmp_path: Path) -> None:
    path = tmp_path / "compose.yaml"
    path.write_text('services:\n  app:\n    image: busybox\n    ports: ["53:53/UDP", "80/"]\n')
    ports = load_compose([path], environ={}).project.spec.services["app"].ports
    assert [(port.target, port.protocol) for port in ports] == [(53, "udp"), (80, None)]


@pytest.mark.parametrize("value", [1001, -1001])
def test_oom_score_adj_is_bounded_as_compose_bounds_it(tmp_path: Path, value: int) -> None:
    found = errors_of(
        tmp_path, f"services:\n  app:\n    image: busybox\n    oom_score_adj: {value}\n"
    )
    assert found == [
        f"compose.yaml:4: services.app.oom_score_adj: {value} must be between -1000 and 1000"
    ]


def test_yaml_1_1_booleans_are_read_where_compose_wants_a_boolean(tmp_path: Path) -> None:
    path = tmp_path / "compose.yaml"
    path.write_text(
        textwrap.dedent(
            """\
            services:
              app:
                image: busybox
                init: yes
                tty: "Off"
                environment: {DEBUG: yes}
                labels: {flag: "on"}
            networks:
              n: {internal: Y}
            """
        )
    )
    loaded = load_compose([path], environ={})
    app = loaded.project.spec.services["app"]
    assert (app.init, app.tty) == (True, False)
    assert app.environment == {"DEBUG": "yes"}
    assert app.labels == {"flag": "on"}
    assert loaded.project.spec.networks["n"].internal is True
    assert sorted(loaded.warnings) == [
        '"Off" for boolean is not supported by YAML 1.2, please use `false`',
        '"Y" for boolean is not supported by YAML 1.2, please use `true`',
        '"yes" for boolean is not supported by YAML 1.2, please use `true`',
    ]


def test_a_yaml_1_1_word_in_a_depends_on_required_is_refused_as_compose_does(
    tmp_path: Path,
) -> None:
    text = "services:\n  app:\n    image: busybox\n    depends_on:\n"
    text += "      db: {condition: service_started, required: no}\n  db:\n    image: busybox\n"
    found = errors_of(tmp_path, text)
    assert len(found) == 1, found
    assert "depends_on.db.required" in found[0]


@pytest.mark.parametrize(
    ("field", "message"),
    [
        (
            "security_opt: [a, b, a]",
            "services.app.security_opt[2]: array items[0,2] must be unique",
        ),
        ("group_add: [x, x]", "services.app.group_add[1]: array items[0,1] must be unique"),
        (
            "networks: [default, default]",
            "services.app.networks[1]: array items[0,1] must be unique",
        ),
        ("dns: [1.1.1.1, 8]", "services.app.dns[1]: unexpected type int"),
    ],
)
def test_lists_compose_refuses_are_refused(tmp_path: Path, field: str, message: str) -> None:
    found = errors_of(tmp_path, f"services:\n  app:\n    image: busybox\n    {field}\n")
    assert found == [f"compose.yaml:4: {message}"]


def test_a_list_item_repeated_through_extends_is_refused_as_compose_does(tmp_path: Path) -> None:
    text = "services:\n  base:\n    image: busybox\n    security_opt: [x]\n"
    text += "  app:\n    extends: base\n    security_opt: [x]\n"
    found = errors_of(tmp_path, text)
    assert len(found) == 1, found
    assert "services.app.security_opt[1]: array items[0,1] must be unique" in found[0]
