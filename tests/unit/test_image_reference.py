"""Image references by the distribution grammar: one image, many spellings."""

from __future__ import annotations

import pytest

from bakepy.engine.compose.client import matching_images, split_reference
from bakepy.models.image_reference import ImageReference

DIGEST = "sha256:" + "7f" * 32


@pytest.mark.parametrize(
    ("text", "canonical", "familiar"),
    [
        ("nginx", "docker.io/library/nginx:latest", "nginx:latest"),
        ("nginx:1.27", "docker.io/library/nginx:1.27", "nginx:1.27"),
        ("library/nginx:1", "docker.io/library/nginx:1", "nginx:1"),
        ("docker.io/library/nginx:1", "docker.io/library/nginx:1", "nginx:1"),
        ("index.docker.io/library/nginx:1", "docker.io/library/nginx:1", "nginx:1"),
        ("docker.io/nginx", "docker.io/library/nginx:latest", "nginx:latest"),
        ("user/app:2", "docker.io/user/app:2", "user/app:2"),
        ("localhost:5000/app", "localhost:5000/app:latest", "localhost:5000/app:latest"),
        ("localhost/app:1", "localhost/app:1", "localhost/app:1"),
        ("ghcr.io/org/team/app:1.0", "ghcr.io/org/team/app:1.0", "ghcr.io/org/team/app:1.0"),
        ("[::1]:5000/app:x", "[::1]:5000/app:x", "[::1]:5000/app:x"),
        (f"nginx@{DIGEST}", f"docker.io/library/nginx@{DIGEST}", f"nginx@{DIGEST}"),
        (f"nginx:1@{DIGEST}", f"docker.io/library/nginx:1@{DIGEST}", f"nginx:1@{DIGEST}"),
        ("my_app/web.v2:a-b_c.d", "docker.io/my_app/web.v2:a-b_c.d", "my_app/web.v2:a-b_c.d"),
    ],
)
def test_spellings_of_one_image(text: str, canonical: str, familiar: str) -> None:
    reference = ImageReference.parse(text)
    assert reference.canonical() == canonical
    assert reference.familiar() == familiar


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Nginx", "must be lowercase"),
        ("user/App:1", "must be lowercase"),
        ("nginx:", "invalid tag"),
        ("nginx:-x", "invalid tag"),
        ("nginx@sha256:abc", "invalid digest"),
        ("-app", "invalid image reference"),
        ("app//x", "invalid image reference"),
        ("a" + ":" + "t" * 129, "invalid tag"),
    ],
)
def test_what_the_grammar_refuses(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ImageReference.parse(text)


def test_the_engine_listing_is_found_whatever_the_spelling() -> None:
    """The engine lists familiar tags and digests without the tag (seen on engine 26.1 with
    the containerd store: RepoTags ["plainref:2"], RepoDigests ["plainref@sha256:..."])."""
    images = [
        {"Id": "sha256:one", "RepoTags": ["plainref:2"], "RepoDigests": [f"plainref@{DIGEST}"]}
    ]
    wanted = [
        "plainref:2",
        "docker.io/library/plainref:2",
        "index.docker.io/library/plainref:2",
        f"plainref:2@{DIGEST}",
        f"docker.io/library/plainref@{DIGEST}",
        "plainref",  # :latest, not listed
        "plainref:3",
        "other/plainref:2",
    ]
    assert matching_images(wanted, images) == dict.fromkeys(wanted[:5], "sha256:one")


def test_pulls_name_the_tag_or_the_digest() -> None:
    assert split_reference("docker.io/library/nginx") == ("nginx", "latest")
    assert split_reference("localhost:5000/app:1") == ("localhost:5000/app", "1")
    assert split_reference(f"app:1@{DIGEST}") == ("app", DIGEST)
