#!/bin/sh
# VM suite "systemd" (and "v1" when run as v1.sh): the host's systemd boots as PID 1 on the
# overlay root, with the units that cost time and test nothing masked, and reaches
# vm-test.target, whose service runs tests/vm/systemd-guest and then ends the guest (a reboot,
# which -no-reboot turns into the end of qemu; no unmounting of the 9p root).
# v1.sh boots it with systemd.unified_cgroup_hierarchy=0 and
# systemd.legacy_systemd_cgroup_controller=1, pure cgroup v1 without any cgroup2, and also runs
# the claunch suite there.
VM_MODE_NAME=systemd
. "$(dirname -- "$0")/lib.sh"
vm_job
BUILD=$(CDPATH= cd -- "$VM_HERE/../.." && pwd)

case $(basename "$0") in
v1.sh)
	layout=legacy
	# without the second, systemd 252 still mounts a controller-less cgroup2 (hybrid, which
	# the hosts here are already): this is pure v1
	kargs="systemd.unified_cgroup_hierarchy=0 systemd.legacy_systemd_cgroup_controller=1"
	suites="$BUILD/tests/integration/test_claunch"
	;;
*)
	layout=unified
	kargs="systemd.unified_cgroup_hierarchy=1"
	suites=
	;;
esac

vm_systemd_units "/bin/sh $VM_HERE/systemd-guest $BUILD $suites" "VM_EXPECT_LAYOUT=$layout"
vm_boot "${VM_TIMEOUT:-600}" "systemd.unit=vm-test.target" "$kargs" -- true
rc=$?
vm_check "the guest booted systemd, ran the suite and ended" [ "$rc" -eq 0 ]
vm_merge_tap "systemd ($layout)" "$VM_JOB/systemd.tap"
for s in $suites; do
	vm_merge_tap "$(basename "$s") (v1 under systemd)" "$VM_JOB/$(basename "$s").tap"
done
vm_finish
