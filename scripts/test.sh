#!/usr/bin/env bash
# `npm test`: installs what is missing (apt + npm), builds, then runs every test: vitest
# (unit + integration, real SoftHSM2/OpenSSL/SQLite/PostgreSQL) and the Playwright e2e specs.
# Extra arguments go to vitest (e.g. `npm test -- test/unit/pdf`), which then skips e2e.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$KYSO_ROOT"

ensure_apt
ensure_node
ensure_node_modules
build

# PostgreSQL for the exchange server's Postgres store tests (they skip without the URL).
if [ -z "${KYSO_TEST_PG_URL:-}" ]; then
  if pg_env=$(bash scripts/pg-test.sh start); then
    eval "$pg_env"
    log "PostgreSQL for tests: $KYSO_TEST_PG_URL"
  else
    log "warning: PostgreSQL not available; Postgres tests will skip"
  fi
fi

# S3-compatible object store (Ceph RGW) for the server's S3 blob store tests (they skip, loudly,
# without the endpoint). .ci/run starts it before; a plain `npm test` starts it here.
if [ -z "${KYSO_TEST_S3_ENDPOINT:-}" ]; then
  if s3_env=$(bash scripts/s3-test.sh start); then
    eval "$s3_env"
    log "S3 store for tests: $KYSO_TEST_S3_ENDPOINT"
  else
    log "warning: Ceph RGW did not start; S3 blob store tests will skip (logs: ${KYSO_S3_DIR:-/tmp/kyso-s3}/log)"
  fi
fi

status=0
log "vitest (unit + integration)"
npx vitest run "$@" || status=$?

if [ $# -eq 0 ] && compgen -G 'test/e2e/*.e2e.test.ts' >/dev/null; then
  log "e2e (Playwright + Chromium)"
  KYSO_E2E_SKIP_BUILD=1 npm run --silent test:e2e || status=$?
fi

if [ $status -eq 0 ]; then log "all tests passed"; else log "TESTS FAILED (exit $status)"; fi
exit $status
