"""Dockerfiles as typed objects: stages that reference each other, and every instruction.

The model holds only what a Dockerfile says; rendering lives in ``bakepy.generators.dockerfile``
and the rules that need the whole file (stage order, ARG scope, ...) in
``bakepy.resolution.checks.dockerfile``.
"""

import re
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal, Self, Union

from pydantic import ConfigDict, Field, PlainSerializer, field_validator, model_validator

from bakepy.models.base import BakepyModel, empty_list
from bakepy.models.resource import Metadata, Resource

Command = str | list[str]
"""Shell form (a string, run by the stage's shell) or exec form (a list of arguments)."""


class _DockerfileModel(BakepyModel):
    """Base of this module's models: each is built when first validated, not at import
    (``defer_build``). Most commands import them to tell a Dockerfile object from a path, and a
    render of targets that name their Dockerfile by path validates none (issue 12)."""

    model_config = ConfigDict(defer_build=True)


_HEREDOC_DELIMITER = re.compile(r"[A-Za-z0-9_.][A-Za-z0-9_.-]*")
_HEREDOC_MARKER = re.compile(r"\d*<<-?(\S+)")


class Heredoc(_DockerfileModel):
    """A here-document: ``<<EOT`` ... ``EOT``, a script for RUN or an inline file for COPY/ADD."""

    body: str = Field(description="The lines between the opening and the closing delimiter.")
    delimiter: str = Field(default="EOT", description="Word that opens and closes the heredoc.")
    expand: bool = Field(
        default=True,
        description='Expand `$VARIABLES` in the body; false quotes the delimiter (`<<"EOT"`).',
    )
    strip_tabs: bool = Field(
        default=False, description="Strip leading tabs from the body (`<<-EOT`)."
    )

    @field_validator("delimiter")
    @classmethod
    def _word(cls, value: str) -> str:
        if not _HEREDOC_DELIMITER.fullmatch(value):
            raise ValueError(
                f"heredoc delimiter {value!r} must be a word like EOT or robots.txt (letters, "
                "digits, '_', '.', '-'; not starting with '-')"
            )
        return value

    @model_validator(mode="after")
    def _body_does_not_close(self) -> Self:
        for line in self.body.split("\n"):
            line = line.rstrip("\r")
            if (line.lstrip("\t") if self.strip_tabs else line) == self.delimiter:
                raise ValueError(f"heredoc body contains its own delimiter line {self.delimiter!r}")
        return self


def heredoc_delimiters(command: str) -> set[str]:
    """The delimiters of the ``<<EOT`` markers in a shell command (quotes removed)."""
    names: set[str] = set()
    for word in command.split():
        match = _HEREDOC_MARKER.fullmatch(word)
        if match:
            names.add(re.sub(r"[\"'\\]", "", match.group(1)))
    return names


class StageRef(_DockerfileModel):
    """A reference to a stage by name, as YAML manifests and parsed Dockerfiles write it."""

    stage: str = Field(description="Name of an earlier stage of the same Dockerfile.")


def _serialize_stage_or_image(value: object) -> object:
    """A Stage object serializes as ``{stage: name}``; names and images stay as written."""
    if isinstance(value, Stage):
        return {"stage": value.name}
    if isinstance(value, StageRef):
        return {"stage": value.stage}
    return value


StageOrImage = Annotated[
    Union["Stage", StageRef, str], PlainSerializer(_serialize_stage_or_image, return_type=object)
]
"""A stage object, a stage reference or an image reference (``nginx:latest``, ``scratch``)."""


class _InstructionBase(_DockerfileModel):
    """Common base of every instruction; ``instruction`` is the keyword that discriminates them."""

    KEYWORD: ClassVar[str] = ""


# --- RUN and its mounts -----------------------------------------------------------------------


