#!/usr/bin/env bash
# Package a PyInstaller bundle as a .deb: the bundle under /opt/ipclab, `ipclab` on the PATH,
# a desktop entry, icons, AppStream metainfo, a man page and the copyright file.
#   packaging/linux/build_deb.sh BUNDLE_DIR VERSION OUTPUT_DIR
set -euo pipefail
bundle=$1
version=$2
output=$3
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
app_id=io.github.ipclab.IpcLab
architecture=$(dpkg --print-architecture)
staging=$(mktemp -d)
trap 'rm -rf "$staging"' EXIT

install -d "$staging/opt/ipclab" "$staging/usr/bin" "$staging/DEBIAN" \
    "$staging/usr/share/applications" "$staging/usr/share/metainfo" "$staging/usr/share/doc/ipclab" \
    "$staging/usr/share/man/man1" "$staging/usr/share/icons/hicolor/scalable/apps"
cp -a "$bundle/." "$staging/opt/ipclab/"
ln -s /opt/ipclab/ipclab "$staging/usr/bin/ipclab"
install -m 0644 "$here/$app_id.desktop" "$staging/usr/share/applications/$app_id.desktop"
sed -e "s/@VERSION@/$version/" -e "s/@DATE@/$(date -u +%Y-%m-%d)/" "$here/$app_id.metainfo.xml" \
    > "$staging/usr/share/metainfo/$app_id.metainfo.xml"
install -m 0644 "$root/resources/icons/ipclab.svg" "$staging/usr/share/icons/hicolor/scalable/apps/$app_id.svg"
for png in "$root"/resources/icons/ipclab-*.png; do
    size=$(basename "$png" .png | sed 's/ipclab-//')
    install -d "$staging/usr/share/icons/hicolor/${size}x${size}/apps"
    install -m 0644 "$png" "$staging/usr/share/icons/hicolor/${size}x${size}/apps/$app_id.png"
done
sed "s/@VERSION@/$version/" "$here/ipclab.1" | gzip -9n > "$staging/usr/share/man/man1/ipclab.1.gz"
install -m 0644 "$root/docs/PROTOCOL.md" "$staging/usr/share/doc/ipclab/PROTOCOL.md"
cat > "$staging/usr/share/doc/ipclab/copyright" <<COPYRIGHT
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: ipclab
Source: https://github.com/ipclab/ipclab

Files: *
Copyright: 2026 IPC Lab developers
License: MIT
 Permission is hereby granted, free of charge, to any person obtaining a copy of this software
 and associated documentation files (the "Software"), to deal in the Software without
 restriction, including without limitation the rights to use, copy, modify, merge, publish,
 distribute, sublicense, and/or sell copies of the Software, and to permit persons to whom the
 Software is furnished to do so, subject to the following conditions: the above copyright notice
 and this permission notice shall be included in all copies or substantial portions of the
 Software. THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND.
 .
 The bundle under /opt/ipclab also contains Python, Qt (LGPL-3), PySide6 (LGPL-3), numpy (BSD)
 and pyqtgraph (MIT), under their own licenses.
COPYRIGHT
printf 'ipclab (%s) unstable; urgency=medium\n\n  * Release %s.\n\n -- IPC Lab developers <ipclab@example.org>  %s\n' \
    "$version" "$version" "$(date -u -R)" | gzip -9n > "$staging/usr/share/doc/ipclab/changelog.gz"

install -d "$staging/usr/share/lintian/overrides"
install -m 0644 "$here/lintian-overrides" "$staging/usr/share/lintian/overrides/ipclab"
find "$staging" -type d -exec chmod 0755 {} +
find "$staging/usr" -type f -exec chmod 0644 {} +
find "$staging/opt/ipclab" -type f -name '*.so*' -exec chmod 0644 {} +
installed_size=$(du -sk --exclude=DEBIAN "$staging" | cut -f1)

# Depends: derived from the bundle's own ELF files (Qt's xcb plugin needs libxcb-icccm4,
# libxcb-keysyms1, ... that no Python import reveals). dpkg-shlibdeps maps every library they need
# from outside the bundle to the installed package that ships it, with its minimum version; the
# bundle's own libraries (-l) need nothing. So the build machine must have those libraries.
elf_files=()
while IFS= read -r -d '' candidate; do
    if [ "$(head -c 4 "$candidate" | od -An -tx1 | tr -d ' \n')" = "7f454c46" ]; then
        elf_files+=("-e$candidate")
    fi
done < <(find "$staging/opt/ipclab" -type f \( -name '*.so*' -o -perm -u+x \) -print0)
mapfile -t private_dirs < <(find "$staging/opt/ipclab" -type f -name '*.so*' -printf '%h\n' | sort -u | sed 's/^/-l/')
shlibs_dir=$(mktemp -d)
mkdir "$shlibs_dir/debian"
printf 'Source: ipclab\n\nPackage: ipclab\nArchitecture: any\n' > "$shlibs_dir/debian/control"
if ! shlibs=$(cd "$shlibs_dir" && dpkg-shlibdeps -O --ignore-missing-info "${private_dirs[@]}" "${elf_files[@]}" 2> "$shlibs_dir/errors"); then
    grep -v warning "$shlibs_dir/errors" >&2 || true
    echo "build_deb.sh: dpkg-shlibdeps failed: install the libraries named above on this machine (see packaging/README.md)" >&2
    rm -rf "$shlibs_dir"
    exit 1
fi
rm -rf "$shlibs_dir"
depends=$(printf '%s\n' "$shlibs" | sed -n 's/^shlibs:Depends=//p')
[ -n "$depends" ] || { echo "build_deb.sh: dpkg-shlibdeps found no dependencies" >&2; exit 1; }
cat > "$staging/DEBIAN/control" <<CONTROL
Package: ipclab
Version: $version
Section: education
Priority: optional
Architecture: $architecture
Maintainer: IPC Lab developers <ipclab@example.org>
Installed-Size: $installed_size
Depends: $depends
Homepage: https://github.com/ipclab/ipclab
Description: show and measure interprocess communication
 IPC Lab shows a client asking a server for random numbers over POSIX named
 pipes (FIFOs), TCP sockets and Unix domain sockets, side by side and live,
 and plots the distribution of the numbers and the latency and throughput of
 the exchanges. It includes a headless benchmark mode.
CONTROL

deb="$output/ipclab_${version}_${architecture}.deb"
dpkg-deb --root-owner-group -Zxz --build "$staging" "$deb" >/dev/null
echo "package: $deb ($(du -h "$deb" | cut -f1))"
echo "depends: $depends"
