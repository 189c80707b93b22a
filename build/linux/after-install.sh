#!/bin/bash
# Kyso deb postinst (electron-builder `deb.afterInstall`, a template: the ${...} names of
# letters only are filled in at packaging time). It replaces electron-builder's default
# script, so it does what that one does: the `kyso` command on PATH (here the launcher
# kyso-command, which also runs the command line), the Chromium sandbox helper's mode, the MIME
# and desktop databases, the AppArmor profile. Then it trusts the signing service's local CA:
# see the end.
set -u
APP_DIR='/opt/${sanitizedProductName}'
CMD='/opt/${sanitizedProductName}/kyso-command'

chmod 0755 "$CMD" 2>/dev/null || true
if type update-alternatives >/dev/null 2>&1; then
  update-alternatives --install '/usr/bin/${executable}' '${executable}' "$CMD" 100 || ln -sf "$CMD" '/usr/bin/${executable}'
else
  ln -sf "$CMD" '/usr/bin/${executable}'
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

# The signing service's local CA. Each account has its own (made by Kyso in the account's
# folder, its key destroyed once it has issued the service certificate), trusted in that
# account's NSS databases: a machine-wide CA would let one account's service certificate be
# trusted by another account's browser. So, as root, Kyso cannot trust it for everyone here;
# it does it:
# - for every account at its next desktop login (XDG autostart): `install-ca --if-needed`, which
#   does nothing when the CA is already trusted or the user removed it (uninstall-ca);
# - right now for the account that installs (sudo or pkexec): `install-ca`, as that account; on
#   an upgrade (dpkg names the version it replaces) `install-ca --if-needed`, since `sudo apt
#   upgrade` is not the account's choice to trust again a CA it removed (uninstall-ca).
# A failure never fails the installation: Settings has a "Trust" button.
mkdir -p /etc/xdg/autostart
cat > /etc/xdg/autostart/kyso-local-ca.desktop <<DESKTOP
[Desktop Entry]
Type=Application
Name=Kyso signing service certificate
Name[vi]=Chứng thư dịch vụ ký số Kyso
Comment=Trusts the Kyso signing service's local CA for this account (browsers then open it without a warning)
Comment[vi]=Tin CA cục bộ của dịch vụ ký số Kyso cho tài khoản này (trình duyệt mở dịch vụ không cảnh báo)
Exec=$CMD service install-ca --if-needed
NoDisplay=true
Terminal=false
X-GNOME-Autostart-Phase=Applications
DESKTOP
chmod 0644 /etc/xdg/autostart/kyso-local-ca.desktop

INSTALLER=''
if [ -n "${SUDO_USER:-}" ]; then
  INSTALLER="$SUDO_USER"
elif [ -n "${PKEXEC_UID:-}" ]; then
  INSTALLER="$(getent passwd "$PKEXEC_UID" | cut -d: -f1)"
fi
if [ -n "$INSTALLER" ] && [ "$INSTALLER" != root ] && command -v runuser >/dev/null 2>&1; then
  INSTALLER_HOME="$(getent passwd "$INSTALLER" | cut -d: -f6)"
  if [ -n "$INSTALLER_HOME" ] && [ -d "$INSTALLER_HOME" ]; then
    # The account's own environment, not root's: its HOME, no root XDG paths.
    if ! runuser -u "$INSTALLER" -- env -i HOME="$INSTALLER_HOME" USER="$INSTALLER" LOGNAME="$INSTALLER" \
      PATH=/usr/local/bin:/usr/bin:/bin LANG="${LANG:-C.UTF-8}" timeout 120 "$CMD" service install-ca ${2:+--if-needed} </dev/null >&2; then
      echo "Kyso: could not trust the signing service's CA for $INSTALLER now; it will be done at the next login (or Settings, Trust)." >&2
    fi
  fi
fi
exit 0
