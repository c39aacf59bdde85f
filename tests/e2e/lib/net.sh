# shellcheck shell=bash disable=SC2034  # SL_* variables are for the scripts that source this
# tests/e2e/lib/net.sh — network-namespace harness for sluice end-to-end tests.
#
# Source it from a bash test script (needs root):
#
#   source "$(dirname "$0")/lib/net.sh"
#   trap sl_net_down EXIT
#   sl_net_up
#   sl_backend_start sl-be1 be1
#   sl_in sl-cli curl -s http://10.77.0.21:5080/
#
# Topology (nothing is created in, or attached to, the root namespace):
#
#        sl-cli            sl-lb              sl-be1           sl-be2
#      cli0 .10          lb0 (no IPv4,      be1 .21          be2 .22
#         |              DPDK owns it;         |                |
#         |              VIP 10.77.0.1)        |                |
#      ---+-----------------+------------------+----------------+---
#       p-cli             p-lb               p-be1            p-be2
#                    bridge sl-br0 in namespace sl-sw
#
# All addresses are in 10.77.0.0/24 and exist only inside these namespaces.
# IPv6 is disabled on every interface, all offloads are off, MACs are fixed.
#
# sl_net_up_two_arm builds the two-armed variant instead (clients on one port, servers on
# another, a router in front of more clients), for tests of routing:
#
#   sl-rcli (10.79.0.10, 10.80.0.10; default via .254)
#      | rcli0 <-> rtr1 (10.79.0.254, 10.80.0.254; forwards)
#   sl-rtr
#      | rtr0 10.77.0.254
#   sl-cli .10   sl-lb lb0 (VIP 10.77.0.1)       sl-lb lb1 (10.78.0.1)   sl-be1 .21  sl-be2 .22
#   ---+-----------+-----+---- sl-br0            ----+------------------------+-----------+---- sl-br1
#     p-cli      p-rtr  p-lb                       p-lb1                    p-be1       p-be2
#
# The backends are on 10.78.0.0/24 (SL_BE1_IP/SL_BE2_IP change), with no route anywhere else:
# they reach nothing but 10.78.0.0/24. The router knows 10.77/24, 10.79/24 and 10.80/24 only
# (nothing towards the servers).
#
# Tunables (environment, read when this file is sourced):
#   SL_PREFIX     namespace-name prefix               (default "sl-")
#   SL_RUN_DIR    run dir: pids, logs, configs, HLS   (default /tmp/sluice-e2e,
#                 or /tmp/sluice-e2e-<prefix> when SL_PREFIX is not "sl-")
#   SL_LB_QUEUES  rx/tx queues of lb0 and its peer    (default 2: one per worker of the
#                 default `cores 0-1`, main beside a worker on CPU 0 and a worker on CPU 1)
#   SL_BIG_SIZE   size of the backends' /big file     (default 10M; any
#                 `truncate -s` size)
#
# Functions (all return non-zero on failure, none calls exit):
#   sl_net_up                       build the topology (tears leftovers down first)
#   sl_net_up_two_arm               build the two-armed topology above instead (and set
#                                   SL_BE1_IP/SL_BE2_IP to 10.78.0.21/22)
#   sl_net_down                     kill what we started, delete namespaces; idempotent
#   sl_in NS CMD...                 run CMD inside namespace NS
#   sl_ns NS                        print the real namespace name of NS
#   sl_wait_tcp NS IP PORT [TMO]    poll until TCP connect from NS succeeds (TMO s, default 10)
#   sl_wait_listen NS PORT [TMO]    poll until something listens on TCP PORT in NS
#   sl_bg NS NAME CMD...            start CMD in NS in the background, log to
#                                   $SL_RUN_DIR/logs/NAME.log, pid to pids/NAME.pid
#   sl_stop NAME                    stop a process started with sl_bg / *_start
#   sl_backend_start NS NAME        nginx + RTMP/HLS backend in NS (waits for :5080)
#   sl_backend_stop NAME
#   sl_named_web PORT               python web servers on be1/be2 answering "backend beN"
#   sl_answers_match MSG            answers-haproxy.txt and answers-sluice.txt equal (ok MSG)
#   sl_haproxy_start CFG            HAProxy in sl-lb with config file CFG
#   sl_haproxy_stop
#   sl_lb_kernel_addr               give lb0 10.77.0.1/24 in the kernel (HAProxy runs only)
#   sl_lb_kernel_flush              remove every address from lb0 (before sluiced/DPDK runs)
#   sl_xdp_off [NS IF]              detach any XDP program, promisc off (default sl-lb lb0)
#   sl_xdp_attached [NS IF]         true when an XDP program is attached
#   sl_eal_args MODE [FILE_PREFIX]  working EAL args: af_xdp | af_xdp2 | af_packet
#   sl_dpdk_cleanup_prefix FP       rm -rf /var/run/dpdk/FP
#   sl_lb_hosts [NAME=IP...]        the /etc/hosts of processes started in sl-lb: the machine's,
#                                   plus these names (server host names for sluiced to resolve)
#
# NS arguments accept "sl-cli", "cli" or an already-prefixed name; "sl-X" is
# mapped to "${SL_PREFIX}X" so scripts written for the default prefix work
# under any prefix.

