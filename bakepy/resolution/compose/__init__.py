"""Compose semantics: lower a ComposeProject to its compose file, convert it for swarm."""
