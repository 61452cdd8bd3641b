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
def pipe_fixture() -> Iterator[tuple[MessageSender, MessageReceiver]]:
    reader, writer = os.pipe()
    receiver = MessageReceiver(reader)
    sender = MessageSender(writer)
    yield sender, receiver
    receiver.close()
    with contextlib.suppress(OSError):  # the reader is gone: what is left cannot be sent
        sender.close()


def test_an_object_two_messages_hold_comes_back_as_one(
    pipe: tuple[MessageSender, MessageReceiver],
) -> None:
    sender, receiver = pipe
    base = {"args": {"GO": "1.22"}}
    sender.send(("a", base))
    sender.send(("b", [base]))
    sender.close()
    receiver.read_to_end()
    (_, first), (_, second) = receiver.messages  # type: ignore[misc]
    assert first == base
    assert second[0] is first


def test_poll_takes_what_arrived_and_does_not_wait(
    pipe: tuple[MessageSender, MessageReceiver],
) -> None:
    sender, receiver = pipe
    receiver.poll()
    assert receiver.messages == []
    assert not receiver.ended
    sender.send("one")
    receiver.poll()
    assert receiver.messages == ["one"]


def test_a_message_pickle_refuses_is_skipped_and_the_rest_arrive(
    pipe: tuple[MessageSender, MessageReceiver],
) -> None:
    sender, receiver = pipe
    shared = ["shared"]
    assert sender.send(shared)
    assert not sender.send([shared, lambda: 1])  # refused half-way: the memo starts again
    assert sender.send(("after", shared))
    sender.close()
    receiver.read_to_end()
    assert receiver.messages == [["shared"], ("after", ["shared"])]


def test_messages_larger_than_the_pipe_arrive_whole(
    pipe: tuple[MessageSender, MessageReceiver],
) -> None:
    sender, receiver = pipe
    big = ["x" * 1000] * 500 + [str(n) for n in range(100_000)]

    def send() -> None:
        sender.send(big)
        sender.send("last")
        sender.close()

    thread = threading.Thread(target=send)
    thread.start()
    receiver.read_to_end()
    thread.join()
    assert receiver.messages == [big, "last"]


def test_a_sender_does_not_wait_for_a_busy_reader(
    pipe: tuple[MessageSender, MessageReceiver],
) -> None:
    """More than the pipe holds is kept back, not waited on: a child goes on with its next
    item while the parent is busy with one of its own; ``close`` then sends the rest."""
    sender, receiver = pipe
    chunk = "y" * 100_000
    for number in range(20):  # 2 MB, far more than a pipe holds: returns at once
        sender.send((number, chunk))
    thread = threading.Thread(target=sender.close)
    thread.start()
    receiver.read_to_end()
    thread.join()
    assert [number for number, _ in receiver.messages] == list(range(20))  # type: ignore[misc]
