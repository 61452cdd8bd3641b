"""The classic multi-stage Go build: client and server images, host binaries, lint.

Render it with ``bakepy render -f examples/go-client-server/bakepy.py --out out``.
"""

from bakepy import (
    Dockerfile,
    DockerfileSpec,
    Group,
    GroupSpec,
    Metadata,
    Target,
    TargetSpec,
    Variable,
    VariableSpec,
)
from bakepy.models.dockerfile import (
    Arg,
    BindMount,
    CacheMount,
    Copy,
    Entrypoint,
    Expose,
    Run,
    Stage,
    Workdir,
)

GO_CACHES = [CacheMount(target="/go/pkg/mod"), CacheMount(target="/root/.cache/go-build")]


def go_build(binary: str) -> Run:
    """Cross-compile one command for the target platform on the build platform."""
    return Run(
        command=(
            "CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH "
            f'go build -ldflags "-X main.version=$APP_VERSION" -o /out/{binary} ./cmd/{binary}'
        ),
        mounts=[*GO_CACHES, BindMount(target=".")],
    )


base = Stage(
    name="base",
    from_="golang:${GO_VERSION}-alpine",
    platform="$BUILDPLATFORM",
    instructions=[
        Workdir(path="/src"),
        Run(
            command="go mod download",
            mounts=[
                CacheMount(target="/go/pkg/mod"),
                BindMount(source="go.mod", target="go.mod"),
                BindMount(source="go.sum", target="go.sum"),
            ],
        ),
    ],
)


def build_stage(binary: str) -> Stage:
    """A stage building one binary for $TARGETOS/$TARGETARCH."""
    return Stage(
        name=f"build-{binary}",
        from_=base,
        instructions=[
            Arg(name="TARGETOS"),
            Arg(name="TARGETARCH"),
            Arg(name="APP_VERSION", default="dev"),
            go_build(binary),
        ],
    )


build_client = build_stage("client")
build_server = build_stage("server")

binaries_stage = Stage(
    name="binaries",
    from_="scratch",
    instructions=[
        Copy(from_=build_client, src=["/out/client"], dest="/"),
        Copy(from_=build_server, src=["/out/server"], dest="/"),
    ],
)
lint_stage = Stage(
    name="lint",
    from_="golangci/golangci-lint:v1.59-alpine",
    instructions=[
        Workdir(path="/src"),
        Run(
            command="golangci-lint run ./...",
            mounts=[BindMount(target="."), CacheMount(target="/root/.cache")],
        ),
    ],
)
client_stage = Stage(
    name="client",
    from_="scratch",
    instructions=[
        Copy(from_=build_client, src=["/out/client"], dest="/bin/client"),
        Entrypoint(command=["/bin/client"]),
    ],
)
server_stage = Stage(
    name="server",
    from_="scratch",
    instructions=[
        Copy(from_=build_server, src=["/out/server"], dest="/bin/server"),
        Expose(ports=["8080"]),
        Entrypoint(command=["/bin/server"]),
    ],
)

dockerfile = Dockerfile(
    metadata=Metadata(name="go-app"),
    spec=DockerfileSpec(
        syntax="docker/dockerfile:1",
        args=[Arg(name="GO_VERSION", default="1.22")],
        stages=[
            base,
            build_client,
            build_server,
            binaries_stage,
            lint_stage,
            client_stage,
            server_stage,
        ],
        dockerignore=["**", "!go.mod", "!go.sum", "!cmd/**/*.go"],
    ),
)

# Variables keep to what buildx 0.13 accepts: a `description` (buildx 0.16+) would be rejected.
app_version = Variable(  # the version stamped into both binaries
    metadata=Metadata(name="APP_VERSION"), spec=VariableSpec(default="0.0.0-dev")
)
registry = Variable(  # where images are pushed
    metadata=Metadata(name="REGISTRY"), spec=VariableSpec(default="localhost:5000")
)

common = Target(
    metadata=Metadata(name="_common"),
    spec=TargetSpec(
        context=".",
        dockerfile=dockerfile,
        args={"APP_VERSION": "${APP_VERSION}", "GO_VERSION": "1.22"},
        labels={"org.opencontainers.image.source": "https://github.com/example/go-client-server"},
    ),
)
binaries = Target(
    metadata=Metadata(name="binaries", labels={"kind": "artifact"}),
    spec=TargetSpec(
        inherits=[common],
        target=binaries_stage,
        platforms=["linux/amd64", "linux/arm64", "darwin/arm64", "windows/amd64"],
        output=["type=local,dest=bin"],
    ),
)
client = Target(
    metadata=Metadata(name="client", labels={"kind": "image"}),
    spec=TargetSpec(
        inherits=[common],
        target=client_stage,
        platforms=["linux/amd64", "linux/arm64"],
        tags=["${REGISTRY}/go-client:${APP_VERSION}"],
    ),
)
server = Target(
    metadata=Metadata(name="server", labels={"kind": "image"}),
    spec=TargetSpec(
        inherits=[common],
        target=server_stage,
        platforms=["linux/amd64", "linux/arm64"],
        tags=["${REGISTRY}/go-server:${APP_VERSION}"],
    ),
)
lint = Target(  # not from _common: its build args would reach a stage that declares none
    metadata=Metadata(name="lint", labels={"kind": "check"}),
    spec=TargetSpec(
        context=".", dockerfile=dockerfile, target=lint_stage, output=["type=cacheonly"]
    ),
)

default = Group(metadata=Metadata(name="default"), spec=GroupSpec(targets=[client, server]))
everything = Group(metadata=Metadata(name="all"), spec=GroupSpec(targets=[default, binaries, lint]))
