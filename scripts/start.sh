#!/usr/bin/env bash
# `npm start` (demo mode): on a fresh Debian/Ubuntu machine installs what is missing (apt +
# npm), builds, then runs test/bed/demo.ts: the demo PKI and "Kyso Demo" token (created once
# under KYSO_HOME/demo), the OCSP/TSA/CRL server, the local inbox server and the app.
# Arguments go to `kyso app`, e.g. `npm start -- --browser --port 8080 --no-open`. Ctrl-C stops all.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$KYSO_ROOT"

ensure_apt
ensure_node
ensure_node_modules
build
# One process (no tsx launcher in between), so the demo notices when npm goes away.
exec node --import tsx test/bed/demo.ts "$@"
