# shellcheck shell=bash
# tests/setup/cases.sh — the checks of tools/sluice-setup against fake roots (tests/setup/fakeroot.sh).
# Sourced by tests/e2e/test_setup.sh after tests/e2e/lib/check.sh (ok/bad/check/expect_eq).
# Nothing here touches the machine: every path is under a temporary --root, and modprobe, mount,
# ip and dpdk-devbind.py are fakes first in PATH that record their arguments in $FR_LOG.

SETUP=${SETUP:-$TOP/tools/sluice-setup}
ORIG_PATH=$PATH

# ss ARGS...: runs sluice-setup on $FR; sets OUT (stdout+stderr) and RC.
ss() {
	OUT=$(PATH="$FR_BIN:$ORIG_PATH" "$SETUP" --root "$FR" "$@" 2>&1)
	RC=$?
}
has() { grep -qE -- "$1" <<<"$OUT"; }
logged() { grep -qxF -- "$1" "$FR_LOG"; }
show_out() { sed 's/^/       | /' <<<"$OUT" | head -40; }
# expect DESC WANT_RC REGEX...: RC is WANT_RC and OUT matches every REGEX
expect() {
	local d=$1 want=$2 re miss=""
	shift 2
	for re in "$@"; do has "$re" || miss+=" '$re'"; done
	if [[ $RC == "$want" && -z $miss ]]; then
		ok "$d"
	else
		bad "$d: rc=$RC (want $want), missing:${miss:- none}"
		show_out
	fi
}
# The fix line printed right after the PROBLEM line matching $1 contains $2.
# warning_fix TEXT FIX: a WARNING line containing TEXT is followed by a fix line containing FIX
warning_fix() {
	awk -v p="$1" -v f="$2" '
		/^WARNING: / { cur = index($0, p) > 0; next }
		cur && /^    fix: / { if (index($0, f) > 0) found = 1; cur = 0 }
		END { exit !found }' <<<"$OUT"
}

problem_fix() {
	awk -v p="$1" -v f="$2" '
		/^PROBLEM: / { cur = index($0, p) > 0; next }
		cur && /^    fix: / { if (index($0, f) > 0) found = 1; cur = 0 }
		END { exit !found }' <<<"$OUT"
}

write_cfg() {
	CFG=$FR/etc/sluice/dataplane.cfg
	mkdir -p "$(dirname "$CFG")"
	cat >"$CFG"
}

case_usage() {
	fr_new
	ss
	expect "no subcommand: usage, exit 2" 2 "^usage: sluice-setup"
	ss frobnicate
	expect "unknown subcommand: exit 2" 2 "unknown subcommand 'frobnicate'"
	ss --help
	expect "--help lists every subcommand" 0 "status" "hugepages N" "bind IFACE\|PCI" "unbind PCI" "restore" "doctor \[-f CONFIG\]"
	local sub
	for sub in status hugepages bind unbind restore doctor; do
		ss "$sub" --help
		expect "$sub --help" 0 "sluice-setup .*$sub"
	done
	ss hugepages lots
	expect "hugepages with a bad count: exit 2" 2 "N must be a number"
	ss hugepages 4 --size 3M
	expect "hugepages with a bad size: exit 2" 2 "--size is 2M or 1G"
	ss bind
	expect "bind without a NIC: exit 2" 2 "bind: which NIC"
	ss --root /nonexistent/dir status
	expect "--root to a missing directory: exit 2" 2 "no directory"
	fr_cleanup
}

case_status() {
	fr_healthy
	ss status
	expect "status: header" 0 "^IFACE +PCI +DRIVER +LINK +NUMA +MAC +DPDK +ROUTE$"
	expect "status: eth0 on ixgbe, up, default route, not DPDK" 0 \
		"^eth0 +0000:3b:00.0 +ixgbe +up +0 +52:54:00:00:00:01 +no +default$"
	expect "status: eth1 on ixgbe, down, no route" 0 \
		"^eth1 +0000:3b:00.1 +ixgbe +down +0 +52:54:00:00:00:02 +no +-$"
	expect "status: the NIC bound to vfio-pci, without netdev" 0 \
		"^- +0000:5e:00.0 +vfio-pci +- +0 +- +yes +-$"
	expect_eq "status: 4 lines" "$(wc -l <<<"$OUT")" 4
	fr_cleanup
}

