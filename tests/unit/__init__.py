"""Unit tests: models, rules and the engine with recording runners (a package, so that
basenames may repeat those of tests/conformance)."""
