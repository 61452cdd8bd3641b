"""Turn files teams already have into bakepy declarations: Python code or YAML manifests."""
