#!/bin/bash
# run-guest.sh - run a payload (normally a static Go test binary) as the only
# program inside a throw-away QEMU VM booting Debian's stock kernel, which has
# what this machine's kernel lacks: bonding incl. 802.3ad, 8021q, bridge VLAN
# filtering. Prints the guest console and exits with the payload's status.
#
# Usage:
#   run-guest.sh [-d DIR] [-f FILE:PATH]... [-m MODULE]... [-e VAR=VALUE]... [--] PAYLOAD [ARGS...]
#
#   PAYLOAD  executable run as root in the guest (CGO_ENABLED=0 go test -c ...).
#   ARGS     passed verbatim (e.g. -test.v -test.run TestX).
#   -d DIR   copied into the guest as /work, the payload's working directory.
#   -f F:P   also put file F into the guest at absolute path P (e.g. a
#            static netalign binary at /netalign), keeping its mode.
#   -m MOD   also load kernel module MOD (+ dependencies).
#   -e V=X   export V=X to the payload.
#
# Environment (all optional):
#   NETALIGN_REALKERNEL_CACHE  kernel + base initramfs cache, filled by
#                              prereqs.sh (default ${XDG_CACHE_HOME:-$HOME/.cache}/netalign-realkernel)
#   NETALIGN_REALKERNEL_KPKG   kernel meta package (default linux-image-cloud-amd64)
#   GUEST_ACCEL    tcg (default) | kvm | auto. KVM is not used by default: on
#                  hosts whose /dev/kvm is the nested "PVM" module a stock
#                  kernel hangs. auto picks kvm only where it is a normal KVM.
#   GUEST_MEM      guest RAM (default 1024M)     GUEST_SMP  vCPUs (default 2)
#   GUEST_TIMEOUT  seconds before the VM is killed (default 540)
#   GUEST_DMESG    fail (default) | always | never: print guest dmesg after payload
#
# Exit status: the payload's; 124 VM timeout; 125 no status came back (kernel
# panic, init failure, qemu failure) or a setup error.
set -euo pipefail

die() { echo "run-guest: $*" >&2; exit 125; }
log() { echo "run-guest: $*" >&2; }

WORKDIR_SRC=
EXTRA_MODS=()
ENVS=()
FILES=()
while getopts "d:f:m:e:h" opt; do
  case "$opt" in
    d) WORKDIR_SRC=$OPTARG ;;
    f) FILES+=("$OPTARG") ;;
    m) EXTRA_MODS+=("$OPTARG") ;;
    e) ENVS+=("$OPTARG") ;;
    h) sed -n '2,30p' "$0"; exit 0 ;;
    *) exit 2 ;;
  esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] || die "usage: $0 [-d DIR] [-m MODULE]... [-e VAR=VAL]... PAYLOAD [ARGS...]"
