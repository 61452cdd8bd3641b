"""Compose's variables, a leaf every layer may use: ``${VAR}`` interpolation (``variables``),
``.env`` files (``dotenv``) and the environment a project is interpolated with (``environment``)."""
