"""``bakepy graph``: the project's dependency graph as data (``model``), built from the bake
blocks (``bake``) and from Dockerfile stages and compose services (``build``)."""
