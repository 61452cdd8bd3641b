"""The ``.env`` beside a rendered compose file: the variables its project was loaded with.

Compose reads ``.env`` from the folder of the compose file. A compose file loaded by bakepy
still leaves some values to that file and the shell (``environment`` keys without a value,
build args without one, variables in env files, ``COMPOSE_PROFILES``), so the project's own
``.env`` goes beside the rendered file, as written, after the generated-by header. Only
``COMPOSE_FILE`` (and its separator) is left out: the rendered file already merged the files
it named, which do not exist in the output folder.
"""

from __future__ import annotations

import re

from bakepy.generators.files import HEADER

_FILE_LIST = re.compile(r"^\s*(?:export\s+)?(COMPOSE_FILE|COMPOSE_PATH_SEPARATOR)\s*=")


def render_dotenv(text: str) -> str:
    """``text`` (a project's ``.env``) as the ``.env`` of its rendered compose file."""
    lines = [f"# {HEADER}"]
    for line in text.splitlines():
        listing = _FILE_LIST.match(line)
        if listing is not None:
            name = listing.group(1)
            lines.append(f"# {name} left out: the rendered compose file already merges the files")
            continue
        lines.append(line)
    return "\n".join(lines) + "\n"
