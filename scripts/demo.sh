#!/usr/bin/env bash
# The netalign demo: a simulated lab (Arista EOS and Cisco NX-OS over SSH,
# OpenConfig over gNMI, netalign's built-in DHCP server) on 127.0.0.1, then
# plan -> apply -> validate, then drift made by hand on the switches, caught by
# validate and fixed by plan. Leaves nothing running.
set -uo pipefail
BIN=${1:-bin/netalign}
DIR=$(mktemp -d "${TMPDIR:-/tmp}/netalign-demo.XXXXXX")
LOG="$DIR/lab.log"
LAB_PID=""

cleanup() {
  if [ -n "$LAB_PID" ] && kill -0 "$LAB_PID" 2>/dev/null; then
    kill -INT "$LAB_PID" 2>/dev/null
    wait "$LAB_PID" 2>/dev/null
  fi
  rm -rf "$DIR"
}
trap cleanup EXIT

bold() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '\033[2m$ %s\033[0m\n' "$*"; "$@"; }
expect_exit() {
  local want=$1 got=$2 what=$3
  if [ "$got" -ne "$want" ]; then
    echo "demo: $what exited $got, expected $want" >&2
    [ -f "$LOG" ] && tail -20 "$LOG" >&2
    exit 1
  fi
}

export NETALIGN_LAB_USER=admin NETALIGN_LAB_PASS=netalign-lab

bold "Start the lab for configs/lab.yaml"
"$BIN" lab up -i configs/lab.yaml --dir "$DIR/lab" --log-level warn >"$LOG" 2>&1 &
LAB_PID=$!
for _ in $(seq 1 100); do
  [ -S "$DIR/lab/lab.sock" ] && break
  kill -0 "$LAB_PID" 2>/dev/null || { cat "$LOG" >&2; exit 1; }
  sleep 0.1
done
cat "$LOG"
INV="$DIR/lab/inventory.yaml"
export NETALIGN_LOG_LEVEL=warn

bold "plan: what would change (switches are blank, the DHCP server has no pools)"
run "$BIN" plan -i "$INV"; expect_exit 0 $? plan

bold "apply: one transaction per device, all devices in parallel"
run "$BIN" apply -i "$INV" --yes; expect_exit 0 $? apply

bold "validate: hosts, switches and DHCP agree"
run "$BIN" validate -i "$INV"; expect_exit 0 $? validate

bold "plan again: nothing to do"
run "$BIN" plan -i "$INV" --detailed-exitcode; expect_exit 0 $? "plan --detailed-exitcode"

bold "Drift by hand: VLAN 100 removed from a trunk on leaf1, a LACP LAG made static"
run "$BIN" lab drift --dir "$DIR/lab" leaf1 remove-allowed-vlan Port-Channel10 100; expect_exit 0 $? drift
run "$BIN" lab drift --dir "$DIR/lab" leaf1 lag-static 11; expect_exit 0 $? drift

bold "validate catches it (exit 1)"
run "$BIN" validate -i "$INV"; expect_exit 1 $? "validate after drift"

bold "plan offers the fix"
run "$BIN" plan -i "$INV"; expect_exit 0 $? "plan after drift"

bold "Stop the lab"
run "$BIN" lab down --dir "$DIR/lab"
wait "$LAB_PID"; LAB_PID=""
echo "demo: done, nothing left running."