SL_PREFIX=${SL_PREFIX:-sl-}
if [[ -z "${SL_RUN_DIR:-}" ]]; then
    if [[ "$SL_PREFIX" == "sl-" ]]; then
        SL_RUN_DIR=/tmp/sluice-e2e
    else
        SL_RUN_DIR=/tmp/sluice-e2e-${SL_PREFIX%-}
    fi
fi
SL_LB_QUEUES=${SL_LB_QUEUES:-2}
SL_BIG_SIZE=${SL_BIG_SIZE:-10M}

# Addresses (only ever used inside our namespaces).
SL_SUBNET=10.77.0.0/24
SL_VIP=10.77.0.1
SL_CLI_IP=10.77.0.10
SL_BE1_IP=10.77.0.21
SL_BE2_IP=10.77.0.22
# Fixed, locally administered MACs: handy for static neighbour entries.
SL_LB_MAC=02:77:00:00:00:01
SL_CLI_MAC=02:77:00:00:00:10
SL_BE1_MAC=02:77:00:00:00:21
SL_BE2_MAC=02:77:00:00:00:22
# Interface names (inside the namespaces, so constant for any prefix).
SL_LB_IF=lb0
SL_CLI_IF=cli0
SL_BE1_IF=be1
SL_BE2_IF=be2
SL_BR=${SL_PREFIX}br0

SL_NS_CLI=${SL_PREFIX}cli
SL_NS_LB=${SL_PREFIX}lb
SL_NS_BE1=${SL_PREFIX}be1
SL_NS_BE2=${SL_PREFIX}be2
SL_NS_SW=${SL_PREFIX}sw

# The two-armed topology (sl_net_up_two_arm): the servers' side, the router and its clients.
SL_TOPO=one-arm
SL_LB1_IF=lb1
SL_LB1_MAC=02:78:00:00:00:01
SL_LB1_IP=10.78.0.1
SL_SUBNET1=10.78.0.0/24
SL_BR1=${SL_PREFIX}br1
SL_RTR_IP=10.77.0.254
SL_RTR_MAC=02:77:00:00:00:fe
SL_RCLI_IP=10.79.0.10   # behind the router, reached by a "route 10.79.0.0/24 via 10.77.0.254"
SL_RCLI_IP2=10.80.0.10  # behind the router too, reached by the default route only
SL_NS_RTR=${SL_PREFIX}rtr
SL_NS_RCLI=${SL_PREFIX}rcli

SL_NGINX_RTMP_MODULE=${SL_NGINX_RTMP_MODULE:-/usr/lib/nginx/modules/ngx_rtmp_module.so}

sl_log() { echo "[sl $(date +%H:%M:%S)] $*" >&2; }

# sl_ns NS — canonical namespace name.
sl_ns() {
    local n=$1
    case "$n" in
        "$SL_PREFIX"*) echo "$n" ;;
        sl-*) echo "${SL_PREFIX}${n#sl-}" ;;
        *) echo "${SL_PREFIX}${n}" ;;
    esac
}

# sl_in NS CMD... — run CMD inside namespace NS.
sl_in() {
    local ns
    ns=$(sl_ns "$1"); shift
    ip netns exec "$ns" "$@"
}

# The namespaces of the one-armed topology; sl__all_ns adds the two-armed one's (for teardown).
sl__base_ns() { echo "$SL_NS_CLI $SL_NS_LB $SL_NS_BE1 $SL_NS_BE2 $SL_NS_SW"; }
sl__all_ns() { echo "$(sl__base_ns) $SL_NS_RTR $SL_NS_RCLI"; }

sl__ns_exists() { [[ -e "/run/netns/$1" ]]; }

# Quiet sysctl inside a namespace; tolerate missing keys.
sl__sysctl() {
    local ns=$1; shift
    ip netns exec "$ns" sysctl -qw "$@" >/dev/null 2>&1 || true
}

