"""Work shared with forked children (bakepy.support.forked): results in order, errors as one
process raises them, what a child cannot deliver computed by the parent, carriers taken back."""

from __future__ import annotations

import os
import threading
import time

import pytest

from bakepy.support import forked
from bakepy.support.forked import Pending, carry_back, forked_map, jobs

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="os.fork is POSIX only")


def _pid_and_square(value: int) -> tuple[int, int]:
    return os.getpid(), value * value


def test_results_come_back_in_order_from_every_process() -> None:
    _PARENT[0] = os.getpid()
    results = forked_map(_pid_and_square_slowest_here, list(range(40)), minimum=0, processes=3)
    assert [square for _, square in results] == [value * value for value in range(40)]
    pids = {pid for pid, _ in results}
    assert os.getpid() in pids
    assert len(pids) == 3  # both children took items


def _pid_and_slow_square(value: int) -> tuple[int, int]:
    time.sleep(0.002)  # long enough that every process gets to take some
    return _pid_and_square(value)


_PARENT = [os.getpid()]


def _pid_and_square_slowest_here(value: int) -> tuple[int, int]:
    """Slow in the parent: children surely take items, however busy the machine."""
    time.sleep(0.02 if os.getpid() == _PARENT[0] else 0.001)
    return _pid_and_square(value)


def test_the_parent_takes_from_the_front_of_the_order_and_children_from_its_back() -> None:
    """Each process takes one item at a time: the parent in ``order``, a child from its
    end; each item is taken once, and where they meet depends on who ran faster."""
    order = [5, 3, 1, 0, 2, 4, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19]
    results = forked_map(_pid_and_slow_square, list(range(20)), minimum=0, processes=2, order=order)
    assert [square for _, square in results] == [value * value for value in range(20)]
    by_parent = [results[index][0] == os.getpid() for index in order]
    assert by_parent[0]
    assert not by_parent[-1]
    meeting = by_parent.index(False)
    assert all(by_parent[:meeting])
    assert not any(by_parent[meeting:])


def test_a_slow_child_leaves_the_rest_to_the_parent() -> None:
    """Claimed one at a time, a child that is slower (another program took its core) takes
    fewer items, and the parent does not wait for a share dealt in advance."""
    parent = os.getpid()

    def work(value: int) -> int:
        if os.getpid() != parent:
            time.sleep(0.05)
        return os.getpid()

    pids = forked_map(work, list(range(40)), minimum=0, processes=2)
    assert pids.count(parent) >= 30


def test_few_items_or_one_process_stay_here() -> None:
    assert {pid for pid, _ in forked_map(_pid_and_square, [1, 2, 3], processes=4)} == {os.getpid()}
    assert {pid for pid, _ in forked_map(_pid_and_square, list(range(40)), processes=1)} == {
        os.getpid()
    }


class _Boom(Exception):
    pass


def _fails_at(bad: set[int]):  # type: ignore[no-untyped-def]
    def work(value: int) -> int:
        if value in bad:
            raise _Boom(f"item {value}")
        return value

    return work


@pytest.mark.parametrize(
    ("bad", "raised"),
    [
        ({39}, "item 39"),  # the child's first item (it takes from the back)
        ({0}, "item 0"),  # the parent's first
        ({7}, "item 7"),
        ({9, 4}, "item 4"),  # the first in order wins, whichever process met which
        ({3, 30}, "item 3"),
    ],
)
def test_the_first_failing_item_in_order_raises_as_in_a_loop(bad: set[int], raised: str) -> None:
    with pytest.raises(_Boom, match=raised):
        forked_map(_fails_at(bad), list(range(40)), minimum=0, processes=2)


def _unpicklable(value: int) -> object:
    time.sleep(0.002)
    return (lambda: value) if value % 2 else value  # a lambda cannot be pickled


def test_results_a_child_cannot_send_are_computed_here() -> None:
    results = forked_map(_unpicklable, list(range(20)), minimum=0, processes=2)
    assert [r() if callable(r) else r for r in results] == list(range(20))


def _child_exits(value: int) -> int:
    time.sleep(0.002)
    if value == 15 and os.getpid() != _PARENT[0]:  # the child takes from the back
        os._exit(3)  # a child that dies without a word
    return value


