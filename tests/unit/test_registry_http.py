"""A tag's digest from a plain-HTTP registry over a bare socket (no urllib on a no-change run):
the request it sends, the answers it reads, and the urllib path a 401 falls back to; and the
plain threads the image lookups run on (no concurrent.futures, which imports logging)."""

from __future__ import annotations

import socket
import sys
import threading
from collections.abc import Iterator

import pytest

from bakepy.engine import registry_http
from bakepy.engine.registry_http import tag_digest

DIGEST = "sha256:" + "b" * 64


class _Registry:
    """A one-answer-per-connection HTTP server on 127.0.0.1 that records each request."""

    def __init__(self, answers: list[bytes]) -> None:
        self.answers = answers
        self.requests: list[bytes] = []
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        for answer in self.answers:
            connection, _ = self.server.accept()
            with connection:
                request = b""
                while b"\r\n\r\n" not in request:
                    request += connection.recv(4096)
                self.requests.append(request)
                for piece in (answer[:20], answer[20:]):  # the answer in two reads
                    connection.sendall(piece)


@pytest.fixture
def registry(request: pytest.FixtureRequest) -> Iterator[_Registry]:
    served = _Registry(request.param)
    yield served
    served.server.close()


@pytest.mark.parametrize(
    "registry",
    [
        [
            b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nDocker-Content-Digest: "
            + DIGEST.encode()
            + b"\r\n\r\n"
        ]
    ],
    indirect=True,
)
def test_a_plain_http_registry_is_asked_over_a_bare_socket(registry: _Registry) -> None:
    loaded = set(sys.modules)
    assert tag_digest(f"127.0.0.1:{registry.port}/team/app:1.2") == DIGEST
    (sent,) = registry.requests
    lines = sent.decode().split("\r\n")
    assert lines[0] == "HEAD /v2/team/app/manifests/1.2 HTTP/1.1"
    assert f"Host: 127.0.0.1:{registry.port}" in lines
    assert any(line.startswith("Accept: application/vnd.oci.image.index.v1+json") for line in lines)
    assert not {m for m in set(sys.modules) - loaded if m.startswith(("urllib", "email"))}


@pytest.mark.parametrize(
    "registry",
    [[b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"], [b"garbage\r\n\r\n"], [b""]],
    indirect=True,
)
def test_no_tag_or_no_registry_answer_is_not_known(registry: _Registry) -> None:
    assert tag_digest(f"localhost:{registry.port}/app:1") is None


def test_nothing_listening_is_not_known() -> None:
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]
    assert tag_digest(f"localhost:{port}/app:1") is None


@pytest.mark.parametrize(
    "registry", [[b"HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n"]], indirect=True
)
def test_a_401_takes_the_token_path(registry: _Registry, monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []

    def head(url: str, token: str | None) -> str | None:
        asked.append(url)
        return DIGEST

    monkeypatch.setattr(registry_http, "_head", head)
    assert tag_digest(f"localhost:{registry.port}/app:1") == DIGEST
    assert asked == [f"http://localhost:{registry.port}/v2/app/manifests/1"]


def test_host_and_port_of_a_registry_domain() -> None:
    assert registry_http._host_port("localhost:5000") == ("localhost", 5000)
    assert registry_http._host_port("[::1]:5000") == ("::1", 5000)
    assert registry_http._host_port("127.0.0.1") == ("127.0.0.1", 80)
    assert registry_http._plain("[::1]:5000")
    assert not registry_http._plain("ghcr.io")


def test_lookups_run_side_by_side_in_order_and_raise_the_first_error() -> None:
    from bakepy.engine.image_lookup import _in_threads

    started = threading.Barrier(3, timeout=5)  # three calls wait for each other: in parallel

    def call(value: int) -> int:
        started.wait()
        return value * 2

    assert _in_threads([lambda v=v: call(v) for v in (1, 2, 3)], 8) == [2, 4, 6]  # type: ignore[misc]
    assert _in_threads([], 8) == []

    def fails() -> int:
        raise ValueError("no answer")

    with pytest.raises(ValueError, match="no answer"):
        _in_threads([lambda: 1, fails], 1)
