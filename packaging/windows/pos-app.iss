; Per-user Windows installer for the one-folder build (dist\pos-app, made by build.spec).
; Built by .github/workflows/build.yml on a Windows runner:
;
;   iscc /DAppVersion=0.1.0 packaging\windows\pos-app.iss
;
; Per user (PrivilegesRequired=lowest): a shop's cashier installs and updates pos-app without
; an administrator, into %LOCALAPPDATA%\Programs\pos-app. The shop's records live elsewhere
; (pos-app's data folder, %LOCALAPPDATA%\pos-app): uninstalling removes the program only.

#ifndef AppVersion
  #error Pass the version: iscc /DAppVersion=X.Y.Z packaging\windows\pos-app.iss
#endif
; The folder to pack, relative to this script (or absolute): build.spec's dist\pos-app.
#ifndef BundleDir
  #define BundleDir "..\..\dist\pos-app"
#endif
#ifndef OutputFolder
  #define OutputFolder "..\..\dist\installer"
#endif

[Setup]
; Never change the AppId: Windows knows an installed pos-app by it, so that a newer installer
; updates the copy in place instead of installing a second one.
AppId={{B0D91FB5-AEA6-4F48-BE0A-ED33EAE846DB}
AppName=pos-app
AppVersion={#AppVersion}
AppVerName=pos-app {#AppVersion}
AppPublisher=pos-app
; With PrivilegesRequired=lowest, {autopf} is the user's own %LOCALAPPDATA%\Programs.
DefaultDirName={autopf}\pos-app
DefaultGroupName=pos-app
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
; PyInstaller's build is as wide as the Python that made it: 64-bit on the runners.
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir={#OutputFolder}
OutputBaseFilename=pos-app-{#AppVersion}-windows-setup
SetupIconFile=..\..\resources\icon.ico
UninstallDisplayIcon={app}\pos-app.exe
UninstallDisplayName=pos-app
; An update closes a running till first (its records are safe: every payment is saved as it
; happens), and the new version starts from the finish page.
CloseApplications=yes
Compression=lzma2
SolidCompression=yes
WizardStyle=modern

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"
Name: "french"; MessagesFile: "compiler:Languages\French.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[InstallDelete]
; An update brings other library versions: no file of the previous one may stay behind.
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "{#BundleDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\pos-app"; Filename: "{app}\pos-app.exe"
Name: "{group}\{cm:UninstallProgram,pos-app}"; Filename: "{uninstallexe}"
Name: "{autodesktop}\pos-app"; Filename: "{app}\pos-app.exe"; Tasks: desktopicon

[Run]
Filename: "{app}\pos-app.exe"; Description: "{cm:LaunchProgram,pos-app}"; Flags: nowait postinstall skipifsilent
