"""Each kind's model is imported when a manifest first names it (issue 12: a render of bake
targets alone does not build the compose, swarm and host models)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from bakepy.models.kinds import KINDS


def test_every_kind_maps_to_its_model() -> None:
    assert len(KINDS) == 12
    for kind, model in KINDS.items():
        assert kind == model.KIND


def test_loading_a_target_manifest_imports_no_compose_or_host_model(tmp_path: Path) -> None:
    manifest = tmp_path / "bakepy.yaml"
    manifest.write_text(
        "apiVersion: bakepy.dev/v1alpha1\nkind: Target\nmetadata: {name: app}\nspec: {context: .}\n"
    )
    script = textwrap.dedent(
        f"""
        import sys
        from pathlib import Path
        from bakepy.loaders.manifests import load_yaml
        [target] = load_yaml(Path({str(manifest)!r}))
        assert target.KIND == "Target"
        print(sorted(m for m in sys.modules if m.startswith(("bakepy.models.compose",
              "bakepy.models.host"))))
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
