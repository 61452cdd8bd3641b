"""The quick Dockerfile scan decides each instruction's action once per text (``_action``) and
applies it to the stages read so far: the same line means the same thing in every file, but
what it may do depends on whether a FROM came before it."""

from __future__ import annotations

from bakepy.loaders.dockerfile.scan import _action, scan_dockerfile
from bakepy.resolution.checks.target_shape import DockerfileShape, StageShape


def test_each_instruction_text_has_one_action() -> None:
    assert _action("FROM golang:1.22 AS build") == ("from", "build", "golang:1.22")
    assert _action("from --platform=$BUILDPLATFORM busybox") == ("from", None, "busybox")
    assert _action("ARG A=1 B") == ("arg", (("A", "1"), ("B", None)))
    assert _action("COPY --from=build /out /app") == ("copy", ("build",))
    assert _action("COPY main.go .") == ("copy", ())
    assert _action("RUN go build") == ("stage",)
    assert _action("RUN --network=none true") == ("stage",)
    for unsure in ("ONBUILD RUN x", "ADD --from=a /x /y", 'ARG A="1"', "FROM a b", "COPY -- x"):
        assert _action(unsure) == ("unsure",), unsure


def test_a_shared_line_reads_by_where_it_stands() -> None:
    shared = "ARG SERVICE\n"
    text = f"{shared}FROM busybox AS a\n{shared}COPY --from=a /x /y\nFROM alpine\n{shared}"
    assert scan_dockerfile(text) == DockerfileShape(
        (("SERVICE", None),),
        (
            StageShape("a", "busybox", frozenset({"SERVICE"}), ("a",)),
            StageShape(None, "alpine", frozenset({"SERVICE"}), ()),
        ),
    )
    assert scan_dockerfile("RUN true\nFROM busybox\n") is None  # the parser refuses it
    assert scan_dockerfile("COPY --from=a /x /y\nFROM busybox\n") is None
    assert scan_dockerfile("FROM busybox\nRUN true\n") is not None


def test_directives_are_read_in_the_first_lines_only() -> None:
    """Two directives pass (syntax, check), each once; a third directive line is a repeat or
    an escape, which the scan leaves to the parser; a directive after an instruction is a
    comment."""
    body = "FROM busybox AS a\n"
    assert scan_dockerfile(f"# syntax=x\n# check=skip=all\n{body}") is not None
    assert scan_dockerfile(f"# syntax=x\n# check=skip=all\n# syntax=y\n{body}") is None
    assert scan_dockerfile(f"# syntax=x\n# check=skip=all\n# escape=`\n{body}") is None
    assert scan_dockerfile(f"# syntax=x\n# escape=`\n{body}") is None
    assert scan_dockerfile(f"# syntax=x\n# check=a\n{body}# syntax=y\n# escape=`\n") is not None
    assert scan_dockerfile(f"# a comment\n# escape=`\n{body}") is not None
