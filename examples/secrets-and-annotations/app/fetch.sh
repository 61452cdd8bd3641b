#!/bin/sh
# Stand-in for a build step that needs credentials: it only checks they are present.
set -eu
test -s /run/secrets/api_key
test -n "${NPM_TOKEN:-}"
echo "credentials available to the build step; none are written to the image"
