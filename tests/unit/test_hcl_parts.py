"""Large HCL files parse in parts between top-level blocks; the result is the same."""

from __future__ import annotations

from pathlib import Path

import pytest

from bakepy.errors import LoadError
from bakepy.loaders.bake import parse as hcl_parse
from bakepy.loaders.bake.chunks import split_top_level, top_level_boundaries

TRICKY = """\
# a } in a comment
variable "A" {
  default = "}{"
}
/* block comment with target "x" { */
target "a" {
  args = { X = "${upper("}")}" }
  dockerfile-inline = <<EOT
}
target "fake" {
EOT
}
// another } comment
target "b" {
  tags = ["b"]
}
group "g" { targets = ["a", "b"] }
"""


def test_boundaries_skip_strings_heredocs_and_comments() -> None:
    starts = [TRICKY.count("\n", 0, offset) + 1 for offset in top_level_boundaries(TRICKY)]
    assert starts == [1, 2, 5, 6, 13, 14, 17]  # never inside the heredoc (lines 9-11)


@pytest.mark.parametrize("parts", [1, 2, 3, 10])
def test_parts_join_back_to_the_text(parts: int) -> None:
    pieces = split_top_level(TRICKY, parts)
    assert "".join(pieces) == TRICKY
    assert len(pieces) <= parts


def test_parsing_in_parts_gives_the_same_dict(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BAKEPY_CACHE_DIR", str(tmp_path / "whole"))
    whole = hcl_parse.parse_hcl(TRICKY, tmp_path / "f.hcl")
    monkeypatch.setenv("BAKEPY_CACHE_DIR", str(tmp_path / "parts"))
    monkeypatch.setattr(hcl_parse, "PART_BYTES", 60)
    assert hcl_parse.parse_hcl(TRICKY, tmp_path / "f.hcl", parallel=False) == whole
    assert len(list((tmp_path / "parts" / "hcl").iterdir())) > 2  # each part cached


def test_syntax_errors_in_a_later_part_name_the_file_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BAKEPY_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(hcl_parse, "PART_BYTES", 60)
    text = TRICKY + 'target "broken" {\n  tags = [\n}\n'
    with pytest.raises(LoadError) as info:
        hcl_parse.parse_hcl(text, tmp_path / "f.hcl", parallel=False)
    assert info.value.location.line == TRICKY.count("\n") + 3
    assert "at line" not in info.value.message


def test_the_parse_cache_is_keyed_on_the_parser_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    """A result python-hcl2 8.1 cached is not reused under another version (or lark): an
    older parser reads some files differently."""
    text = 'target "a" {}\n'
    before = hcl_parse._cache_file(text)
    monkeypatch.setattr(hcl_parse, "dependencies_fingerprint", lambda *modules: "other")
    assert hcl_parse._cache_file(text) != before


def test_the_dependencies_fingerprint_follows_the_installed_files(tmp_path: Path) -> None:
    from bakepy.support.cache import dependencies_fingerprint

    assert dependencies_fingerprint("hcl2") == dependencies_fingerprint("hcl2")
    assert dependencies_fingerprint("hcl2") != dependencies_fingerprint("lark")
    assert dependencies_fingerprint("no_such_module_here")  # missing: still a key
