"""Type-check the Python users read: examples/*/bakepy.py and README.md's ```python blocks.

They are checked the way a user's project would check them, with ``mypy --strict`` twice:
without a plugin (what pyright and a plain mypy see of pydantic models) and with pydantic's
plugin and typed ``__init__`` (``init_typed``), so every shorthand they show must be typed as
accepted. Each file is copied under a module name of its own into a temporary folder (every
example is a ``bakepy.py``, which would shadow the package), and each README block is one
module, so a block must stand alone: its own imports, no ``...`` placeholders.
Run it as ``python scripts/typecheck_examples.py``; it exits 1 when mypy reports an error.
"""

from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path

from mypy import api

ROOT = Path(__file__).resolve().parents[1]
CONFIGS = {
    "no plugin": "[mypy]\nstrict = True\n",
    "pydantic plugin": (
        "[mypy]\nstrict = True\nplugins = pydantic.mypy\n\n"
        "[pydantic-mypy]\ninit_forbid_extra = True\ninit_typed = True\n"
        "warn_required_dynamic_aliases = True\n"
    ),
}
_BLOCK = re.compile(r"^```python\n(.*?)^```$", re.S | re.M)


def sources() -> dict[str, tuple[str, Path, int]]:
    """Module file name -> (code, the file it comes from, line of its first line there)."""
    found: dict[str, tuple[str, Path, int]] = {}
    for example in sorted(ROOT.glob("examples/*/bakepy.py")):
        name = "example_" + example.parent.name.replace("-", "_") + ".py"
        found[name] = (example.read_text(encoding="utf-8"), example, 1)
    readme = ROOT / "README.md"
    text = readme.read_text(encoding="utf-8")
    for match in _BLOCK.finditer(text):
        first_line = text.count("\n", 0, match.start(1)) + 1
        found[f"readme_line_{first_line}.py"] = (match.group(1), readme, first_line)
    return found


def check(config_name: str, folder: Path, modules: dict[str, tuple[str, Path, int]]) -> int:
    """Run mypy with one configuration; print its errors at their place in the originals."""
    config = folder / f"{config_name.replace(' ', '-')}.ini"
    config.write_text(CONFIGS[config_name], encoding="utf-8")
    cache = ROOT / ".mypy_cache" / f"examples-{config.stem}"
    stdout, stderr, status = api.run(
        ["--config-file", str(config), "--cache-dir", str(cache), "--no-error-summary"]
        + [str(folder / name) for name in sorted(modules)]
    )
    for line in stdout.splitlines():
        where, _, message = line.partition(": ")
        file, _, number = where.partition(":")
        module = modules.get(Path(file).name)
        if module is not None and number.isdigit():
            source, offset = module[1], module[2]
            line = f"{source.relative_to(ROOT)}:{int(number) + offset - 1}: {message}"
        print(f"{config_name}: {line}")
    if stderr:
        print(stderr, file=sys.stderr)
    return status


def main() -> int:
    """Type-check every example and README block under both configurations."""
    modules = sources()
    with tempfile.TemporaryDirectory(prefix="bakepy-examples-") as tmp:
        folder = Path(tmp)
        for name, (code, _, _) in modules.items():
            (folder / name).write_text(code, encoding="utf-8")
        failed = [name for name in CONFIGS if check(name, folder, modules) != 0]
    if failed:
        return 1
    print(f"mypy --strict ({' and '.join(CONFIGS)}): {len(modules)} examples and README blocks")
    return 0


if __name__ == "__main__":
    sys.exit(main())
