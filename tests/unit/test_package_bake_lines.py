"""A package's bake-file resources know the line of their block and of each attribute, as
``package_bake_resources`` gives them (an error about a value names the value's line)."""

from __future__ import annotations

from pathlib import Path

from bakepy.loaders.bake.files import load_bake_file
from bakepy.loaders.package_bake import package_bake_resources
from bakepy.project import BakeFile

TEXT = """\
variable "TAG" {
  default = "dev"
}

target "base" {
  platforms = ["linux/amd64"]
}

target "app" {
  inherits = ["base"]
  context = "."
  cache-from = ["type=registry,ref=app:cache"]
  tags = ["app:${TAG}"]
}

group "default" {
  targets = ["app"]
}
"""


def test_each_resource_knows_its_block_and_attribute_lines(tmp_path: Path) -> None:
    path = tmp_path / "docker-bake.hcl"
    path.write_text(TEXT, encoding="utf-8")
    resources = {
        (r.KIND, r.name): r
        for r in package_bake_resources([BakeFile(path, tmp_path, load_bake_file(path))])
    }
    app = resources[("Target", "app")]
    assert app.source == (str(path), 9)
    assert app.line_of(("spec", "context")) == 11
    assert app.line_of(("spec", "cache_from")) == 12  # bake's cache-from, the spec's field
    assert app.line_of(("spec", "tags", 0)) == 13
    assert resources[("Target", "base")].line_of(("spec", "platforms")) == 6
    assert resources[("Variable", "TAG")].line_of(("spec", "default")) == 2
    assert resources[("Group", "default")].line_of(("spec", "targets")) == 17
    assert resources[("Group", "default")].line_of(("spec", "context")) == 16  # the block's
