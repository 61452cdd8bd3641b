"""The bake file an apply builds from: the rendered one, made to give the same image digest
when nothing changed, to put annotations where they are declared, and to honour the lock.

Measured on dockerd 26.1 (BuildKit 0.13, buildx 0.13.1, containerd image store): rebuilding an
unchanged, fully cached target gave a new image ID on every run, with the same ``Created``
time and the same platform manifest. The ID is the image index digest, and buildx's default
provenance attestation (``mode=min``) in that index carries ``buildInvocationID``,
``buildStartedOn`` and ``buildFinishedOn``, new on each build; a compose service running the
image was then replaced. So a target that declares no provenance attestation is built with
``type=provenance,disabled=true`` (one that declares one keeps it: its input digest keeps it
from being rebuilt), unless it has one platform and an index annotation: without the
attestation its result is a single manifest, and BuildKit refuses index annotations on it.
When ``SOURCE_DATE_EPOCH`` is a build arg (bake passes the environment's), image outputs get
``rewrite-timestamp=true`` so layers are stable across cache-less builds, on builders that
can: dockerd's own BuildKit (the docker driver) refuses it ("conflicts with unpack"); there
``SOURCE_DATE_EPOCH`` alone still fixes the image's creation time.

Multi-level annotations (``index,manifest:key=value``) are one per level in the rendered file
already (``bakepy.generators.bake_levels``), so the build and the rendered file agree.
Annotations need OCI media types, which a registry or image output without attestations does
not use by default: such outputs get ``oci-mediatypes=true``.
"""

from __future__ import annotations

import copy
from collections.abc import Collection, Mapping, Sequence
from typing import Any

_IMAGE_OUTPUTS = ("registry", "image", "docker", "oci")


def _has_provenance(attest: Sequence[Any]) -> bool:
    return any("type=provenance" in str(entry).replace(" ", "") for entry in attest)


def _needs_index(target: Mapping[str, Any]) -> bool:
    """Whether the target's result must be an image index although it has one platform: an
    index annotation then fails without the attestation manifest ("index annotations not
    supported for single platform export")."""
    if len(target.get("platforms") or []) > 1:
        return False
    levels = (str(a).partition(":")[0] for a in target.get("annotations") or [] if ":" in str(a))
    return any(level.startswith("index") for text in levels for level in text.split(","))


def _output_type(entry: str) -> str:
    for part in entry.split(","):
        key, _, value = part.partition("=")
        if key.strip() == "type":
            return value.strip()
    return "local" if "=" not in entry else ""


def _with_option(entry: str, key: str, value: str) -> str:
    if f"{key}=" in entry:
        return entry
    return f"{entry},{key}={value}"


def _outputs(target: Mapping[str, Any], annotated: bool, epoch: bool) -> list[str] | None:
    outputs = [str(o) for o in target.get("output") or []]
    changed = []
    for entry in outputs:
        kind = _output_type(entry)
        if kind in ("registry", "image") and annotated:
            entry = _with_option(entry, "oci-mediatypes", "true")
        if kind in _IMAGE_OUTPUTS and epoch:
            entry = _with_option(entry, "rewrite-timestamp", "true")
        changed.append(entry)
    return changed if changed != outputs else None


def stable_bake(
    document: Mapping[str, Any],
    resolved: Mapping[str, Mapping[str, Any]],
    names: Sequence[str],
    pins: Mapping[str, Mapping[str, str]] | None = None,
    rewrite_timestamps: Collection[str] = (),
) -> dict[str, Any]:
    """``document`` (a bake JSON file) with the changes above for the targets ``names`` (as
    ``resolved`` resolves them); ``pins`` gives each target the named contexts that pin its
    base images (``{target: {reference: digest}}``); targets in ``rewrite_timestamps`` run on
    a builder that can rewrite layer timestamps."""
    result = copy.deepcopy(dict(document))
    targets: dict[str, dict[str, Any]] = result.get("target", {})
    for name in names:
        found, final = targets.get(name), resolved.get(name)
        if found is None or final is None:
            continue
        body = found
        attest = list(final.get("attest") or [])
        if not _has_provenance(attest) and not _needs_index(final):
            body["attest"] = [*(body.get("attest") or []), "type=provenance,disabled=true"]
        epoch = name in rewrite_timestamps and "SOURCE_DATE_EPOCH" in (final.get("args") or {})
        outputs = _outputs(final, bool(final.get("annotations")), epoch)
        if outputs is not None:
            body["output"] = outputs
        pinned = (pins or {}).get(name) or {}
        if pinned:
            contexts = dict(body.get("contexts") or {})
            for reference, digest in sorted(pinned.items()):
                name_only = reference.split("@")[0]
                if name_only.rfind(":") > name_only.rfind("/"):
                    name_only = name_only[: name_only.rfind(":")]
                contexts.setdefault(reference, f"docker-image://{name_only}@{digest}")
            body["contexts"] = contexts
    return result