class CacheMount(_DockerfileModel):
    """``--mount=type=cache``: a persistent cache directory shared between builds."""

    type: Literal["cache"] = Field(default="cache", description="Mount type.")
    target: str | None = Field(
        default=None, description="Mount path inside the build container (default: the workdir)."
    )
    id: str | None = Field(default=None, description="Cache id; defaults to the target path.")
    sharing: Literal["shared", "private", "locked"] | None = Field(
        default=None, description="How concurrent builds share the cache."
    )
    from_: StageOrImage | None = Field(
        default=None, description="Stage or image to seed the cache from."
    )
    source: str | None = Field(default=None, description="Subpath in `from` to mount.")
    mode: str | None = Field(default=None, description="File mode of a new cache directory (0755).")
    uid: int | None = Field(default=None, description="User id of a new cache directory.")
    gid: int | None = Field(default=None, description="Group id of a new cache directory.")
    readonly: bool = Field(default=False, description="Mount read-only.")


class BindMount(_DockerfileModel):
    """``--mount=type=bind``: files of the context, a stage or an image, without copying them."""

    type: Literal["bind"] = Field(default="bind", description="Mount type.")
    target: str | None = Field(
        default=None, description="Mount path inside the build container (default: the workdir)."
    )
    source: str | None = Field(default=None, description="Path in `from` (default: its root).")
    from_: StageOrImage | None = Field(
        default=None, description="Stage or image to mount from (default: the build context)."
    )
    rw: bool = Field(default=False, description="Allow writes (discarded after the step).")


class SecretMount(_DockerfileModel):
    """``--mount=type=secret``: a build secret readable during this RUN only, never in a layer."""

    type: Literal["secret"] = Field(default="secret", description="Mount type.")
    id: str = Field(description="Id of the secret passed to the build (`--secret id=...`).")
    target: str | None = Field(default=None, description="File path (default /run/secrets/<id>).")
    env: str | None = Field(default=None, description="Expose the secret as this env variable.")
    required: bool = Field(default=False, description="Fail the build when it is not provided.")
    mode: str | None = Field(default=None, description="File mode of the secret file.")
    uid: int | None = Field(default=None, description="User id owning the secret file.")
    gid: int | None = Field(default=None, description="Group id owning the secret file.")


class SshMount(_DockerfileModel):
    """``--mount=type=ssh``: access to the SSH agent or keys passed with ``--ssh``."""

    type: Literal["ssh"] = Field(default="ssh", description="Mount type.")
    id: str | None = Field(default=None, description="Id of the SSH source (default `default`).")
    target: str | None = Field(default=None, description="Socket path inside the container.")
    required: bool = Field(default=False, description="Fail the build when it is not provided.")
    mode: str | None = Field(default=None, description="File mode of the socket.")
    uid: int | None = Field(default=None, description="User id owning the socket.")
    gid: int | None = Field(default=None, description="Group id owning the socket.")


class TmpfsMount(_DockerfileModel):
    """``--mount=type=tmpfs``: an in-memory scratch directory."""

    type: Literal["tmpfs"] = Field(default="tmpfs", description="Mount type.")
    target: str | None = Field(
        default=None, description="Mount path inside the build container (default: the workdir)."
    )
    size: str | None = Field(default=None, description="Size limit, e.g. `64m`.")


Mount = Annotated[
    CacheMount | BindMount | SecretMount | SshMount | TmpfsMount, Field(discriminator="type")
]


