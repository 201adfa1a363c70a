#!/bin/bash
# run.sh - the real-kernel tests of hostnet: builds the realkernel-tagged test
# binary of ./hostnet and the netalign binary statically and runs the tests as
# the only program of a VM booting Debian's stock kernel (run-guest.sh), with
# netalign at /netalign (NETALIGN_BIN) for the command-line scenario, printing
# the guest's test output and exiting with its status.
#
# Usage: e2e/realkernel/run.sh [go test binary flags...]
#   default flags: -test.v -test.run ^TestRealKernel -test.bench ^BenchmarkBridgeVLANs$ -test.benchtime 3x -test.timeout 8m
#
# When qemu, a static busybox or the cached kernel (prereqs.sh) is missing the
# run is skipped with the reason (exit 0), unless NETALIGN_REQUIRE_PREREQS=1,
# where it fails (exit 1): CI must never pass without booting the VM.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
CACHE=${NETALIGN_REALKERNEL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/netalign-realkernel}
KPKG=${NETALIGN_REALKERNEL_KPKG:-linux-image-cloud-amd64}

missing=()
command -v qemu-system-x86_64 >/dev/null || missing+=("qemu-system-x86_64 (apt-get install qemu-system-x86)")
if ! bb=$(command -v busybox); then
  missing+=("busybox (apt-get install busybox-static)")
elif LC_ALL=C ldd "$bb" >/dev/null 2>&1; then
  missing+=("a static busybox (apt-get install busybox-static)")
fi
command -v go >/dev/null || missing+=("go")
[ -f "$CACHE/kernel-$KPKG/.done" ] || missing+=("the $KPKG kernel in $CACHE (run $HERE/prereqs.sh)")
if [ ${#missing[@]} -gt 0 ]; then
  msg="real-kernel tests cannot run: missing ${missing[*]}"
  if [ "${NETALIGN_REQUIRE_PREREQS:-}" = 1 ]; then
    echo "FAIL: $msg" >&2
    exit 1
  fi
  echo "SKIP: $msg" >&2
  exit 0
fi

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
echo "realkernel: building the hostnet test binary (CGO_ENABLED=0, -tags realkernel) and netalign" >&2
( cd "$ROOT" && CGO_ENABLED=0 go test -c -tags realkernel -o "$WORK/hostnet.test" ./hostnet \
  && CGO_ENABLED=0 go build -o "$WORK/netalign" ./cmd/netalign )

ARGS=("$@")
if [ ${#ARGS[@]} -eq 0 ]; then
  ARGS=(-test.v -test.run "^TestRealKernel" -test.bench "^BenchmarkBridgeVLANs$" -test.benchtime 3x -test.timeout 8m)
fi
set +e
"$HERE/run-guest.sh" -d "$ROOT/hostnet" -f "$WORK/netalign:/netalign" \
  -e NETALIGN_BIN=/netalign -e "NETALIGN_REQUIRE_PREREQS=${NETALIGN_REQUIRE_PREREQS:-}" \
  -- "$WORK/hostnet.test" "${ARGS[@]}"
rc=$?
set -e
case $rc in
  124) echo "FAIL: realkernel: the VM timed out" >&2 ;;
  125) echo "FAIL: realkernel: the VM returned no status (qemu could not start, kernel panic or init failure)" >&2 ;;
esac
exit $rc
