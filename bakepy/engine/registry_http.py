"""A tag's digest straight from its registry (distribution API ``HEAD /v2/NAME/manifests/TAG``),
without starting the docker CLI: what a no-change plan asks for each base image.

Plain HTTP for the registries the engine itself reaches without TLS (``localhost``, loopback
addresses), HTTPS elsewhere, with the anonymous bearer token a public registry hands out. Any
other answer (credentials needed, an error, no network) is "not known here": the caller then
asks ``docker buildx imagetools inspect``, which has the user's credentials.
"""

from __future__ import annotations

import json
import re
import socket

from bakepy.models.image_reference import DEFAULT_DOMAIN, ImageReference

_ACCEPT = ", ".join(
    [
        "application/vnd.oci.image.index.v1+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
        "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.docker.distribution.manifest.v2+json",
    ]
)
_TIMEOUT = 5.0
_CHALLENGE = re.compile(r'(\w+)="([^"]*)"')


def _host_port(domain: str) -> tuple[str, int]:
    """``localhost:5000`` as ("localhost", 5000), ``[::1]:5000`` as ("::1", 5000); port 80 when
    none is given."""
    if domain.startswith("["):
        host, _, rest = domain[1:].partition("]")
        return host, int(rest[1:]) if rest.startswith(":") else 80
    host, colon, port = domain.partition(":")
    return host, int(port) if colon else 80


def _plain(domain: str) -> bool:
    """Whether the registry is reached over plain HTTP (the engine's own rule for loopback)."""
    host = _host_port(domain)[0]
    return host in ("localhost", "::1") or host.startswith("127.")


def _base_url(domain: str) -> str:
    if _plain(domain):
        return f"http://{domain}"
    if domain == DEFAULT_DOMAIN:
        return "https://registry-1.docker.io"
    return f"https://{domain}"


def _plain_head(domain: str, path: str) -> tuple[int, dict[str, str]]:
    """``HEAD path`` on a plain-HTTP registry over a bare socket: the status and the headers
    (lower-case names). A no-change apply asks this of each base image; urllib and the email
    package it loads would cost more than the request."""
    host, port = _host_port(domain)
    request = (
        f"HEAD {path} HTTP/1.1\r\nHost: {domain}\r\nAccept: {_ACCEPT}\r\n"
        "User-Agent: bakepy\r\nConnection: close\r\n\r\n"
    )
    # bytes (getaddrinfo takes them; typeshed says str): a str host loads the idna codec
    address = (host.encode("ascii"), port)
    with socket.create_connection(address, timeout=_TIMEOUT) as connection:  # type: ignore[arg-type]
        connection.sendall(request.encode("latin-1"))
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = connection.recv(65536)
            if not chunk:
                break
            answer += chunk
    head = answer.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
    version, _, rest = head[0].partition(" ")
    if not version.startswith("HTTP/"):
        raise ValueError(f"not an HTTP answer: {head[0][:40]!r}")
    headers = {}
    for line in head[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return int(rest.split(" ", 1)[0]), headers


def _digest(value: str | None) -> str | None:
    return value if value and value.startswith("sha256:") else None


def _token(challenge: str) -> str | None:
    """An anonymous bearer token for a ``WWW-Authenticate: Bearer realm=...`` challenge."""
    if not challenge.lower().startswith("bearer "):
        return None
    fields = dict(_CHALLENGE.findall(challenge))
    realm = fields.pop("realm", None)
    if not realm:
        return None
    import urllib.parse
    import urllib.request

    url = f"{realm}?{urllib.parse.urlencode(fields)}"
    with urllib.request.urlopen(url, timeout=_TIMEOUT) as answer:
        document = json.loads(answer.read())
    token = document.get("token") or document.get("access_token")
    return str(token) if token else None


def _head(url: str, token: str | None) -> str | None:
    import urllib.request

    request = urllib.request.Request(url, method="HEAD", headers={"Accept": _ACCEPT})
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=_TIMEOUT) as answer:
        digest = answer.headers.get("Docker-Content-Digest")
    return _digest(str(digest) if digest else None)


def tag_digest(reference: str) -> str | None:
    """The digest the registry serves for ``reference``'s tag, or None when it cannot be
    known this way (the caller asks the docker CLI then)."""
    try:
        parsed = ImageReference.parse(reference)
    except ValueError:
        return None
    if parsed.digest:
        return parsed.digest
    path = f"/v2/{parsed.path}/manifests/{parsed.tag or 'latest'}"
    if _plain(parsed.domain):
        try:
            status, headers = _plain_head(parsed.domain, path)
        except (OSError, ValueError):
            return None
        if status != 401:
            return _digest(headers.get("docker-content-digest")) if status == 200 else None
    import urllib.error

    url = f"{_base_url(parsed.domain)}{path}"
    try:
        return _head(url, None)
    except urllib.error.HTTPError as error:
        if error.code != 401:
            return None
        try:
            token = _token(error.headers.get("WWW-Authenticate", ""))
            return _head(url, token) if token else None
        except (OSError, ValueError):
            return None
    except (OSError, ValueError):
        return None
