; Kyso NSIS hooks (electron-builder `nsis.include`): trust the local signing service's CA for
; the account that installs Kyso, and remove every Kyso local CA on uninstall. The CLI runs
; inside Kyso.exe as plain Node (ELECTRON_RUN_AS_NODE) from the app archive; it uses the
; system's `certutil -user` (the current user's Root store: Windows asks the user to confirm
; a new root) and Firefox profiles' NSS databases. A failure never stops the installer: the
; user can run `kyso service install-ca` later (README, "Signing service").

!macro kysoServiceCa VERB
  System::Call 'Kernel32::SetEnvironmentVariable(t "ELECTRON_RUN_AS_NODE", t "1")i'
  nsExec::ExecToLog '"$INSTDIR\${APP_EXECUTABLE_FILENAME}" "$INSTDIR\resources\app.asar\dist\cli\main.js" service ${VERB}'
  Pop $0
  System::Call 'Kernel32::SetEnvironmentVariable(t "ELECTRON_RUN_AS_NODE", i 0)i'
!macroend

!macro customInstall
  !insertmacro kysoServiceCa "install-ca"
!macroend

!macro customUnInstall
  !insertmacro kysoServiceCa "uninstall-ca"
!macroend
