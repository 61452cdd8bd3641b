"""An engine host: daemon.json with TLS remote access, live-restore, proxies and BuildKit GC,
and the docker.service drop-in it needs, declared in Python.

daemon.json sets ``hosts``; the stock docker.service passes ``-H fd://``, and dockerd refuses
to start when both set the same option, so ``drop_in_for`` derives the drop-in that resets
ExecStart. Install the files as /etc/docker/daemon.json and
/etc/systemd/system/docker.service.d/bakepy.conf, then
``systemctl daemon-reload && systemctl restart docker``.
"""

from bakepy import DaemonConfig, DaemonConfigSpec, Metadata
from bakepy.models.host import (
    DaemonAddressPool,
    DaemonBuilder,
    DaemonBuilderGC,
    DaemonBuilderGCPolicy,
    DaemonProxies,
    DaemonUlimit,
    drop_in_for,
)

TLS = "/etc/docker/tls"

engine = DaemonConfig(
    metadata=Metadata(name="engine", labels={"role": "build-host"}),
    spec=DaemonConfigSpec(
        hosts=["unix:///var/run/docker.sock", "tcp://0.0.0.0:2376"],
        tlsverify=True,
        tlscacert=f"{TLS}/ca.pem",
        tlscert=f"{TLS}/server-cert.pem",
        tlskey=f"{TLS}/server-key.pem",
        live_restore=True,
        proxies=DaemonProxies(
            http_proxy="http://proxy.corp.example:3128",
            https_proxy="http://proxy.corp.example:3128",
            no_proxy="localhost,127.0.0.1,.corp.example",
        ),
        log_driver="local",
        log_opts={"max-size": "20m", "max-file": "5"},
        default_address_pools=[DaemonAddressPool(base="10.200.0.0/16", size=24)],
        default_ulimits={"nofile": DaemonUlimit(soft=65536, hard=1048576)},
        features={"containerd-snapshotter": True},
        builder=DaemonBuilder(
            gc=DaemonBuilderGC(
                enabled=True,
                default_keep_storage="20GB",
                policy=[
                    DaemonBuilderGCPolicy(keep_storage="10GB", filter=["unused-for=168h"]),
                    DaemonBuilderGCPolicy(keep_storage="50GB", all=True),
                ],
            )
        ),
        metrics_addr="127.0.0.1:9323",
    ),
)

reset_exec_start = drop_in_for(engine)
