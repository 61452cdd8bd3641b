"""Pickled messages through a pipe (bakepy.support.message_stream): read as they arrive, one
memo for all of them, a message pickle refuses skipped without losing the ones after it."""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator

import pytest

from bakepy.support.message_stream import MessageReceiver, MessageSender


@pytest.fixture(name="pipe")
def pipe_fixture() -> Iterator[tuple[MessageSender, MessageReceiver, int]]:
    reader, writer = os.pipe()
    receiver = MessageReceiver(reader)
    yield MessageSender(writer), receiver, writer
    receiver.close()
    with contextlib.suppress(OSError):
        os.close(writer)


def test_an_object_two_messages_hold_comes_back_as_one(
    pipe: tuple[MessageSender, MessageReceiver, int],
) -> None:
    sender, receiver, writer = pipe
    base = {"args": {"GO": "1.22"}}
    sender.send(("a", base))
    sender.send(("b", [base]))
    os.close(writer)
    receiver.read_to_end()
    (_, first), (_, second) = receiver.messages  # type: ignore[misc]
    assert first == base
    assert second[0] is first


def test_poll_takes_what_arrived_and_does_not_wait(
    pipe: tuple[MessageSender, MessageReceiver, int],
) -> None:
    sender, receiver, _ = pipe
    receiver.poll()
    assert receiver.messages == []
    assert not receiver.ended
    sender.send("one")
    receiver.poll()
    assert receiver.messages == ["one"]


def test_a_message_pickle_refuses_is_skipped_and_the_rest_arrive(
    pipe: tuple[MessageSender, MessageReceiver, int],
) -> None:
    sender, receiver, writer = pipe
    shared = ["shared"]
    assert sender.send(shared)
    assert not sender.send([shared, lambda: 1])  # refused half-way: the memo starts again
    assert sender.send(("after", shared))
    os.close(writer)
    receiver.read_to_end()
    assert receiver.messages == [["shared"], ("after", ["shared"])]


def test_messages_larger_than_the_pipe_arrive_whole(
    pipe: tuple[MessageSender, MessageReceiver, int],
) -> None:
    sender, receiver, writer = pipe
    big = ["x" * 1000] * 500 + [str(n) for n in range(100_000)]

    def send() -> None:
        sender.send(big)
        sender.send("last")
        os.close(writer)

    thread = threading.Thread(target=send)
    thread.start()
    receiver.read_to_end()
    thread.join()
    assert receiver.messages == [big, "last"]
