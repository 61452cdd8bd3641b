"""buildx bake as typed objects: ``Target``, ``Group``, ``Variable``, ``Function`` (``targets``),
the values buildx takes as strings (``values``: platforms, secrets, outputs, caches, ...), build
contexts (``contexts``), ``Builder`` (``builder``) and a bake file's native form (``definition``).

Every value type of the domain is importable from here
(``from bakepy.models.bake import ...``);
each is imported on first use, so importing one module of the domain does not load the others.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bakepy.support.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from bakepy.models.bake.builder import (
        Builder as Builder,
        BuilderSpec as BuilderSpec,
    )
    from bakepy.models.bake.contexts import (
        GitContext as GitContext,
        HttpContext as HttpContext,
        ImageContext as ImageContext,
        LocalContext as LocalContext,
        OciLayoutContext as OciLayoutContext,
        TargetContext as TargetContext,
    )
    from bakepy.models.bake.targets import (
        Attribute as Attribute,
        AttributeSpec as AttributeSpec,
        Function as Function,
        FunctionSpec as FunctionSpec,
        Group as Group,
        GroupSpec as GroupSpec,
        Target as Target,
        TargetSpec as TargetSpec,
        Variable as Variable,
        VariableSpec as VariableSpec,
        VariableValidation as VariableValidation,
    )
    from bakepy.models.bake.values import (
        SSH as SSH,
        Annotation as Annotation,
        Attest as Attest,
        Cache as Cache,
        Output as Output,
        Platform as Platform,
        Secret as Secret,
        Ulimit as Ulimit,
    )

_EXPORTS = {
    "Annotation": "bakepy.models.bake.values",
    "Attest": "bakepy.models.bake.values",
    "Attribute": "bakepy.models.bake.targets",
    "AttributeSpec": "bakepy.models.bake.targets",
    "Builder": "bakepy.models.bake.builder",
    "BuilderSpec": "bakepy.models.bake.builder",
    "Cache": "bakepy.models.bake.values",
    "Function": "bakepy.models.bake.targets",
    "FunctionSpec": "bakepy.models.bake.targets",
    "GitContext": "bakepy.models.bake.contexts",
    "Group": "bakepy.models.bake.targets",
    "GroupSpec": "bakepy.models.bake.targets",
    "HttpContext": "bakepy.models.bake.contexts",
    "ImageContext": "bakepy.models.bake.contexts",
    "LocalContext": "bakepy.models.bake.contexts",
    "OciLayoutContext": "bakepy.models.bake.contexts",
    "Output": "bakepy.models.bake.values",
    "Platform": "bakepy.models.bake.values",
    "SSH": "bakepy.models.bake.values",
    "Secret": "bakepy.models.bake.values",
    "Target": "bakepy.models.bake.targets",
    "TargetContext": "bakepy.models.bake.contexts",
    "TargetSpec": "bakepy.models.bake.targets",
    "Ulimit": "bakepy.models.bake.values",
    "Variable": "bakepy.models.bake.targets",
    "VariableSpec": "bakepy.models.bake.targets",
    "VariableValidation": "bakepy.models.bake.targets",
}
"""Each public name and the module that defines it."""

__all__ = sorted(_EXPORTS)

__getattr__, __dir__ = lazy_exports(__name__, globals(), _EXPORTS)
