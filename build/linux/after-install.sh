#!/bin/bash
# Kyso deb postinst (electron-builder `deb.afterInstall`, a template: the ${...} names of
# letters only are filled in at packaging time). It replaces electron-builder's default
# script, so it first does what that one does (the `kyso` command on PATH, the Chromium
# sandbox helper's mode), then trusts the local signing service's CA in the NSS databases
# (Chromium, Chrome, Firefox) of the user who installed through sudo, running as that user,
# never as root. A failure there never fails the installation; other users (or an
# installation through a software centre) run `kyso service install-ca` once.
set -u
APP_DIR='/opt/${sanitizedProductName}'
EXE='/opt/${sanitizedProductName}/${executable}'

if type update-alternatives >/dev/null 2>&1; then
  update-alternatives --install '/usr/bin/${executable}' '${executable}' "$EXE" 100 || ln -sf "$EXE" '/usr/bin/${executable}'
else
  ln -sf "$EXE" '/usr/bin/${executable}'
fi
# The SUID sandbox helper is needed only where unprivileged user namespaces do not work.
if [ -L /proc/self/ns/user ] && unshare --user true 2>/dev/null; then
  chmod 0755 "$APP_DIR/chrome-sandbox" || true
else
  chmod 4755 "$APP_DIR/chrome-sandbox" || true
fi
hash update-mime-database 2>/dev/null && { update-mime-database /usr/share/mime || true; }
hash update-desktop-database 2>/dev/null && { update-desktop-database /usr/share/applications || true; }
# The AppArmor profile electron-builder ships (Ubuntu 24+ restricts user namespaces without
# one), installed only when this AppArmor accepts it; never live-loaded inside a chroot.
if apparmor_status --enabled >/dev/null 2>&1; then
  PROFILE_SRC="$APP_DIR/resources/apparmor-profile"
  PROFILE_DST='/etc/apparmor.d/${executable}'
  if [ -f "$PROFILE_SRC" ] && apparmor_parser --skip-kernel-load --debug "$PROFILE_SRC" >/dev/null 2>&1; then
    cp -f "$PROFILE_SRC" "$PROFILE_DST"
    if ! { [ -x /usr/bin/ischroot ] && /usr/bin/ischroot; }; then
      apparmor_parser --replace --write-cache --skip-read-cache "$PROFILE_DST" || true
    fi
  fi
fi

CLI="$APP_DIR/resources/app.asar/dist/cli/main.js"
if [ -n "${SUDO_USER:-}" ] && [ "$SUDO_USER" != "root" ] && command -v runuser >/dev/null 2>&1; then
  USER_HOME="$(getent passwd "$SUDO_USER" | cut -d: -f6)"
  runuser -u "$SUDO_USER" -- env ELECTRON_RUN_AS_NODE=1 HOME="$USER_HOME" "$EXE" "$CLI" service install-ca || \
    echo "Kyso: run 'kyso service install-ca' to trust the signing service in your browsers." >&2
else
  echo "Kyso: each user runs 'kyso service install-ca' once to trust the signing service in their browsers." >&2
fi
exit 0
