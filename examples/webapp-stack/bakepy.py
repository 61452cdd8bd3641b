"""A three-tier web app for compose and swarm, declared once: proxy, app and db services.

The proxy and the db share no network (frontend: proxy + app; backend: app + db), the db keeps
its data in a named volume that a backup service reads too, and the app's image is built from
a bake Target, so the same declaration feeds docker-bake.hcl, compose.yaml and the stack file.
Every service runs busybox (httpd stands in for the proxy, the app and the database).
Python takes compose's long syntax, which the types describe (``networks={"backend": None}``,
``ServiceSecret(source=...)``); bakepy.yaml beside it writes the same project in short syntax.

Render it with ``bakepy render -f examples/webapp-stack/bakepy.py --out out``; then ``docker compose -f
out/compose.yaml up -d`` or ``docker stack deploy -c out/webapp.stack.yaml webapp``.
"""

from bakepy import (
    ComposeProject,
    ComposeProjectSpec,
    Dockerfile,
    DockerfileSpec,
    Stack,
    StackSpec,
    Target,
    TargetSpec,
    Variable,
    VariableSpec,
)
from bakepy.models.compose import (
    ComposeConfig,
    ComposeNetwork,
    ComposeSecret,
    ComposeVolume,
    DependsOn,
    Deploy,
    DeployResources,
    Develop,
    Placement,
    ResourceLimits,
    ResourceReservations,
    RestartPolicy,
    Service,
    ServiceConfig,
    ServiceHealthcheck,
    ServiceSecret,
    UpdateConfig,
    Watch,
)
from bakepy.models.dockerfile import Cmd, Copy, Expose, Stage

BASE_IMAGE = "localhost:5000/busybox:latest"

app_stage = Stage(
    name="app",
    from_=BASE_IMAGE,
    instructions=[
        Copy(src=["app/"], dest="/www/"),
        Expose(ports=["8080"]),
        Cmd(command=["httpd", "-f", "-p", "8080", "-h", "/www"]),
    ],
)
app_dockerfile = Dockerfile(metadata="webapp-app", spec=DockerfileSpec(stages=[app_stage]))

version = Variable(metadata="VERSION", spec=VariableSpec(default="0.1.0"))

app_image = Target(
    metadata="app",
    spec=TargetSpec(
        context=".",
        dockerfile=app_dockerfile,
        target=app_stage,
        tags=["localhost:5000/webapp-app:${VERSION}"],
        labels={"org.opencontainers.image.title": "webapp-app"},
    ),
)


def http_check(port: int) -> ServiceHealthcheck:
    """Healthy when busybox wget gets a page from the service's own port."""
    return ServiceHealthcheck(
        test=["CMD", "wget", "-q", "-O", "/dev/null", f"http://127.0.0.1:{port}/"],
        interval="10s",
        timeout="3s",
        retries=3,
        start_period="5s",
        start_interval="1s",
    )


rolling = UpdateConfig(parallelism=1, delay="10s", order="start-first", failure_action="rollback")
on_failure = RestartPolicy(condition="on-failure", delay="5s", max_attempts=3, window="1m")
on_manager = Placement(constraints=["node.role == manager"])

proxy = Service(
    image=BASE_IMAGE,
    init=True,
    command=["httpd", "-f", "-p", "80", "-h", "/www"],
    ports=["18080:80"],
    networks={"frontend": None},
    configs=[ServiceConfig(source="proxy_index", target="/www/index.html", mode=0o444)],
    depends_on={"app": DependsOn(condition="service_healthy")},
    healthcheck=http_check(80),
    deploy=Deploy(
        replicas=1,
        resources=DeployResources(limits=ResourceLimits(cpus="0.25", memory="32m")),
        restart_policy=on_failure,
        update_config=rolling,
        placement=on_manager,
    ),
)

app = Service(
    build=app_image,
    init=True,
    environment={"DB_HOST": "db", "DB_PORT": "5432"},
    networks={"frontend": None, "backend": None},
    secrets=[ServiceSecret(source="db_password")],
    depends_on={"db": DependsOn(condition="service_healthy")},
    healthcheck=http_check(8080),
    deploy=Deploy(
        replicas=2,
        resources=DeployResources(
            limits=ResourceLimits(cpus="0.5", memory="64m", pids=100),
            reservations=ResourceReservations(cpus="0.1", memory="16m"),
        ),
        restart_policy=on_failure,
        update_config=rolling,
        rollback_config=UpdateConfig(parallelism=1, order="stop-first"),
        placement=on_manager,
    ),
    develop=Develop(watch=[Watch(path="app", action="sync", target="/www")]),
)

db = Service(
    image=BASE_IMAGE,
    init=True,
    command=["sh", "-c", "echo ok > /data/health && exec httpd -f -p 5432 -h /data"],
    volumes=["db-data:/data"],
    networks={"backend": None},
    secrets=[ServiceSecret(source="db_password")],
    healthcheck=ServiceHealthcheck(
        test=["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:5432/health"],
        interval="10s",
        timeout="3s",
        retries=3,
        start_period="5s",
        start_interval="1s",
    ),
    deploy=Deploy(
        replicas=1,
        resources=DeployResources(limits=ResourceLimits(cpus="0.5", memory="64m")),
        restart_policy=on_failure,
        placement=on_manager,
    ),
)

backup = Service(
    image=BASE_IMAGE,
    init=True,
    command=["sh", "-c", "while true; do tar -cf /backup/db.tar -C /data .; sleep 3600; done"],
    volumes=["db-data:/data:ro", "db-backup:/backup"],
    networks={"backend": None},
    depends_on={"db": DependsOn(condition="service_started")},
    deploy=Deploy(replicas=1, restart_policy=on_failure, placement=on_manager),
)

webapp = ComposeProject(
    metadata="webapp",
    spec=ComposeProjectSpec(
        services={"proxy": proxy, "app": app, "db": db, "backup": backup},
        networks={"frontend": ComposeNetwork(), "backend": ComposeNetwork(internal=True)},
        volumes={"db-data": ComposeVolume(), "db-backup": ComposeVolume()},
        configs={"proxy_index": ComposeConfig(content="<!doctype html>\n<p>proxy</p>\n")},
        secrets={"db_password": ComposeSecret(file="secrets/db-password.txt")},
    ),
)

stack = Stack(metadata="webapp", spec=StackSpec(project=webapp))