case_bind_refusals() {
	fr_healthy
	# eth0: default route (and up with an address)
	ss bind eth0
	expect "bind refuses the default-route interface" 1 "refusing to bind eth0 \(0000:3b:00.0\): it carries the default route"
	expect_eq "refusal is one line" "$(wc -l <<<"$OUT")" 1
	check "refusal ran neither modprobe nor dpdk-devbind.py -b" \
		bash -c "! grep -qE '^(modprobe|dpdk-devbind.py -b)' '$FR_LOG'"
	check "refusal recorded nothing" test ! -s "$FR/var/lib/sluice/bound"
	ss bind 0000:3b:00.0
	expect "bind by PCI address refuses it too" 1 "carries the default route"
	ss bind eth0 --force
	expect "bind --force accepts the default-route interface" 0 "bound to vfio-pci \(was ixgbe"
	check "--force: dpdk-devbind.py -b vfio-pci called" logged "dpdk-devbind.py -b vfio-pci 0000:3b:00.0"
	check "--force: modprobe vfio-pci called" logged "modprobe vfio-pci"
	fr_cleanup

	# the SSH session comes in on eth1 (which is down in sysfs but holds the address)
	fr_healthy
	fr_addr eth1 192.168.7.2/24
	SSH_CONNECTION="192.168.7.99 50022 192.168.7.2 22" ss bind eth1
	expect "bind refuses the SSH session's interface" 1 "refusing to bind eth1 .*this SSH session"
	SSH_CONNECTION="192.168.7.99 50022 10.9.9.9 22" ss bind eth1
	expect "another SSH address does not block eth1" 0 "bound to vfio-pci"
	fr_cleanup

	# up with addresses
	fr_healthy
	echo up >"$FR/sys/class/net/eth1/operstate"
	fr_addr eth1 192.168.7.2/24
	ss bind eth1
	expect "bind refuses an interface up with addresses" 1 "refusing to bind eth1 .*up with addresses \(192.168.7.2/24\)"
	ss bind eth1 --force
	expect "bind --force takes it" 0 "bound to vfio-pci"
	ss bind eth1
	expect "bind of a NIC already on vfio-pci is a no-op" 0 "already bound to vfio-pci"
	ss bind nosuch0
	expect "bind of a missing interface: exit 1" 1 "no interface 'nosuch0'"
	ss bind 0000:99:00.0
	expect "bind of a missing PCI device: exit 1" 1 "no PCI device 0000:99:00.0"
	fr_cleanup
}

case_dry_run() {
	fr_healthy
	local before
	before=$(find "$FR" | sort; cat "$FR/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages")
	ss --dry-run bind eth1
	expect "dry-run bind prints the commands" 0 "^\+ modprobe vfio-pci$" "^\+ dpdk-devbind.py -b vfio-pci 0000:3b:00.1$" \
		"^\+ append to /var/lib/sluice/bound: 0000:3b:00.1 ixgbe eth1$"
	fr_hugepages 0 0 0
	before=$(find "$FR" | sort; cat "$FR/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages")
	ss hugepages 128 --persist --dry-run
	expect "dry-run hugepages prints the writes and the mount" 0 \
		"^\+ write /sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages: 128$" \
		"^\+ mount -t hugetlbfs nodev $FR/dev/hugepages$" \
		"^\+ write /etc/sysctl.d/80-sluice-hugepages.conf: vm.nr_hugepages = 128$" \
		"^\+ append to /etc/fstab: nodev /dev/hugepages hugetlbfs defaults 0 0$"
	ss --dry-run restore
	expect "dry-run restore with nothing remembered" 0 "nothing to restore"
	local after
	after=$(find "$FR" | sort; cat "$FR/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages")
	expect_eq "dry-run changed no file" "$(diff <(echo "$before") <(echo "$after") >/dev/null && echo same || echo changed)" same
	check "dry-run ran no modprobe/mount/bind" bash -c "! grep -qE '^(modprobe|mount|dpdk-devbind.py -b|dpdk-devbind.py -u)' '$FR_LOG'"
	check "dry-run left the fstab empty" test ! -s "$FR/etc/fstab"
	fr_cleanup
}

case_bind_restore() {
	fr_healthy
	fr_nic eth2 0000:af:00.0 i40e down 52:54:00:00:00:03 1 0x8086 0x1572
	fr_devbind_status
	ss bind eth1
	expect "bind eth1" 0 "eth1 \(0000:3b:00.1\): bound to vfio-pci \(was ixgbe"
	ss bind 0000:af:00.0
	expect "bind eth2 by PCI address" 0 "bound to vfio-pci \(was i40e"
	check "bound: eth1's original driver remembered" grep -qx "0000:3b:00.1 ixgbe eth1" "$FR/var/lib/sluice/bound"
	check "bound: eth2's original driver remembered" grep -qx "0000:af:00.0 i40e eth2" "$FR/var/lib/sluice/bound"
	ss status
	expect "status shows both on vfio-pci" 0 "^eth1 +0000:3b:00.1 +vfio-pci .* yes " "^eth2 +0000:af:00.0 +vfio-pci +down +1 .* yes "
	ss unbind 3b:00.1
	expect "unbind gives eth1 back to ixgbe" 0 "^\+ dpdk-devbind.py -b ixgbe 0000:3b:00.1$"
	check "unbind: devbind called with ixgbe" logged "dpdk-devbind.py -b ixgbe 0000:3b:00.1"
	check "unbind: eth1 forgotten" bash -c "! grep -q 0000:3b:00.1 '$FR/var/lib/sluice/bound'"
	ss unbind 0000:3b:00.1
	expect "unbind of a NIC not bound by sluice-setup: exit 1" 1 "was not bound by sluice-setup"
	ss bind eth1
	ss restore
	expect "restore gives every NIC back" 0 "0000:3b:00.1: back on ixgbe" "0000:af:00.0: back on i40e"
	check "restore: devbind -b i40e called" logged "dpdk-devbind.py -b i40e 0000:af:00.0"
	expect_eq "restore: ixgbe given back twice in all (unbind + restore)" "$(grep -c '^dpdk-devbind.py -b ixgbe 0000:3b:00.1$' "$FR_LOG")" 2
	check "restore: nothing remembered any more" test ! -s "$FR/var/lib/sluice/bound"
	ss status
	expect "status after restore: kernel drivers again" 0 "^eth1 +0000:3b:00.1 +ixgbe " "^eth2 +0000:af:00.0 +i40e "
	# a failing dpdk-devbind.py: nothing remembered
	OUT=$(FAKE_DEVBIND_RC=1 PATH="$FR_BIN:$ORIG_PATH" "$SETUP" --root "$FR" bind eth1 2>&1); RC=$?
	expect "bind: dpdk-devbind.py failure is reported, exit 1" 1 "dpdk-devbind.py -b vfio-pci 0000:3b:00.1 failed"
	check "bind failure: nothing remembered" test ! -s "$FR/var/lib/sluice/bound"
	fr_cleanup
}

