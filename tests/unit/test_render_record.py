"""A render records what it wrote (.bakepy-rendered.json); a later render removes the files it
no longer produces (unless edited since) and `render --check` reports them as stale."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from bakepy.api.output import diff_files, write_files
from bakepy.api.render_record import RECORD_NAME
from bakepy.cli import app
from bakepy.generators.files import RenderedFile

REPO = Path(__file__).resolve().parents[2]
GO_EXAMPLE = REPO / "examples" / "go-client-server" / "bakepy.py"  # bakepy.yaml is beside it
runner = CliRunner()


def files(**texts: str) -> list[RenderedFile]:
    return [RenderedFile(name.replace("_", "."), text, "text") for name, text in texts.items()]


def test_the_record_lists_every_file_with_its_digest_and_is_stable(tmp_path: Path) -> None:
    rendered = files(b_txt="b\n", a_txt="a\n")
    report = write_files(rendered, tmp_path / "one")
    write_files(list(reversed(rendered)), tmp_path / "two")
    assert report.changed == ["b.txt", "a.txt", RECORD_NAME]
    one = (tmp_path / "one" / RECORD_NAME).read_bytes()
    assert one == (tmp_path / "two" / RECORD_NAME).read_bytes()
    recorded = json.loads(one)["files"]
    assert list(recorded) == ["a.txt", "b.txt"]
    assert all(digest.startswith("sha256:") for digest in recorded.values())
    assert write_files(rendered, tmp_path / "one").changed == []


def test_a_file_no_longer_rendered_is_stale_and_the_next_render_removes_it(
    tmp_path: Path,
) -> None:
    write_files(files(a_txt="a\n", old_txt="old\n"), tmp_path)
    now = files(a_txt="a\n")
    check = diff_files(now, tmp_path)
    assert check.stale == ["old.txt"]
    assert check.changed == [RECORD_NAME]
    assert (tmp_path / "old.txt").exists()  # a check writes nothing
    report = write_files(now, tmp_path)
    assert report.removed == ["old.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [RECORD_NAME, "a.txt"]
    assert diff_files(now, tmp_path).stale == []


def test_folders_the_stale_files_leave_empty_are_removed_and_no_others(tmp_path: Path) -> None:
    old = [
        RenderedFile("a.txt", "a\n", "text"),
        RenderedFile("services/api/Dockerfile", "FROM x\n", "text"),
        RenderedFile("services/api/conf/app.ini", "k=v\n", "text"),
        RenderedFile("services/web/Dockerfile", "FROM y\n", "text"),
        RenderedFile("services/web/extra.txt", "e\n", "text"),
    ]
    write_files(old, tmp_path)
    (tmp_path / "empty-by-hand").mkdir()
    (tmp_path / "services" / "web" / "mine.txt").write_text("a user's file\n")
    report = write_files([old[0]], tmp_path)
    assert sorted(report.removed) == sorted(file.path for file in old[1:])
    assert not (tmp_path / "services" / "api").exists()
    assert sorted(p.name for p in (tmp_path / "services" / "web").iterdir()) == ["mine.txt"]
    assert (tmp_path / "empty-by-hand").is_dir()  # not emptied by bakepy: not bakepy's to remove


def test_a_stale_file_edited_since_is_kept_and_no_longer_recorded(tmp_path: Path) -> None:
    write_files(files(a_txt="a\n", old_txt="old\n"), tmp_path)
    (tmp_path / "old.txt").write_text("my edit\n")
    now = files(a_txt="a\n")
    assert diff_files(now, tmp_path).kept == ["old.txt"]
    report = write_files(now, tmp_path)
    assert report.kept == ["old.txt"]
    assert report.removed == []
    assert (tmp_path / "old.txt").read_text() == "my edit\n"
    assert "old.txt" not in json.loads((tmp_path / RECORD_NAME).read_text())["files"]
    assert diff_files(now, tmp_path).stale == []  # the user's file now


def test_a_partial_render_removes_nothing_and_keeps_the_other_files_recorded(
    tmp_path: Path,
) -> None:
    write_files(files(a_txt="a\n", b_txt="b\n"), tmp_path)
    assert diff_files(files(a_txt="a\n"), tmp_path, prune=False).stale == []
    report = write_files(files(a_txt="a2\n"), tmp_path, prune=False)
    assert report.removed == []
    assert (tmp_path / "b.txt").exists()
    assert list(json.loads((tmp_path / RECORD_NAME).read_text())["files"]) == ["a.txt", "b.txt"]


def test_a_file_removed_by_hand_or_a_bad_record_is_no_error(tmp_path: Path) -> None:
    write_files(files(a_txt="a\n", old_txt="old\n"), tmp_path)
    (tmp_path / "old.txt").unlink()
    assert diff_files(files(a_txt="a\n"), tmp_path).stale == []
    (tmp_path / RECORD_NAME).write_text('{"files": {"../../etc/passwd": "sha256:0"}}')
    assert write_files(files(a_txt="a\n"), tmp_path).removed == []  # outside: never touched
    (tmp_path / RECORD_NAME).write_text("not json")
    report = write_files(files(a_txt="a\n"), tmp_path)
    assert report.warnings
    assert "not a record bakepy wrote" in report.warnings[0]
    assert json.loads((tmp_path / RECORD_NAME).read_text())["files"].keys() == {"a.txt"}


def test_without_a_record_nothing_is_recorded_or_removed(tmp_path: Path) -> None:
    write_files(files(a_txt="a\n", old_txt="old\n"), tmp_path)
    write_files(files(new_txt="new\n"), tmp_path, record=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        RECORD_NAME,
        "a.txt",
        "new.txt",
        "old.txt",
    ]


def test_cli_check_reports_stale_files_and_render_removes_them(tmp_path: Path) -> None:
    def render(*args: str) -> tuple[int, str, str]:
        result = runner.invoke(
            app, ["render", "-f", str(GO_EXAMPLE), "--out", str(tmp_path), *args]
        )
        return result.exit_code, result.stdout, result.stderr

    assert render()[0] == 0
    assert render("--check")[0] == 0
    code, out, _ = render("--check", "--format", "json")  # docker-bake.hcl is no longer rendered
    assert code == 1
    assert f"stale: {tmp_path / 'docker-bake.hcl'} (no longer rendered; render removes it)" in out
    code, out, _ = render("--format", "json")
    assert code == 0
    assert f"removed {tmp_path / 'docker-bake.hcl'} (no longer rendered)" in out
    assert not (tmp_path / "docker-bake.hcl").exists()
    assert render("--check", "--format", "json")[0] == 0


def test_cli_render_of_some_targets_removes_nothing(tmp_path: Path) -> None:
    runner.invoke(app, ["render", "-f", str(GO_EXAMPLE), "--out", str(tmp_path)])
    before = sorted(p.name for p in tmp_path.iterdir())
    result = runner.invoke(
        app, ["render", "-f", str(GO_EXAMPLE), "--out", str(tmp_path), "-l", "kind=image"]
    )
    assert result.exit_code == 0
    assert "removed" not in result.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == before
