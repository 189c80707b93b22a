#!/bin/bash
# Kyso deb postrm (electron-builder `deb.afterRemove`, a template like after-install.sh). It
# replaces electron-builder's default script, so it first takes the `kyso` command off PATH and
# the AppArmor profile away. On removal (not on an upgrade, which runs this too, with "upgrade"),
# it also undoes the signing service's trust: the login autostart goes, and every account's Kyso
# local CAs ("Kyso Local Signing CA ..." nicknames) leave its NSS databases (Chromium's and each
# Firefox profile's), removed with certutil as that account. The accounts' own files (their CA
# and its record) stay with the rest of their Kyso data. Never fails the removal.
set -u
if type update-alternatives >/dev/null 2>&1; then
  update-alternatives --remove '${executable}' '/opt/${sanitizedProductName}/kyso-command' 2>/dev/null || true
  # Installed by versions before the kyso-command launcher.
  update-alternatives --remove '${executable}' '/opt/${sanitizedProductName}/${executable}' 2>/dev/null || true
fi
[ -L '/usr/bin/${executable}' ] && [ ! -e '/usr/bin/${executable}' ] && rm -f '/usr/bin/${executable}'
if [ -f '/etc/apparmor.d/${executable}' ]; then
  if apparmor_status --enabled >/dev/null 2>&1 && ! { [ -x /usr/bin/ischroot ] && /usr/bin/ischroot; }; then
    apparmor_parser --remove '/etc/apparmor.d/${executable}' || true
  fi
  rm -f '/etc/apparmor.d/${executable}'
fi

case "${1:-remove}" in
  remove | purge) ;;
  *) exit 0 ;;
esac

rm -f /etc/xdg/autostart/kyso-local-ca.desktop

# Removes the Kyso local CAs from one account's NSS databases, as that account. Each certutil
# has 5 s (it takes milliseconds): a home on a dead network share must not hold the removal.
untrust_account() {
  local user="$1" home="$2" db nick
  for db in "$home/.pki/nssdb" "$home"/.mozilla/firefox/*/ "$home"/snap/firefox/common/.mozilla/firefox/*/; do
    [ -f "$db/cert9.db" ] || continue
    timeout 5 runuser -u "$user" -- certutil -L -d "sql:$db" </dev/null 2>/dev/null \
      | sed -nE 's/^(Kyso Local Signing CA .*[0-9]{4}-[0-9]{2}-[0-9]{2}) .*/\1/p' \
      | sort -u \
      | while read -r nick; do
        # A nickname may hold several certificates (renewals on one day): delete until none is left.
        for _ in 1 2 3 4 5 6 7 8 9 10; do timeout 5 runuser -u "$user" -- certutil -D -d "sql:$db" -n "$nick" </dev/null 2>/dev/null || break; done
      done
  done
}

if command -v certutil >/dev/null 2>&1 && command -v runuser >/dev/null 2>&1; then
  # Every login account (the autostart trusted the CA for each one that logged in).
  UID_MIN="$(awk '$1 == "UID_MIN" { print $2 }' /etc/login.defs 2>/dev/null)"
  UID_MAX="$(awk '$1 == "UID_MAX" { print $2 }' /etc/login.defs 2>/dev/null)"
  getent passwd | awk -F: -v min="${UID_MIN:-1000}" -v max="${UID_MAX:-60000}" '$3 >= min && $3 <= max { print $1 ":" $6 }' \
    | while IFS=: read -r user home; do
      [ -d "$home" ] && untrust_account "$user" "$home"
    done
fi
exit 0
