# shellcheck shell=bash
# tests/setup/fakeroot.sh — builds fake /sys, /proc, /etc trees for `sluice-setup --root DIR`, and
# fake dpdk-devbind.py / modprobe / ip / mount commands that record their arguments instead of
# touching the machine.
#
#   source tests/setup/fakeroot.sh
#   fr_new                         sets FR (the root), FR_BIN (fake commands, put first in PATH),
#                                  FR_LOG (one line per fake command call)
#   fr_nic IF PCI DRIVER [STATE MAC NUMA VENDOR DEVICE]   a NIC with a netdev
#   fr_pci PCI DRIVER [NUMA VENDOR DEVICE]                a PCI NIC without netdev (e.g. vfio-pci)
#   fr_default_route IF            /proc/net/route with a default route through IF
#   fr_addr IF ADDR/PLEN           an address, as "ip -o addr" shows it
#   fr_xdp IF                      "ip link show dev IF" reports an XDP program
#   fr_hugepages MOUNTED TOTAL FREE
#   fr_cpu SSE42(0|1)
#   fr_iommu PRESENT(0|1)          /sys/class/iommu entry, groups, no cmdline flag
#   fr_module NAME                 /sys/module/NAME
#   fr_numa NODE CPULIST
#   fr_devbind_status              writes the fake `dpdk-devbind.py --status` from the NICs
#   fr_healthy                     a machine where doctor finds nothing wrong
#   fr_cleanup

fr_new() {
	FR=$(mktemp -d /tmp/sluice-fakeroot.XXXXXX)
	FR_BIN=$FR.bin
	FR_LOG=$FR.log
	mkdir -p "$FR_BIN" "$FR"/{proc/net,sys/class/net,sys/bus/pci/devices,sys/bus/pci/drivers,sys/class/iommu,sys/kernel/iommu_groups,sys/kernel/mm/hugepages/hugepages-2048kB,sys/kernel/mm/hugepages/hugepages-1048576kB,sys/module,sys/devices/system/node,sys/devices/system/cpu,dev,etc,var/lib}
	: >"$FR_LOG"
	: >"$FR/proc/mounts"
	: >"$FR/proc/cmdline"
	: >"$FR/etc/fstab"
	printf 'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n' >"$FR/proc/net/route"
	echo 0 >"$FR/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages"
	echo 0 >"$FR/sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages"
	echo 0 >"$FR/sys/kernel/mm/hugepages/hugepages-1048576kB/nr_hugepages"
	echo 0 >"$FR/sys/kernel/mm/hugepages/hugepages-1048576kB/free_hugepages"
	echo 0-3 >"$FR/sys/devices/system/cpu/online"
	: >"$FR_BIN/ip-addr"
	fr_cpu 1
	_fr_fake_cmds
	export FR FR_BIN FR_LOG
}

fr_cleanup() {
	[[ -n ${FR:-} && $FR == /tmp/sluice-fakeroot.* ]] && rm -rf "$FR" "$FR.bin" "$FR.log"
}

# The fake commands: each appends "NAME ARGS..." to $FR_LOG.
_fr_fake_cmds() {
	local c
	for c in modprobe mount; do
		cat >"$FR_BIN/$c" <<EOF
#!/usr/bin/env bash
echo "$c \$*" >>"$FR_LOG"
exit \${FAKE_${c^^}_RC:-0}
EOF
	done
	# dpdk-devbind.py: --status prints the prepared file; -b DRV PCI / -u PCI also move the
	# fake device's driver link, as the real one would.
	cat >"$FR_BIN/dpdk-devbind.py" <<EOF
#!/usr/bin/env bash
echo "dpdk-devbind.py \$*" >>"$FR_LOG"
case "\$1" in
--status | -s | --status-dev) cat "$FR_BIN/devbind-status" 2>/dev/null; exit 0 ;;
-b | --bind)
	d="$FR/sys/bus/pci/devices/\$3"
	[[ -d \$d ]] || { echo "Error: unknown device \$3" >&2; exit 1; }
	mkdir -p "$FR/sys/bus/pci/drivers/\$2"
	rm -f "\$d/driver"; ln -s "../../../bus/pci/drivers/\$2" "\$d/driver" ;;