def test_a_child_that_dies_leaves_its_items_to_the_parent() -> None:
    _PARENT[0] = os.getpid()
    assert forked_map(_child_exits, list(range(20)), minimum=0, processes=2) == list(range(20))


class _Notes:
    def __init__(self) -> None:
        self.seen: set[int] = set()

    def carried(self) -> object:
        return sorted(self.seen)

    def take_back(self, state: object) -> None:
        assert isinstance(state, list)
        self.seen.update(state)


def test_carriers_bring_back_what_children_gathered() -> None:
    notes = _Notes()
    carry_back(notes)

    def work(value: int) -> int:
        notes.seen.add(value)
        time.sleep(0.002)
        return value

    forked_map(work, list(range(30)), minimum=0, processes=3)
    assert notes.seen == set(range(30))


def test_pending_gives_the_childs_value_or_raises_its_error_here() -> None:
    assert Pending(lambda: os.getpid(), processes=2).result() != os.getpid()
    assert Pending(lambda: os.getpid(), processes=1).result() == os.getpid()

    def fails() -> int:
        raise _Boom("in the check")

    pending = Pending(fails, processes=2)
    with pytest.raises(_Boom, match="in the check"):
        pending.result()


def test_no_fork_when_told_or_while_another_thread_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BAKEPY_JOBS", "1")
    assert jobs() == 1
    monkeypatch.setenv("BAKEPY_JOBS", "3")
    assert jobs() == 3
    monkeypatch.setattr(forked.sys, "platform", "darwin")
    assert jobs() == 3  # asked for
    monkeypatch.delenv("BAKEPY_JOBS")
    assert jobs() == 1  # not by default where system frameworks may not survive a fork
    monkeypatch.undo()
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert jobs() == 1
    finally:
        stop.set()
        thread.join()


def test_a_child_does_not_repeat_what_the_parent_had_not_flushed(
    capfd: pytest.CaptureFixture[str],
) -> None:
    print("before", end="", flush=False)
    forked_map(_pid_and_square, list(range(20)), minimum=0, processes=2)
    assert capfd.readouterr().out == "before"


def test_the_default_minimum_is_the_module_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(forked, "SHARED_FROM", 5)
    _PARENT[0] = os.getpid()
    pids = {pid for pid, _ in forked_map(_pid_and_square_slowest_here, list(range(6)), processes=2)}
    assert len(pids) == 2


def test_a_share_may_ask_for_more_cores_than_two(monkeypatch: pytest.MonkeyPatch) -> None:
    """A share may ask for more cores than two (``least``), unless BAKEPY_JOBS asks."""
    monkeypatch.delenv("BAKEPY_JOBS", raising=False)
    monkeypatch.setattr(forked.sys, "platform", "linux")
    monkeypatch.setattr(forked.os, "sched_getaffinity", lambda _: {0, 1}, raising=False)
    assert (jobs(), jobs(least=3)) == (2, 1)
    monkeypatch.setattr(forked.os, "sched_getaffinity", lambda _: set(range(4)), raising=False)
    assert jobs(least=3) == 4
    monkeypatch.setattr(forked.os, "sched_getaffinity", lambda _: set(range(64)), raising=False)
    assert jobs() == forked.MOST_JOBS
    monkeypatch.setenv("BAKEPY_JOBS", "2")
    assert jobs(least=3) == 2


def test_a_carrier_added_while_children_work_takes_no_others_state() -> None:
    """A carrier is matched with its child's state by a number of its own: one that dies
    and another that comes while the children work shift no one's place."""
    parent = os.getpid()
    holder = [_Notes()]
    carry_back(holder[0])
    kept = _Notes()
    carry_back(kept)
    late: list[_Notes] = []

    def work(value: int) -> int:
        kept.seen.add(value)
        if os.getpid() != parent:
            time.sleep(0.005)  # the parent takes items too, however busy the machine
        elif not late:
            holder.clear()  # the first carrier dies ...
            late.append(_Notes())
            carry_back(late[0])  # ... and another comes
        return value

    forked_map(work, list(range(20)), minimum=0, processes=2)
    assert kept.seen == set(range(20))
    assert late[0].seen == set()