class Run(_InstructionBase):
    """``RUN``: execute a command in a new layer, with optional mounts, network and heredoc."""

    KEYWORD: ClassVar[str] = "RUN"
    instruction: Literal["RUN"] = Field(default="RUN", description="Instruction keyword.")
    command: Command | None = Field(
        default=None,
        description=(
            "Shell-form string or exec-form list; with a heredoc, the command it feeds. A line "
            "ending in the escape character continues on the next; any other line break is "
            "one the shell sees (the lines run as a script)."
        ),
    )
    heredoc: Heredoc | None = Field(default=None, description="Script given as a here-document.")
    heredocs: list[Heredoc] = Field(
        default_factory=empty_list,
        description=(
            "Here-documents a shell-form `command` reads where its own `<<EOT` markers stand "
            "(`cat <<EOT > /etc/motd`, several per command); their bodies follow the command."
        ),
    )
    mounts: list[Mount] = Field(default_factory=empty_list, description="`--mount` options.")
    network: Literal["default", "none", "host"] | None = Field(
        default=None, description="`--network` for this step."
    )
    security: Literal["sandbox", "insecure"] | None = Field(
        default=None, description="`--security` (insecure needs the security.insecure entitlement)."
    )

    @model_validator(mode="after")
    def _has_something_to_run(self) -> Self:
        if self.command is None and self.heredoc is None:
            raise ValueError("RUN needs a command or a heredoc")
        if self.heredoc is not None and isinstance(self.command, list):
            raise ValueError("RUN with a heredoc takes a shell-form command, not an exec-form list")
        if isinstance(self.command, list) and not self.command:
            raise ValueError("exec-form command must not be empty")
        if self.heredocs:
            self._check_heredoc_markers()
        return self

    def _check_heredoc_markers(self) -> None:
        if self.heredoc is not None:
            raise ValueError("RUN takes either `heredoc` or `heredocs`, not both")
        if not isinstance(self.command, str):
            raise ValueError("RUN `heredocs` need a shell-form command holding their markers")
        missing = [
            h.delimiter
            for h in self.heredocs
            if h.delimiter not in heredoc_delimiters(self.command)
        ]
        if missing:
            raise ValueError(f"the command has no <<{missing[0]} marker for its heredoc")


class Cmd(_InstructionBase):
    """``CMD``: the default command of the image."""

    KEYWORD: ClassVar[str] = "CMD"
    instruction: Literal["CMD"] = Field(default="CMD", description="Instruction keyword.")
    command: Command = Field(description="Shell-form string or exec-form list.")


class Entrypoint(_InstructionBase):
    """``ENTRYPOINT``: the executable the container runs."""

    KEYWORD: ClassVar[str] = "ENTRYPOINT"
    instruction: Literal["ENTRYPOINT"] = Field(
        default="ENTRYPOINT", description="Instruction keyword."
    )
    command: Command = Field(description="Shell-form string or exec-form list.")


class Label(_InstructionBase):
    """``LABEL``: metadata key/value pairs on the image."""

    KEYWORD: ClassVar[str] = "LABEL"
    instruction: Literal["LABEL"] = Field(default="LABEL", description="Instruction keyword.")
    labels: dict[str, str] = Field(description="Label keys and values.")


class Expose(_InstructionBase):
    """``EXPOSE``: ports the container listens on (documentation for the runtime)."""

    KEYWORD: ClassVar[str] = "EXPOSE"
    instruction: Literal["EXPOSE"] = Field(default="EXPOSE", description="Instruction keyword.")
    ports: list[str] = Field(description="Ports as `80`, `53/udp` or `8000-8010/tcp`.")

    @field_validator("ports", mode="before", json_schema_input_type=list[str | int])
    @classmethod
    def _ints_to_str(cls, value: Any) -> Any:
        if isinstance(value, list):
            return [str(item) if isinstance(item, int) else item for item in value]
        return value


class Env(_InstructionBase):
    """``ENV``: environment variables for later steps and the container."""

    KEYWORD: ClassVar[str] = "ENV"
    instruction: Literal["ENV"] = Field(default="ENV", description="Instruction keyword.")
    env: dict[str, str] = Field(description="Variable names and values.")


