"""Converge a swarm to a Stack, as ``docker stack deploy`` would: overlay networks,
content-named configs and secrets, services, rollouts (``verbs`` holds the entry points)."""
