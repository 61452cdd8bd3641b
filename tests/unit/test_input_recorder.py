"""InputRecorder's audit hook: it notes reads, probes and listings, drops every other event,
stops when inactive, and a failure inside it only marks the recording failed."""

from __future__ import annotations

from pathlib import Path

from bakepy.cli.apply_cache import InputRecorder
from bakepy.support.probe import EVENT as PROBE


def test_the_hook_notes_reads_probes_and_listings(tmp_path: Path) -> None:
    recorder = InputRecorder()
    read, looked_for = tmp_path / "compose.yaml", tmp_path / ".env"
    recorder.hook("open", (str(read), "r", 0))
    recorder.hook("open", (str(tmp_path / "out.txt"), "w", 0))  # written, not read
    recorder.hook(PROBE, (str(looked_for),))
    recorder.hook("os.listdir", (str(tmp_path),))
    assert recorder.files == {str(read)}
    assert recorder.probed == {str(looked_for)}
    assert recorder.folders == {str(tmp_path)}
    assert not recorder.failed


def test_the_hook_drops_other_events_and_stops_when_inactive(tmp_path: Path) -> None:
    recorder = InputRecorder()
    recorder.hook("builtins.id", (1234,))
    recorder.hook("exec", (object(),))
    recorder.hook("compile", (b"", str(tmp_path / "x.py")))
    recorder.active = False
    recorder.hook("open", (str(tmp_path / "late.yaml"), "r", 0))
    assert (recorder.files, recorder.probed, recorder.folders) == (set(), set(), set())


def test_a_failure_in_the_hook_marks_the_recording_failed() -> None:
    recorder = InputRecorder()
    recorder.hook("open", ())  # not the (path, mode, flags) an open event carries
    assert recorder.failed
