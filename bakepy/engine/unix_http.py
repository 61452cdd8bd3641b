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


def _send(socket_path: str, request: bytes, timeout: float) -> socket.socket:
    """A connection that carries ``request``, its answer still to read."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.settimeout(timeout)
        sock.connect(socket_path)
        sock.sendall(request)
    except OSError:
        sock.close()
        raise
    return sock


def _receive(sock: socket.socket) -> bytes:
    """The whole answer, read until the engine closes the connection (then closed here)."""
    with sock:
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


def _request(path: str, query: Mapping[str, str]) -> bytes:
    target = f"{path}?{urlencode(query)}" if query else path
    return f"GET {target} HTTP/1.0\r\nHost: docker\r\n\r\n".encode()


def _answer(what: str, answer: bytes) -> Any:
    """The JSON body of a 200 answer; EngineError for anything else."""
    try:
        status, body = _split(answer)
    except (ValueError, IndexError):
        raise EngineError(f"{what}: the engine's answer is not HTTP") from None
    if status != 200:
        raise EngineError(f"{what}: HTTP {status}: {body[:200]!r}")
    try:
        return json.loads(body)
    except ValueError:
        raise EngineError(f"{what}: the engine's answer is not JSON") from None


def get_json(
    socket_path: str, what: str, path: str, query: Mapping[str, str], timeout: float = TIMEOUT
) -> Any:
    """GET one Engine API path over the socket; its JSON answer (EngineError otherwise)."""
    return get_many(socket_path, [(what, path, query)], timeout)[0]


def get_many(
    socket_path: str, requests: Sequence[tuple[str, str, Mapping[str, str]]], timeout: float
) -> list[Any]:
    """GET several paths at once (each ``(what, path, query)`` on a connection of its own, all
    sent before any answer is read, so the engine answers them side by side); their JSON
    answers in order (EngineError for the first that fails)."""
    sent: list[socket.socket] = []
    try:
        for what, path, query in requests:
            try:
                sent.append(_send(socket_path, _request(path, query), timeout))
            except OSError as error:
                raise EngineError(f"{what}: {error}") from None
        answers = []
        for (what, _, _), sock in zip(requests, sent, strict=True):
            try:
                answers.append(_receive(sock))
            except OSError as error:
                raise EngineError(f"{what}: {error}") from None
    finally:
        for sock in sent:
            sock.close()
    return [_answer(what, answer) for (what, _, _), answer in zip(requests, answers, strict=True)]
