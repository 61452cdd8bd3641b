"""The read phase: compose files (and the documents in each) merged into one raw model.

Several files, or several YAML documents in one file, merge in order with compose's merge
rules, as ``docker compose -f a.yaml -f b.yaml`` merges them.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bakepy.errors import LoadError, Location
from bakepy.loaders.compose.merge import MergeError, merge_values
from bakepy.loaders.compose.origins import Origins
from bakepy.loaders.compose.raw import RawModel
from bakepy.loaders.compose.yaml_reader import read_yaml
from bakepy.support.utf8 import utf8_problem


def read_model(files: Sequence[Path], directory: Path) -> RawModel:
    """The files' documents merged in order (relative paths relative to ``directory``)."""
    data: dict[str, Any] = {}
    origins: Origins | None = None
    tagged = dollars = words = False
    for file in files:
        documents = read_yaml(file)
        for document in documents:
            tagged = tagged or document.tagged
            dollars = dollars or document.dollars
            words = words or document.words
            if not isinstance(document.data, dict):
                where = Location(file, (document.origins.find(()) or (file, None))[1])
                raise LoadError(
                    "a compose file must be a mapping of services, networks, ...", where
                )
            if origins is None:  # the first document merged into nothing is itself: kept
                data, origins = document.data, document.origins
                continue
            try:
                merged, changed = merge_values(data, document.data)
            except MergeError as exc:
                raise LoadError(str(exc), document.origins.location((), file)) from None
            data = merged
            origins.graft(document.origins, (), ())
            for path in changed:
                origins.drop_below(path)
        if not documents:
            raise LoadError("empty compose file", Location(file))
    origins = origins if origins is not None else Origins()
    return RawModel(data, origins, directory, list(files), tagged, dollars, words)


def dotenv_text(files: Sequence[Path]) -> str | None:
    """The text of a project's env files (its ``.env``), joined in order; None without any."""
    texts: list[str] = []
    for file in files:
        try:
            text = file.read_text(encoding="utf-8")
        except OSError as exc:
            reason = exc.strerror
            raise LoadError(f"cannot read env file {file}: {reason}", Location(file)) from None
        except UnicodeDecodeError:
            problem, line = utf8_problem(file)
            raise LoadError(f"env file: {problem}", Location(file, line)) from None
        texts.append(text if text.endswith("\n") or not text else text + "\n")
    return "".join(texts) if texts else None
