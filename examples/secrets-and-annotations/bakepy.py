"""Build secrets (a file and an environment variable), an SSH mount, OCI annotations,
provenance and SBOM attestations, and a push to a registry, declared in Python.

Secrets are references: the value of API key file or of $NPM_TOKEN never enters bakepy.
"""

from bakepy import Dockerfile, DockerfileSpec, Metadata, Target, TargetSpec, Variable, VariableSpec
from bakepy.models.bake import SSH, Annotation, Attest, Output, Secret
from bakepy.models.dockerfile import BindMount, Copy, Run, SecretMount, SshMount, Stage, Workdir

BASE_IMAGE = "localhost:5000/busybox:latest"

build = Stage(
    name="build",
    from_=BASE_IMAGE,
    instructions=[
        Workdir(path="/app"),
        Copy(src=["app/fetch.sh"], dest="/app/fetch.sh", chmod="0755"),
        Run(
            command="/app/fetch.sh",
            mounts=[
                SecretMount(id="api_key", required=True),
                SecretMount(id="npm_token", env="NPM_TOKEN", required=True),
            ],
        ),
        Run(
            command='test -S "$SSH_AUTH_SOCK" && echo ssh agent forwarded',
            mounts=[SshMount(id="default", required=True)],
        ),
    ],
)
release = Stage(
    name="release",
    from_=BASE_IMAGE,
    instructions=[
        Copy(from_=build, src=["/app/fetch.sh"], dest="/usr/local/bin/fetch"),
        Run(command="echo release > /release.txt", mounts=[BindMount(target="/mnt")]),
    ],
)

dockerfile = Dockerfile(
    metadata=Metadata(name="secure-app"),
    # RUN --mount=type=secret,env= needs frontend 1.10; dockerd 26.1 builds in 1.7
    spec=DockerfileSpec(syntax="docker/dockerfile:1", stages=[build, release]),
)

version = Variable(metadata=Metadata(name="VERSION"), spec=VariableSpec(default="1.0.0"))

app = Target(
    metadata=Metadata(name="app", labels={"team": "security"}),
    spec=TargetSpec(
        context=".",
        dockerfile=dockerfile,
        target=release,
        secret=[
            Secret(id="api_key", src="secrets/api-key.txt"),
            Secret(id="npm_token", env="NPM_TOKEN"),
        ],
        ssh=[SSH(id="default")],
        tags=["localhost:5000/secure-app:${VERSION}"],
        platforms=["linux/amd64", "linux/arm64"],
        annotations=[
            Annotation(key="org.opencontainers.image.title", value="secure-app", levels=["index"]),
            Annotation(
                key="org.opencontainers.image.version",
                value="${VERSION}",
                levels=["index", "manifest"],
            ),
            Annotation(
                key="org.opencontainers.image.description",
                value="arm64 build of secure-app",
                levels=["manifest"],
                platform="linux/arm64",
            ),
        ],
        attest=[Attest(type="provenance", options={"mode": "max"}), Attest(type="sbom")],
        output=[Output(type="registry")],
    ),
)
