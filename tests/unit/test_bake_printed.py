"""``bakepy print`` shows typed bake entries as the targeted buildx prints them.

Facts from buildx's source (util/buildflags, bake.Target): up to 0.18 the entries of
cache-from, cache-to, output, secret and ssh print as the text they were written in; from
0.19 buildx decodes them into typed entries and prints JSON objects (a Go map for cache and
output entries, so their keys come out sorted; the Secret and SSH structs in field order);
attest follows from 0.20, with ``disabled`` shown only when true.
"""

from __future__ import annotations

from typing import Any

import pytest

from bakepy.models.toolchain import Version
from bakepy.resolution.bake.printed import printed_entries, printed_target

V0_18, V0_19, V0_20 = Version.parse("0.18"), Version.parse("0.19"), Version.parse("0.20")

CASES: dict[str, tuple[str, list[str], list[Any]]] = {
    "cache: attrs with the type, keys sorted": (
        "cache-from",
        ["type=s3,region=eu-west-1,bucket=b,name=app", "type=gha,token=t"],
        [
            {"bucket": "b", "name": "app", "region": "eu-west-1", "type": "s3"},
            {"token": "t", "type": "gha"},
        ],
    ),
    "cache: a bare reference is a registry cache": (
        "cache-to",
        ["user/app:cache", "type=inline"],
        [{"ref": "user/app:cache", "type": "registry"}, {"type": "inline"}],
    ),
    "cache: the same cache written twice ways is one entry": (
        "cache-from",
        ["r/c", "type=local,src=d", "type=registry,ref=r/c"],
        [{"ref": "r/c", "type": "registry"}, {"src": "d", "type": "local"}],
    ),
    "output: dest apart, a bare path a local export, - a tar": (
        "output",
        ["type=image,push=true,name=r/a", "out/dir", "-"],
        [
            {"name": "r/a", "push": "true", "type": "image"},
            {"dest": "out/dir", "type": "local"},
            {"dest": "-", "type": "tar"},
        ],
    ),
    "secret: id, src and env in field order; env type's source is the env": (
        "secret",
        ["id=npm,src=/run/npm", "type=env,id=tok,src=TOKEN", "id=gh,env=GH"],
        [
            {"id": "npm", "src": "/run/npm"},
            {"id": "tok", "env": "TOKEN"},
            {"id": "gh", "env": "GH"},
        ],
    ),
    "ssh: the id, then the paths": (
        "ssh",
        ["default", "key=path/to/key,other/key"],
        [{"id": "default"}, {"id": "key", "paths": ["path/to/key", "other/key"]}],
    ),
    "attest: disabled only when true, other attrs kept as written": (
        "attest",
        ["type=provenance,mode=max", "type=sbom,disabled=true", 'type=sbom,Env2=x,"ENV1=a,b"'],
        [
            {"mode": "max", "type": "provenance"},
            {"disabled": True, "type": "sbom"},
            {"ENV1": "a,b", "Env2": "x", "type": "sbom"},
        ],
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_entries_print_as_objects_from_0_19(case: str) -> None:
    key, text, objects = CASES[case]
    since = V0_20 if key == "attest" else V0_19
    assert printed_entries(key, text, since) == objects
    assert printed_entries(key, text, V0_18) == text


def test_attest_stays_text_in_0_19() -> None:
    assert printed_entries("attest", ["type=sbom"], V0_19) == ["type=sbom"]


def test_an_entry_buildx_cannot_decode_stays_text() -> None:
    """The build-input check reports it; printing does not hide it."""
    assert printed_entries("cache-from", ["ref=r/c"], V0_19) == ["ref=r/c"]
    assert printed_entries("secret", ["id=a,colour=red"], V0_19) == ["id=a,colour=red"]


def test_duplicates_go_as_go_removes_them() -> None:
    """A later equal entry is swapped with the last one and cut off: order can change."""
    entries = ["type=local,src=a", "type=local,src=a", "type=local,src=b", "type=local,src=c"]
    printed = printed_entries("cache-from", entries, V0_19)
    assert [entry["src"] for entry in printed] == ["a", "c", "b"]


def test_other_attributes_are_untouched() -> None:
    target = {"context": ".", "tags": ["a"], "output": ["type=docker"]}
    assert printed_target(target, V0_19) == {
        "context": ".",
        "tags": ["a"],
        "output": [{"type": "docker"}],
    }
    assert printed_target(target, V0_18) == target
