#!/bin/sh
# VM suite "pid1": the kernel boots with cinit itself as PID 1 (switch_root'ed to from the
# initramfs, as init= would). The guest checks zombie reaping and signal forwarding as the
# real PID 1 and a unit started at boot (tests/vm/pid1-guest); the host checks that SIGTERM
# stopped the unit and that cinit's exit status reached the kernel's panic message.
VM_MODE_NAME=pid1
. "$(dirname -- "$0")/lib.sh"
vm_job
BUILD=$(CDPATH= cd -- "$VM_HERE/../.." && pwd)

mkdir -p "$VM_JOB/units"
cat >"$VM_JOB/units/boot.service" <<UNIT
[Service]
ExecStart=$BUILD/tests/payload sleep 1000
ExecStartPost=/bin/touch /vmjob/boot-started
ExecStop=/bin/touch /vmjob/boot-stopped
UNIT
vm_boot "${VM_TIMEOUT:-300}" -- "$BUILD/cinit" --units /vmjob/units -- /bin/sh "$VM_HERE/pid1-guest" "$BUILD"
rc=$?
vm_check "the guest ended by itself" [ "$rc" -eq 0 ]
vm_merge_tap pid1-guest "$VM_JOB/pid1.tap"
vm_check "SIGTERM to PID 1 stopped boot.service (its ExecStop ran)" [ -f "$VM_JOB/boot-stopped" ]
vm_check "cinit's exit status 7 reached the kernel: \"Attempted to kill init! exitcode=0x00000700\"" \
	grep -q 'Attempted to kill init! exitcode=0x00000700' "$VM_JOB/console.log"
vm_finish
