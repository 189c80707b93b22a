#!/bin/sh
# `kyso` on PATH for the deb (electron-builder `linux.extraFiles`; the postinst links
# /usr/bin/kyso here). A command word (`kyso verify a.pdf`, `kyso service install-ca`, `kyso
# --help`) runs Kyso's command line inside the app's own binary, without a window and without
# needing a display (Ozone's headless platform, no GPU process): main/cli/packaged.ts. Anything
# else (nothing, a file, a kyso:// link) opens the app.
#
# Chromium takes a switch from anywhere on its command line up to a "--", so the user's
# arguments always come after one: a file named "--utility-cmd-prefix=..." (from `kyso verify
# *.pdf` in a folder of received files) would otherwise make it run the program it names.
# Only switches the user typed first (`kyso --ozone-platform=wayland`) reach the app as switches.
APP="$(dirname "$(readlink -f "$0")")/kyso"
case "${1:-}" in
  -h | --help | -v | --version | --lang | --lang=*) ;;
  [a-z]*)
    case "$1" in
      *[!a-z-]*) exec "$APP" -- "$@" ;;
    esac
    ;;
  -*) exec "$APP" "$@" ;;
  *) exec "$APP" -- "$@" ;;
esac
# Electron will not start as root with Chromium's sandbox on; a command shows no web content.
if [ "$(id -u 2>/dev/null)" = 0 ]; then
  exec "$APP" --no-sandbox --ozone-platform=headless --disable-gpu --kyso-cli -- "$@"
fi
exec "$APP" --ozone-platform=headless --disable-gpu --kyso-cli -- "$@"
