#!/bin/sh
# The VM harness itself: a guest that hangs is killed at its deadline with the console's
# tail, a guest whose PID 1 dies ends at once with the kernel's panic line, and a missing
# kernel module is one line naming it. Nothing of qemu is left in any case.
VM_MODE_NAME=v2
. "$(dirname -- "$0")/lib.sh"
vm_job

qemu_left() {
	# our own qemu children only: vm-run's are gone once it returned
	for p in /proc/[0-9]*; do
		[ "$(cat "$p/comm" 2>/dev/null)" = qemu-system-x86 ] || continue
		grep -q "$VM_JOB" "$p/cmdline" 2>/dev/null && return 0
	done
	return 1
}

# A hanging guest: vm-run gives up at the deadline, kills qemu, shows the console.
start=$(date +%s)
sh "$VM_HERE/vm-run" v2 "$VM_JOB" 25 -- 'echo guest-is-hanging >/dev/console; sleep 1000' \
	>"$VM_JOB/out" 2>&1
rc=$?
if [ "$rc" -eq 77 ]; then
	echo "1..0 # SKIP $(cat "$VM_JOB/out")"
	exit 0
fi
took=$(($(date +%s) - start))
vm_check "a hanging guest fails (status $rc)" [ "$rc" -eq 1 ]
# the deadline, the kill's grace and building the initramfs, with room for a loaded host
vm_check "and ends within its deadline and the kill grace (${took}s <= 60s)" [ "$took" -le 60 ]
vm_check "the failure says so and shows the console's tail" \
	grep -q 'no end after 25s, qemu killed' "$VM_JOB/out"
vm_check "the tail has the guest's last words" grep -q 'guest-is-hanging' "$VM_JOB/out"
if qemu_left; then vm_not_ok "qemu of the hanging guest still runs"; else vm_ok "qemu is gone"; fi

# A PID 1 that dies: the kernel panics and qemu ends at once (panic=-1, -no-reboot).
start=$(date +%s)
sh "$VM_HERE/vm-run" pid1 "$VM_JOB" 120 -- /bin/false >"$VM_JOB/out" 2>&1
rc=$?
took=$(($(date +%s) - start))
vm_check "a guest whose PID 1 exits ends by itself (status $rc, ${took}s)" [ "$rc" -eq 0 ]
vm_check "its console has the kernel's panic with the status" \
	grep -q 'Attempted to kill init! exitcode=0x00000100' "$VM_JOB/console.log"

# A module that is not there: one line naming it, status 77 (the suites report SKIP).
VM_EXTRA_MODULES=no_such_module_xyz sh "$VM_HERE/vm-run" v2 "$VM_JOB" 60 -- true \
	>"$VM_JOB/out" 2>&1
rc=$?
vm_check "a missing module is status 77" [ "$rc" -eq 77 ]
vm_check "with one line naming it" sh -c "[ \$(wc -l <'$VM_JOB/out') -eq 1 ] && grep -q no_such_module_xyz '$VM_JOB/out'"
vm_finish
