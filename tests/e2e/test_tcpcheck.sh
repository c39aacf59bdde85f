#!/usr/bin/env bash
# tests/e2e/test_tcpcheck.sh — `option tcp-check` and `tcp-check` rules, HAProxy 2.6 first and
# sluice second on the same configuration, each judged on the same servers (lib/tcp_answer.py in
# the backend namespaces):
#  - send PING\r\n / expect string +PONG: UP (L7OK) while the server answers +PONG, DOWN (L7RSP)
#    once it answers -ERR, UP again when +PONG is back;
#  - expect rstring ^220 on a greeting sent at connect: UP, then DOWN when the greeting is 554;
#  - send-binary / expect binary on the PING server: the same bytes as hex;
#  - expect ! rstring ^5 on the greeting: UP with 220, DOWN with 554;
#  - `option tcp-check` alone, and `tcp-check connect port N` alone: connect checks (L4OK), the
#    second on a port other than the server line's;
# and sluice's statuses are compared with HAProxy's, server by server, at each step.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/lib/e2e.sh" 300 "$0" "$@"
trap 'sl_e2e_finish' EXIT
PY=/usr/bin/python3

check "net up" sl_net_up || exit 1
PONG=$SL_RUN_DIR/pong.txt GREET=$SL_RUN_DIR/greet.txt
printf '+PONG\r\n' >"$PONG"
printf '220 mx.example ESMTP ready\r\n' >"$GREET"
sl_bg sl-be1 answer-pong "$PY" "$HERE/lib/tcp_answer.py" 6379 "$PONG" reply >/dev/null
sl_bg sl-be2 answer-greet "$PY" "$HERE/lib/tcp_answer.py" 2525 "$GREET" banner >/dev/null
check "PING server on be1:6379" sl_wait_listen sl-be1 6379 10
check "greeting server on be2:2525" sl_wait_listen sl-be2 2525 10

SOCK_HA=$SL_RUN_DIR/haproxy.sock
# make_cfg haproxy|sluice — the same proxies; sluice's gets the dataplane section
make_cfg() {
    local sock=$SL_SOCK
    [[ $1 == haproxy ]] && sock=$SOCK_HA
    cat <<EOT
global
    stats socket $sock mode 600 level admin

defaults
    mode tcp
    timeout connect 1s
    timeout client 10s
    timeout server 10s
    timeout check 1s
    default-server inter 400 fall 2 rise 2

frontend f_pong
    bind *:7001
    default_backend bk_pong
backend bk_pong
    option tcp-check
    tcp-check send PING\r\n
    tcp-check expect string +PONG
    server p1 $SL_BE1_IP:6379 check

frontend f_smtp
    bind *:7002
    default_backend bk_smtp
backend bk_smtp
    option tcp-check
    tcp-check expect rstring ^220
    server m1 $SL_BE2_IP:2525 check

frontend f_neg
    bind *:7006
    default_backend bk_neg
backend bk_neg
    option tcp-check
    tcp-check expect ! rstring ^5
    server n1 $SL_BE2_IP:2525 check

frontend f_bin
    bind *:7003
    default_backend bk_bin
backend bk_bin
    option tcp-check
    tcp-check send-binary 50494e470d0a
    tcp-check expect binary 2b504f4e47
    server b1 $SL_BE1_IP:6379 check

frontend f_plain
    bind *:7004
    default_backend bk_plain
backend bk_plain
    option tcp-check
    server c1 $SL_BE1_IP:6379 check

frontend f_port
    bind *:7005
    default_backend bk_port
backend bk_port
    option tcp-check
    tcp-check connect port 2525
    server c2 $SL_BE2_IP:9999 check
EOT
    [[ $1 == sluice ]] && sl_dataplane_cfg af_xdp
}
make_cfg haproxy >"$SL_RUN_DIR/haproxy.cfg"
make_cfg sluice >"$SL_RUN_DIR/sluice.cfg"

# state SOCKET — "backend/server status check_status" per server of the show stat
state() {
    "$PY" - "$1" <<'PYEOF'
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.settimeout(3)
s.connect(sys.argv[1])
s.sendall(b"show stat\n")
out = b""
while True:
    try:
        d = s.recv(65536)
    except socket.timeout:
        break
    if not d:
        break
    out += d
for line in out.decode().splitlines():
    f = line.split(",")
    if len(f) > 37 and f[0].startswith("bk_") and f[1] not in ("FRONTEND", "BACKEND"):
        print(f"{f[0]}/{f[1]} {f[17].split(' ')[0]} {f[36].lstrip('* ')}")
PYEOF
}
# wait_for SOCKET SERVER WANT SECONDS — until "SERVER status check_status" is WANT
wait_for() {
    local _
    for _ in $(seq $(( $4 * 10 ))); do
        grep -qx "$2 $3" <<<"$(state "$1")" && return 0
        sleep 0.1
    done
    echo "     $2: $(state "$1" | grep "^$2 ")" >&2
    return 1
}

