#!/usr/bin/env bash
# A private S3-compatible object store for tests: Ceph's RADOS Gateway (Debian's radosgw, the
# real S3 implementation) over a throw-away single-node Ceph cluster (one monitor and one OSD
# on memstore, no authentication, loopback only), all under KYSO_S3_DIR (default /tmp/kyso-s3).
# RGW listens on 127.0.0.1:KYSO_S3_PORT (default 57480), the monitor on KYSO_S3_PORT+1.
#   eval "$(bash scripts/s3-test.sh start)"   # starts (idempotent), prints export KYSO_TEST_S3_*=...
#   bash scripts/s3-test.sh stop               # stops the daemons, removes the directory
# Needs the apt packages ceph-mon, ceph-osd and radosgw. Never touches /etc/ceph.
set -euo pipefail

cmd=${1:-start}
DIR=${KYSO_S3_DIR:-/tmp/kyso-s3}
PORT=${KYSO_S3_PORT:-57480}
MON_PORT=$((PORT + 1))
ACCESS_KEY=kysotestaccesskey
SECRET_KEY=kysotestsecretkey0123456789
BUCKET=kyso-test
CONF=$DIR/ceph.conf
export CEPH_CONF=$CONF

log() { echo "s3-test: $*" >&2; }
cephq() { timeout 30 ceph --conf "$CONF" --connect-timeout 20 "$@"; }

# Kills the daemons whose pid files are in DIR/run (only ours: pids we wrote).
stop_daemons() {
  local f pid
  for f in "$DIR"/run/*.pid; do
    [ -f "$f" ] || continue
    pid=$(cat "$f" 2>/dev/null || true)
    [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  done
  for _ in $(seq 1 50); do
    local alive=0
    for f in "$DIR"/run/*.pid; do
      [ -f "$f" ] || continue
      pid=$(cat "$f" 2>/dev/null || true)
      [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && alive=1
    done
    [ $alive = 0 ] && return 0
    sleep 0.1
  done
  for f in "$DIR"/run/*.pid; do
    [ -f "$f" ] && kill -9 "$(cat "$f")" 2>/dev/null || true
  done
}

# RGW opens its port only once its pools exist and it serves requests.
rgw_up() { (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; }

print_env() {
  echo "export KYSO_TEST_S3_ENDPOINT=http://127.0.0.1:$PORT"
  echo "export KYSO_TEST_S3_BUCKET=$BUCKET"
  echo "export KYSO_TEST_S3_ACCESS_KEY=$ACCESS_KEY"
  echo "export KYSO_TEST_S3_SECRET_KEY=$SECRET_KEY"
  echo "export KYSO_TEST_S3_REGION=default"
}

start() {
  for b in monmaptool ceph-mon ceph-osd radosgw radosgw-admin ceph; do
    command -v "$b" >/dev/null || { log "$b not found (apt packages ceph-mon ceph-osd radosgw)"; exit 1; }
  done
  if [ -f "$DIR/ready" ] && rgw_up; then print_env; return 0; fi
  stop_daemons
  rm -rf "$DIR"
  mkdir -p "$DIR"/{mon,osd,rgw,run,log}
  local t0 fsid
  t0=$(date +%s%N)
  fsid=$(cat /proc/sys/kernel/random/uuid)
  cat >"$CONF" <<EOF
[global]
fsid = $fsid
mon host = v2:127.0.0.1:$MON_PORT
public addr = 127.0.0.1
run dir = $DIR/run
pid file = $DIR/run/\$name.pid
admin socket = $DIR/run/\$name.asok
log file = $DIR/log/\$name.log
auth cluster required = none
auth service required = none
auth client required = none
ms bind ipv6 = false
# No authentication: plain CRC framing everywhere (RGW otherwise asks the monitor for the
# "secure" mode, which auth "none" cannot provide, and hangs).
ms cluster mode = crc
ms service mode = crc
ms client mode = crc
ms mon cluster mode = crc
ms mon service mode = crc
ms mon client mode = crc
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
osd crush chooseleaf type = 0
mon allow pool size one = true
mon allow pool delete = true
mon warn on pool no redundancy = false
mon data avail crit = 0
mon data avail warn = 0
mon max pg per osd = 1000
osd objectstore = memstore
memstore device bytes = 4294967296

[mon.a]
mon data = $DIR/mon

[osd.0]
osd data = $DIR/osd

[client.rgw]
rgw data = $DIR/rgw
rgw frontends = beast endpoint=127.0.0.1:$PORT
rgw dns name = 127.0.0.1
rgw enable usage log = false
EOF
  monmaptool --create --fsid "$fsid" --addv a "[v2:127.0.0.1:$MON_PORT]" "$DIR/monmap" >/dev/null
  ceph-mon --conf "$CONF" --id a --mkfs --monmap "$DIR/monmap" --keyring /dev/null >"$DIR/log/mkfs-mon.log" 2>&1
  ceph-mon --conf "$CONF" --id a
  local osd
  osd=$(cephq osd create)
  cephq osd crush add "osd.$osd" 1 root=default host=localhost >/dev/null 2>&1
  ceph-osd --conf "$CONF" --id "$osd" --mkfs >"$DIR/log/mkfs-osd.log" 2>&1
  ceph-osd --conf "$CONF" --id "$osd" 2>>"$DIR/log/osd-stderr.log"
  radosgw --conf "$CONF" -n client.rgw
  # RGW creates its pools on first start (about 10 s here); give up after 120 s or when it died.
  local i
  for i in $(seq 1 600); do
    rgw_up && break
    kill -0 "$(cat "$DIR/run/client.rgw.pid" 2>/dev/null || echo 0)" 2>/dev/null || [ "$i" -lt 25 ] || break
    sleep 0.2
  done
  if ! rgw_up; then
    log "radosgw did not answer on 127.0.0.1:$PORT; logs in $DIR/log"
    tail -n 20 "$DIR"/log/*.log >&2 || true
    exit 1
  fi
  radosgw-admin --conf "$CONF" -n client.rgw user create --uid kyso-test --display-name "Kyso tests" \
    --access-key "$ACCESS_KEY" --secret-key "$SECRET_KEY" >"$DIR/log/user.json" 2>"$DIR/log/user.err"
  touch "$DIR/ready"
  log "RGW up on 127.0.0.1:$PORT in $(( ($(date +%s%N) - t0) / 1000000 )) ms"
  print_env
}

case "$cmd" in
  start) start ;;
  stop)
    if [ -d "$DIR/run" ]; then stop_daemons; fi
    rm -rf "$DIR"
    ;;
  *)
    echo "usage: $0 start|stop" >&2
    exit 2
    ;;
esac