# Turn offloads off one by one (veth refuses some; that is fine).
sl__offloads_off() {
    local ns=$1 ifc=$2 f
    for f in tx rx tso gso gro lro ufo sg rxvlan txvlan; do
        ip netns exec "$ns" ethtool -K "$ifc" "$f" off >/dev/null 2>&1 || true
    done
}

sl__if_prep() {
    local ns=$1 ifc=$2
    sl__sysctl "$ns" "net.ipv6.conf.$ifc.disable_ipv6=1"
    sl__offloads_off "$ns" "$ifc"
}

# ---------------------------------------------------------------- processes

sl__pid_dir() { echo "$SL_RUN_DIR/pids"; }

# sl__kill_pid PID — TERM, wait up to ~3 s, then KILL.
sl__kill_pid() {
    local pid=$1 i
    [[ "$pid" =~ ^[0-9]+$ ]] || return 0
    kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 30); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    for i in $(seq 20); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.1
    done
}

# sl_bg NS NAME CMD... — background CMD in NS; pid -> pids/NAME.pid.
sl_bg() {
    local ns name pid
    ns=$(sl_ns "$1"); name=$2; shift 2
    mkdir -p "$(sl__pid_dir)" "$SL_RUN_DIR/logs"
    ip netns exec "$ns" "$@" </dev/null >"$SL_RUN_DIR/logs/$name.log" 2>&1 &
    pid=$!
    echo "$pid" >"$(sl__pid_dir)/$name.pid"
    echo "$pid"
}

# sl_stop NAME — stop a tracked process.
sl_stop() {
    local f pid
    f="$(sl__pid_dir)/$1.pid"
    [[ -f "$f" ]] || return 0
    pid=$(cat "$f" 2>/dev/null || true)
    sl__kill_pid "$pid"
    rm -f "$f"
}

# ------------------------------------------------------------------- TLS clients

# sl_mkcert DIR NAME SAN KEYOPT — DIR/NAME.key and DIR/NAME.crt (subjectAltName SAN, key from
# openssl req's -newkey KEYOPT, e.g. rsa:2048), signed by the test CA DIR/ca.crt + DIR/ca.key.
sl_mkcert() {
    openssl req -new -newkey "$4" -nodes -keyout "$1/$2.key" -subj "/CN=$2" -out "$1/$2.csr" 2>/dev/null &&
        printf 'subjectAltName=%s\n' "$3" >"$1/$2.ext" &&
        openssl x509 -req -in "$1/$2.csr" -CA "$1/ca.crt" -CAkey "$1/ca.key" -CAcreateserial \
            -days 30 -extfile "$1/$2.ext" -out "$1/$2.crt" 2>/dev/null
}

# sl_tls_resumed ADDR:PORT SNI TLSOPT TAG — two openssl s_client connections from sl-cli, the
# second offering the first's session (saved in $SL_RUN_DIR/sess-TAG); prints "Reused, ..." or
# "New, ...". The first waits for the server's close (-ign_eof) so that a TLS 1.3 ticket, sent
# after the handshake, is read before it exits.
sl_tls_resumed() {
    local f="$SL_RUN_DIR/sess-$4"
    sl_in sl-cli bash -c "timeout 10 openssl s_client -connect $1 $3 -servername $2 -sess_out '$f' -ign_eof >/dev/null 2>&1 <<<''; sleep 0.3; timeout 10 openssl s_client -connect $1 $3 -servername $2 -sess_in '$f' </dev/null 2>/dev/null | grep -E '^(Reused|New),' | head -1"
}

# sl_silent_client PORT — from sl-cli, connects to the VIP's PORT and sends nothing: prints how
# the connection ended ("closed after N s", "reset after N s"), "data", or "nothing" after 8 s.
sl_silent_client() {
    sl_in sl-cli /usr/bin/python3 - "$SL_VIP" "$1" <<'PYEOF'
import socket, sys, time
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=8)
t = time.time()
try:
    d = s.recv(100)
    print("closed after %d s" % round(time.time() - t) if not d else "data")
except ConnectionResetError:
    print("reset after %d s" % round(time.time() - t))
except socket.timeout:
    print("nothing")
PYEOF
}

# ------------------------------------------------------------------- wait

# sl_wait_tcp NS IP PORT [TIMEOUT_S] — poll until a TCP connect succeeds.
sl_wait_tcp() {
    local ns ip=$2 port=$3 tmo=${4:-10} end
    ns=$(sl_ns "$1")
    end=$(( $(date +%s%N) / 1000000 + tmo * 1000 ))
    while :; do
        if ip netns exec "$ns" timeout 1 bash -c "exec 3<>/dev/tcp/$ip/$port" 2>/dev/null; then
            return 0
        fi
        (( $(date +%s%N) / 1000000 < end )) || break
        sleep 0.1
    done
    sl_log "sl_wait_tcp: $ns -> $ip:$port not reachable after ${tmo}s"
    return 1
}