case_hugepages() {
	fr_healthy
	fr_hugepages 0 0 0
	local f=$FR/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages
	ss hugepages 256
	expect "hugepages 256" 0 "^\+ write /sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages: 256$"
	expect_eq "hugepages: count written to sysfs" "$(cat "$f")" 256
	check "hugepages: hugetlbfs mounted when /proc/mounts has none" logged "mount -t hugetlbfs nodev $FR/dev/hugepages"
	check "hugepages: no --persist, no sysctl file" test ! -e "$FR/etc/sysctl.d/80-sluice-hugepages.conf"
	fr_hugepages 1 256 256
	: >"$FR_LOG"
	ss hugepages 512 --persist
	expect "hugepages --persist" 0 "hugetlbfs already mounted: /dev/hugepages" \
		"^\+ write /etc/sysctl.d/80-sluice-hugepages.conf: vm.nr_hugepages = 512$" \
		"^\+ append to /etc/fstab: nodev /dev/hugepages hugetlbfs defaults 0 0$"
	expect_eq "hugepages: 512 written" "$(cat "$f")" 512
	check "hugepages: no mount when already mounted" bash -c "! grep -q '^mount' '$FR_LOG'"
	expect_eq "persist: sysctl file" "$(cat "$FR/etc/sysctl.d/80-sluice-hugepages.conf")" "vm.nr_hugepages = 512"
	expect_eq "persist: fstab line" "$(cat "$FR/etc/fstab")" "nodev /dev/hugepages hugetlbfs defaults 0 0"
	ss hugepages 512 --persist
	expect_eq "persist twice: one fstab line" "$(grep -c hugetlbfs "$FR/etc/fstab")" 1
	ss hugepages 2 --size 1G
	expect "hugepages 2 --size 1G" 0 "hugepages-1048576kB/nr_hugepages: 2"
	expect_eq "1G: count written" "$(cat "$FR/sys/kernel/mm/hugepages/hugepages-1048576kB/nr_hugepages")" 2
	rm -rf "$FR/sys/kernel/mm/hugepages/hugepages-1048576kB"
	ss hugepages 2 --size 1G
	expect "1G pages absent: exit 1" 1 "no 1G hugepages"
	fr_cleanup
}

HEALTHY_CFG='global
    stats socket /run/sluice/admin.sock mode 600 level admin
dataplane
    port lan0 pci 0000:5e:00.0
    port lan1 iface eth1 driver af_xdp
    address 10.77.0.1/24 port lan0
    cores 0-1
frontend f
    bind :1935
    mode tcp'

case_doctor_healthy() {
	fr_healthy
	ss doctor
	expect "doctor on a healthy root: exit 0" 0 "^doctor: no problem found$"
	check "doctor healthy: no PROBLEM line" bash -c "! grep -q '^PROBLEM' <<<\"\$1\"" _ "$OUT"
	write_cfg <<<"$HEALTHY_CFG"
	ss doctor -f "$CFG"
	expect "doctor -f on a healthy root: exit 0" 0 "^doctor: no problem found$" \
		"port lan0: 0000:5e:00.0 bound to vfio-pci" "port lan1: interface 'eth1' exists" "no XDP program on 'eth1'" \
		"port lan1: sluice's XDP program installed \(/usr/lib/x86_64-linux-gnu/sluice/sl_xdp.o\)" \
		"^ok: 'cores 0-1': every worker core on the NUMA node of the ports \(node 0\)$" \
		"^numa: port lan0 \(PCI 0000:5e:00.0\): node 0$" "^numa: port lan1 \(interface eth1\): node 0$" \
		"^numa: lcore 0 \(main\) on CPU 0: node 0$" "^numa: lcore 1 \(worker\) on CPU 1: node 0$"
	check "doctor healthy: no WARNING line" bash -c "! grep -q '^WARNING' <<<\"\$1\"" _ "$OUT"
	# the XDP program missing: a problem for an af_xdp port that steers, none with xdp-steer off
	rm -f "$FR/usr/lib/x86_64-linux-gnu/sluice/sl_xdp.o"
	ss doctor -f "$CFG"
	expect "doctor: XDP program not installed" 1 "^PROBLEM: .*port lan1: sluice's XDP program \(sl_xdp.o\) is not installed"
	check "doctor: XDP program fix" problem_fix "sl_xdp.o" "ninja -C build install"
	write_cfg <<<"$(sed 's/^\( *port lan1 iface eth1.*\)$/\1 xdp-steer off/' <<<"$HEALTHY_CFG")"
	ss doctor -f "$CFG"
	expect "doctor: xdp-steer off needs no XDP program" 0 "^doctor: no problem found$"
	fr_xdp_object
	# AF_XDP-only config on a machine without IOMMU or vfio: still healthy
	fr_iommu 0
	rm -rf "$FR/sys/module/vfio_pci"
	write_cfg <<<'dataplane
    port lan0 iface eth1
    address 10.77.0.1/24 port lan0'
	ss doctor -f "$CFG"
	expect "doctor: AF_XDP-only config needs no IOMMU/vfio" 0 "IOMMU and vfio-pci are not needed" "^doctor: no problem found$"
	fr_cleanup
}

