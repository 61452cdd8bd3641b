"""Write a synthetic repository of packages, as a monorepo keeps its teams' definitions.

A ``bakepy.toml`` at the root, a root package with the shared bases (a ``_base`` target with
context, platforms, common args and labels, a cache; the ``TAG`` and ``REGISTRY``
variables), and ``packages`` packages under ``services/<team>/<package>/``, each with
``targets`` targets: two packages in five declare them in a ``bakepy.py`` (Python, with a
loop), one in five in a ``bakepy.yaml`` (literal manifests), one in five in a
``compose.yaml`` (a service per target, each with a build section, a health check,
``depends_on`` the one before it and a named volume; bake gets a target per service), one
in five in a ``docker-bake.hcl`` (a target block per target and a ``default`` group, as a
team that writes bake files keeps them). Every Python, YAML or HCL target inherits the
root's ``_base`` by address; every target builds its own folder, which holds a Dockerfile,
a source file and a ``.dockerignore``. Each package has a ``default`` group; a
``CODEOWNERS`` gives each team its folder.

Run it on its own to look at the result::

    python benchmarks/packages.py /tmp/packages --packages 200 --targets 10
"""

from __future__ import annotations

import argparse
from pathlib import Path

ROOT_MANIFEST = """\
apiVersion: bakepy.dev/v1alpha1
kind: Variable
metadata: {name: TAG}
spec: {default: dev}
---
apiVersion: bakepy.dev/v1alpha1
kind: Variable
metadata: {name: REGISTRY}
spec: {default: registry.example.com}
---
apiVersion: bakepy.dev/v1alpha1
kind: Target
metadata: {name: _base}
spec:
  platforms: [linux/amd64, linux/arm64]
  args: {BUILDKIT_INLINE_CACHE: "1", GO_VERSION: "1.22"}
  labels: {org.opencontainers.image.vendor: Example}
  cache-from: ["type=registry,ref=${REGISTRY}/cache:base"]
"""

PYTHON_PACKAGE = '''\
"""Package {package}: {count} targets declared with a loop."""

from bakepy import Group, GroupSpec, Target, TargetSpec

targets = [
    Target(
        metadata={{"name": f"svc{{index}}", "labels": {{"team": "{team}"}}}},
        spec=TargetSpec(
            inherits=[":_base"],
            context=f"svc{{index}}",
            args={{"SERVICE": f"svc{{index}}"}},
            tags=["${{REGISTRY}}/{team}/{name}-svc" + str(index) + ":${{TAG}}"],
        ),
    )
    for index in range({count})
]
default = Group(metadata="default", spec=GroupSpec(targets=targets))
'''

YAML_TARGET = """\
apiVersion: bakepy.dev/v1alpha1
kind: Target
metadata:
  name: svc{index}
  labels: {{team: {team}}}
spec:
  inherits: [":_base"]
  context: svc{index}
  args: {{SERVICE: svc{index}}}
  tags: ["${{REGISTRY}}/{team}/{name}-svc{index}:${{TAG}}"]
"""

COMPOSE_SERVICE = """\
  svc{index}:
    build:
      context: svc{index}
      args:
        SERVICE: svc{index}
    image: registry.example.com/{team}/{name}-svc{index}:dev
    healthcheck:
      test: ["CMD", "/app", "-health"]
      interval: 10s
      timeout: 3s
      retries: 3
    volumes:
      - data{index}:/var/lib/svc{index}
"""

BAKE_TARGET = """\
target "svc{index}" {{
  inherits = [":_base"]
  context = "svc{index}"
  args = {{
    SERVICE = "svc{index}"
  }}
  labels = {{
    "org.example.team" = "{team}"
  }}
  tags = ["${{REGISTRY}}/{team}/{name}-svc{index}:${{TAG}}"]
}}
"""

