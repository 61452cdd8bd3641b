"""Which Docker engine bakepy talks to, chosen exactly as the docker CLI chooses it.

The order is the CLI's: ``DOCKER_HOST`` (with ``DOCKER_TLS_VERIFY``/``DOCKER_CERT_PATH``), else
the context named by ``DOCKER_CONTEXT`` (bakepy's ``--context`` sets it), else the
``currentContext`` that ``docker context use`` wrote into ``$DOCKER_CONFIG/config.json``, else
the local socket. Engine API calls connect to that endpoint, and ``docker buildx`` runs with the
same environment, so builds and the Engine API always reach the same engine.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple
from urllib.parse import urlsplit

from bakepy.errors import EngineError

if TYPE_CHECKING:
    import docker

DEFAULT_HOST = "unix:///var/run/docker.sock"
DEFAULT_CONTEXT = "default"
MINIMUM_API_VERSION = "1.24"
"""The oldest Engine API the docker SDK speaks; only used until the engine's is known."""


class TlsFiles(NamedTuple):
    """The TLS material of an endpoint: CA, client certificate and key (each may be absent),
    and whether the server's certificate is verified."""

    ca: Path | None
    cert: Path | None
    key: Path | None
    verify: bool


class Endpoint(NamedTuple):
    """One engine: its address, the context it came from (None: ``DOCKER_HOST`` or the local
    default) and its TLS settings."""

    host: str
    context: str | None = None
    tls: TlsFiles | None = None
    source: str = "default"
    """What chose it: DOCKER_HOST, DOCKER_CONTEXT, config.json (docker context use), default."""

    def describe(self) -> str:
        """``host`` plus the context it came from, for messages."""
        return f"{self.host} (context {self.context!r})" if self.context else self.host

    def connect(self, *, max_pool_size: int = 10, version: str | None = None) -> docker.APIClient:
        """The docker SDK's low-level client for this endpoint, speaking API ``version``
        (default: negotiated with the engine)."""
        import docker
        from docker.tls import TLSConfig

        kwargs: dict[str, Any] = {"base_url": self.host, "max_pool_size": max_pool_size}
        if self.host.startswith("ssh://"):
            # The system ssh client, as the docker CLI and buildx use: the same ~/.ssh/config,
            # agent, known_hosts and ProxyJump, and `docker system dial-stdio` on the far side.
            kwargs["use_ssh_client"] = True
        if self.tls is not None:
            client_cert = (str(self.tls.cert), str(self.tls.key)) if self.tls.cert else None
            kwargs["tls"] = TLSConfig(
                client_cert=client_cert,
                ca_cert=str(self.tls.ca) if self.tls.ca else None,
                verify=self.tls.verify,
            )
        try:
            # No request yet (a fixed version): the TLS settings are pinned first, then the API
            # version is negotiated as version="auto" would.
            api = docker.APIClient(version=MINIMUM_API_VERSION, **kwargs)
            if self.host.startswith("ssh://"):
                _keep_ssh_port_unset(api, self.host)
            if self.tls is not None:
                _pin_verification(api)
            api._version = version or api._retrieve_server_version()
        except docker.errors.DockerException as error:
            raise EngineError(
                f"cannot reach the Docker engine at {self.describe()}: {_explain(error)}",
                hint="start dockerd, or choose another engine with --context, DOCKER_CONTEXT "
                "or DOCKER_HOST",
            ) from None
        return api


def _explain(error: Exception) -> str:
    explanation = getattr(error, "explanation", None)
    return str(explanation or error).strip()


def _keep_ssh_port_unset(api: Any, host: str) -> None:
    """Run ``ssh`` without ``-p`` when the URL names no port, as the docker CLI does, so the
    port of ``~/.ssh/config`` applies: the SDK writes the default 22 into every ssh URL."""
    where = urlsplit(host)
    if where.port is not None or not where.hostname:
        return
    user = f"{where.username}@" if where.username else ""
    adapter = getattr(api, "_custom_adapter", None)
    if adapter is not None and hasattr(adapter, "ssh_host"):
        adapter.ssh_host = f"{user}{where.hostname}"


def _pin_verification(api: Any) -> None:
    """Verify the engine with its own CA even when ``REQUESTS_CA_BUNDLE``/``CURL_CA_BUNDLE`` are
    set: requests would otherwise put those in place of the session's CA on every request."""
    merge = api.merge_environment_settings
    verify = api.verify

    def merge_pinned(*args: Any, **kwargs: Any) -> dict[str, Any]:
        settings: dict[str, Any] = merge(*args, **kwargs)
        settings["verify"] = verify
        return settings

    api.merge_environment_settings = merge_pinned


def config_dir(environment: Mapping[str, str]) -> Path:
    """The docker CLI's configuration folder: ``$DOCKER_CONFIG``, else ``~/.docker``."""
    given = environment.get("DOCKER_CONFIG")
    return Path(given) if given else Path.home() / ".docker"