# an af_xdp port's queues against the workers: one AF_XDP socket per queue, one queue per worker;
# a mlx5 pci port stays on its kernel driver
case_doctor_queues() {
	fr_healthy
	rm -rf "$FR/sys/devices/system/node/node1"
	fr_numa 0 0-3
	mkdir -p "$FR/sys/class/net/eth1/queues/rx-0"
	write_cfg <<<'dataplane
    port lan0 iface eth1
    address 10.77.0.1/24 port lan0
    cores 0-3'
	ss doctor -f "$CFG"
	expect "doctor: an interface with fewer queues than workers" 1 \
		"^PROBLEM: $CFG:2: port lan0: 'eth1' has 1 queue\(s\) for 3 workers"
	check "doctor: fewer queues: fix with ethtool -L" problem_fix "for 3 workers" "ethtool -L eth1 combined 3"
	mkdir -p "$FR"/sys/class/net/eth1/queues/rx-{1,2}
	ss doctor -f "$CFG"
	expect "doctor: one queue per worker" 0 "port lan0: 'eth1' has 3 queue\(s\), one per worker" "^doctor: no problem found$"
	mkdir -p "$FR"/sys/class/net/eth1/queues/rx-{3,4,5,6,7}
	ss doctor -f "$CFG"
	expect "doctor: more queues than sluice serves" 1 \
		"^PROBLEM: $CFG:2: port lan0: 'eth1' has 8 queues and sluice serves 3: .*xdp_to_kernel_no_socket"
	check "doctor: more queues: fix with ethtool -L" problem_fix "sluice serves 3" "ethtool -L eth1 combined 3"
	write_cfg <<<'dataplane
    port lan0 iface eth1 queues 9
    address 10.77.0.1/24 port lan0
    cores 0-3'
	ss doctor -f "$CFG"
	expect "doctor: 'queues' above the interface's" 1 "^PROBLEM: $CFG:2: port lan0: 'queues 9' but 'eth1' has 8 queue\(s\): sluiced refuses to start"
	# main beside a worker on the first core: two cores give two workers by default
	rm -rf "$FR"/sys/class/net/eth1/queues/rx-{2,3,4,5,6,7}
	write_cfg <<<'dataplane
    port lan0 iface eth1
    address 10.77.0.1/24 port lan0
    cores 0-1'
	ss doctor -f "$CFG"
	expect "doctor: two cores, two workers (control shared by default)" 0 "port lan0: 'eth1' has 2 queue\(s\), one per worker"
	write_cfg <<<'dataplane
    port lan0 iface eth1
    address 10.77.0.1/24 port lan0
    cores 0-1
    control own'
	ss doctor -f "$CFG"
	expect "doctor: 'control own' on two cores, one worker" 1 "'eth1' has 2 queues and sluice serves 1"
	write_cfg <<<'dataplane
    port lan0 iface eth1
    address 10.77.0.1/24 port lan0
    cores 0-3
    control shared'
	ss doctor -f "$CFG"
	expect "doctor: 'control shared' on four cores, four workers" 1 "'eth1' has 2 queue\(s\) for 4 workers"
	# mlx5: bifurcated, needs no vfio binding; bind refuses it
	fr_pci 0000:af:00.0 mlx5_core 0 0x15b3 0x1017
	fr_devbind_status
	write_cfg <<<'dataplane
    port lan0 pci 0000:af:00.0
    address 10.77.0.1/24 port lan0'
	ss doctor -f "$CFG"
	expect "doctor: a mlx5 pci port stays on mlx5_core" 0 "port lan0: 0000:af:00.0 on mlx5_core, a bifurcated driver"
	check "doctor: no vfio advice for mlx5" bash -c "! grep -q 'dpdk-devbind.py -b vfio-pci 0000:af:00.0' <<<\"\$1\"" _ "$OUT"
	ss bind 0000:af:00.0
	expect "bind refuses a mlx5 NIC (bifurcated)" 1 "on mlx5_core, a bifurcated driver: DPDK uses it as it is"
	fr_cleanup
}

