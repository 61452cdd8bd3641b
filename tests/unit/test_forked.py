"""Work shared with forked children (bakepy.support.forked): results in order, errors as one
process raises them, what a child cannot deliver computed by the parent, carriers taken back."""

from __future__ import annotations

import os
import threading

import pytest

from bakepy.support import forked
from bakepy.support.forked import Pending, carry_back, dealt, forked_map, jobs

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="os.fork is POSIX only")


def _pid_and_square(value: int) -> tuple[int, int]:
    return os.getpid(), value * value


def test_results_come_back_in_order_from_every_process() -> None:
    results = forked_map(_pid_and_square, list(range(40)), minimum=0, processes=3)
    assert [square for _, square in results] == [value * value for value in range(40)]
    pids = {pid for pid, _ in results}
    assert os.getpid() in pids
    assert len(pids) == 3  # two children did their shares (as dealt)
    own, first, _ = dealt(40, 3)
    assert {results[index][0] for index in own} == {os.getpid()}
    assert {results[index][0] for index in first} == {results[first[0]][0]} != {os.getpid()}


def test_items_are_dealt_in_turn_the_parent_taking_its_weight() -> None:
    """Evenly weighted, every n-th item each (the parent from the first); weighted, the
    parent takes that many for a child's one, spread over the list, and every index is
    dealt once."""
    assert dealt(7, 3, 1.0) == [[0, 3, 6], [1, 4], [2, 5]]
    own, child = dealt(90, 2, 1.25)
    assert (len(own), len(child)) == (50, 40)
    assert sorted(own + child) == list(range(90))
    assert all(len(set(range(start, start + 4)) & set(child)) >= 1 for start in range(87))
    assert [len(share) for share in dealt(100, 4, 1.25)] == [29, 24, 24, 23]


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
        ({7}, "item 7"),  # a child's item (see dealt(20, 2): 7 is not the parent's)
        ({8}, "item 8"),  # the parent's own
        ({9, 4}, "item 4"),  # the first in order wins, whichever process met which
        ({3, 30}, "item 3"),
    ],
)
def test_the_first_failing_item_in_order_raises_as_in_a_loop(bad: set[int], raised: str) -> None:
    with pytest.raises(_Boom, match=raised):
        forked_map(_fails_at(bad), list(range(40)), minimum=0, processes=2)


def _unpicklable(value: int) -> object:
    return (lambda: value) if value % 2 else value  # a lambda cannot be pickled


def test_results_a_child_cannot_send_are_computed_here() -> None:
    results = forked_map(_unpicklable, list(range(20)), minimum=0, processes=2)
    assert [r() if callable(r) else r for r in results] == list(range(20))


def _child_exits(value: int) -> int:
    if value == 5 and os.getpid() != _PARENT[0]:
        os._exit(3)  # a child that dies without a word
    return value


_PARENT = [0]


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
    pids = {pid for pid, _ in forked_map(_pid_and_square, list(range(6)), processes=2)}
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
        if os.getpid() == parent and not late:
            holder.clear()  # the first carrier dies ...
            late.append(_Notes())
            carry_back(late[0])  # ... and another comes
        return value

    forked_map(work, list(range(20)), minimum=0, processes=2)
    assert kept.seen == set(range(20))
    assert late[0].seen == set()
