# Shared by the VM suites (tests/vm/*.sh): each boots one VM with tests/vm/vm-run and prints
# TAP for automake's driver, built from the TAP files the guest wrote into the job directory
# and from checks the host makes itself.
# shellcheck shell=sh

VM_HERE=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)
VM_N=0
VM_FAILED=0

vm_ok() {
	VM_N=$((VM_N + 1))
	echo "ok $VM_N - $*"
}

vm_not_ok() {
	VM_N=$((VM_N + 1))
	VM_FAILED=1
	echo "not ok $VM_N - $*"
}

# vm_check DESCRIPTION COMMAND...: ok when the command succeeds.
vm_check() {
	what=$1
	shift
	if "$@"; then vm_ok "$what"; else vm_not_ok "$what"; fi
}

# A fresh job directory, removed at exit.
vm_job() {
	VM_JOB=$(mktemp -d /tmp/vm-job.XXXXXX) || exit 99
	trap 'rm -rf "$VM_JOB"' EXIT
	# dash runs the EXIT trap only on exit: make the signals exit
	trap 'exit 1' INT TERM HUP
}

# vm_boot MODE TIMEOUT [KERNEL_ARGS] -- COMMAND: skips the whole suite (TAP "1..0 # SKIP")
# when qemu or the kernel is missing; otherwise returns vm-run's status.
vm_boot() {
	sh "$VM_HERE/vm-run" "$VM_MODE_NAME" "$VM_JOB" "$@" 2>"$VM_JOB/vm-run.err"
	rc=$?
	if [ "$rc" -eq 77 ]; then
		echo "1..0 # SKIP $(head -n 1 "$VM_JOB/vm-run.err")"
		exit 0
	fi
	# vm-run's own complaints (timeout, the console's tail) as TAP comments
	sed 's/^/# /' "$VM_JOB/vm-run.err"
	return "$rc"
}

# Renumbers the results of one criterion TAP file from the guest into ours; a missing file or
# one without a plan is a failure of the suite.
vm_merge_tap() {
	name=$1 file=$2
	if [ ! -s "$file" ] || ! grep -q '^1\.\.[0-9]' "$file"; then
		vm_not_ok "$name: the suite did not report (see the output below)"
		return
	fi
	while IFS= read -r line; do
		# criterion writes "ok - suite::test (0.1s)", numbered or not
		rest=$(printf '%s\n' "$line" | sed -n 's/^\(not \)\{0,1\}ok[ 0-9]*- //p')
		case $line in
		"ok "*) vm_ok "$name: $rest" ;;
		"not ok "*) vm_not_ok "$name: $rest" ;;
		"#"*) echo "$line" ;;
		"  "*) echo "# $line" ;;
		esac
	done <"$file"
}

# Prints the guest's output and the console's tail as comments (after a failure).
vm_dump() {
	[ -f "$VM_JOB/output" ] && sed 's/^/# output: /' "$VM_JOB/output" | tail -n 80
	[ -f "$VM_JOB/console.log" ] && tail -n 50 "$VM_JOB/console.log" | sed 's/^/# console: /'
}

vm_finish() {
	[ "$VM_FAILED" -eq 0 ] || vm_dump
	echo "1..$VM_N"
}

# vm_systemd_units EXEC_START ENVIRONMENT: the job's units for the "systemd" mode: vm-test.target
# and its oneshot vm-test.service running EXEC_START (stdout to /vmjob/output), which ends the
# guest afterwards whatever the result; and VM_MASK, the units that cost time and test nothing.
vm_systemd_units() {
	mkdir -p "$VM_JOB/units"
	cat >"$VM_JOB/units/vm-test.target" <<UNIT
[Unit]
Description=VM test suite
Requires=basic.target vm-test.service
After=basic.target
AllowIsolate=yes
UNIT
	cat >"$VM_JOB/units/vm-test.service" <<UNIT
[Unit]
Description=VM test suite
After=basic.target dbus.socket
Requires=dbus.socket
[Service]
Type=oneshot
Environment=$2
ExecStart=$1
StandardOutput=file:/vmjob/output
StandardError=inherit
# the end of the guest, whatever the result: -no-reboot turns a reboot into qemu's exit
ExecStopPost=/bin/sh -c 'sync; echo b > /proc/sysrq-trigger'
UNIT
	# Slow or pointless here: apparmor alone costs ~11 s under TCG. tmp.mount and
	# tmpfiles' "D /tmp" would hide or empty /tmp, where the build tree may be (a CI clone).
	VM_MASK="tmp.mount systemd-tmpfiles-setup.service systemd-tmpfiles-clean.timer
		systemd-tmpfiles-clean.service apparmor.service systemd-udevd.service systemd-udevd-control.socket
		systemd-udevd-kernel.socket systemd-udev-trigger.service systemd-udev-settle.service
		systemd-timesyncd.service systemd-binfmt.service proc-sys-fs-binfmt_misc.automount
		systemd-random-seed.service systemd-update-utmp.service systemd-update-utmp-runlevel.service
		systemd-journal-flush.service systemd-sysusers.service modprobe@.service
		systemd-networkd.service networking.service ssh.service cron.service
		getty.target serial-getty@.service console-getty.service systemd-logind.service"
	export VM_MASK
}