case_doctor_broken() {
	# each broken condition alone: PROBLEM line, its fix, exit 1
	fr_healthy
	fr_cpu 0
	ss doctor
	expect "doctor: no sse4_2" 1 "^PROBLEM: the CPU does not report sse4_2"
	check "doctor: sse4_2 fix" problem_fix "sse4_2" "host-passthrough"
	fr_cleanup

	fr_healthy
	fr_iommu 0
	ss doctor
	expect "doctor: no IOMMU" 1 "^PROBLEM: no IOMMU"
	check "doctor: IOMMU fix edits the kernel command line" problem_fix "no IOMMU" "intel_iommu=on iommu=pt"
	# enabled on the command line, but no groups
	echo "ro intel_iommu=on" >"$FR/proc/cmdline"
	ss doctor
	expect "doctor: IOMMU without groups" 1 "^PROBLEM: the IOMMU is enabled but the kernel made no IOMMU groups"
	check "doctor: groups fix names the firmware setting" problem_fix "no IOMMU groups" "BIOS"
	fr_cleanup

	fr_healthy
	rm -rf "$FR/sys/module/vfio_pci"
	ss doctor
	expect "doctor: no vfio/uio module" 1 "^PROBLEM: neither vfio-pci nor uio_pci_generic is loaded"
	check "doctor: module fix" problem_fix "is loaded" "modprobe vfio-pci"
	fr_module uio_pci_generic
	ss doctor
	expect "doctor: uio_pci_generic is enough" 0 "uio_pci_generic"
	fr_cleanup

	fr_healthy
	fr_hugepages 0 0 0
	ss doctor
	expect "doctor: hugetlbfs not mounted" 1 "^PROBLEM: hugetlbfs is not mounted.*falls back to --no-huge"
	check "doctor: hugepages fix" problem_fix "hugetlbfs is not mounted" "sluice-setup hugepages 512 --persist"
	fr_hugepages 1 64 0
	ss doctor
	expect "doctor: no free hugepage" 1 "^PROBLEM: hugetlbfs is mounted but no hugepage is free"
	fr_cleanup

	fr_healthy
	fr_nic eth3 0000:d8:00.0 foo up 52:54:00:00:00:09 0 0x1234 0x5678
	ss doctor
	expect "doctor: NIC unknown to dpdk-devbind.py" 1 "^PROBLEM: NIC 0000:d8:00.0 \(1234:5678\) is not listed by dpdk-devbind.py"
	check "doctor: unknown NIC fix suggests AF_XDP" problem_fix "0000:d8:00.0" "driver af_xdp"
	# without dpdk-devbind.py: unknown, not a problem
	SLUICE_SETUP_DEVBIND=no-such-dpdk-devbind ss doctor
	expect "doctor without dpdk-devbind.py: support unknown" 0 "DPDK support unknown \(dpdk-devbind.py not found"
	fr_cleanup

	# configuration problems
	fr_healthy
	fr_nic eth2 0000:af:00.0 ixgbe down 52:54:00:00:00:03 1
	fr_xdp eth1
	fr_devbind_status
	write_cfg <<<'global
    maxconn 100
dataplane
    port lan0 pci 0000:3b:00.0
    port lan1 iface eth1 driver af_xdp
    port lan2 iface nosuch0
    port lan3 pci 0000:77:00.0
    port lan4 iface eth2 driver af_packet
    address 10.77.0.1/24 port lan0
    cores 0-1
    control own
backend b
    server s 10.0.0.1:80'
	ss doctor -f "$CFG"
	expect "doctor -f: broken config, exit 1" 1 "^doctor: 4 problem\(s\) found, 1 warning\(s\)$"
	expect "doctor -f: PCI port on a kernel driver" 1 "^PROBLEM: $CFG:4: port lan0: PCI device 0000:3b:00.0 is bound to 'ixgbe', not to a DPDK driver"
	check "doctor -f: its fix binds it" problem_fix "port lan0" "sluice-setup bind 0000:3b:00.0"
	expect "doctor -f: XDP program on an af_xdp interface" 1 "^PROBLEM: $CFG:5: port lan1: interface 'eth1' already has an XDP program"
	check "doctor -f: its fix detaches it" problem_fix "port lan1" "ip link set dev eth1 xdp off"
	expect "doctor -f: missing interface" 1 "^PROBLEM: $CFG:6: port lan2: interface 'nosuch0' does not exist"
	check "doctor -f: its fix" problem_fix "port lan2" "ip link show"
	expect "doctor -f: missing PCI device" 1 "^PROBLEM: $CFG:7: port lan3: no PCI device 0000:77:00.0"
	check "doctor -f: its fix" problem_fix "port lan3" "dpdk-devbind.py --status"
	expect "doctor -f: a worker core off an af_packet port's NUMA node (its interface's device)" 1 \
		"^numa: port lan4 \(interface eth2\): node 1$" \
		"^WARNING: $CFG:10: 'cores 0-1': worker core 1 is on NUMA node 0, port lan4 \(interface eth2\) on node 1"
	check "doctor -f: main's core is not warned about" bash -c "! grep -q 'worker core 0' <<<\"\$1\"" _ "$OUT"
	check "doctor -f: NUMA fix names node 1's cores" warning_fix "port lan4" "pick cores of node 1 (2-3"
	check "doctor -f: XDP checked through ip link show" logged "ip link show dev eth1"
	check "doctor -f: af_packet port not checked for XDP" bash -c "! grep -qx 'ip link show dev eth2' '$FR_LOG'"
	# an interface taken by sluice-setup bind: the fix is unbind
	ss bind eth1 --force
	write_cfg <<<'dataplane
    port lan1 iface eth1
    address 10.77.0.1/24 port lan1'
	rm -rf "$FR/sys/class/net/eth1" "$FR/sys/bus/pci/devices/0000:3b:00.1/net"
	ss doctor -f "$CFG"
	check "doctor -f: interface bound to DPDK: fix is unbind" problem_fix "interface 'eth1' does not exist" "sluice-setup unbind 0000:3b:00.1"
	write_cfg <<<'frontend f
    bind :80'
	ss doctor -f "$CFG"
	expect "doctor -f: no dataplane section" 1 "^PROBLEM: $CFG has no 'dataplane' section"
	ss doctor -f "$FR/nonexistent.cfg"
	expect "doctor -f: unreadable file, exit 1" 1 "cannot read configuration file"
	fr_cleanup
}