# run TARGET SOCKET — the sequence of answers; records each step's states in $SL_RUN_DIR/TARGET-N
run() {
    local t=$1 sock=$2
    printf '+PONG\r\n' >"$PONG"
    printf '220 mx.example ESMTP ready\r\n' >"$GREET"
    check "$t: bk_pong/p1 UP L7OK" wait_for "$sock" bk_pong/p1 "UP L7OK" 8
    check "$t: bk_smtp/m1 UP L7OK" wait_for "$sock" bk_smtp/m1 "UP L7OK" 8
    check "$t: bk_bin/b1 UP L7OK" wait_for "$sock" bk_bin/b1 "UP L7OK" 8
    check "$t: bk_neg/n1 (expect ! rstring ^5) UP L7OK" wait_for "$sock" bk_neg/n1 "UP L7OK" 8
    check "$t: bk_plain/c1 (option tcp-check alone) UP L4OK" wait_for "$sock" bk_plain/c1 "UP L4OK" 8
    check "$t: bk_port/c2 (tcp-check connect port 2525) UP L4OK" wait_for "$sock" bk_port/c2 "UP L4OK" 8
    state "$sock" >"$SL_RUN_DIR/$t-1"
    printf -- '-ERR unknown\r\n' >"$PONG"
    printf '554 go away\r\n' >"$GREET"
    check "$t: -ERR instead of +PONG: bk_pong/p1 DOWN L7RSP" wait_for "$sock" bk_pong/p1 "DOWN L7RSP" 8
    check "$t: 554 instead of 220: bk_smtp/m1 DOWN L7RSP" wait_for "$sock" bk_smtp/m1 "DOWN L7RSP" 8
    check "$t: bk_bin/b1 DOWN L7RSP" wait_for "$sock" bk_bin/b1 "DOWN L7RSP" 8
    check "$t: 554 matches ! ^5: bk_neg/n1 DOWN L7RSP" wait_for "$sock" bk_neg/n1 "DOWN L7RSP" 8
    check "$t: the connect checks stay UP L4OK" wait_for "$sock" bk_plain/c1 "UP L4OK" 2
    state "$sock" >"$SL_RUN_DIR/$t-2"
    printf '+PONG\r\n' >"$PONG"
    printf '220 mx.example ESMTP ready\r\n' >"$GREET"
    check "$t: +PONG back: bk_pong/p1 UP L7OK" wait_for "$sock" bk_pong/p1 "UP L7OK" 8
    check "$t: 220 back: bk_smtp/m1 UP L7OK" wait_for "$sock" bk_smtp/m1 "UP L7OK" 8
    check "$t: bk_bin/b1 UP L7OK" wait_for "$sock" bk_bin/b1 "UP L7OK" 8
    check "$t: bk_neg/n1 UP L7OK" wait_for "$sock" bk_neg/n1 "UP L7OK" 8
    state "$sock" >"$SL_RUN_DIR/$t-3"
}

# ---------------------------------------------------------------- HAProxy 2.6
sl_lb_kernel_addr
if sl_haproxy_start "$SL_RUN_DIR/haproxy.cfg"; then
    ok "HAProxy starts with the configuration"
    run haproxy "$SOCK_HA"
else
    bad "HAProxy starts with the configuration"
fi
sl_haproxy_stop

# ---------------------------------------------------------------- sluice
check "sluiced -c accepts it without a warning about tcp-check" bash -c "! '$SL_SLUICED' -c -f '$SL_RUN_DIR/sluice.cfg' 2>&1 | grep -i 'tcp-check'"
check "sluiced starts" sl_sluiced_start "$SL_RUN_DIR/sluice.cfg" || exit 1
run sluice "$SL_SOCK"
check "traffic through a tcp-checked backend" bash -c "ip netns exec '$SL_NS_CLI' timeout 5 bash -c 'exec 3<>/dev/tcp/$SL_VIP/7001; printf \"PING\\r\\n\" >&3; head -c 5 <&3' | grep -q +PONG"

for n in 1 2 3; do
    if [[ -f $SL_RUN_DIR/haproxy-$n ]]; then
        expect_eq "step $n: sluice's states are HAProxy's" "$(tr '\n' ';' <"$SL_RUN_DIR/sluice-$n")" "$(tr '\n' ';' <"$SL_RUN_DIR/haproxy-$n")"
    fi
done
