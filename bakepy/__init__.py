"""bakepy: Docker builds and deployments declared as typed objects, rendered or applied.

The public API is what this module exports, one sorted table (``_EXPORTS``) that a test keeps
exact: the verbs (load, check, render, resolve, print, graph, import; plan, apply, delete and
each part of them), every exception (``bakepy.errors``) and the resource kinds with their specs.
Value types (stages, instructions, services, platforms, ...) are imported from their domain:
``bakepy.models.dockerfile``, ``bakepy.models.bake``, ``bakepy.models.compose``,
``bakepy.models.host``.

Names are imported on first use (PEP 562), so that ``import bakepy`` and the command line
stay fast; type checkers see the imports below.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bakepy.support.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from bakepy.api.converge import (
        apply as apply,
        apply_builds as apply_builds,
        apply_host as apply_host,
        delete as delete,
        plan as plan,
        plan_host as plan_host,
    )
    from bakepy.api.definitions import (
        bake_print as bake_print,
        check as check,
        graph as graph,
        import_definitions as import_definitions,
        load_selected as load_selected,
        render as render,
        resolve as resolve,
    )
    from bakepy.api.output import (
        write_files as write_files,
    )
    from bakepy.engine.compose.verbs import (
        apply_runtime as apply_runtime,
        delete_runtime as delete_runtime,
        plan_runtime as plan_runtime,
    )
    from bakepy.engine.swarm.verbs import (
        apply_stack as apply_stack,
        delete_stack as delete_stack,
        plan_stack as plan_stack,
    )
    from bakepy.errors import (
        BakepyError as BakepyError,
        CommandError as CommandError,
        CycleError as CycleError,
        Diagnostic as Diagnostic,
        EngineError as EngineError,
        EvaluationError as EvaluationError,
        HclError as HclError,
        HostValidationError as HostValidationError,
        ImportDefinitionError as ImportDefinitionError,
        LoadError as LoadError,
        Location as Location,
        LockError as LockError,
        OverrideError as OverrideError,
        RunError as RunError,
        RuntimeSpecError as RuntimeSpecError,
        SelectionError as SelectionError,
        UnresolvedReferenceError as UnresolvedReferenceError,
        ValidationError as ValidationError,
        WaitError as WaitError,
    )
    from bakepy.generators.graph import (
        render_graph as render_graph,
    )
    from bakepy.loaders import (
        load as load,
    )
    from bakepy.loaders.compose.pipeline import (
        load_compose as load_compose,
    )
    from bakepy.models import (
        Attribute as Attribute,
        AttributeSpec as AttributeSpec,
        Builder as Builder,
        BuilderSpec as BuilderSpec,
        ComposeProject as ComposeProject,
        ComposeProjectSpec as ComposeProjectSpec,
        DaemonConfig as DaemonConfig,
        DaemonConfigSpec as DaemonConfigSpec,
        Dockerfile as Dockerfile,
        DockerfileSpec as DockerfileSpec,
        Function as Function,
        FunctionSpec as FunctionSpec,
        Group as Group,
        GroupSpec as GroupSpec,
        Metadata as Metadata,
        Stack as Stack,
        StackSpec as StackSpec,
        SwarmNode as SwarmNode,
        SwarmNodeSpec as SwarmNodeSpec,
        SystemdDropIn as SystemdDropIn,
        SystemdDropInSpec as SystemdDropInSpec,
        Target as Target,
        TargetSpec as TargetSpec,
        Variable as Variable,
        VariableSpec as VariableSpec,
    )
    from bakepy.models.toolchain import (
        Toolchain as Toolchain,
    )
    from bakepy.project import (
        Project as Project,
    )

__version__ = "0.1.0"

_EXPORTS = {
    "Attribute": "bakepy.models",
    "AttributeSpec": "bakepy.models",
    "BakepyError": "bakepy.errors",
    "Builder": "bakepy.models",
    "BuilderSpec": "bakepy.models",
    "CommandError": "bakepy.errors",
    "ComposeProject": "bakepy.models",
    "ComposeProjectSpec": "bakepy.models",
    "CycleError": "bakepy.errors",
    "DaemonConfig": "bakepy.models",
    "DaemonConfigSpec": "bakepy.models",
    "Diagnostic": "bakepy.errors",
    "Dockerfile": "bakepy.models",
    "DockerfileSpec": "bakepy.models",
    "EngineError": "bakepy.errors",
    "EvaluationError": "bakepy.errors",
    "Function": "bakepy.models",
    "FunctionSpec": "bakepy.models",
    "Group": "bakepy.models",
    "GroupSpec": "bakepy.models",
    "HclError": "bakepy.errors",
    "HostValidationError": "bakepy.errors",
    "ImportDefinitionError": "bakepy.errors",
    "LoadError": "bakepy.errors",
    "Location": "bakepy.errors",
    "LockError": "bakepy.errors",
    "Metadata": "bakepy.models",
    "OverrideError": "bakepy.errors",
    "Project": "bakepy.project",
    "RunError": "bakepy.errors",
    "RuntimeSpecError": "bakepy.errors",
    "SelectionError": "bakepy.errors",
    "Stack": "bakepy.models",
    "StackSpec": "bakepy.models",
    "SwarmNode": "bakepy.models",
    "SwarmNodeSpec": "bakepy.models",
    "SystemdDropIn": "bakepy.models",
    "SystemdDropInSpec": "bakepy.models",
    "Target": "bakepy.models",
    "TargetSpec": "bakepy.models",
    "Toolchain": "bakepy.models.toolchain",
    "UnresolvedReferenceError": "bakepy.errors",
    "ValidationError": "bakepy.errors",
    "Variable": "bakepy.models",
    "VariableSpec": "bakepy.models",
    "WaitError": "bakepy.errors",
    "apply": "bakepy.api.converge",
    "apply_builds": "bakepy.api.converge",
    "apply_host": "bakepy.api.converge",
    "apply_runtime": "bakepy.engine.compose.verbs",
    "apply_stack": "bakepy.engine.swarm.verbs",
    "bake_print": "bakepy.api.definitions",
    "check": "bakepy.api.definitions",
    "delete": "bakepy.api.converge",
    "delete_runtime": "bakepy.engine.compose.verbs",
    "delete_stack": "bakepy.engine.swarm.verbs",
    "graph": "bakepy.api.definitions",
    "import_definitions": "bakepy.api.definitions",
    "load": "bakepy.loaders",
    "load_compose": "bakepy.loaders.compose.pipeline",
    "load_selected": "bakepy.api.definitions",
    "plan": "bakepy.api.converge",
    "plan_host": "bakepy.api.converge",
    "plan_runtime": "bakepy.engine.compose.verbs",
    "plan_stack": "bakepy.engine.swarm.verbs",
    "render": "bakepy.api.definitions",
    "render_graph": "bakepy.generators.graph",
    "resolve": "bakepy.api.definitions",
    "write_files": "bakepy.api.output",
}
"""Each public name and the module that defines it."""

__all__ = sorted([*_EXPORTS, "__version__"])

__getattr__, __dir__ = lazy_exports(__name__, globals(), _EXPORTS)
