"""Converge one Docker engine to a ComposeProject through the Engine API, as ``docker compose
up`` would: the desired engine objects, the plan, the apply (``verbs`` holds the entry points)."""
