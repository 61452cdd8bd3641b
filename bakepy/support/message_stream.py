"""Pickled messages through a pipe, sent one at a time and read as they come: a forked child
sends each result as soon as it has it, and the parent unpickles it between its own items
instead of all of them at the end, when it has nothing else to do but wait.

The messages share one pickle memo, as one pickle of all of them would: an object two results
hold (a base target both inherit) comes back once, as one object. A message pickle refuses is
not sent (the parent computes it); the sender then starts a new memo, and says so, because the
refused pickle may have named objects in the memo that were never sent.
"""

from __future__ import annotations

import contextlib
import io
import os
import pickle
import struct

_HEADER = struct.Struct("<IB")
"""A message's frame: the length of its pickle and whether it starts a new memo."""

_CHUNK = 1 << 20


class MessageSender:
    """Sends pickled messages through the pipe ``writer`` (a file descriptor)."""

    def __init__(self, writer: int) -> None:
        self._writer = writer
        os.set_blocking(writer, False)
        self._backlog = bytearray()
        """What the pipe had no room for yet: a parent busy with an item of its own reads
        nothing meanwhile, and a child waiting on a full pipe would do nothing either."""
        self._buffer = io.BytesIO()
        self._pickler = pickle.Pickler(self._buffer, protocol=pickle.HIGHEST_PROTOCOL)
        self._fresh = True
        self._closed = False

    def send(self, message: object) -> bool:
        """Send ``message``; False when pickle refuses it (nothing is sent)."""
        self._buffer.seek(0)
        self._buffer.truncate()
        try:
            self._pickler.dump(message)
        except Exception:  # the memo may now name objects never sent: start a new one
            self._buffer = io.BytesIO()
            self._pickler = pickle.Pickler(self._buffer, protocol=pickle.HIGHEST_PROTOCOL)
            self._fresh = True
            return False
        payload = self._buffer.getvalue()
        self._backlog += _HEADER.pack(len(payload), self._fresh)
        self._backlog += payload
        self._fresh = False
        self._write()
        return True

    def close(self) -> None:
        """Send what is left, waiting for room, and close the pipe (once)."""
        if self._closed:
            return
        self._closed = True
        try:
            os.set_blocking(self._writer, True)
            self._write()
        finally:
            os.close(self._writer)

    def _write(self) -> None:
        """Write as much of the backlog as the pipe takes (all of it, once blocking)."""
        backlog = self._backlog
        try:
            while backlog:
                del backlog[: os.write(self._writer, backlog)]
        except BlockingIOError:
            pass


class MessageReceiver:
    """Reads the messages a :class:`MessageSender` sends through the pipe ``reader``, as many
    as have arrived (:meth:`poll`) or all of them up to the end (:meth:`read_to_end`)."""

    def __init__(self, reader: int) -> None:
        self._reader = reader
        os.set_blocking(reader, False)
        self._pending = bytearray()
        self._stream = io.BytesIO()
        self._unpickler: pickle.Unpickler | None = None
        self.messages: list[object] = []
        """What arrived and unpickled, in the order sent."""
        self.ended = False
        """Whether the sender closed the pipe (or it broke)."""

    def poll(self) -> None:
        """Take in whatever has arrived, without waiting."""
        while not self.ended:
            try:
                chunk = os.read(self._reader, _CHUNK)
            except BlockingIOError:
                return
            except OSError:
                chunk = b""
            self._take(chunk)

    def read_to_end(self) -> None:
        """Take in everything until the sender closes the pipe."""
        if self.ended:
            return
        os.set_blocking(self._reader, True)
        while not self.ended:
            try:
                chunk = os.read(self._reader, _CHUNK)
            except OSError:
                chunk = b""
            self._take(chunk)

    def close(self) -> None:
        """Close the pipe (a sender still writing then fails, and stops)."""
        self.ended = True
        with contextlib.suppress(OSError):
            os.close(self._reader)

    def _take(self, chunk: bytes) -> None:
        if not chunk:
            self.close()
            return
        pending = self._pending
        pending += chunk
        start = 0
        while len(pending) - start >= _HEADER.size:
            length, fresh = _HEADER.unpack_from(pending, start)
            end = start + _HEADER.size + length
            if len(pending) < end:
                break
            self._unpickle(pending[start + _HEADER.size : end], fresh=bool(fresh))
            start = end
        del pending[:start]

    def _unpickle(self, payload: bytearray, *, fresh: bool) -> None:
        if fresh:
            self._stream = io.BytesIO()
            self._unpickler = pickle.Unpickler(self._stream)
        if self._unpickler is None:  # an earlier message failed: its memo is lost until a new one
            return
        self._stream.seek(0)
        self._stream.truncate()
        self._stream.write(payload)
        self._stream.seek(0)
        try:
            self.messages.append(self._unpickler.load())
        except Exception:  # a class this process cannot find: the parent computes the rest
            self._unpickler = None
