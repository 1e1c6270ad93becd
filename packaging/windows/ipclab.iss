; Inno Setup script for IPC Lab on Windows (built on a Windows machine; see packaging/README.md).
;   1. py -m venv build\venv && build\venv\Scripts\pip install . pyinstaller
;   2. build\venv\Scripts\pyinstaller --noconfirm packaging\ipclab.spec   -> dist\ipclab\
;   3. iscc /DVersion=0.1.0 packaging\windows\ipclab.iss                   -> dist\ipclab-0.1.0-setup.exe
; On Windows the FIFO transport is disabled (no named pipes in the POSIX sense): the app says so
; in the FIFO panel and `ipclab serve fifo` exits with code 3 and a clear message; TCP works.

#ifndef Version
  #define Version "0.0.0"
#endif

[Setup]
AppId={{6F1C2B9E-4C1B-4D52-9E51-1C0D6B7A1A11}
AppName=IPC Lab
AppVersion={#Version}
AppPublisher=IPC Lab developers
AppPublisherURL=https://github.com/ipclab/ipclab
DefaultDirName={autopf}\IPC Lab
DefaultGroupName=IPC Lab
OutputDir=..\..\dist
OutputBaseFilename=ipclab-{#Version}-setup
SetupIconFile=..\..\resources\icons\ipclab.ico
UninstallDisplayIcon={app}\ipclab.exe
Compression=lzma2/max
SolidCompression=yes
ArchitecturesInstallIn64BitMode=x64compatible
ChangesEnvironment=yes
PrivilegesRequiredOverridesAllowed=dialog

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"
Name: "french"; MessagesFile: "compiler:Languages\French.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked
Name: "addtopath"; Description: "Add ipclab to the PATH (for ipclab serve / request / bench)"; Flags: unchecked

[Files]
Source: "..\..\dist\ipclab\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\IPC Lab"; Filename: "{app}\ipclab.exe"; Parameters: "gui"
Name: "{autodesktop}\IPC Lab"; Filename: "{app}\ipclab.exe"; Parameters: "gui"; Tasks: desktopicon

[Registry]
Root: HKA; Subkey: "Environment"; ValueType: expandsz; ValueName: "Path"; ValueData: "{olddata};{app}"; \
    Tasks: addtopath; Check: NeedsAddPath(ExpandConstant('{app}'))

[Run]
Filename: "{app}\ipclab.exe"; Parameters: "gui"; Description: "{cm:LaunchProgram,IPC Lab}"; Flags: nowait postinstall skipifsilent

[Code]
function NeedsAddPath(Dir: string): Boolean;
var
  Paths: string;
begin
  if not RegQueryStringValue(HKEY_CURRENT_USER, 'Environment', 'Path', Paths) then
    Paths := '';
  Result := Pos(';' + Uppercase(Dir) + ';', ';' + Uppercase(Paths) + ';') = 0;
end;
