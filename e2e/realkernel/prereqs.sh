#!/bin/bash
# prereqs.sh - install what the real-kernel tests need, idempotently:
#   - Debian packages: qemu-system-x86 (qemu + qboot firmware), busybox-static
#     (the guest's init and depmod), iproute2 (ip/bridge copied into the guest);
#   - Debian's stock cloud kernel, fetched with `apt-get download` and unpacked
#     with `dpkg-deb -x` into the cache (nothing is installed, /boot is
#     untouched), with a modules.dep built by busybox depmod.
# A second run changes nothing and takes well under a second.
#
# Environment:
#   NETALIGN_REALKERNEL_CACHE  cache dir (default ${XDG_CACHE_HOME:-$HOME/.cache}/netalign-realkernel)
#   NETALIGN_REALKERNEL_KPKG   kernel meta package (default linux-image-cloud-amd64)
set -euo pipefail

CACHE=${NETALIGN_REALKERNEL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/netalign-realkernel}
KPKG=${NETALIGN_REALKERNEL_KPKG:-linux-image-cloud-amd64}
PKGS=(qemu-system-x86 busybox-static iproute2)

log() { echo "prereqs: $*" >&2; }
die() { echo "prereqs: $*" >&2; exit 1; }

is_static() { ! LC_ALL=C ldd "$1" >/dev/null 2>&1; }

need_pkgs() {
  command -v qemu-system-x86_64 >/dev/null || return 0
  command -v ip >/dev/null && command -v bridge >/dev/null || return 0
  local bb
  bb=$(command -v busybox) || return 0
  is_static "$bb" || return 0
  return 1
}

SUDO=()
[ "$(id -u)" = 0 ] || SUDO=(sudo)
updated=0
apt_update() {
  [ $updated = 1 ] && return
  "${SUDO[@]}" apt-get update -qq
  updated=1
}

if need_pkgs; then
  log "installing ${PKGS[*]}"
  if ! DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${PKGS[@]}" >/dev/null; then
    apt_update
    DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${PKGS[@]}" >/dev/null
  fi
  need_pkgs && die "packages installed but qemu-system-x86_64, a static busybox, ip or bridge is still missing"
fi

KDIR="$CACHE/kernel-$KPKG"
if [ ! -f "$KDIR/.done" ]; then
  mkdir -p "$CACHE"
  exec 9>"$CACHE/.lock"
  flock 9
  if [ ! -f "$KDIR/.done" ]; then
    log "fetching $KPKG into $KDIR (one-time)"
    resolve() { apt-cache depends "$KPKG" 2>/dev/null | awk '/Depends: linux-image-/{print $2; exit}'; }
    REAL=$(resolve)
    if [ -z "$REAL" ]; then apt_update; REAL=$(resolve); fi
    [ -n "$REAL" ] || die "cannot resolve $KPKG to a kernel image package"
    rm -rf "$KDIR"; mkdir -p "$KDIR/debs"
    # _apt cannot write into a root-owned cache; download as root.
    ( cd "$KDIR/debs" && apt-get -o APT::Sandbox::User=root -qq download "$REAL" ) || die "apt-get download $REAL failed"
    dpkg-deb -x "$KDIR"/debs/*.deb "$KDIR/root"
    rm -rf "$KDIR/debs"
    KVER=$(ls "$KDIR/root/lib/modules")
    [ -f "$KDIR/root/boot/vmlinuz-$KVER" ] || die "no vmlinuz in $REAL"
    # Debian ships no modules.dep (its postinst runs depmod); busybox builds one.
    busybox depmod -b "$KDIR/root" "$KVER"
    echo "$REAL" > "$KDIR/.done"
  fi
  flock -u 9
fi
log "ok: $(qemu-system-x86_64 --version | head -1); kernel $(cat "$KDIR/.done") in $KDIR"
