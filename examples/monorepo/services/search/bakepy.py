"""Package services/search, declared in Python: the same addresses work here."""

from bakepy import Target, TargetSpec

api = Target(
    metadata={"name": "api", "labels": {"team": "search", "tier": "web"}},
    spec=TargetSpec(
        inherits=[":_base"],
        context=".",
        contexts={"assets": "target:libs/shared:assets"},  # another package's target
        tags=["${REGISTRY}/search/api:${TAG}"],
    ),
)
