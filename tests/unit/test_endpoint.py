"""Which engine bakepy picks, in the docker CLI's order: DOCKER_HOST, DOCKER_CONTEXT (or
``--context``), config.json's currentContext, the local socket; contexts read from a docker
configuration folder of the test's own (never ~/.docker)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bakepy.cli import app
from bakepy.engine.endpoint import (
    DEFAULT_HOST,
    context_id,
    current_endpoint,
    select_context,
)
from bakepy.errors import EngineError


def _context(config: Path, name: str, host: str, *, tls: bool = False, skip: bool = False) -> None:
    """A context as `docker context create` stores it."""
    meta = config / "contexts" / "meta" / context_id(name)
    meta.mkdir(parents=True)
    endpoint = {"Host": host, "SkipTLSVerify": skip}
    document = {"Name": name, "Metadata": {}, "Endpoints": {"docker": endpoint}}
    (meta / "meta.json").write_text(json.dumps(document), encoding="utf-8")
    if tls:
        folder = config / "contexts" / "tls" / context_id(name) / "docker"
        folder.mkdir(parents=True)
        for file in ("ca.pem", "cert.pem", "key.pem"):
            (folder / file).write_text("x", encoding="utf-8")


@pytest.fixture
def config(tmp_path: Path) -> Path:
    folder = tmp_path / "docker-config"
    folder.mkdir()
    return folder


def test_context_id_is_the_sha256_of_the_name() -> None:
    assert context_id("remote") == hashlib.sha256(b"remote").hexdigest()


def test_default_is_the_local_socket(config: Path) -> None:
    endpoint = current_endpoint({"DOCKER_CONFIG": str(config)})
    assert (endpoint.host, endpoint.context, endpoint.tls) == (DEFAULT_HOST, None, None)


def test_docker_host_wins_over_every_context(config: Path) -> None:
    _context(config, "remote", "tcp://10.0.0.1:2376")
    (config / "config.json").write_text('{"currentContext": "remote"}', encoding="utf-8")
    env = {"DOCKER_CONFIG": str(config), "DOCKER_HOST": "tcp://1.2.3.4:2375"}
    assert current_endpoint(env | {"DOCKER_CONTEXT": "remote"}).host == "tcp://1.2.3.4:2375"


def test_docker_context_wins_over_current_context(config: Path) -> None:
    _context(config, "a", "tcp://10.0.0.1:2376")
    _context(config, "b", "ssh://me@build-host")
    (config / "config.json").write_text('{"currentContext": "a"}', encoding="utf-8")
    endpoint = current_endpoint({"DOCKER_CONFIG": str(config), "DOCKER_CONTEXT": "b"})
    assert (endpoint.host, endpoint.context, endpoint.source) == (
        "ssh://me@build-host",
        "b",
        "DOCKER_CONTEXT",
    )


def test_current_context_of_docker_context_use(config: Path) -> None:
    _context(config, "a", "tcp://10.0.0.1:2376", tls=True)
    (config / "config.json").write_text('{"currentContext": "a"}', encoding="utf-8")
    endpoint = current_endpoint({"DOCKER_CONFIG": str(config)})
    assert endpoint.context == "a"
    assert endpoint.source == "config.json"
    assert endpoint.tls is not None
    assert endpoint.tls.verify
    tls_folder = config / "contexts" / "tls" / context_id("a") / "docker"
    assert endpoint.tls.ca == tls_folder / "ca.pem"


def test_default_context_named_is_the_local_engine(config: Path) -> None:
    (config / "config.json").write_text('{"currentContext": "default"}', encoding="utf-8")
    assert current_endpoint({"DOCKER_CONFIG": str(config)}).host == DEFAULT_HOST


def test_skip_tls_verify_context(config: Path) -> None:
    _context(config, "lab", "tcp://10.0.0.1:2376", skip=True)
    endpoint = current_endpoint({"DOCKER_CONFIG": str(config), "DOCKER_CONTEXT": "lab"})
    assert endpoint.tls is not None
    assert not endpoint.tls.verify


def test_unknown_context_is_a_located_error(config: Path) -> None:
    with pytest.raises(EngineError, match=r"Docker context 'gone' \(from DOCKER_CONTEXT\)"):
        current_endpoint({"DOCKER_CONFIG": str(config), "DOCKER_CONTEXT": "gone"})


def test_malformed_config_json_names_the_file(config: Path) -> None:
    (config / "config.json").write_text("{", encoding="utf-8")
    with pytest.raises(EngineError, match=r"config.json: cannot read"):
        current_endpoint({"DOCKER_CONFIG": str(config)})


def test_tls_verify_reads_the_cert_path(tmp_path: Path) -> None:
    for file in ("ca.pem", "cert.pem", "key.pem"):
        (tmp_path / file).write_text("x", encoding="utf-8")
    env = {
        "DOCKER_HOST": "tcp://h:2376",
        "DOCKER_TLS_VERIFY": "1",
        "DOCKER_CERT_PATH": str(tmp_path),
    }
    endpoint = current_endpoint(env)
    assert endpoint.tls is not None
    assert (endpoint.tls.ca, endpoint.tls.cert, endpoint.tls.verify) == (
        tmp_path / "ca.pem",
        tmp_path / "cert.pem",
        True,
    )


def test_tls_verify_without_a_ca_is_refused(tmp_path: Path) -> None:
    env = {
        "DOCKER_HOST": "tcp://h:2376",
        "DOCKER_TLS_VERIFY": "1",
        "DOCKER_CERT_PATH": str(tmp_path),
    }
    with pytest.raises(EngineError, match=r"DOCKER_TLS_VERIFY is set but .*ca.pem does not exist"):
        current_endpoint(env)


def test_empty_tls_verify_means_no_tls(tmp_path: Path) -> None:
    env = {
        "DOCKER_HOST": "tcp://h:2375",
        "DOCKER_TLS_VERIFY": "",
        "DOCKER_CERT_PATH": str(tmp_path),
    }
    assert current_endpoint(env).tls is None


def test_context_flag_overrides_docker_host(config: Path) -> None:
    _context(config, "remote", "tcp://10.0.0.1:2376")
    env = {"DOCKER_CONFIG": str(config), "DOCKER_HOST": "unix:///var/run/docker.sock"}
    select_context("remote", env)
    assert env == {"DOCKER_CONFIG": str(config), "DOCKER_CONTEXT": "remote"}
    assert current_endpoint(env).host == "tcp://10.0.0.1:2376"


def test_context_flag_default_keeps_docker_host(config: Path) -> None:
    env = {"DOCKER_CONFIG": str(config), "DOCKER_HOST": "tcp://1.2.3.4:2375"}
    select_context("default", env)
    assert current_endpoint(env).host == "tcp://1.2.3.4:2375"


@pytest.mark.parametrize(
    "spelling", [["--context", "nowhere", "plan"], ["plan", "--context", "nowhere"]]
)
def test_cli_refuses_an_unknown_context(
    spelling: list[str], config: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("DOCKER_CONFIG", str(config))
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, spelling)
    assert result.exit_code == 2
    assert "error: Docker context 'nowhere' (from --context) does not exist" in result.output


def test_an_unknown_context_changes_no_environment(config: Path) -> None:
    env = {"DOCKER_CONFIG": str(config), "DOCKER_HOST": "tcp://1.2.3.4:2375"}
    with pytest.raises(EngineError):
        select_context("gone", env)
    assert env == {"DOCKER_CONFIG": str(config), "DOCKER_HOST": "tcp://1.2.3.4:2375"}