PAYLOAD=$(readlink -f "$1"); shift
[ -f "$PAYLOAD" ] && [ -x "$PAYLOAD" ] || die "payload $PAYLOAD is not an executable file"
if [ -n "$WORKDIR_SRC" ]; then [ -d "$WORKDIR_SRC" ] || die "workdir $WORKDIR_SRC: not a directory"; fi
for f in "${FILES[@]}"; do
  case "$f" in
    *:/*) [ -f "${f%%:/*}" ] || die "-f $f: ${f%%:/*} is not a file" ;;
    *) die "-f $f: want FILE:/ABSOLUTE/PATH" ;;
  esac
done

CACHE=${NETALIGN_REALKERNEL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/netalign-realkernel}
KPKG=${NETALIGN_REALKERNEL_KPKG:-linux-image-cloud-amd64}
ACCEL=${GUEST_ACCEL:-tcg}
MEM=${GUEST_MEM:-1024M}
SMP=${GUEST_SMP:-2}
TIMEOUT=${GUEST_TIMEOUT:-540}
DMESG=${GUEST_DMESG:-fail}
BUSYBOX=$(command -v busybox) || die "busybox not found; apt-get install busybox-static"
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 not found; apt-get install qemu-system-x86"
is_dynamic() { LC_ALL=C ldd "$1" >/dev/null 2>&1; }   # ldd fails on static binaries
if is_dynamic "$BUSYBOX"; then
  die "$BUSYBOX is dynamically linked; apt-get install busybox-static"
fi
if head -c4 "$PAYLOAD" | grep -q 'ELF' && is_dynamic "$PAYLOAD"; then
  log "warning: $PAYLOAD is dynamically linked (build with CGO_ENABLED=0); only the host's libc, libmnl, libbpf, libelf, libcap, libz, libbsd, libmd are in the guest"
fi

# Modules always loaded in the guest (dependencies are resolved automatically).
# virtio_pci + virtio_console: fast payload output channel (see below).
# xfrm_user + nfnetlink: netlink.NewHandle()/NewHandleAt() without explicit
# families opens NETLINK_XFRM and NETLINK_NETFILTER sockets too.
BASE_MODS="bonding 8021q bridge veth dummy macvlan ipvlan vxlan tun vrf xfrm_user nfnetlink virtio_pci virtio_console"

T0=$(date +%s.%N)
mkdir -p "$CACHE"
exec 9>"$CACHE/.lock"
flock 9          # serialise one-time setup between concurrent runs

# ---------------------------------------------------------------- 1. kernel
# Fetched and unpacked by prereqs.sh (apt-get download + dpkg-deb -x).
KDIR="$CACHE/kernel-$KPKG"
[ -f "$KDIR/.done" ] || die "no kernel in $KDIR: run $(dirname "$0")/prereqs.sh"
KVER=$(ls "$KDIR/root/lib/modules")
VMLINUZ="$KDIR/root/boot/vmlinuz-$KVER"
MODDIR="$KDIR/root/lib/modules/$KVER"

# Transitive module closure from modules.dep ("path: dep dep ..."), relative paths.
mod_closure() {
  awk -v want="$*" '
    function base(p) { sub(".*/", "", p); sub("\\.ko.*$", "", p); gsub("-", "_", p); return p }
    BEGIN { n = split(want, w, " "); for (i = 1; i <= n; i++) { gsub("-", "_", w[i]); need[w[i]] = 1 } }
    { p = $1; sub(":$", "", p); b = base(p); path[b] = p; deps[b] = ""
      for (i = 2; i <= NF; i++) deps[b] = deps[b] " " $i }
    END {
      changed = 1
      while (changed) { changed = 0
        for (m in need) {
          if (!(m in path)) { print "run-guest: warning: no module " m > "/dev/stderr"; delete need[m]; continue }
          k = split(deps[m], d, " ")
          for (i = 1; i <= k; i++) { b = base(d[i]); if (!(b in need)) { need[b] = 1; changed = 1 } } } }
      for (m in need) print path[m] }' "$MODDIR/modules.dep"
}

# Copy a dynamically linked host binary and its shared libraries into $ST.
copy_bin() { # src dst
  cp -L "$1" "$ST$2"
  ldd "$1" | awk '/=> \//{print $3} /^\t\/lib/{print $1}' | while read -r lib; do
    mkdir -p "$ST$(dirname "$lib")"; [ -e "$ST$lib" ] || cp -L "$lib" "$ST$lib"; done
}

# ---------------------------------------------------------------- 2. base initramfs
# Everything except the payload; cached, keyed on kernel, modules, this script.
KEY=$(printf '%s\n' "$KVER" "$BASE_MODS ${EXTRA_MODS[*]:-}" "$(sha256sum < "$0")" "$(sha256sum < "$BUSYBOX")" \
      | sha256sum | cut -c1-16)
