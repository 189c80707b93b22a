; Kyso NSIS hooks (electron-builder `nsis.include`; the installer is per-machine and elevated).
;
; What: the local signing service's CA is trusted by every account at install, and taken out
; of every account's trust at uninstall, but kept across updates.
;
; Why per account: each Windows account gets its own local CA (name-constrained to loopback,
; its key destroyed once it has issued that account's service certificate) and trusts it in
; its own CurrentUser\Root store only. Never LocalMachine\Root: on a shared PC or a terminal
; server every account's browser would then trust every other account's service
; certificate, so one user could run a "signing service" on 127.0.0.1 that another user's
; browser accepts, and read or forge that user's signing requests.
;
; Why Active Setup: an account's CA is made in its own profile and trusted in its own HKCU
; store, which the installer cannot reach for accounts that are logged off or not yet created;
; and the account that runs the installer may be an administrator's, or SYSTEM (IT
; deployment). Windows runs an Active Setup component's StubPath once per account, at its next
; logon, whenever the HKLM Version is newer than the account's HKCU copy (comma-separated
; numbers, compared one by one). Install registers `Kyso.exe --kyso-cli service install-ca
; --if-needed` (makes the account's CA if missing, trusts it unless trusted or the user opted
; out); uninstall re-registers the component with a newer Version and a PowerShell StubPath
; (Kyso.exe is gone by then) that removes the account's Kyso CAs. The installing account does
; not wait for its next logon: install runs the command now as the desktop user (not
; elevated), uninstall runs the removal now. Windows asks each user to confirm adding (or
; deleting) a root in their store, so that question may come at logon.
;
; Updates: electron-builder runs the old uninstaller with --updated, then this installer.
; customUnInstall does nothing then, so no account loses its trust on an update.

!include LogicLib.nsh
!include FileFunc.nsh
!include x64.nsh

; HKLM, 64-bit view (the app is x64 only; that is the key the 64-bit Explorer reads).
!define KYSO_ACTIVE_SETUP_KEY "SOFTWARE\Microsoft\Active Setup\Installed Components\${APP_ID}.local-ca"
; Every Kyso local CA, renewals included, has a subject CN starting with this (trust.ts CA_NAME_PREFIX).
!define KYSO_CA_SUBJECT_LIKE "*CN=Kyso Local Signing CA*"
; Removes this account's Kyso CAs from its Root store; `$$` is NSIS for `$`. One double-quoted
; -Command argument (no backslash before a quote), so it survives CreateProcess and cmd alike.
!define KYSO_REMOVE_CAS_PS `-NoProfile -NonInteractive -ExecutionPolicy Bypass -WindowStyle Hidden -Command "Get-ChildItem Cert:\CurrentUser\Root | Where-Object { $$_.Subject -like '${KYSO_CA_SUBJECT_LIKE}' } | Remove-Item"`

; (Re)registers the Active Setup component with `STUBPATH` and a Version newer than any
; before: "YYYY,MMDD,HHMM,SS" of the current UTC time (UTC: no step back when summer time
; ends); every number stays below 65535.
!macro kysoActiveSetup STUBPATH
  Push $R0
  Push $R1
  Push $R2
  Push $R3
  Push $R4
  Push $R5
  Push $R6
  ; day, month, year, day name, hour, minute, second; two digits each except the year.
  ${GetTime} "" "LS" $R0 $R1 $R2 $R3 $R4 $R5 $R6
  ${If} ${RunningX64}
    SetRegView 64
  ${EndIf}
  ClearErrors
  WriteRegStr HKLM "${KYSO_ACTIVE_SETUP_KEY}" "" "${PRODUCT_NAME}"
  WriteRegStr HKLM "${KYSO_ACTIVE_SETUP_KEY}" "StubPath" `${STUBPATH}`
  WriteRegStr HKLM "${KYSO_ACTIVE_SETUP_KEY}" "Version" "$R2,$R1$R0,$R4$R5,$R6"
  WriteRegDWORD HKLM "${KYSO_ACTIVE_SETUP_KEY}" "IsInstalled" 1
  ${If} ${Errors}
    DetailPrint "Kyso: cannot register Active Setup ${KYSO_ACTIVE_SETUP_KEY}"
  ${EndIf}
  SetRegView lastused
  Pop $R6
  Pop $R5
  Pop $R4
  Pop $R3
  Pop $R2
  Pop $R1
  Pop $R0
!macroend

!macro customInstall
  ; Every account (this one included) trusts its own CA at its next logon.
  !insertmacro kysoActiveSetup `"$INSTDIR\${APP_EXECUTABLE_FILENAME}" --kyso-cli service install-ca --if-needed`
  ; The desktop user trusts it now (installing is a choice: without --if-needed, so even an
  ; earlier `uninstall-ca` by hand is overridden), not elevated (through Explorer: the logged-on user even
  ; when an administrator typed the credentials). Not when silent: IT deployment runs as
  ; SYSTEM with no Explorer, and StdUtils would then fall back to running it as SYSTEM;
  ; Active Setup covers those accounts at their logon.
  ; An update (--updated) is not that choice: --if-needed keeps an earlier `uninstall-ca`.
  ${IfNot} ${Silent}
    Push $0
    ${If} ${isUpdated}
      ${StdUtils.ExecShellAsUser} $0 "$INSTDIR\${APP_EXECUTABLE_FILENAME}" "open" "--kyso-cli service install-ca --if-needed"
    ${Else}
      ${StdUtils.ExecShellAsUser} $0 "$INSTDIR\${APP_EXECUTABLE_FILENAME}" "open" "--kyso-cli service install-ca"
    ${EndIf}
    DetailPrint "Kyso: install-ca for the desktop user: $0"
    Pop $0
  ${EndIf}
!macroend

; Takes every Kyso local CA out of trust: this account's now, every account's at its next logon.
!macro kysoForgetLocalCAs
  Push $0
  ; The app's own removal (Root store and Firefox NSS databases); files are still installed here.
  ClearErrors
  ; --no-opt-out: not the user's choice, so installing again (or Active Setup) trusts again.
  ExecWait `"$INSTDIR\${APP_EXECUTABLE_FILENAME}" --kyso-cli service uninstall-ca --no-opt-out` $0
  ${If} ${Errors}
    StrCpy $0 "not started"
  ${EndIf}
  DetailPrint "Kyso: uninstall-ca: $0"
  ; Then by subject, whatever the app's record says (CAs of older versions included).
  nsExec::ExecToLog `"$SYSDIR\WindowsPowerShell\v1.0\powershell.exe" ${KYSO_REMOVE_CAS_PS}`
  Pop $0 ; its exit status, "error" or "timeout"
  DetailPrint "Kyso: PowerShell removal: $0"
  Pop $0
  ; Every account at its next logon (a newer Version than the install's).
  !insertmacro kysoActiveSetup `"$SYSDIR\WindowsPowerShell\v1.0\powershell.exe" ${KYSO_REMOVE_CAS_PS}`
!macroend

!macro customUnInstall
  ; An update runs this uninstaller with --updated: the accounts keep their trust.
  ${IfNot} ${isUpdated}
    !insertmacro kysoForgetLocalCAs
  ${EndIf}
!macroend
