#!/bin/sh
# `kyso` on PATH for the deb (electron-builder `linux.extraFiles`; the postinst links
# /usr/bin/kyso here). A command word (`kyso verify a.pdf`, `kyso service install-ca`, `kyso
# --help`) runs Kyso's command line inside the app's own binary, without a window and without
# needing a display (Ozone's headless platform, no GPU process): main/cli/packaged.ts. Anything
# else (nothing, a file, a kyso:// link) opens the app.
APP="$(dirname "$(readlink -f "$0")")/kyso"
case "${1:-}" in
  -h | --help | -v | --version | --lang | --lang=*) ;;
  [a-z]*)
    case "$1" in
      *[!a-z-]*) exec "$APP" "$@" ;;
    esac
    ;;
  *) exec "$APP" "$@" ;;
esac
exec "$APP" --ozone-platform=headless --disable-gpu --kyso-cli "$@"
