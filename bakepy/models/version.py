"""The apiVersion every bakepy manifest carries (a module of its own: cheap to import)."""

API_VERSION = "bakepy.dev/v1alpha1"