BASE="$CACHE/base-$KEY.cpio"
if [ ! -f "$BASE" ]; then
  log "building base initramfs $BASE"
  ST=$(mktemp -d "$CACHE/stage.XXXXXX")
  mkdir -p "$ST"/{bin,sbin,usr/bin,usr/sbin,lib,lib64,etc,proc,sys,dev,run,tmp,root,work,var/tmp}
  ln -s ../run "$ST/var/run"
  cp "$BUSYBOX" "$ST/bin/busybox"
  # dash as /bin/sh: Debian's busybox-static ash runs its own applets in
  # preference to $PATH ("ip" would be busybox's cut-down ip, not iproute2).
  [ -x /bin/dash ] && copy_bin /bin/dash /bin/sh
  # iproute2 ip/bridge, for shell payloads, debugging and exec.Command("ip").
  for b in ip bridge; do
    p=$(command -v "$b" || true)
    [ -n "$p" ] && copy_bin "$p" "/sbin/$b" || log "warning: $b not on host (apt-get install iproute2)"
  done
  if [ -e /lib64/ld-linux-x86-64.so.2 ] && [ ! -e "$ST/lib64/ld-linux-x86-64.so.2" ]; then
    cp -L /lib64/ld-linux-x86-64.so.2 "$ST/lib64/"
  fi
  # kernel modules + modules.{dep,alias} so request_module() autoload works too
  mkdir -p "$ST/lib/modules/$KVER"
  for f in modules.builtin modules.builtin.modinfo modules.order; do cp "$MODDIR/$f" "$ST/lib/modules/$KVER/"; done
  mod_closure $BASE_MODS "${EXTRA_MODS[@]}" | while read -r rel; do
    mkdir -p "$ST/lib/modules/$KVER/$(dirname "$rel")"; cp "$MODDIR/$rel" "$ST/lib/modules/$KVER/$rel"; done
  "$BUSYBOX" depmod -b "$ST" "$KVER"
  printf 'root:x:0:0:root:/root:/bin/sh\n' > "$ST/etc/passwd"
  printf 'root:x:0:\n' > "$ST/etc/group"
  printf '127.0.0.1 localhost guest\n::1 localhost\n' > "$ST/etc/hosts"
  echo "$BASE_MODS ${EXTRA_MODS[*]:-}" > "$ST/etc/guest-modules"
  cat > "$ST/init" <<'EOF'
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/sbin:/bin:/usr/sbin:/usr/bin HOME=/root TERM=dumb
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /tmp
mount -t cgroup2 cgroup2 /sys/fs/cgroup 2>/dev/null
mount -t bpf bpf /sys/fs/bpf 2>/dev/null
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
exec 0</dev/console 1>/dev/console 2>&1
ln -sf /bin/busybox /sbin/modprobe
echo /sbin/modprobe > /proc/sys/kernel/modprobe
hostname guest
for m in $(cat /etc/guest-modules); do
  case $m in
    bonding) modprobe bonding max_bonds=0 ;;   # no stray bond0
    dummy)   modprobe dummy numdummies=0 ;;    # no stray dummy0
    *)       modprobe "$m" ;;
  esac || echo "GUEST: modprobe $m failed"
done
ip link set lo up
# Payload stdout/stderr -> virtio-serial port (~4 MB/s under TCG; the 16550
# console manages ~0.4 MB/s). Kernel messages stay on ttyS0. Both reach the
# host's stdout.
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
  [ -c /dev/vport0p1 ] && break; sleep 0.05; done
[ -c /dev/vport0p1 ] && exec 1>/dev/vport0p1 2>&1
exec 0</dev/null
. /payload.env
cd /work
echo "GUEST: payload start, uptime $(cut -d' ' -f1 /proc/uptime)s, kernel $(uname -r)"
eval "set -- $(cat /payload.args)"
/payload "$@"
rc=$?
echo "GUEST: payload end, uptime $(cut -d' ' -f1 /proc/uptime)s"
case "$GUEST_DMESG_MODE" in
  always) echo "GUEST: ---- dmesg ----"; dmesg ;;
  fail) [ $rc -ne 0 ] && { echo "GUEST: ---- dmesg since /init ----"; dmesg | sed -n '/Run \/init/,$p' | tail -n 300; } ;;
esac
echo "===GUEST-EXIT-STATUS=$rc==="
exec 1>/dev/console 2>&1
echo "$rc" > /dev/ttyS1
sync
poweroff -f
EOF
  chmod 755 "$ST/init"
  ( cd "$ST" && find . -mindepth 1 | LC_ALL=C sort | "$BUSYBOX" cpio -o -H newc -R 0:0 ) > "$BASE.tmp" 2>/dev/null
  mv "$BASE.tmp" "$BASE"
  rm -rf "$ST"
fi
flock -u 9

# ---------------------------------------------------------------- 3. per-run payload cpio
RUN=$(mktemp -d "$CACHE/run.XXXXXX")
trap 'rm -rf "$RUN"' EXIT
trap 'exit 130' INT TERM
mkdir -p "$RUN/p/work"
cp "$PAYLOAD" "$RUN/p/payload"; chmod 755 "$RUN/p/payload"
[ -n "$WORKDIR_SRC" ] && cp -a "$WORKDIR_SRC/." "$RUN/p/work/"
for f in "${FILES[@]}"; do
  dst="$RUN/p/${f#*:/}"
  mkdir -p "$(dirname "$dst")"
  cp -p "${f%%:/*}" "$dst"