case_doctor_cores_on() {
	# 'cores LIST on CPULIST': the lcores LIST run on the CPUs CPULIST, which are what doctor
	# checks (online, NUMA node), as sluiced does; LIST may name more lcores than the machine has CPUs
	fr_healthy
	write_cfg <<<"$(sed 's/^    cores 0-1$/    cores 0-5 on 0-1/' <<<"$HEALTHY_CFG")"
	ss doctor -f "$CFG"
	expect "doctor: cores 0-5 on 0-1, on a 4-CPU machine: the CPUs are checked, not the lcores" 0 \
		"^doctor: no problem found$" "'cores 0-5 on 0-1': every worker CPU on the NUMA node of the ports" \
		"^numa: lcore 5 \(worker\) on CPU 1: node 0$"
	check "doctor: lcores beyond the CPUs are no problem" bash -c "! grep -q 'not online' <<<\"\$1\"" _ "$OUT"
	# the CPUs on the other node than the NIC of port lan0
	write_cfg <<<"$(sed 's/^    cores 0-1$/    cores 0-1 on 2-3/' <<<"$HEALTHY_CFG")"
	ss doctor -f "$CFG"
	expect "doctor: a worker on a CPU off the NICs' NUMA node: a warning, not a problem" 0 \
		"^WARNING: $CFG:7: 'cores 0-1 on 2-3': worker CPU 3 is on NUMA node 1, port lan0 \(PCI 0000:5e:00.0\) on node 0" \
		"^WARNING: $CFG:7: 'cores 0-1 on 2-3': worker CPU 3 is on NUMA node 1, port lan1 \(interface eth1\) on node 0" \
		"^doctor: no problem found, 2 warning\(s\)$"
	check "doctor: its fix names the CPUs after 'on'" warning_fix "'cores 0-1 on 2-3'" "pick CPUs of node 0 (0-1, from /sys/devices/system/node/node0/cpulist) after 'on' in 'cores'"
	# a CPU that is not online
	write_cfg <<<"$(sed 's/^    cores 0-1$/    cores 0-1 on 1,7/' <<<"$HEALTHY_CFG")"
	ss doctor -f "$CFG"
	expect "doctor: cores on a CPU not online" 1 \
		"^PROBLEM: $CFG:7: 'cores 0-1 on 1,7': CPU 7 is not online on this machine \(online: 0-3\)"
	check "doctor: its fix names the CPUs after 'on'" problem_fix "CPU 7 is not online" "change the CPUs after 'on' in 'cores'"
	fr_cleanup
}