class _FileInstruction(_InstructionBase):
    """Flags COPY and ADD share."""

    src: list[str] = Field(default_factory=empty_list, description="Source paths or URLs.")
    dest: str = Field(description="Destination path in the image.")
    heredocs: list[Heredoc] = Field(
        default_factory=empty_list, description="Inline files given as here-documents."
    )
    chown: str | None = Field(default=None, description="`--chown=user:group`.")
    chmod: str | None = Field(default=None, description="`--chmod=0755` (octal or symbolic).")
    link: bool = Field(default=False, description="`--link`: copy into an independent layer.")
    exclude: list[str] = Field(default_factory=empty_list, description="`--exclude` patterns.")

    @field_validator("src", mode="before", json_schema_input_type=list[str] | str)
    @classmethod
    def _one_source(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    @model_validator(mode="after")
    def _has_source(self) -> Self:
        if not self.src and not self.heredocs:
            raise ValueError(f"{self.KEYWORD} needs at least one source or heredoc")
        return self


class Copy(_FileInstruction):
    """``COPY``: files from the context, another stage or an image, or inline heredoc files."""

    KEYWORD: ClassVar[str] = "COPY"
    instruction: Literal["COPY"] = Field(default="COPY", description="Instruction keyword.")
    from_: StageOrImage | None = Field(
        default=None,
        description="`--from`: a Stage object, a stage name, or an image such as nginx:latest.",
    )
    parents: bool = Field(default=False, description="`--parents`: keep the source directories.")


class Add(_FileInstruction):
    """``ADD``: like COPY, plus URLs, git repositories and automatic tar extraction."""

    KEYWORD: ClassVar[str] = "ADD"
    instruction: Literal["ADD"] = Field(default="ADD", description="Instruction keyword.")
    checksum: str | None = Field(
        default=None, description="`--checksum=sha256:...` of an HTTP source."
    )
    keep_git_dir: bool | None = Field(default=None, description="`--keep-git-dir` for git sources.")
    unpack: bool | None = Field(default=None, description="`--unpack` for archive sources.")

    @field_validator("checksum")
    @classmethod
    def _digest(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("sha256:", "sha384:", "sha512:")):
            raise ValueError("checksum must look like sha256:<hex>")
        return value


class Volume(_InstructionBase):
    """``VOLUME``: mount points for anonymous volumes."""

    KEYWORD: ClassVar[str] = "VOLUME"
    instruction: Literal["VOLUME"] = Field(default="VOLUME", description="Instruction keyword.")
    paths: list[str] = Field(description="Paths in the container.")


class User(_InstructionBase):
    """``USER``: the user (and group) later steps and the container run as."""

    KEYWORD: ClassVar[str] = "USER"
    instruction: Literal["USER"] = Field(default="USER", description="Instruction keyword.")
    user: str = Field(description="User name or uid.")
    group: str | None = Field(default=None, description="Group name or gid.")


class Workdir(_InstructionBase):
    """``WORKDIR``: the working directory of later steps and the container."""

    KEYWORD: ClassVar[str] = "WORKDIR"
    instruction: Literal["WORKDIR"] = Field(default="WORKDIR", description="Instruction keyword.")
    path: str = Field(description="Directory path.")


class Arg(_InstructionBase):
    """``ARG``: a build argument, with an optional default."""

    KEYWORD: ClassVar[str] = "ARG"
    instruction: Literal["ARG"] = Field(default="ARG", description="Instruction keyword.")
    name: str = Field(description="Argument name.")
    default: str | None = Field(default=None, description="Default value when none is passed.")
    comment: str | None = Field(
        default=None,
        description=(
            "Comment lines right before a global ARG (without `#`, one per line); a line "
            "`NAME text` is the argument's description in BuildKit's outline. In a stage, "
            "write Comment instructions before the ARG instead."
        ),
    )

    @field_validator("name")
    @classmethod
    def _identifier(cls, value: str) -> str:
        if not value or not (value[0].isalpha() or value[0] == "_"):
            raise ValueError(f"ARG name {value!r} must start with a letter or underscore")
        if not value.replace("_", "").isalnum():
            raise ValueError(f"ARG name {value!r} may only hold letters, digits and underscores")
        return value


class Stopsignal(_InstructionBase):
    """``STOPSIGNAL``: the signal that stops the container."""

    KEYWORD: ClassVar[str] = "STOPSIGNAL"
    instruction: Literal["STOPSIGNAL"] = Field(
        default="STOPSIGNAL", description="Instruction keyword."
    )
    signal: str = Field(description="Signal name (SIGTERM) or number.")


class Healthcheck(_InstructionBase):
    """``HEALTHCHECK``: how the engine probes the container, or ``NONE`` to disable the base's."""

    KEYWORD: ClassVar[str] = "HEALTHCHECK"
    instruction: Literal["HEALTHCHECK"] = Field(
        default="HEALTHCHECK", description="Instruction keyword."
    )
    command: Command | None = Field(
        default=None, description="The probe (`CMD ...`); leave empty with `none`."
    )
    none: bool = Field(default=False, description="`HEALTHCHECK NONE`: disable the base image's.")
    interval: str | None = Field(default=None, description="Time between probes, e.g. `30s`.")
    timeout: str | None = Field(default=None, description="Time a probe may take.")
    start_period: str | None = Field(default=None, description="Grace period after start.")
    start_interval: str | None = Field(
        default=None, description="Time between probes during the start period."
    )
    retries: int | None = Field(default=None, description="Failures before unhealthy.")

    @model_validator(mode="after")
    def _command_or_none(self) -> Self:
        if self.none == (self.command is not None):
            raise ValueError("HEALTHCHECK needs either a command or none=true, not both")
        has_options = any(
            v is not None
            for v in (self.interval, self.timeout, self.start_period, self.start_interval)
        )
        if self.none and (has_options or self.retries is not None):
            raise ValueError("HEALTHCHECK NONE takes no options")
        return self


class Shell(_InstructionBase):
    """``SHELL``: the shell that runs shell-form commands; exec form only."""

    KEYWORD: ClassVar[str] = "SHELL"
    instruction: Literal["SHELL"] = Field(default="SHELL", description="Instruction keyword.")
    command: Command = Field(
        description="Exec-form list, e.g. ['/bin/bash', '-o', 'pipefail', '-c']."
    )


class Comment(_InstructionBase):
    """A ``#`` comment line, kept so that generated files can explain themselves."""

    KEYWORD: ClassVar[str] = "#"
    instruction: Literal["COMMENT"] = Field(default="COMMENT", description="Instruction keyword.")
    text: str = Field(description="Comment text, without the leading `#`.")


class Raw(_InstructionBase):
    """An escape hatch: text written into the Dockerfile as is."""

    KEYWORD: ClassVar[str] = ""
    instruction: Literal["RAW"] = Field(default="RAW", description="Instruction keyword.")
    text: str = Field(description="Dockerfile text, written verbatim.")


class Onbuild(_InstructionBase):
    """``ONBUILD``: an instruction that runs when another build uses this image as its base."""

    KEYWORD: ClassVar[str] = "ONBUILD"
    instruction: Literal["ONBUILD"] = Field(default="ONBUILD", description="Instruction keyword.")
    trigger: "Instruction" = Field(description="The instruction to run in the downstream build.")


Instruction = Annotated[
    Run
    | Cmd
    | Entrypoint
    | Label
    | Expose
    | Env
    | Copy
    | Add
    | Volume
    | User
    | Workdir
    | Arg
    | Stopsignal
    | Healthcheck
    | Shell
    | Onbuild
    | Comment
    | Raw,
    Field(discriminator="instruction"),
]


class Stage(_DockerfileModel):
    """A build stage: ``FROM base [AS name]`` followed by its instructions.

    Example::

        build = Stage(name="build", from_="golang:1.22", instructions=[Run(command="make")])
        final = Stage(
            name="final", from_="scratch", instructions=[Copy(from_=build, src=["/out"], dest="/")]
        )
    """

    name: str | None = Field(default=None, description="Stage name (`AS name`).")
    from_: StageOrImage = Field(
        description="Base: an earlier Stage, a stage name, an image reference or `scratch`."
    )
    platform: str | None = Field(
        default=None, description="`--platform`, e.g. `$BUILDPLATFORM` or `linux/arm64`."
    )
    description: str | None = Field(
        default=None,
        description=(
            "What BuildKit lists for the stage as a build target (`--print=targets`); "
            "written as the comment `# NAME description` right before FROM. Needs a name."
        ),
    )
    comment: str | None = Field(
        default=None,
        description="Other comment lines right before FROM (without `#`, one per line).",
    )
    instructions: list[Instruction] = Field(
        default_factory=empty_list, description="Instructions after FROM, in order."
    )

    @field_validator("name")
    @classmethod
    def _stage_name(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"[a-zA-Z][a-zA-Z0-9_.-]*", value):
            raise ValueError(
                f"stage name {value!r} must start with a letter and hold letters, digits, "
                "'_', '.' or '-'"
            )
        return value

    @model_validator(mode="after")
    def _comments_as_instructions(self) -> Self:
        for item in self.instructions:
            trigger = item.trigger if isinstance(item, Onbuild) else item
            if isinstance(trigger, Arg) and trigger.comment is not None:
                raise ValueError(
                    f"ARG {trigger.name}: in a stage, a comment is a Comment instruction before "
                    "the ARG (Arg.comment is for the ARGs before the first FROM)"
                )
        return self

    @model_validator(mode="after")
    def _described_by_name(self) -> Self:
        if self.description is None:
            return self
        if self.name is None:
            raise ValueError(
                "a stage description needs a stage name: BuildKit reads it from the comment "
                "`# NAME description` before FROM"
            )
        if not self.description.strip() or "\n" in self.description:
            raise ValueError("a stage description is one line of text")
        return self

    def __hash__(self) -> int:
        return id(self)

    def __eq__(self, other: object) -> bool:
        return self is other


class DockerfileSpec(_DockerfileModel):
    """The contents of a Dockerfile: parser directives, global ARGs and stages."""

    syntax: str | None = Field(
        default=None, description="`# syntax=` frontend image, e.g. docker/dockerfile:1."
    )
    escape: Literal["\\", "`"] | None = Field(
        default=None, description="`# escape=` character (backslash or backtick)."
    )
    check: str | None = Field(
        default=None, description="`# check=` build-check settings, e.g. skip=JSONArgsRecommended."
    )
    comment: str | None = Field(
        default=None,
        description="Header comment lines after the directives (without `#`, one per line).",
    )
    args: list[Arg] = Field(
        default_factory=empty_list, description="Global ARGs declared before the first FROM."
    )
    stages: list[Stage] = Field(min_length=1, description="Build stages, in order.")
    dockerignore: list[str] | None = Field(
        default=None,
        description="`.dockerignore` patterns (with `!` exceptions and `**`), rendered beside it.",
    )


IMPORTED_FROM = "bakepy.dev/imported-from"
"""The annotation a Dockerfile read from an existing file carries: the file's name. Such a
Dockerfile is the user's own text (loaded, or imported into Python or YAML), so rules about
how it should have been written (a credential in an ARG) warn instead of refusing it."""


class Dockerfile(Resource):
    """A Dockerfile resource (``kind: Dockerfile``)."""

    model_config = ConfigDict(defer_build=True)  # as _DockerfileModel's

    KIND: ClassVar[str] = "Dockerfile"
    NAME_IS_FILE_NAME: ClassVar[bool] = True
    kind: Literal["Dockerfile"] = Field(default="Dockerfile", description="Resource kind.")
    spec: DockerfileSpec = Field(description="Directives, global ARGs and stages.")

    @property
    def imported(self) -> bool:
        """Whether this Dockerfile was read from an existing file (see ``IMPORTED_FROM``)."""
        return IMPORTED_FROM in self.metadata.annotations

    if TYPE_CHECKING:

        def __init__(
            self, *, metadata: Metadata | str, spec: DockerfileSpec, api_version: str = ...
        ) -> None:
            """The constructor as type checkers see it: ``metadata`` may be just the name."""

    def stage(self, name: str) -> Stage:
        """The stage called ``name``; raises KeyError when there is none."""
        for stage in self.spec.stages:
            if stage.name == name:
                return stage
        raise KeyError(name)
