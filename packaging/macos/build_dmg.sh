#!/usr/bin/env bash
# Build "IPC Lab.app" and a .dmg on macOS (run on a Mac; it cannot run on Linux).
#   packaging/macos/build_dmg.sh   -> build/packaging/IPC-Lab-<version>.dmg
# The spec's BUNDLE step makes the .app; hdiutil makes the disk image. Signing/notarising needs an
# Apple Developer ID: set CODESIGN_IDENTITY to sign (codesign --deep), otherwise the app is unsigned.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out="$root/build/packaging"
venv="$out/venv"
[ "$(uname)" = Darwin ] || { echo "build_dmg.sh: macOS only (see packaging/README.md)" >&2; exit 2; }
python3 -m venv "$venv"
"$venv/bin/pip" install -q "$root" "pyinstaller>=6.3"
version=$("$venv/bin/python" -c 'from importlib.metadata import version; print(version("ipclab"))')
# The .icns icon is made from the PNG sizes in resources/icons.
iconset="$out/ipclab.iconset"
mkdir -p "$iconset"
for size in 16 32 128 256 512; do
    cp "$root/resources/icons/ipclab-$size.png" "$iconset/icon_${size}x${size}.png"
done
iconutil -c icns "$iconset" -o "$root/resources/icons/ipclab.icns"
"$venv/bin/pyinstaller" --noconfirm --distpath "$out/dist" --workpath "$out/work" "$root/packaging/ipclab.spec"
app="$out/dist/IPC Lab.app"
if [ -n "${CODESIGN_IDENTITY:-}" ]; then
    codesign --deep --force --options runtime --sign "$CODESIGN_IDENTITY" "$app"
fi
hdiutil create -volname "IPC Lab" -srcfolder "$app" -ov -format UDZO "$out/IPC-Lab-$version.dmg"
echo "disk image: $out/IPC-Lab-$version.dmg"
