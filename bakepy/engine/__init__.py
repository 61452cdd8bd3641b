"""The only part of bakepy with side effects on the engine: buildx builds and Engine API calls."""