DOCKERFILE = """\
ARG GO_VERSION=1.22
FROM golang:${GO_VERSION} AS build
ARG SERVICE
WORKDIR /src
COPY main.go .
RUN go build -o /out/${SERVICE} main.go

FROM scratch
ARG SERVICE
COPY --from=build /out/${SERVICE} /app
ENTRYPOINT ["/app"]
"""
"""Each service's Dockerfile: a Go build, the build args the targets pass declared; each file
starts with a comment naming its service, so no two are alike (as in a real repository: a
render must read and check every one, not one text 2,000 times)."""

KINDS = ("python", "compose", "yaml", "python", "bake")
"""How each package declares its targets, in turn (the first package is a Python one)."""
TEAMS = ("payments", "search", "identity", "checkout", "catalog", "billing", "ads", "data")


def _compose(team: str, name: str, targets: int) -> str:
    """A compose package: a service per target, each depending on the one before it."""
    services = []
    for index in range(targets):
        service = COMPOSE_SERVICE.format(index=index, team=team, name=name)
        if index:
            after = f"      svc{index - 1}:\n        condition: service_healthy\n"
            service += "    depends_on:\n" + after
        services.append(service)
    volumes = "".join(f"  data{index}: {{}}\n" for index in range(targets))
    return "services:\n" + "".join(services) + "volumes:\n" + volumes


def _bake_file(team: str, name: str, targets: int) -> str:
    """A bake file package: a target block per target and the ``default`` group of them."""
    members = ", ".join(f'"svc{index}"' for index in range(targets))
    blocks = [BAKE_TARGET.format(index=i, team=team, name=name) for i in range(targets)]
    return f'group "default" {{\n  targets = [{members}]\n}}\n\n' + "\n".join(blocks)


def write(root: Path, packages: int, targets: int) -> list[str]:
    """Write the repository; returns the package paths."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "bakepy.toml").write_text('packages = ["**"]\n')
    (root / "bakepy.yaml").write_text(ROOT_MANIFEST)
    owners = ["* @example/platform"]
    paths: list[str] = []
    for number in range(packages):
        team = TEAMS[number % len(TEAMS)]
        name = f"pkg{number:03d}"
        path = f"services/{team}/{name}"
        folder = root / path
        folder.mkdir(parents=True, exist_ok=True)
        kind = KINDS[number % len(KINDS)]
        if kind == "bake":
            (folder / "docker-bake.hcl").write_text(_bake_file(team, name, targets))
        elif kind == "compose":
            (folder / "compose.yaml").write_text(_compose(team, name, targets))
        elif kind == "python":
            text = PYTHON_PACKAGE.format(package=path, count=targets, team=team, name=name)
            (folder / "bakepy.py").write_text(text)
        else:
            documents = [YAML_TARGET.format(index=i, team=team, name=name) for i in range(targets)]
            members = ", ".join(f"svc{i}" for i in range(targets))
            documents.append(
                "apiVersion: bakepy.dev/v1alpha1\nkind: Group\nmetadata: {name: default}\n"
                f"spec: {{targets: [{members}]}}\n"
            )
            (folder / "bakepy.yaml").write_text("---\n".join(documents))
        for index in range(targets):
            service = folder / f"svc{index}"
            service.mkdir(exist_ok=True)
            (service / "Dockerfile").write_text(f"# {path}/svc{index}\n{DOCKERFILE}")
            (service / "main.go").write_text(f"package main // {path}/svc{index}\n")
            (service / ".dockerignore").write_text("*.md\n")
        paths.append(path)
    for team in TEAMS:
        owners.append(f"/services/{team}/ @example/{team}")
    (root / "CODEOWNERS").write_text("\n".join(owners) + "\n")
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--packages", type=int, default=200)
    parser.add_argument("--targets", type=int, default=10, help="Targets per package.")
    args = parser.parse_args()
    paths = write(args.folder, args.packages, args.targets)
    print(f"wrote {len(paths)} packages, {len(paths) * args.targets} targets in {args.folder}")


if __name__ == "__main__":
    main()
