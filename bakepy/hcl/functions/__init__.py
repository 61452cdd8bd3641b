"""Implementations of docker buildx bake's built-in HCL functions, grouped by topic."""