# a fake two-node machine: NICs on node 1, workers split across the nodes, hugepages per node
case_doctor_numa_two_nodes() {
	fr_healthy
	fr_nic eth3 0000:af:00.0 ice up 52:54:00:00:00:03 1
	fr_pci 0000:d8:00.0 vfio-pci 1
	fr_devbind_status
	local n
	for n in 0 1; do
		mkdir -p "$FR/sys/devices/system/node/node$n/hugepages/hugepages-2048kB"
		echo 256 >"$FR/sys/devices/system/node/node$n/hugepages/hugepages-2048kB/nr_hugepages"
		echo 256 >"$FR/sys/devices/system/node/node$n/hugepages/hugepages-2048kB/free_hugepages"
	done
	write_cfg <<<'dataplane
    port lan0 iface eth3 driver af_packet
    port lan1 pci 0000:d8:00.0
    address 10.77.0.1/24 port lan0
    cores 2-3
    control own'
	ss doctor -f "$CFG"
	expect "doctor two nodes: NICs and workers on node 1, hugepages on both" 0 "^doctor: no problem found$" \
		"^numa: port lan0 \(interface eth3\): node 1$" "^numa: port lan1 \(PCI 0000:d8:00.0\): node 1$" \
		"^numa: lcore 2 \(main\) on CPU 2: node 1$" "^numa: lcore 3 \(worker\) on CPU 3: node 1$" \
		"^numa: node 0 hugepages: 2048kB 256 free of 256$" "^numa: node 1 hugepages: 2048kB 256 free of 256$" \
		"every worker core on the NUMA node of the ports \(node 1\)"
	# two cores, main beside a worker (control shared, the default): lcores 0..2, the third on
	# the first core
	write_cfg <<<'dataplane
    port lan0 iface eth3 driver af_packet
    port lan1 pci 0000:d8:00.0
    address 10.77.0.1/24 port lan0
    cores 2-3'
	ss doctor -f "$CFG"
	expect "doctor two nodes: control shared places a worker beside main" 0 "^doctor: no problem found$" \
		"^numa: lcore 0 \(main\) on CPU 2: node 1$" "^numa: lcore 1 \(worker\) on CPU 3: node 1$" \
		"^numa: lcore 2 \(worker\) on CPU 2: node 1$"
	# workers split across the nodes: the ones on node 0 are warned about, per port
	write_cfg <<<'dataplane
    port lan0 iface eth3 driver af_packet
    port lan1 pci 0000:d8:00.0
    address 10.77.0.1/24 port lan0
    cores 0-3'
	ss doctor -f "$CFG"
	expect "doctor two nodes: workers split across nodes" 0 "^doctor: no problem found, 2 warning\(s\)$" \
		"^WARNING: $CFG:5: 'cores 0-3': worker core 1 is on NUMA node 0, port lan0 \(interface eth3\) on node 1" \
		"^WARNING: $CFG:5: 'cores 0-3': worker core 1 is on NUMA node 0, port lan1 \(PCI 0000:d8:00.0\) on node 1"
	check "doctor two nodes: workers on node 1 not warned" bash -c "! grep -qE 'worker core (2|3) ' <<<\"\$1\"" _ "$OUT"
	check "doctor two nodes: the fix names node 1's cores" warning_fix "worker core 1" "pick cores of node 1 (2-3"
	# node 1 without a free hugepage: the pool for its ports cannot be allocated
	echo 0 >"$FR/sys/devices/system/node/node1/hugepages/hugepages-2048kB/free_hugepages"
	ss doctor -f "$CFG"
	expect "doctor two nodes: no free hugepage on the NICs' node" 1 \
		"^PROBLEM: NUMA node 1 \(port lan0, port lan1, CPU 2, CPU 3\) has no free hugepage"
	check "doctor two nodes: its fix reserves them on that node" problem_fix "NUMA node 1" \
		"/sys/devices/system/node/node1/hugepages/hugepages-2048kB/nr_hugepages"
	# no hugepages at all: sluiced runs on plain memory, nothing per node to say
	fr_hugepages 0 0 0
	ss doctor -f "$CFG"
	check "doctor two nodes: without hugepages no per-node hugepage line" bash -c "! grep -q 'hugepages: 2048kB' <<<\"\$1\"" _ "$OUT"
	fr_cleanup
}

case_doctor_all_broken() {
	# everything wrong at once: every problem is reported in one run
	fr_new
	fr_nic eth0 0000:3b:00.0 ixgbe up 52:54:00:00:00:01 0
	fr_default_route eth0
	fr_cpu 0
	fr_iommu 0
	fr_hugepages 0 0 0
	fr_devbind_status
	ss doctor
	expect "doctor: every problem in one run" 1 "sse4_2" "no IOMMU" "neither vfio-pci" "hugetlbfs is not mounted" "^doctor: 4 problem\(s\) found$"
	expect_eq "doctor: one fix line per problem" "$(grep -c '^    fix: ' <<<"$OUT")" 4
	fr_cleanup
}