done
q() { printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"; }   # shell-quote
: > "$RUN/p/payload.args"
for a in "$@"; do printf '%s ' "$(q "$a")" >> "$RUN/p/payload.args"; done
{ echo "export GUEST_DMESG_MODE=$(q "$DMESG")"
  for e in "${ENVS[@]}"; do echo "export $(q "$e")"; done
} > "$RUN/p/payload.env"
( cd "$RUN/p" && find . -mindepth 1 | "$BUSYBOX" cpio -o -H newc -R 0:0 ) > "$RUN/payload.cpio" 2>/dev/null
# The kernel unpacks concatenated (uncompressed) cpio archives in order.
cat "$BASE" "$RUN/payload.cpio" > "$RUN/initrd.cpio"
T1=$(date +%s.%N)

# ---------------------------------------------------------------- 4. boot
TCG=(-accel tcg,thread=multi -cpu max)
case "$ACCEL" in
  tcg)  ACCEL_ARGS=("${TCG[@]}") ;;
  kvm)  ACCEL_ARGS=(-accel kvm -cpu host,-arch-capabilities) ;;
  auto) if [ -w /dev/kvm ] && [ ! -d /sys/module/kvm_pvm ]; then ACCEL_ARGS=(-accel kvm -cpu host)
        else ACCEL_ARGS=("${TCG[@]}"); fi ;;
  *) die "GUEST_ACCEL must be tcg, kvm or auto" ;;
esac
# qboot (ships in qemu-system-data) is a faster, quieter firmware than SeaBIOS.
BIOS_ARGS=(); [ -f /usr/share/qemu/qboot.rom ] && BIOS_ARGS=(-bios /usr/share/qemu/qboot.rom)
: > "$RUN/status"
log "booting $KVER (${ACCEL_ARGS[*]}, $SMP vCPU, $MEM), initrd $(du -h "$RUN/initrd.cpio" | cut -f1)"
# Guest output: ttyS0 (kernel console) and the virtio-serial port "out"
# (payload stdout/stderr) are both appended to ONE regular file, which we
# stream with tail. Why not a pipe/stdio: when a pipe is full qemu throttles the
# virtio port and whatever is still queued when the guest powers off is lost.
# Why not mux one stdio chardev for both: the virtio port then blocks forever.
# Why not virtconsole/hvc0: ~40 KB/s. The 16550 UART alone manages ~0.4 MB/s.
# ttyS1 -> $RUN/status is the exit-code channel.
: > "$RUN/console"
set +e
timeout -k 10 "$TIMEOUT" qemu-system-x86_64 \
  -nodefaults -no-user-config -nographic -no-reboot \
  "${ACCEL_ARGS[@]}" -m "$MEM" -smp "$SMP" "${BIOS_ARGS[@]}" \
  -kernel "$VMLINUZ" -initrd "$RUN/initrd.cpio" \
  -append "console=ttyS0 panic=-1 quiet loglevel=4 mitigations=off tsc=reliable" \
  -chardev "file,id=con,path=$RUN/console,append=on" -serial chardev:con \
  -serial "file:$RUN/status" \
  -chardev "file,id=out,path=$RUN/console,append=on" \
  -device virtio-serial-pci -device virtserialport,chardev=out,name=out \
  ${GUEST_QEMU_ARGS:-} < /dev/null &
QPID=$!
trap 'kill "$QPID" 2>/dev/null; exit 130' INT TERM
tail -s 0.1 -n +1 -f --pid="$QPID" "$RUN/console" | stdbuf -oL tr -d '\r'
wait "$QPID"
QRC=$?
set -e
T2=$(date +%s.%N)
STATUS=$(tr -dc '0-9' < "$RUN/status")
log "$(awk -v a="$T0" -v b="$T1" -v c="$T2" 'BEGIN{printf "timing: prepare %.2fs, vm %.2fs, total %.2fs", b-a, c-b, c-a}')"
if [ "$QRC" = 124 ] || [ "$QRC" = 137 ]; then log "VM timed out after ${TIMEOUT}s"; exit 124; fi
[ -n "$STATUS" ] || { log "no exit status from guest (qemu rc=$QRC): kernel panic or init failure"; exit 125; }
log "payload exit status $STATUS"
exit "$STATUS"
