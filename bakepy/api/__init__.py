"""The library's verbs, which the CLI calls: ``definitions`` (load, check, render, resolve, print,
graph, import), ``converge`` (plan, apply, delete: builds, compose projects or stacks, host files)
and ``output`` (write rendered files atomically). ``bakepy`` re-exports them."""
