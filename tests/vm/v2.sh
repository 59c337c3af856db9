#!/bin/sh
# VM suite "v2": a guest on a real cgroup v2 root with every controller enabled runs the same
# integration suites as the v1 host: claunch (limits, OOM, CPU share, pids, cpuset, cleanup
# through cgroup.kill, the cgroup namespace's view) and cinit's per-service cgroups.
VM_MODE_NAME=v2
. "$(dirname -- "$0")/lib.sh"
vm_job

SUITES="tests/integration/test_claunch tests/integration/test_cgroups"
command=
for s in $SUITES; do
	command="$command $s --jobs=1 --tap=/vmjob/$(basename "$s").tap >/vmjob/$(basename "$s").log 2>&1;"
done
vm_boot "${VM_TIMEOUT:-600}" -- "cat /sys/fs/cgroup/cgroup.subtree_control; $command"
rc=$?
vm_check "the guest booted, ran the suites and powered off" [ "$rc" -eq 0 ]
vm_check "cgroup2 has the memory, cpu, cpuset and pids controllers" \
	grep -q 'cpuset cpu .*memory.*pids' "$VM_JOB/output"
for s in $SUITES; do
	vm_merge_tap "$(basename "$s")" "$VM_JOB/$(basename "$s").tap"
done
vm_finish
