"""bake semantics in Python: lower declarations to bake's native form, then resolve as buildx does."""
