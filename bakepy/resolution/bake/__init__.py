"""bake semantics in Python: lower declarations to native bake form, resolve as buildx does."""
