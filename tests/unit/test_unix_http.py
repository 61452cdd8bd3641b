"""The Engine API reads over a unix socket with the standard library alone: answers read whole
(plain or chunked), several requests answered side by side, and a clear EngineError for a
status that is not 200, an answer that is not JSON, and a socket nobody listens on."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bakepy.engine.unix_http import get_json, get_many, json_filters
from bakepy.errors import EngineError

Answer = Callable[[bytes], bytes]


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, list[bytes], list[Answer]]]:
    """A unix socket that answers each connection with the next of ``answers`` (a function of
    the request), and notes the requests it got."""
    path = str(tmp_path / "engine.sock")
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(8)
    requests: list[bytes] = []
    answers: list[Answer] = []

    stop = threading.Event()

    def serve() -> None:
        while True:
            connection, _ = listener.accept()
            if stop.is_set():
                connection.close()
                return
            with connection:
                request = b""
                while b"\r\n\r\n" not in request:
                    request += connection.recv(4096)
                requests.append(request)
                connection.sendall(answers.pop(0)(request))

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield path, requests, answers
    finally:
        stop.set()
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as wake:
            wake.connect(path)  # the server returns from accept, sees stop, and ends
        thread.join(timeout=5)
        listener.close()


def _ok(body: bytes) -> Answer:
    return lambda request: b"HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n" + body


def test_a_get_sends_http_1_0_with_the_query_and_reads_the_whole_answer(
    server: tuple[str, list[bytes], list[Answer]],
) -> None:
    path, requests, answers = server
    answers.append(_ok(b'[{"Name": "a"}]'))
    query = {"filters": json_filters({"label": ["x=y"]}), "status": "true"}
    assert get_json(path, "list services", "/services", query) == [{"Name": "a"}]
    line = requests[0].split(b"\r\n")[0]
    assert line == (
        b"GET /services?filters=%7B%22label%22%3A+%5B%22x%3Dy%22%5D%7D&status=true HTTP/1.0"
    )


def test_a_chunked_answer_is_decoded(server: tuple[str, list[bytes], list[Answer]]) -> None:
    path, _, answers = server
    chunked = (
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n[1, \r\n2\r\n2]\r\n0\r\n\r\n"
    )
    answers.append(lambda request: chunked)
    assert get_json(path, "list", "/x", {}) == [1, 2]


def test_several_requests_are_sent_before_any_answer_is_read(
    server: tuple[str, list[bytes], list[Answer]],
) -> None:
    path, requests, answers = server
    answers += [_ok(b"1"), _ok(b"2"), _ok(b"3")]
    found = get_many(path, [("a", "/a", {}), ("b", "/b", {}), ("c", "/c", {})], 5)
    assert found == [1, 2, 3]
    assert [r.split(b" ")[1] for r in requests] == [b"/a", b"/b", b"/c"]


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (b'HTTP/1.0 500 Internal Server Error\r\n\r\n{"message": "boom"}', "HTTP 500"),
        (b"HTTP/1.0 200 OK\r\n\r\nnot json", "not JSON"),
        (b"garbage", "not HTTP"),
    ],
)
def test_a_bad_answer_is_a_clear_engine_error(
    server: tuple[str, list[bytes], list[Answer]], answer: bytes, message: str
) -> None:
    path, _, answers = server
    answers.append(lambda request: answer)
    with pytest.raises(EngineError, match=f"list networks: .*{message}"):
        get_json(path, "list networks", "/networks", {})


def test_no_engine_at_the_socket_is_a_clear_engine_error(tmp_path: Path) -> None:
    with pytest.raises(EngineError, match="list networks: "):
        get_json(str(tmp_path / "none.sock"), "list networks", "/networks", {})
