"""Read-only Engine API requests over the engine's local unix socket, with nothing but the
standard library's ``socket`` and ``json``.

A no-change ``bakepy apply`` answered from its cache (``bakepy.cli.noop_apply``) makes a few
list calls and nothing else; the docker SDK (requests, urllib3) or even ``http.client`` (the
``email`` package, ``ssl``) would cost more to import than the rest of that run. A request is
HTTP/1.0, so the engine answers with the whole body and closes the connection (no chunks, no
keep-alive); a chunked answer is decoded all the same.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlencode

from bakepy.errors import EngineError

TIMEOUT = 60.0
"""Seconds a read may take (the SDK's default timeout)."""


def json_filters(filters: Mapping[str, Sequence[str]]) -> str:
    """Engine API list filters as the query parameter takes them (JSON of lists)."""
    return json.dumps({key: list(values) for key, values in filters.items()})


def _exchange(socket_path: str, request: bytes, timeout: float) -> bytes:
    """Send one request and read the answer until the engine closes the connection."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout)
        sock.connect(socket_path)
        sock.sendall(request)
        chunks = []
        while data := sock.recv(1 << 16):
            chunks.append(data)
    return b"".join(chunks)


def _unchunked(body: bytes) -> bytes:
    """The body of a ``Transfer-Encoding: chunked`` answer."""
    parts: list[bytes] = []
    while True:
        size_line, _, rest = body.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            return b"".join(parts)
        parts.append(rest[:size])
        body = rest[size + 2 :]


def _split(answer: bytes) -> tuple[int, bytes]:
    """The status code and body of a raw HTTP answer (ValueError when it is not one)."""
    head, separator, body = answer.partition(b"\r\n\r\n")
    if not separator:
        raise ValueError("no end of headers")
    lines = head.split(b"\r\n")
    status = int(lines[0].split()[1])
    headers = {
        k.strip().lower(): v.strip().lower() for k, _, v in (h.partition(b":") for h in lines[1:])
    }
    if headers.get(b"transfer-encoding") == b"chunked":
        body = _unchunked(body)
    return status, body


def get_json(
    socket_path: str, what: str, path: str, query: Mapping[str, str], timeout: float = TIMEOUT
) -> Any:
    """GET one Engine API path over the socket; its JSON answer (EngineError otherwise)."""
    target = f"{path}?{urlencode(query)}" if query else path
    request = f"GET {target} HTTP/1.0\r\nHost: docker\r\n\r\n".encode()
    try:
        status, body = _split(_exchange(socket_path, request, timeout))
    except OSError as error:
        raise EngineError(f"{what}: {error}") from None
    except (ValueError, IndexError):
        raise EngineError(f"{what}: the engine's answer is not HTTP") from None
    if status != 200:
        raise EngineError(f"{what}: HTTP {status}: {body[:200]!r}")
    try:
        return json.loads(body)
    except ValueError:
        raise EngineError(f"{what}: the engine's answer is not JSON") from None
