; Kyso NSIS hooks (electron-builder `nsis.include`). The signing service's local CA is made
; and trusted by the app itself, for the account that switches the service on (Settings,
; Signing service, "Trust"), since Kyso.exe cannot run as a plain script host (its Electron
; fuses forbid ELECTRON_RUN_AS_NODE). On uninstall, the uninstalling account's Kyso local CAs
; are taken out of its Windows Root store (every "Kyso Local Signing CA ..." subject).

!macro customUnInstall
  nsExec::ExecToLog `powershell.exe -NoProfile -NonInteractive -ExecutionPolicy Bypass -Command "Get-ChildItem Cert:\CurrentUser\Root | Where-Object { $$_.Subject -like '*CN=Kyso Local Signing CA*' } | Remove-Item"`
  Pop $0
!macroend