# sl_wait_listen NS PORT [TIMEOUT_S] — poll until a TCP listener on PORT exists in NS.
sl_wait_listen() {
    local ns port=$2 tmo=${3:-10} end
    ns=$(sl_ns "$1")
    end=$(( $(date +%s%N) / 1000000 + tmo * 1000 ))
    while :; do
        if ip netns exec "$ns" ss -Hltn "sport = :$port" 2>/dev/null | grep -q .; then
            return 0
        fi
        (( $(date +%s%N) / 1000000 < end )) || break
        sleep 0.1
    done
    sl_log "sl_wait_listen: nothing listens on $ns:$port after ${tmo}s"
    return 1
}

# ------------------------------------------------------------------ up/down

sl_net_down() {
    local ns pid f
    # 1. processes we tracked
    if [[ -d "$(sl__pid_dir)" ]]; then
        for f in "$(sl__pid_dir)"/*.pid; do
            [[ -f "$f" ]] || continue
            pid=$(cat "$f" 2>/dev/null || true)
            sl__kill_pid "$pid"
            rm -f "$f"
        done
    fi
    # 2. anything else still running inside our namespaces (all of it ours:
    #    the namespaces are created by this harness)
    for ns in $(sl__all_ns); do
        sl__ns_exists "$ns" || continue
        for pid in $(ip netns pids "$ns" 2>/dev/null); do
            sl__kill_pid "$pid"
        done
    done
    # the balancer's hosts file (sl_lb_hosts)
    rm -rf "/etc/netns/$SL_NS_LB"
    # 3. namespaces (veths, bridge and XDP programs go with them)
    for ns in $(sl__all_ns); do
        sl__ns_exists "$ns" || continue
        ip netns del "$ns" 2>/dev/null || true
    done
    # the kernel frees a netns asynchronously; wait until the names are gone
    local i
    for _ in $(seq 50); do
        local left=0
        for ns in $(sl__all_ns); do sl__ns_exists "$ns" && left=1; done
        (( left )) || break
        sleep 0.1
    done
    return 0
}

# sl__veth NS IF MAC IP/LEN SWPORT [QUEUES [BRIDGE]] — veth pair IF (in NS) <-> SWPORT (in sw
# ns, on BRIDGE, default $SL_BR)
sl__veth() {
    local ns=$1 ifc=$2 mac=$3 addr=$4 swp=$5 q=${6:-1} br=${7:-$SL_BR}
    ip -n "$SL_NS_SW" link add "$swp" numtxqueues "$q" numrxqueues "$q" type veth \
        peer name "$ifc" netns "$ns" numtxqueues "$q" numrxqueues "$q" || return 1
    ip -n "$ns" link set dev "$ifc" address "$mac" || return 1
    sl__if_prep "$SL_NS_SW" "$swp"
    sl__if_prep "$ns" "$ifc"
    ip -n "$SL_NS_SW" link set dev "$swp" master "$br" || return 1
    ip -n "$SL_NS_SW" link set dev "$swp" up || return 1
    if [[ -n "$addr" ]]; then
        ip -n "$ns" addr add "$addr" dev "$ifc" || return 1
    fi
    ip -n "$ns" link set dev "$ifc" up || return 1
}

# sl__ns_add NS — a namespace without IPv6 (no RS/NS/MLD chatter on the wire), lo up.
sl__ns_add() {
    local ns=$1
    ip netns add "$ns" || { sl_log "ip netns add $ns failed"; return 1; }
    sl__sysctl "$ns" net.ipv6.conf.all.disable_ipv6=1
    sl__sysctl "$ns" net.ipv6.conf.default.disable_ipv6=1
    sl__sysctl "$ns" net.ipv6.conf.lo.disable_ipv6=1
    ip -n "$ns" link set dev lo up
}

# sl__bridge NAME — a quiet bridge in the switch namespace.
# nf_call_* 0: where br_netfilter is loaded, the bridge would otherwise validate IPv4
# headers and silently drop the malformed frames the tests aim at sluiced.
sl__bridge() {
    ip -n "$SL_NS_SW" link add "$1" type bridge stp_state 0 forward_delay 0 \
        mcast_snooping 0 nf_call_iptables 0 nf_call_ip6tables 0 nf_call_arptables 0 || return 1
    sl__if_prep "$SL_NS_SW" "$1"
    ip -n "$SL_NS_SW" link set dev "$1" up
}

# sl_lb_hosts [NAME=IP...] — writes the hosts file of the balancer's namespace: the machine's
# /etc/hosts and a line per NAME. `ip netns exec NS` bind-mounts /etc/netns/NS/hosts over
# /etc/hosts for what it starts, so sluiced (sl_bg sl-lb, sl_in sl-lb) resolves these names
# through getaddrinfo(); the file is rewritten in place (same inode), so a sluiced already running
# sees the new names at its next reload. sl_net_up writes it without names, sl_net_down removes it.
# shellcheck disable=SC2120  # names are optional
sl_lb_hosts() {
    local d=/etc/netns/$SL_NS_LB kv
    mkdir -p "$d" || return 1
    {
        cat /etc/hosts
        echo "# sluice e2e: names for $SL_NS_LB"
        for kv in "$@"; do echo "${kv#*=} ${kv%%=*}"; done
    } >"$d/hosts.new" || return 1
    if [[ -f $d/hosts ]]; then
        cat "$d/hosts.new" >"$d/hosts" # in place: a bind mount holds the inode
        rm -f "$d/hosts.new"
    else
        mv "$d/hosts.new" "$d/hosts"
    fi
}

sl_net_up() {
    local ns bebr=$SL_BR
    [[ $(id -u) -eq 0 ]] || { sl_log "sl_net_up: needs root"; return 1; }
    sl_net_down
    case "$SL_RUN_DIR" in
        /|"") sl_log "refusing SL_RUN_DIR='$SL_RUN_DIR'"; return 1 ;;
    esac
    rm -rf "$SL_RUN_DIR"
    mkdir -p "$SL_RUN_DIR/pids" "$SL_RUN_DIR/logs" || return 1

    for ns in $(sl__base_ns); do
        sl__ns_add "$ns" || return 1
    done

    # the switch
    sl__bridge "$SL_BR" || return 1
    sl__sysctl "$SL_NS_SW" net.bridge.bridge-nf-call-iptables=0
    sl__sysctl "$SL_NS_SW" net.bridge.bridge-nf-call-ip6tables=0
    sl__sysctl "$SL_NS_SW" net.bridge.bridge-nf-call-arptables=0
    if [[ $SL_TOPO == two-arm ]]; then
        sl__bridge "$SL_BR1" || return 1
        bebr=$SL_BR1
    fi

    sl__veth "$SL_NS_CLI" "$SL_CLI_IF" "$SL_CLI_MAC" "$SL_CLI_IP/24" p-cli || return 1
    sl__veth "$SL_NS_LB"  "$SL_LB_IF"  "$SL_LB_MAC"  ""                p-lb "$SL_LB_QUEUES" || return 1
    sl__veth "$SL_NS_BE1" "$SL_BE1_IF" "$SL_BE1_MAC" "$SL_BE1_IP/24" p-be1 1 "$bebr" || return 1
    sl__veth "$SL_NS_BE2" "$SL_BE2_IF" "$SL_BE2_MAC" "$SL_BE2_IP/24" p-be2 1 "$bebr" || return 1

    # lb0 has no address: make sure the kernel there never answers or routes.
    sl__sysctl "$SL_NS_LB" net.ipv4.ip_forward=0
    # shellcheck disable=SC2119  # no names: the machine's hosts file alone
    sl_lb_hosts || return 1

    if [[ $SL_TOPO == two-arm ]]; then
        sl__net_two_arm || return 1
    fi
    sl_log "net up ($SL_TOPO): $(sl__base_ns)$([[ $SL_TOPO == two-arm ]] && echo " $SL_NS_RTR $SL_NS_RCLI") (run dir $SL_RUN_DIR)"
}

# The two-armed topology's additions: lb1 on the servers' bridge, the router and its clients.
sl__net_two_arm() {
    sl__veth "$SL_NS_LB" "$SL_LB1_IF" "$SL_LB1_MAC" "" p-lb1 "$SL_LB_QUEUES" "$SL_BR1" || return 1
    sl__ns_add "$SL_NS_RTR" || return 1
    sl__ns_add "$SL_NS_RCLI" || return 1
    sl__veth "$SL_NS_RTR" rtr0 "$SL_RTR_MAC" "$SL_RTR_IP/24" p-rtr || return 1
    ip -n "$SL_NS_RTR" link add rtr1 type veth peer name rcli0 netns "$SL_NS_RCLI" || return 1
    sl__if_prep "$SL_NS_RTR" rtr1
    sl__if_prep "$SL_NS_RCLI" rcli0
    ip -n "$SL_NS_RTR" addr add 10.79.0.254/24 dev rtr1 || return 1
    ip -n "$SL_NS_RTR" addr add 10.80.0.254/24 dev rtr1 || return 1
    ip -n "$SL_NS_RTR" link set dev rtr1 up || return 1
    ip -n "$SL_NS_RCLI" addr add "$SL_RCLI_IP/24" dev rcli0 || return 1
    ip -n "$SL_NS_RCLI" addr add "$SL_RCLI_IP2/24" dev rcli0 || return 1
    ip -n "$SL_NS_RCLI" link set dev rcli0 up || return 1
    ip -n "$SL_NS_RCLI" route add default via 10.79.0.254 || return 1
    sl__sysctl "$SL_NS_RTR" net.ipv4.ip_forward=1
    sl__sysctl "$SL_NS_RTR" net.ipv4.conf.all.rp_filter=0
    sl__sysctl "$SL_NS_RTR" net.ipv4.conf.default.rp_filter=0
    # no ICMP redirects: the router is the only way, it never tells anyone about a shorter one
    sl__sysctl "$SL_NS_RTR" net.ipv4.conf.all.send_redirects=0
    sl__sysctl "$SL_NS_RTR" net.ipv4.conf.rtr0.send_redirects=0
}

sl_net_up_two_arm() {
    SL_TOPO=two-arm
    SL_BE1_IP=10.78.0.21
    SL_BE2_IP=10.78.0.22
    sl_net_up
}

# sl_answers_match MSG — HAProxy's and sluice's outcomes of the same steps, written by the test to
# $SL_RUN_DIR/answers-haproxy.txt and answers-sluice.txt, compared: ok MSG (sluice's shown), or a
# failure with the differences (- HAProxy, + sluice).
sl_answers_match() {
    if diff -u "$SL_RUN_DIR/answers-haproxy.txt" "$SL_RUN_DIR/answers-sluice.txt" >"$SL_RUN_DIR/answers.diff"; then
        ok "$1"
        sed 's/^/     | /' "$SL_RUN_DIR/answers-sluice.txt"
    else
        bad "answers differ from HAProxy's (- HAProxy, + sluice):"
        sed 's/^/     /' "$SL_RUN_DIR/answers.diff"
    fi
}

# sl_named_web PORT — on each backend, a Python web server on PORT whose every page says
# "backend be1" / "backend be2" (which backend a request reached); false unless both listen.
sl_named_web() {
    local port=$1 b ip
    for b in be1 be2; do
        mkdir -p "$SL_RUN_DIR/www-$b"
        echo "backend $b" >"$SL_RUN_DIR/www-$b/index.html"
        [[ $b == be1 ]] && ip=$SL_BE1_IP || ip=$SL_BE2_IP
        sl_bg "sl-$b" "http-$b" python3 -m http.server "$port" --bind "$ip" --directory "$SL_RUN_DIR/www-$b" >/dev/null
    done
    sl_wait_listen sl-be1 "$port" && sl_wait_listen sl-be2 "$port"
}

# ------------------------------------------------------------- lb0 address

sl_lb_kernel_addr() {
    ip -n "$SL_NS_LB" addr replace "$SL_VIP/24" dev "$SL_LB_IF"
}

sl_lb_kernel_flush() {
    ip -n "$SL_NS_LB" addr flush dev "$SL_LB_IF"
}

# sl_xdp_off [NS IF] — detach whatever XDP program is on IF (all modes) and
# clear the PROMISC flag DPDK leaves behind (af_xdp and af_packet PMDs both
# set it and neither clears it on close). Needed after a DPDK process was
# SIGKILLed: its xsk_def_prog stays attached to lb0.
sl_xdp_off() {
    local ns ifc=${2:-$SL_LB_IF}
    ns=$(sl_ns "${1:-$SL_NS_LB}")
    ip -n "$ns" link set dev "$ifc" xdp off 2>/dev/null || true
    ip -n "$ns" link set dev "$ifc" xdpgeneric off 2>/dev/null || true
    ip -n "$ns" link set dev "$ifc" xdpdrv off 2>/dev/null || true
    ip -n "$ns" link set dev "$ifc" promisc off 2>/dev/null || true
}

# sl_xdp_attached [NS IF] — true when an XDP program is attached to IF.
sl_xdp_attached() {
    local ns ifc=${2:-$SL_LB_IF}
    ns=$(sl_ns "${1:-$SL_NS_LB}")
    ip -n "$ns" link show dev "$ifc" 2>/dev/null | grep -q 'prog/xdp'
}

# sl_eal_args MODE [FILE_PREFIX] — print EAL arguments known to work here
# (see tests/e2e/NOTES.md) for a DPDK process run inside sl-lb on lb0.
#   MODE: af_xdp (one queue), af_xdp2 (two queues as two ports; needs
#         SL_LB_QUEUES=2 at sl_net_up), af_packet (qpairs=SL_LB_QUEUES when
#         above 1: one packet socket per queue in one PACKET_FANOUT group)
# Memory: --no-huge -m 512 (no hugepages on these machines). --file-prefix
# is always given so a second DPDK process (or a stale run dir) never
# collides on /var/run/dpdk/rte.
sl_eal_args() {
    local mode=${1:-af_xdp} fp=${2:-${SL_PREFIX}dpdk}
    local base="-l 0-1 --no-huge -m 512 --no-pci --file-prefix $fp"
    case "$mode" in
        af_xdp)    echo "$base --vdev net_af_xdp0,iface=$SL_LB_IF,start_queue=0,queue_count=1" ;;
        af_xdp2)   echo "$base --vdev net_af_xdp0,iface=$SL_LB_IF,start_queue=0,queue_count=1 --vdev net_af_xdp1,iface=$SL_LB_IF,start_queue=1,queue_count=1" ;;
        af_packet)
            if (( SL_LB_QUEUES > 1 )); then
                echo "$base --vdev net_af_packet0,iface=$SL_LB_IF,qpairs=$SL_LB_QUEUES"
            else
                echo "$base --vdev net_af_packet0,iface=$SL_LB_IF"
            fi ;;
        *) sl_log "sl_eal_args: unknown mode $mode"; return 1 ;;
    esac
}

# sl_dpdk_cleanup_prefix FILE_PREFIX — remove /var/run/dpdk/FILE_PREFIX
# (EAL runtime dir) once no process uses it.
sl_dpdk_cleanup_prefix() {
    local fp=$1
    [[ -n "$fp" && "$fp" != */* && "$fp" != . && "$fp" != .. ]] || return 0
    rm -rf "/var/run/dpdk/$fp"
}

