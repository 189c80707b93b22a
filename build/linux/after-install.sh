#!/bin/bash
# Kyso deb postinst (electron-builder `deb.afterInstall`, a template: the ${...} names of
# letters only are filled in at packaging time). It replaces electron-builder's default
# script, so it does what that one does: the `kyso` command on PATH, the Chromium sandbox
# helper's mode, the MIME and desktop databases, the AppArmor profile. The signing service's
# CA is per user and trusted from the app (the packaged app cannot run its CLI as root here).
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

# The signing service's local CA is made and trusted by the app, per user, when the user
# switches the service on (Settings, Signing service, "Trust"): nothing to do as root here.
echo "Kyso: to sign from web pages, switch the signing service on in Kyso (Settings) and press Trust." >&2
exit 0