-u | --unbind) rm -f "$FR/sys/bus/pci/devices/\$2/driver" ;;
esac
exit \${FAKE_DEVBIND_RC:-0}
EOF
	# ip: "-o addr show [dev IF]" from ip-addr; "link show dev IF" from link-IF
	cat >"$FR_BIN/ip" <<EOF
#!/usr/bin/env bash
echo "ip \$*" >>"$FR_LOG"
args="\$*"
case "\$args" in
"-o addr show dev "*) awk -v i="\${args##* }" '\$2 == i' "$FR_BIN/ip-addr" ;;
"-o addr"*) cat "$FR_BIN/ip-addr" ;;
"link show dev "*)
	i=\${args##* }
	if [[ -f "$FR_BIN/link-\$i" ]]; then cat "$FR_BIN/link-\$i"
	else echo "2: \$i: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc mq state UP mode DEFAULT group default qlen 1000"
	     echo "    link/ether 00:00:00:00:00:00 brd ff:ff:ff:ff:ff:ff"; fi ;;
*) echo "fake ip: unsupported: \$args" >&2; exit 1 ;;
esac
EOF
	chmod +x "$FR_BIN"/*
}

# fr_nic IF PCI DRIVER [STATE MAC NUMA VENDOR DEVICE]
fr_nic() {
	local ifc=$1 pci=$2 drv=$3 state=${4:-up} mac=${5:-52:54:00:00:00:01} numa=${6:-0}
	fr_pci "$pci" "$drv" "$numa" "${7:-0x8086}" "${8:-0x1528}"
	mkdir -p "$FR/sys/class/net/$ifc" "$FR/sys/bus/pci/devices/$pci/net/$ifc"
	ln -s "../../../bus/pci/devices/$pci" "$FR/sys/class/net/$ifc/device"
	echo "$state" >"$FR/sys/class/net/$ifc/operstate"
	echo "$mac" >"$FR/sys/class/net/$ifc/address"
}

# fr_pci PCI DRIVER [NUMA VENDOR DEVICE]; DRIVER "none" leaves it unbound
fr_pci() {
	local pci=$1 drv=$2 numa=${3:-0} d=$FR/sys/bus/pci/devices/$1
	mkdir -p "$d"
	echo "$numa" >"$d/numa_node"
	echo "${4:-0x8086}" >"$d/vendor"
	echo "${5:-0x1528}" >"$d/device"
	echo 0x020000 >"$d/class"
	if [[ $drv != none ]]; then
		mkdir -p "$FR/sys/bus/pci/drivers/$drv"
		ln -s "../../../bus/pci/drivers/$drv" "$d/driver"
	fi
}

fr_default_route() {
	printf '%s\t00000000\t0100000A\t0003\t0\t0\t0\t00000000\t0\t0\t0\n' "$1" >>"$FR/proc/net/route"
	printf '%s\t0000000A\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n' "$1" >>"$FR/proc/net/route"
}

fr_addr() {
	local n
	n=$(($(wc -l <"$FR_BIN/ip-addr") + 2))
	printf '%s: %s    inet %s brd 10.0.0.255 scope global %s\\       valid_lft forever preferred_lft forever\n' \
		"$n" "$1" "$2" "$1" >>"$FR_BIN/ip-addr"
}

fr_xdp() {
	cat >"$FR_BIN/link-$1" <<EOF
2: $1: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 xdpgeneric qdisc mq state UP mode DEFAULT group default qlen 1000
    link/ether 52:54:00:00:00:02 brd ff:ff:ff:ff:ff:ff
    prog/xdp id 42 name xdp_filter tag 0123456789abcdef jited
EOF
}

# fr_hugepages MOUNTED(0|1) TOTAL FREE
fr_hugepages() {
	local h=$FR/sys/kernel/mm/hugepages/hugepages-2048kB
	echo "$2" >"$h/nr_hugepages"
	echo "$3" >"$h/free_hugepages"
	printf 'HugePages_Total:    %s\nHugePages_Free:     %s\nHugepagesize:       2048 kB\n' "$2" "$3" >"$FR/proc/meminfo"
	{
		echo "sysfs /sys sysfs rw,nosuid,nodev,noexec,relatime 0 0"
		echo "proc /proc proc rw,nosuid,nodev,noexec,relatime 0 0"
		[[ $1 == 1 ]] && echo "hugetlbfs /dev/hugepages hugetlbfs rw,relatime,pagesize=2M 0 0"
	} >"$FR/proc/mounts"
}

fr_cpu() {
	local flags="fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse sse2 ssse3"
	[[ $1 == 1 ]] && flags+=" sse4_1 sse4_2 popcnt aes avx avx2"
	local c
	: >"$FR/proc/cpuinfo"
	for c in 0 1 2 3; do
		printf 'processor\t: %s\nvendor_id\t: GenuineIntel\nflags\t\t: %s\n\n' "$c" "$flags" >>"$FR/proc/cpuinfo"
	done
}

fr_iommu() {
	rm -rf "$FR/sys/class/iommu"/* "$FR/sys/kernel/iommu_groups"/*
	if [[ $1 == 1 ]]; then
		mkdir -p "$FR/sys/class/iommu/dmar0" "$FR/sys/kernel/iommu_groups/0/devices" "$FR/sys/kernel/iommu_groups/1/devices"
		echo "BOOT_IMAGE=/vmlinuz root=/dev/sda1 ro intel_iommu=on iommu=pt" >"$FR/proc/cmdline"
	else
		echo "BOOT_IMAGE=/vmlinuz root=/dev/sda1 ro quiet" >"$FR/proc/cmdline"
	fi
}

fr_module() { mkdir -p "$FR/sys/module/$1"; }

fr_numa() {
	mkdir -p "$FR/sys/devices/system/node/node$1"
	echo "$2" >"$FR/sys/devices/system/node/node$1/cpulist"
}

# dpdk-devbind.py --status as the real one prints it, from the fake NICs.
fr_devbind_status() {
	local d pci drv dev ifc kern="" dpdk="" line
	for d in "$FR"/sys/bus/pci/devices/*; do
		[[ -e $d ]] || continue
		pci=$(basename "$d")
		drv=none
		[[ -L $d/driver ]] && drv=$(basename "$(readlink "$d/driver")")
		dev=$(cat "$d/device")
		dev=${dev#0x}
		ifc=$(ls "$d/net" 2>/dev/null | head -1)
		line="$pci 'Ethernet Controller 10-Gigabit X540-AT2 $dev'"
		case $drv in
		vfio-pci | uio_pci_generic | igb_uio) dpdk+="$line drv=$drv unused=ixgbe"$'\n' ;;
		*) kern+="$line if=$ifc drv=$drv unused=vfio-pci"$'\n' ;;
		esac
	done
	{
		printf '\nNetwork devices using DPDK-compatible driver\n============================================\n%s\n' "${dpdk:-<none>}"
		printf 'Network devices using kernel driver\n===================================\n%s\n' "${kern:-<none>}"
		printf 'Other Network devices\n=====================\n<none>\n'
	} >"$FR_BIN/devbind-status"
}

# A healthy machine: two Intel NICs on node 0 (eth0 on the default route, eth1 free), one NIC
# bound to vfio-pci, hugepages mounted and free, SSE4.2, IOMMU with groups, vfio-pci loaded.
fr_healthy() {
	fr_new
	fr_nic eth0 0000:3b:00.0 ixgbe up 52:54:00:00:00:01 0
	fr_nic eth1 0000:3b:00.1 ixgbe down 52:54:00:00:00:02 0
	fr_pci 0000:5e:00.0 vfio-pci 0
	fr_default_route eth0
	fr_addr eth0 10.0.0.5/24
	fr_hugepages 1 512 512
	fr_iommu 1
	fr_module vfio_pci
	fr_module vfio
	fr_numa 0 0-1
	fr_numa 1 2-3
	fr_devbind_status
	fr_xdp_object
}

# sluice's XDP program, installed as meson install puts it
fr_xdp_object() {
	mkdir -p "$FR/usr/lib/x86_64-linux-gnu/sluice"
	printf 'BPF object stand-in' >"$FR/usr/lib/x86_64-linux-gnu/sluice/sl_xdp.o"
}