# ------------------------------------------------------------------ backends

# sl_backend_start NS NAME — nginx (+RTMP module) backend inside NS.
#   RTMP  :1935  application "live", HLS to $SL_RUN_DIR/be/NAME/hls (1 s fragments)
#   HTTP  :5080  /            "backend NAME\n" (any unknown path), header X-Backend: NAME
#                /echo-headers request headers as seen by the backend
#                /setcookie   Set-Cookie: JSESSIONID=abc123; Path=/
#                /hls/        the HLS directory (e.g. /hls/s1.m3u8)
#                /big         $SL_BIG_SIZE bytes of random data (file: www/big)
#                /vod/        any path: "backend NAME\ncookie: <Cookie seen>\n"; sets
#                             Set-Cookie: JSESSIONID=NAME-<request id>; Path=/ when the
#                             request has no JSESSIONID cookie (HLS stickiness tests)
#                /up/         WebDAV PUT into www/up/ (chunked bodies too, up to 256 MiB)
sl_backend_start() {
    local ns name d
    ns=$(sl_ns "$1"); name=$2
    [[ -n "$name" ]] || { sl_log "sl_backend_start NS NAME"; return 1; }
    d="$SL_RUN_DIR/be/$name"
    mkdir -p "$d"/{logs,hls,www,www/up,tmp} || return 1
    # one random file shared by every backend, so a download is byte-exact whoever served it
    if [[ ! -f "$SL_RUN_DIR/big" ]]; then
        head -c "$(numfmt --from=iec "$SL_BIG_SIZE")" /dev/urandom >"$SL_RUN_DIR/big" || return 1
    fi
    [[ -f "$d/www/big" ]] || cp "$SL_RUN_DIR/big" "$d/www/big" || return 1
    printf 'backend %s\n' "$name" >"$d/www/index.txt"
    cat >"$d/nginx.conf" <<EOF
load_module $SL_NGINX_RTMP_MODULE;
daemon off;
master_process on;
worker_processes 1;
user root;
pid $d/nginx.pid;
error_log $d/logs/error.log info;
worker_rlimit_nofile 16384;
events { worker_connections 8192; }

rtmp {
    server {
        listen 1935;
        chunk_size 4096;
        application live {
            live on;
            record off;
            hls on;
            hls_path $d/hls;
            hls_fragment 1s;
            hls_playlist_length 6s;
        }
    }
}

http {
    access_log $d/logs/access.log;
    client_body_temp_path $d/tmp/body;
    proxy_temp_path $d/tmp/proxy;
    fastcgi_temp_path $d/tmp/fastcgi;
    uwsgi_temp_path $d/tmp/uwsgi;
    scgi_temp_path $d/tmp/scgi;
    types {
        application/vnd.apple.mpegurl m3u8;
        video/mp2t ts;
        text/plain txt;
    }
    default_type application/octet-stream;
    sendfile on;
    map \$cookie_JSESSIONID \$sl_new_session {
        "" "JSESSIONID=$name-\$request_id; Path=/";
        default "";
    }
    keepalive_timeout 65;
    keepalive_requests 10000;
    server_tokens off;

    server {
        listen 5080 default_server;
        server_name _;

        location / {
            default_type text/plain;
            add_header X-Backend $name always;
            return 200 "backend $name\n";
        }
        location = /echo-headers {
            default_type text/plain;
            add_header X-Backend $name always;
            return 200 "backend: $name\nremote-addr: \$remote_addr\nremote-port: \$remote_port\nserver-addr: \$server_addr\nmethod: \$request_method\nuri: \$request_uri\nprotocol: \$server_protocol\nhost: \$http_host\nx-forwarded-for: \$http_x_forwarded_for\nx-forwarded-proto: \$http_x_forwarded_proto\nx-forwarded-port: \$http_x_forwarded_port\nx-forwarded-host: \$http_x_forwarded_host\nx-real-ip: \$http_x_real_ip\nforwarded: \$http_forwarded\nvia: \$http_via\ncookie: \$http_cookie\nuser-agent: \$http_user_agent\nconnection: \$http_connection\nx-test: \$http_x_test\nx-remove-me: \$http_x_remove_me\n";
        }
        location = /fail {
            default_type text/plain;
            add_header X-Backend $name always;
            return 500 "backend $name fails\n";
        }
        location = /setcookie {
            default_type text/plain;
            add_header X-Backend $name always;
            add_header Set-Cookie "JSESSIONID=abc123; Path=/" always;
            return 200 "backend $name\n";
        }
        location = /big {
            add_header X-Backend $name always;
            alias $d/www/big;
        }
        location /vod/ {
            default_type text/plain;
            add_header X-Backend $name always;
            add_header Set-Cookie \$sl_new_session always;
            return 200 "backend $name\ncookie: \$http_cookie\n";
        }
        location /up/ {
            add_header X-Backend $name always;
            root $d/www;
            dav_methods PUT;
            client_max_body_size 256m;
        }
        location /hls/ {
            add_header X-Backend $name always;
            add_header Cache-Control no-cache always;
            alias $d/hls/;
        }
    }
}
EOF
    ip netns exec "$ns" nginx -e "$d/logs/startup.log" -p "$d" -c "$d/nginx.conf" -t \
        >"$d/logs/configtest.log" 2>&1 || {
        sl_log "nginx config test failed for $name:"; cat "$d/logs/configtest.log" >&2; return 1; }
    sl_bg "$ns" "nginx-$name" nginx -e "$d/logs/startup.log" -p "$d" -c "$d/nginx.conf" >/dev/null
    local ip
    ip=$(ip -n "$ns" -4 -o addr show scope global | awk '{print $4}' | cut -d/ -f1 | head -n1)
    sl_wait_tcp "$ns" "${ip:-127.0.0.1}" 5080 10 || { cat "$d/logs/error.log" >&2 2>/dev/null; return 1; }
    sl_log "backend $name up in $ns ($ip:5080 http, :1935 rtmp)"
}

