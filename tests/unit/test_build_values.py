"""Typed values for bake's string attributes: parsing, validation, and the string form."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from bakepy.models.bake import SSH, Annotation, Attest, Cache, Output, Platform, Secret, Ulimit


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("linux/amd64", "linux/amd64"),
        ("linux/arm64/v8", "linux/arm64/v8"),
        ("linux/arm/v7", "linux/arm/v7"),
        ("linux/x86_64", "linux/amd64"),
        ("linux/aarch64", "linux/arm64"),
        ("darwin/arm64", "darwin/arm64"),
        ("windows/amd64", "windows/amd64"),
        ("$BUILDPLATFORM/x", "$BUILDPLATFORM/x"),
    ],
)
def test_platform_parses_and_normalizes(text: str, expected: str) -> None:
    assert Platform.model_validate(text).to_string() == expected


@pytest.mark.parametrize(
    "text", ["linux", "linux/", "plan10/amd64", "linux/sparc", "linux/arm64/v7", "a/b/c/d"]
)
def test_platform_rejects_invalid(text: str) -> None:
    with pytest.raises(ValidationError):
        Platform.model_validate(text)


def test_secret_from_file_and_env() -> None:
    assert Secret(id="aws", src="creds").to_string() == "id=aws,src=creds"
    assert Secret(id="tok", env="GH_TOKEN").to_string() == "id=tok,env=GH_TOKEN"
    assert Secret.model_validate("id=x,src=/run/x").src == "/run/x"
    assert Secret.model_validate("id=x,type=env,env=X").to_string() == "id=x,type=env,env=X"


def test_a_secret_with_only_an_id_is_read_as_buildx_reads_it() -> None:
    """buildx takes the environment variable named like the id, else the file of that name;
    ``type=env,src=X`` names the variable X."""
    assert Secret.model_validate({"id": "a"}).to_string() == "id=a"
    assert (
        Secret.model_validate("type=env,id=GITHUB_TOKEN").to_string() == "id=GITHUB_TOKEN,type=env"
    )
    assert Secret.model_validate({"id": "a", "type": "env", "src": "f"}).src == "f"


@pytest.mark.parametrize(
    "data",
    [
        {"id": "a", "src": "f", "env": "E"},
        {"id": "a", "value": "hunter2"},
        {"id": "a", "type": "file", "env": "E"},
    ],
)
def test_secret_needs_one_reference_and_never_a_value(data: dict[str, str]) -> None:
    with pytest.raises(ValidationError) as info:
        Secret.model_validate(data)
    assert "hunter2" not in str(info.value)


def test_ssh_forms() -> None:
    assert SSH().to_string() == "default"
    assert SSH.model_validate("github=/k/a,/k/b").paths == ["/k/a", "/k/b"]
    assert SSH(id="github", paths=["key"]).to_string() == "github=key"


@pytest.mark.parametrize(
    ("text", "levels", "platform"),
    [
        ("org.a=b", [], None),
        ("index:org.a=b", ["index"], None),
        ("index,manifest:org.a=b c", ["index", "manifest"], None),
        ("manifest[linux/arm64]:org.a=b", ["manifest"], "linux/arm64"),
        ("manifest-descriptor:org.a=b", ["manifest-descriptor"], None),
        ("index-descriptor:org.a=b", ["index-descriptor"], None),
    ],
)
def test_annotation_round_trips(text: str, levels: list[str], platform: str | None) -> None:
    annotation = Annotation.model_validate(text)
    assert annotation.levels == levels
    assert (annotation.platform.to_string() if annotation.platform else None) == platform
    assert annotation.to_string() == text


@pytest.mark.parametrize("text", ["layer:org.a=b", "noequals", "[linux/amd64]:a=b"])
def test_annotation_rejects_unknown_levels_and_shapes(text: str) -> None:
    with pytest.raises(ValidationError):
        Annotation.model_validate(text)


def test_output_forms() -> None:
    assert Output.model_validate("type=registry").to_string() == "type=registry"
    assert Output.model_validate("out/bin").to_string() == "type=local,dest=out/bin"
    output = Output.model_validate('type=image,"name=a:1,b:1",push=true')
    assert output.options == {"name": "a:1,b:1", "push": "true"}
    assert output.to_string() == 'type=image,"name=a:1,b:1",push=true'
    assert Output(type="tar", dest="x.tar").to_string() == "type=tar,dest=x.tar"


def test_output_rejects_unknown_type() -> None:
    with pytest.raises(ValidationError):
        Output.model_validate("type=ftp")


def test_cache_forms() -> None:
    assert Cache.model_validate("user/app:cache").to_string() == "type=registry,ref=user/app:cache"
    cache = Cache.model_validate("type=gha,scope=main,mode=max")
    assert (cache.type, cache.mode, cache.options) == ("gha", "max", {"scope": "main"})
    assert cache.to_string() == "type=gha,mode=max,scope=main"
    for kind in ("registry", "local", "inline", "gha", "s3", "azblob"):
        assert Cache(type=kind).type == kind


def test_attest_forms() -> None:
    assert Attest(type="sbom").to_string() == "type=sbom"
    assert Attest.model_validate("type=provenance,mode=max").options == {"mode": "max"}
    assert Attest(type="provenance", disabled=True).to_string() == "type=provenance,disabled=true"


def test_ulimit_forms() -> None:
    assert Ulimit.model_validate("nofile=1024:2048") == Ulimit(name="nofile", soft=1024, hard=2048)
    assert Ulimit(name="nproc", soft=-1).to_string() == "nproc=-1"
    with pytest.raises(ValidationError):
        Ulimit.model_validate("nofiles=1")
    with pytest.raises(ValidationError):
        Ulimit.model_validate("nofile=lots")
