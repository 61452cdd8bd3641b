"""A tag's digest straight from its registry (distribution API ``HEAD /v2/NAME/manifests/TAG``),
without starting the docker CLI: what a no-change plan asks for each base image.

Plain HTTP for the registries the engine itself reaches without TLS (``localhost``, loopback
addresses), HTTPS elsewhere, with the anonymous bearer token a public registry hands out. Any
other answer (credentials needed, an error, no network) is "not known here": the caller then
asks ``docker buildx imagetools inspect``, which has the user's credentials.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.parse
import urllib.request

from bakepy.models.image_reference import DEFAULT_DOMAIN, ImageReference

_ACCEPT = ", ".join(
    [
        "application/vnd.oci.image.index.v1+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
        "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.docker.distribution.manifest.v2+json",
    ]
)
_TIMEOUT = 5.0
_CHALLENGE = re.compile(r'(\w+)="([^"]*)"')


def _base_url(domain: str) -> str:
    host = domain.rsplit(":", 1)[0] if not domain.endswith("]") else domain
    if host in ("localhost", "[::1]") or host.startswith("127."):
        return f"http://{domain}"
    if domain == DEFAULT_DOMAIN:
        return "https://registry-1.docker.io"
    return f"https://{domain}"


def _token(challenge: str) -> str | None:
    """An anonymous bearer token for a ``WWW-Authenticate: Bearer realm=...`` challenge."""
    if not challenge.lower().startswith("bearer "):
        return None
    fields = dict(_CHALLENGE.findall(challenge))
    realm = fields.pop("realm", None)
    if not realm:
        return None
    url = f"{realm}?{urllib.parse.urlencode(fields)}"
    with urllib.request.urlopen(url, timeout=_TIMEOUT) as answer:
        document = json.loads(answer.read())
    token = document.get("token") or document.get("access_token")
    return str(token) if token else None


def _head(url: str, token: str | None) -> str | None:
    request = urllib.request.Request(url, method="HEAD", headers={"Accept": _ACCEPT})
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=_TIMEOUT) as answer:
        digest = answer.headers.get("Docker-Content-Digest")
    return str(digest) if digest and str(digest).startswith("sha256:") else None


def tag_digest(reference: str) -> str | None:
    """The digest the registry serves for ``reference``'s tag, or None when it cannot be
    known this way (the caller asks the docker CLI then)."""
    try:
        parsed = ImageReference.parse(reference)
    except ValueError:
        return None
    if parsed.digest:
        return parsed.digest
    url = f"{_base_url(parsed.domain)}/v2/{parsed.path}/manifests/{parsed.tag or 'latest'}"
    try:
        return _head(url, None)
    except urllib.error.HTTPError as error:
        if error.code != 401:
            return None
        try:
            token = _token(error.headers.get("WWW-Authenticate", ""))
            return _head(url, token) if token else None
        except (OSError, ValueError):
            return None
    except (OSError, ValueError):
        return None