case_unit_file() {
	local unit=$TOP/dist/sluiced.service
	check "unit: After/Wants network-online.target" bash -c "grep -qx 'After=network-online.target' '$unit' && grep -qx 'Wants=network-online.target' '$unit'"
	check "unit: ExecStartPre checks the config" grep -qx 'ExecStartPre=/usr/bin/sluiced -c -q -f /etc/haproxy/haproxy.cfg -f /etc/sluice/dataplane.cfg' "$unit"
	check "unit: ExecStart" grep -qx 'ExecStart=/usr/bin/sluiced -q -f /etc/haproxy/haproxy.cfg -f /etc/sluice/dataplane.cfg' "$unit"
	check "unit: Restart=on-failure, LimitMEMLOCK=infinity" bash -c "grep -qx 'Restart=on-failure' '$unit' && grep -qx 'LimitMEMLOCK=infinity' '$unit'"
	check "unit: ExecReload asks sluiced's own socket to reload (a refusal fails the reload)" grep -qx 'ExecReload=/usr/bin/sluicectl -s /run/sluice/sluiced-${MAINPID}.sock reload' "$unit"
	if ! command -v systemd-analyze >/dev/null 2>&1; then
		echo "skip - systemd-analyze verify: systemd-analyze is not installed (apt-get install systemd)"
		return 0
	fi
	# verify needs the executables to exist: check a copy that points at a stand-in binary
	local d out rc
	d=$(mktemp -d)
	printf '#!/bin/sh\nexit 0\n' >"$d/sluiced"
	chmod +x "$d/sluiced"
	cp "$d/sluiced" "$d/sluicectl"
	sed "s|/usr/bin/sluiced|$d/sluiced|g; s|/usr/bin/sluicectl|$d/sluicectl|g" "$unit" >"$d/sluiced.service"
	# Documentation=man:... is checked with man(1): show it the pages of dist/man
	mkdir -p "$d/man/man5" "$d/man/man8"
	cp "$TOP"/dist/man/*.5 "$d/man/man5/" 2>/dev/null
	cp "$TOP"/dist/man/*.8 "$d/man/man8/" 2>/dev/null
	out=$(MANPATH=$d/man systemd-analyze verify "$d/sluiced.service" 2>&1)
	rc=$?
	if [[ $rc -eq 0 && -z $(grep -i 'sluiced.service' <<<"$out") ]]; then
		ok "systemd-analyze verify dist/sluiced.service"
	else
		bad "systemd-analyze verify: rc=$rc"
		sed 's/^/       | /' <<<"$out"
	fi
	rm -rf "$d"
}

case_meson_install() {
	local b=$TOP/build
	if [[ ! -f $b/build.ninja ]]; then
		bad "meson install: no build directory $b (meson setup build first)"
		return
	fi
	local out
	if ! out=$(ninja -C "$b" 2>&1); then
		bad "ninja -C build"
		tail -20 <<<"$out" | sed 's/^/       | /'
		return
	fi
	local dest
	dest=$(mktemp -d /tmp/sluice-destdir.XXXXXX)
	if ! out=$(meson install -C "$b" --destdir "$dest" 2>&1); then
		bad "meson install --destdir"
		tail -20 <<<"$out" | sed 's/^/       | /'
		rm -rf "$dest"
		return
	fi
	local prefix bindir mandir sysconfdir
	prefix=$(meson introspect "$b" --buildoptions | python3 -c 'import json,sys; o={x["name"]:x["value"] for x in json.load(sys.stdin)}; print(o["prefix"], o["bindir"], o["mandir"], o["sysconfdir"])')
	read -r prefix bindir mandir sysconfdir <<<"$prefix"
	[[ $sysconfdir == /* ]] || sysconfdir=$prefix/$sysconfdir
	local f
	for f in "$bindir/sluiced" "$bindir/sluicectl" "$bindir/sluice-setup"; do
		check "installed: $prefix/$f (executable)" test -x "$dest$prefix/$f"
	done
	check "installed: $prefix/lib/systemd/system/sluiced.service" test -f "$dest$prefix/lib/systemd/system/sluiced.service"
	for f in man8/sluiced.8 man8/sluicectl.8 man8/sluice-setup.8 man5/sluice.cfg.5; do
		check "installed: $prefix/$mandir/$f" test -f "$dest$prefix/$mandir/$f"
	done
	check "installed: $sysconfdir/sluice/dataplane.cfg.example" test -f "$dest$sysconfdir/sluice/dataplane.cfg.example"
	local libdir
	libdir=$(meson introspect "$b" --buildoptions | python3 -c 'import json,sys; print({x["name"]:x["value"] for x in json.load(sys.stdin)}["libdir"])')
	check "installed: $prefix/$libdir/sluice/sl_xdp.o (the XDP program, a BPF object)" \
		bash -c "[[ \$(od -An -tx1 -j 18 -N 2 '$dest$prefix/$libdir/sluice/sl_xdp.o' | tr -d ' ') == f700 ]]"
	rm -rf "$dest"
}

case_man_pages() {
	local m
	for m in sluiced.8 sluicectl.8 sluice-setup.8 sluice.cfg.5; do
		if command -v groff >/dev/null 2>&1; then
			local w
			w=$(groff -man -Tutf8 -ww -z "$TOP/dist/man/$m" 2>&1)
			if [[ -z $w ]]; then ok "man page $m renders without warnings"; else bad "man page $m: $w"; fi
		else
			check "man page $m exists" test -s "$TOP/dist/man/$m"
		fi
	done
}

case_shellcheck() {
	if command -v shellcheck >/dev/null 2>&1; then
		check "shellcheck tools/sluice-setup" shellcheck -S warning "$SETUP"
	else
		echo "skip - shellcheck not installed"
	fi
}

sl_setup_cases() {
	case_usage
	case_status
	case_bind_refusals
	case_dry_run
	case_bind_restore
	case_hugepages
	case_doctor_healthy
	case_doctor_broken
	case_doctor_cores_on
	case_doctor_numa_two_nodes
	case_doctor_queues
	case_doctor_all_broken
	case_unit_file
	case_man_pages
	case_shellcheck
	[[ ${SL_SETUP_NO_INSTALL_TEST:-0} == 1 ]] || case_meson_install
}
