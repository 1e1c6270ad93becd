#!/usr/bin/env bash
# Build the bundle and the .deb from this checkout, then prove them:
#  - the bundle alone (copied out of the tree, empty environment, no venv on the PATH) runs
#    `ipclab bench` on every transport and `ipclab gui --demo --screenshot` offscreen;
#  - the .deb installs with apt-get (which pulls its Depends), every library of the installed
#    bundle resolves, `ipclab --version` works from the PATH, the window opens on a real X server
#    (Xvfb, Qt's xcb platform: the libraries the .deb must declare), and removing it leaves nothing.
# Usage: packaging/smoke_test.sh        (needs root or sudo for dpkg; skips the .deb part otherwise)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
app_id=io.github.ipclab.IpcLab
fail() { echo "smoke test FAILED: $*" >&2; exit 1; }

"$root/packaging/build.sh" --deb
version=$("$root/build/packaging/venv/bin/python" -c 'from importlib.metadata import version; print(version("ipclab"))')
deb=$(ls "$root"/build/packaging/ipclab_"$version"_*.deb)

work=$(mktemp -d /tmp/ipclab-smoke.XXXXXX)
cleanup() { pkill -f "$work/ipclab/ipclab" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
cp -a "$root/build/packaging/dist/ipclab" "$work/ipclab"
mkdir -p "$work/home" "$work/run"
chmod 700 "$work/run"
run_bundle() {
    (cd "$work" && env -i PATH=/usr/bin:/bin HOME="$work/home" LANG=C.UTF-8 XDG_RUNTIME_DIR="$work/run" \
        QT_QPA_PLATFORM=offscreen "$work/ipclab/ipclab" "$@")
}

case "$(run_bundle --version)" in
    "ipclab $version (engines: native (compiled data plane) and python"*) ;;
    *) fail "bundle --version does not name the native engine: $(run_bundle --version)" ;;
esac
for transport in fifo tcp unix; do
    run_bundle bench --transport "$transport" --requests 2000 --count random --concurrency 4 --json > "$work/$transport.json" \
        || fail "bundle bench $transport"
    grep -q '"exchanges": 2000,' "$work/$transport.json" || fail "bench $transport: not 2000 exchanges"
    grep -q '"errors": 0,' "$work/$transport.json" || fail "bench $transport: errors"
    grep -q '"lost_numbers": 0,' "$work/$transport.json" || fail "bench $transport: lost numbers"
    grep -q '"engine": "native",' "$work/$transport.json" || fail "bench $transport: the frozen app did not use the native engine"
    echo "bundle bench $transport: ok ($(grep -o '"exchanges_per_s": [0-9.]*' "$work/$transport.json"))"
done
run_bundle gui --demo --screenshot "$work/screenshot.png" || fail "bundle gui --demo --screenshot"
[ "$(head -c 8 "$work/screenshot.png" | od -An -tx1 | tr -d ' \n')" = "89504e470d0a1a0a" ] || fail "screenshot is not a PNG"
[ "$(stat -c %s "$work/screenshot.png")" -gt 20000 ] || fail "screenshot is nearly empty"
echo "bundle gui screenshot: ok ($(stat -c %s "$work/screenshot.png") bytes)"
leftovers=$(find "$work/run" -mindepth 2 2>/dev/null | head -5)
[ -z "$leftovers" ] || fail "the bundle left files behind: $leftovers"
if pgrep -f "$work/ipclab/ipclab" >/dev/null; then fail "the bundle left processes running"; fi

SUDO=""
if [ "$(id -u)" != 0 ]; then
    if sudo -n true 2>/dev/null; then SUDO="sudo"; else
        echo "smoke test: not root and no sudo, skipping the .deb install check"; exit 0; fi
fi
if command -v lintian >/dev/null 2>&1; then
    lintian --fail-on error "$deb" || fail "lintian"
    echo "lintian: clean"
fi
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$deb" >/dev/null || fail "apt-get install $deb"
unresolved=$(find /opt/ipclab -type f \( -name '*.so*' -o -name ipclab \) -exec ldd {} + 2>/dev/null | grep 'not found' | sort -u || true)
[ -z "$unresolved" ] || fail "installed bundle has unresolved libraries: $unresolved"
case "$(cd / && env -i PATH=/usr/local/bin:/usr/bin:/bin ipclab --version)" in
    "ipclab $version (engines: native"*) ;;
    *) fail "installed ipclab --version (the native engine must be in the .deb)" ;;
esac
if command -v xvfb-run >/dev/null 2>&1; then
    (cd / && env -i PATH=/usr/bin:/bin HOME="$work/home" LANG=C.UTF-8 XDG_RUNTIME_DIR="$work/run" QT_QPA_PLATFORM=xcb \
        xvfb-run -a -s "-screen 0 1600x1000x24" ipclab gui --demo --screenshot "$work/xcb.png") \
        || fail "installed ipclab gui on X (xcb platform)"
    [ "$(head -c 8 "$work/xcb.png" | od -An -tx1 | tr -d ' \n')" = "89504e470d0a1a0a" ] || fail "xcb screenshot is not a PNG"
    [ "$(stat -c %s "$work/xcb.png")" -gt 20000 ] || fail "xcb screenshot is nearly empty"
    echo "installed gui on X (xcb): ok ($(stat -c %s "$work/xcb.png") bytes)"
else
    fail "xvfb-run is missing (apt-get install xvfb xauth)"
fi
(cd / && env -i PATH=/usr/bin:/bin HOME="$work/home" XDG_RUNTIME_DIR="$work/run" ipclab bench --transport unix --requests 100 >/dev/null) \
    || fail "installed ipclab bench"
if command -v desktop-file-validate >/dev/null 2>&1; then
    desktop-file-validate --no-hints "/usr/share/applications/$app_id.desktop" || fail "desktop entry"
fi
if command -v appstreamcli >/dev/null 2>&1; then
    appstreamcli validate --no-net --explain "/usr/share/metainfo/$app_id.metainfo.xml" >/dev/null || fail "metainfo"
fi
echo "deb install: ok ($(du -h "$deb" | cut -f1))"
$SUDO dpkg -r ipclab >/dev/null || fail "dpkg -r"
for path in /opt/ipclab /usr/bin/ipclab "/usr/share/applications/$app_id.desktop" "/usr/share/metainfo/$app_id.metainfo.xml" \
        /usr/share/doc/ipclab "/usr/share/icons/hicolor/scalable/apps/$app_id.svg"; do
    [ ! -e "$path" ] && [ ! -L "$path" ] || fail "dpkg -r left $path behind"
done
if dpkg -s ipclab >/dev/null 2>&1; then fail "dpkg still lists ipclab"; fi
echo "deb removal: ok, nothing left"
echo "smoke test passed"
