# Shared helpers for scripts/start.sh, scripts/test.sh and .ci/run (sourced, not run).
# Installs what a fresh Debian/Ubuntu machine is missing: apt packages (checked with dpkg)
# and node_modules (npm ci when missing or stale, never downloading Electron's binary).

KYSO_ROOT=${KYSO_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}

# Tools the app, the test bed and the tests use; build tools for the native addons
# (better-sqlite3, pkcs11js) that .npmrc builds from source.
KYSO_APT_PACKAGES=(
  softhsm2 opensc openssl libnss3-tools poppler-utils qpdf mupdf-tools
  chromium fonts-liberation postgresql xmlsec1
  build-essential python3 git ca-certificates
  ceph-mon ceph-osd radosgw
  nginx-light
  nsis
)

log() { printf '\033[1m[kyso]\033[0m %s\n' "$*" >&2; }

# Runs a command as root: directly when root, else through sudo (non-interactive in CI).
as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif [ "${CI:-}" = true ] || [ ! -t 0 ]; then sudo -n "$@"
  else sudo "$@"
  fi
}

pkg_installed() {
  [[ $(dpkg-query -W -f='${Status}' "$1" 2>/dev/null) == *"install ok installed"* ]]
}

# Installs the apt packages that are missing (apt-get update first, only when needed).
ensure_apt() {
  if ! command -v dpkg-query >/dev/null; then
    log "not a Debian/Ubuntu system: install by hand: ${KYSO_APT_PACKAGES[*]}"
    return 0
  fi
  local missing=() p policy
  for p in "${KYSO_APT_PACKAGES[@]}"; do pkg_installed "$p" || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing apt packages: ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  # Ubuntu ships Chromium as a snap behind a transitional package: install what has a candidate.
  local installable=()
  for p in "${missing[@]}"; do
    # Not `apt-cache policy | grep -q`: under pipefail, grep's early exit SIGPIPEs apt-cache
    # and the pipeline reads as "no candidate".
    policy=$(apt-cache policy "$p" 2>/dev/null || true)
    if [[ $policy == *"Candidate: "[0-9]* ]]; then installable+=("$p")
    else log "warning: no apt candidate for $p (skipped)"
    fi
  done
  [ ${#installable[@]} -gt 0 ] && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${installable[@]}"
  return 0
}

# Node 20.19+ is required (package.json engines); Debian 12's own nodejs is 18.
ensure_node() {
  if ! command -v node >/dev/null || ! node -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>20||(a===20&&b>=19)?0:1)'; then
    log "Node.js >= 20.19 is required (found: $(node --version 2>/dev/null || echo none))."
    log "Install it (e.g. https://github.com/nodesource/distributions or nvm), then run this again."
    exit 1
  fi
}

# Runs `npm ci` when node_modules is missing or does not match package-lock.json.
ensure_node_modules() {
  if node "$KYSO_ROOT/scripts/deps-check.mjs" "$KYSO_ROOT"; then return 0; fi
  log "installing npm dependencies (npm ci)"
  (cd "$KYSO_ROOT" && ELECTRON_SKIP_BINARY_DOWNLOAD=1 npm ci --no-audit --no-fund)
}

# Builds dist/ (Node side, preload, renderer).
build() {
  log "building"
  (cd "$KYSO_ROOT" && npm run --silent build)
}
