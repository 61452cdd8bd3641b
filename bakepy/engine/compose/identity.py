"""Which containers bakepy made: a record on the engine, so that a container recreated by hand
with bakepy's labels copied is told apart from bakepy's own, whatever state folder plans.

The record is a volume (``bakepy-record.<project>``: a label set, no data) carrying the project
label and one ``dev.bakepy.container.<name>=<id>`` label per container the last apply left;
plans read it with the volume list they make anyway. A labelled container whose ID is not the
recorded one for its name was not made by bakepy; one the record does not name (no record yet,
an older bakepy) is trusted by its labels. The record is rewritten, under the apply lock, only
when it changes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bakepy.engine import labels as L
from bakepy.engine.compose.client import EngineClient
from bakepy.engine.compose.observed import ObservedContainer, ObservedVolume

RECORD = "dev.bakepy.record"
"""Label marking the record volume (value ``containers``)."""
_CONTAINER = "dev.bakepy.container."


def record_name(project: str) -> str:
    """The record volume's name."""
    return f"bakepy-record.{project}"


def is_record(volume: ObservedVolume) -> bool:
    """Whether a listed volume is a project's record, not a volume it declares."""
    return RECORD in volume.labels


def recorded_ids(volumes: Sequence[ObservedVolume]) -> dict[str, str] | None:
    """Container ID by name, as the record among ``volumes`` says; None without a record."""
    for volume in volumes:
        if is_record(volume):
            return {
                key.removeprefix(_CONTAINER): value
                for key, value in volume.labels.items()
                if key.startswith(_CONTAINER)
            }
    return None


def impostor(seen: ObservedContainer, recorded: Mapping[str, str] | None) -> str | None:
    """Why ``seen`` is not the container bakepy made under its name, or None."""
    if not recorded or seen.name not in recorded or recorded[seen.name] == seen.id:
        return None
    return (
        f"container {seen.id[:12]} was not made by bakepy (its labels were copied; bakepy made "
        f"{recorded[seen.name][:12]})"
    )


def write_record(client: EngineClient, project: str, volumes: Sequence[ObservedVolume]) -> None:
    """Record the project's containers as the engine lists them now (after an apply); makes
    no mutating call when the record says that already."""
    containers = client.list_containers(project)
    wanted = {c.name: c.id for c in containers if L.STACK not in c.labels}
    current = recorded_ids(volumes)
    if current == wanted:
        return
    name = record_name(project)
    if current is not None:
        client.remove_volume(name)
    labels = {L.PROJECT: project, RECORD: "containers"}
    labels.update({f"{_CONTAINER}{key}": value for key, value in sorted(wanted.items())})
    client.create_volume({"Name": name, "Labels": labels})


def forget_record(client: EngineClient, project: str) -> None:
    """Remove the project's record (``bakepy delete``)."""
    client.remove_volume(record_name(project))
