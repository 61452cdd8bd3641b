"""Commands compose runs inside a service's containers: lifecycle hooks and watch exec rules.

A hook runs after a container started (``post_start``), before it stops (``pre_stop``), or
when ``docker compose watch`` synced files (``develop.watch[].exec``).
"""

from pydantic import Field

from bakepy.models.compose.base import BoolOrVariable, ComposeModel, EnvMap


class ServiceHook(ComposeModel):
    """One command run in the container, as whom, where and with which extra variables."""

    command: str | list[str] | None = Field(
        default=None, description="The command (a list, or a shell-split string)."
    )
    user: str | None = Field(default=None, description="User to run it as.")
    privileged: BoolOrVariable | None = Field(default=None, description="Run it privileged.")
    working_dir: str | None = Field(default=None, description="Folder to run it in.")
    environment: EnvMap = Field(
        default_factory=dict, description="Extra variables (a mapping or a list of K=V)."
    )
