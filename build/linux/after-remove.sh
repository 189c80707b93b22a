#!/bin/bash
# Kyso deb postrm (electron-builder `deb.afterRemove`, a template like after-install.sh). It
# replaces electron-builder's default script, so it first takes the `kyso` command off PATH;
# then, the package files being gone, it removes the local signing service's CAs of the user
# who removed Kyso through sudo from their NSS databases with certutil directly (every
# "Kyso Local Signing CA ..." nickname). Never fails the removal.
set -u
if type update-alternatives >/dev/null 2>&1; then
  update-alternatives --remove '${executable}' '/opt/${sanitizedProductName}/${executable}' 2>/dev/null || true
fi
[ -L '/usr/bin/${executable}' ] && [ ! -e '/usr/bin/${executable}' ] && rm -f '/usr/bin/${executable}'
if [ -f '/etc/apparmor.d/${executable}' ]; then
  if apparmor_status --enabled >/dev/null 2>&1 && ! { [ -x /usr/bin/ischroot ] && /usr/bin/ischroot; }; then
    apparmor_parser --remove '/etc/apparmor.d/${executable}' || true
  fi
  rm -f '/etc/apparmor.d/${executable}'
fi

if [ -n "${SUDO_USER:-}" ] && [ "$SUDO_USER" != "root" ] && command -v certutil >/dev/null 2>&1 && command -v runuser >/dev/null 2>&1; then
  USER_HOME="$(getent passwd "$SUDO_USER" | cut -d: -f6)"
  for db in "$USER_HOME/.pki/nssdb" "$USER_HOME"/.mozilla/firefox/*/ "$USER_HOME"/snap/firefox/common/.mozilla/firefox/*/; do
    [ -f "$db/cert9.db" ] || continue
    runuser -u "$SUDO_USER" -- certutil -L -d "sql:$db" 2>/dev/null \
      | sed -nE 's/^(Kyso Local Signing CA .*[0-9]{4}-[0-9]{2}-[0-9]{2}) .*/\1/p' \
      | while read -r nick; do runuser -u "$SUDO_USER" -- certutil -D -d "sql:$db" -n "$nick" 2>/dev/null || true; done
  done
fi
exit 0
