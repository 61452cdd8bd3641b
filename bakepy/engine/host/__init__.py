"""The engine host's files: plan and apply daemon.json and docker.service drop-ins under a root,
with ``dockerd --validate``, backups and the systemctl commands a change needs."""
