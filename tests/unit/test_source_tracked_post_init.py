"""Every SourceTracked subclass runs one ``model_post_init`` wrapper, not one per class level
(pydantic wraps it again in each subclass), and still records its source (issue 12)."""

from __future__ import annotations

from typing import Any

from pydantic import PrivateAttr

from bakepy.models.bake.targets import Target, TargetSpec
from bakepy.models.base import SourceTracked
from bakepy.models.compose.project import ComposeProject


def test_subclasses_run_the_one_wrapper_and_record_their_source() -> None:
    assert Target.model_post_init is SourceTracked.model_post_init
    target = Target(metadata="app", spec=TargetSpec(context="."))
    assert target.source == (__file__, 17)
    target.set_source("bakepy.yaml", 3, {("spec",): 4})
    assert target.source == ("bakepy.yaml", 3)
    assert target.line_of(("spec", "context")) == 4


def test_a_subclass_with_its_own_post_init_and_private_attributes_keeps_both() -> None:
    class Tracked(SourceTracked):
        _seen: list[str] = PrivateAttr(default_factory=list)

        def model_post_init(self, context: Any, /) -> None:
            super().model_post_init(context)
            self._seen.append("own")

    tracked = Tracked()
    assert tracked._seen == ["own"]
    assert tracked.source is not None
    assert tracked.source[0] == __file__
    project = ComposeProject.model_validate({"metadata": {"name": "p"}, "spec": {}})
    assert set(project.__pydantic_private__ or {}) >= {"_source", "_field_lines", "_dotenv"}
