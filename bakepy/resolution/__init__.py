"""Resolution: what a loaded Project means, before anything is rendered or run.

bake resolution (``bake/``: lowering, variables, inherits, matrices, ``--set``), compose lowering
and the ``docker compose config`` view (``compose/``), every project-wide rule (``checks/``), the
dependency graph (``graph/``), the definition a render writes (``definition``) and selection by
name or label (``selection``). Pure: it reads no files and touches no engine.
"""
