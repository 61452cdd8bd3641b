"""``bakepy lock``: write ``bakepy.lock`` beside the definitions, pinning every base image and
pushed image of the targets by digest (``bakepy.api.lock_images``)."""

from __future__ import annotations

import json
import os
import sys
from typing import Annotated

import typer

from bakepy.cli.options import (
    BuildxVersionOption,
    FilesOption,
    OutputOption,
    OverridesOption,
    SyntaxOption,
    TargetsArgument,
    check_output,
    fail,
    print_warnings,
    toolchain,
)
from bakepy.errors import BakepyError


def register_lock_command(app: typer.Typer) -> None:
    """Add ``lock`` to ``app``."""

    @app.command("lock")
    def lock_command(
        targets: TargetsArgument = None,
        files: FilesOption = None,
        overrides: OverridesOption = None,
        dry_run: Annotated[
            bool, typer.Option("--dry-run", help="Print the pins; write no file.")
        ] = False,
        output: OutputOption = "text",
        syntax_directive: SyntaxOption = True,
        buildx_version: BuildxVersionOption = None,
    ) -> None:
        """Pin every base image and pushed image of the targets by digest in bakepy.lock."""
        from bakepy.api.definitions import load_for
        from bakepy.api.lock_images import lock
        from bakepy.resolution.selection import bake_names

        check_output(output)
        try:
            tools = toolchain(buildx_version, engine=True)
            project = load_for(files or [], targets or [], tools)
            print_warnings(project.warnings)
            result = lock(
                project,
                bake_names(project, targets or []),
                env=dict(os.environ),
                overrides=overrides or [],
                toolchain=tools,
                syntax_directive=syntax_directive,
                dry_run=dry_run,
            )
        except BakepyError as error:
            fail(error)
        except OSError as exc:
            fail(BakepyError(f"cannot write the lock file: {exc.strerror or exc}"))
        if output == "json":
            document = {
                "path": str(result.path),
                "written": result.written,
                "base": result.lock.base,
                "pushed": result.lock.pushed,
                "unpinned": result.unpinned,
            }
            sys.stdout.write(json.dumps(document, indent=2, sort_keys=True) + "\n")
        else:
            for image, digest in sorted({**result.lock.base, **result.lock.pushed}.items()):
                typer.echo(f"{image} {digest}")
            for image in result.unpinned:
                typer.echo(f"not pinned: {image}", err=True)
            verb = "wrote" if result.written else "would write"
            pinned = len(result.lock.base) + len(result.lock.pushed)
            typer.echo(f"{verb} {result.path} ({pinned} pinned)")