sl_backend_stop() { sl_stop "nginx-$1"; }

# ------------------------------------------------------------------- haproxy

# sl_haproxy_start CFG — HAProxy in sl-lb (needs sl_lb_kernel_addr first).
# Waits until every "bind ...:PORT" of CFG is listening.
sl_haproxy_start() {
    local cfg=$1 port
    [[ -f "$cfg" ]] || { sl_log "sl_haproxy_start: no such config $cfg"; return 1; }
    mkdir -p "$SL_RUN_DIR/haproxy"
    ip netns exec "$SL_NS_LB" haproxy -c -q -f "$cfg" >"$SL_RUN_DIR/logs/haproxy-check.log" 2>&1 || {
        sl_log "haproxy config check failed:"; cat "$SL_RUN_DIR/logs/haproxy-check.log" >&2; return 1; }
    sl_bg "$SL_NS_LB" haproxy haproxy -db -f "$cfg" >/dev/null
    # shellcheck disable=SC2013
    for port in $(sed -n 's/^[[:space:]]*bind[[:space:]]\+[^[:space:]]*:\([0-9]\+\).*/\1/p' "$cfg" | sort -u); do
        sl_wait_listen "$SL_NS_LB" "$port" 10 || { cat "$SL_RUN_DIR/logs/haproxy.log" >&2; return 1; }
    done
    sl_log "haproxy up in $SL_NS_LB ($cfg)"
}

sl_haproxy_stop() { sl_stop haproxy; }