def current_endpoint(environment: Mapping[str, str] | None = None) -> Endpoint:
    """The engine the docker CLI would talk to in ``environment`` (default: this process's)."""
    env = os.environ if environment is None else environment
    host = env.get("DOCKER_HOST")
    if host:
        return Endpoint(host, tls=_tls_from_environment(env), source="DOCKER_HOST")
    name = env.get("DOCKER_CONTEXT")
    source = "DOCKER_CONTEXT"
    if not name:
        name = _current_context(config_dir(env))
        source = "config.json"
    if not name or name == DEFAULT_CONTEXT:
        return Endpoint(DEFAULT_HOST)
    return read_context(name, config_dir(env), source=source)


def _tls_from_environment(env: Mapping[str, str]) -> TlsFiles | None:
    """TLS as the docker CLI reads it: on with ``DOCKER_TLS_VERIFY`` (verified) or
    ``DOCKER_TLS`` (not verified) non-empty; the files in ``DOCKER_CERT_PATH`` or the config
    folder."""
    verify = bool(env.get("DOCKER_TLS_VERIFY"))
    if not verify and not env.get("DOCKER_TLS"):
        return None
    folder = Path(env.get("DOCKER_CERT_PATH") or config_dir(env))
    return _tls_files(folder, verify=verify)


def _tls_files(folder: Path, *, verify: bool) -> TlsFiles:
    def present(name: str) -> Path | None:
        path = folder / name
        return path if path.is_file() else None

    cert, key = present("cert.pem"), present("key.pem")
    if (cert is None) != (key is None):
        missing = "key.pem" if key is None else "cert.pem"
        raise EngineError(f"TLS: {folder} has a client certificate without its pair ({missing})")
    ca = present("ca.pem")
    if verify and ca is None:
        raise EngineError(
            f"TLS: DOCKER_TLS_VERIFY is set but {folder / 'ca.pem'} does not exist",
            hint="point DOCKER_CERT_PATH at the folder holding ca.pem, cert.pem and key.pem",
        )
    return TlsFiles(ca, cert, key, verify)


def _current_context(folder: Path) -> str | None:
    """``currentContext`` of ``config.json`` (what ``docker context use`` wrote), if any."""
    path = folder / "config.json"
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as error:
        raise EngineError(f"{path}: cannot read the docker CLI configuration: {error}") from None
    name = document.get("currentContext") if isinstance(document, dict) else None
    return name if isinstance(name, str) and name else None


def context_id(name: str) -> str:
    """The folder name the docker CLI stores a context under (sha256 of its name)."""
    return hashlib.sha256(name.encode()).hexdigest()


def read_context(name: str, folder: Path, *, source: str = "--context") -> Endpoint:
    """The docker endpoint of context ``name`` in the CLI's context store under ``folder``."""
    meta = folder / "contexts" / "meta" / context_id(name) / "meta.json"
    try:
        document = json.loads(meta.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise EngineError(
            f"Docker context {name!r} (from {source}) does not exist",
            hint="`docker context ls` lists the contexts; `docker context use default` goes "
            "back to the local engine",
        ) from None
    except (OSError, ValueError) as error:
        raise EngineError(f"{meta}: cannot read Docker context {name!r}: {error}") from None
    endpoints = document.get("Endpoints") if isinstance(document, dict) else None
    docker_endpoint = endpoints.get("docker") if isinstance(endpoints, dict) else None
    host = docker_endpoint.get("Host") if isinstance(docker_endpoint, dict) else None
    if not isinstance(host, str) or not host:
        raise EngineError(f"{meta}: Docker context {name!r} has no docker endpoint Host")
    tls_folder = folder / "contexts" / "tls" / context_id(name) / "docker"
    skip_verify = bool(docker_endpoint.get("SkipTLSVerify"))  # type: ignore[union-attr]
    tls = None
    if tls_folder.is_dir() and host.startswith(("tcp://", "https://")):
        tls = _tls_files(tls_folder, verify=not skip_verify)
    elif skip_verify and host.startswith(("tcp://", "https://")):
        tls = TlsFiles(None, None, None, verify=False)
    return Endpoint(host, context=name, tls=tls, source=source)


def context_names(environment: Mapping[str, str]) -> list[str]:
    """The contexts of the CLI's store (for shell completion), ``default`` first."""
    names = ["default"]
    meta = config_dir(environment) / "contexts" / "meta"
    for path in sorted(meta.glob("*/meta.json")):
        try:
            name = json.loads(path.read_text(encoding="utf-8")).get("Name")
        except (OSError, ValueError, AttributeError):
            continue
        if isinstance(name, str) and name and name not in names:
            names.append(name)
    return names


def select_context(name: str | None, environment: dict[str, str] | os._Environ[str]) -> None:
    """What ``--context NAME`` does, as the docker CLI's flag: that context, whatever
    ``DOCKER_HOST`` says. Set in ``environment`` so that buildx and every Engine API call
    reach the same engine; an unknown context is refused here, before anything runs."""
    if name is None:
        return
    if name != DEFAULT_CONTEXT:  # the default context is DOCKER_HOST or the local socket
        read_context(name, config_dir(environment))  # refused before anything is changed
        environment.pop("DOCKER_HOST", None)
    environment["DOCKER_CONTEXT"] = name
