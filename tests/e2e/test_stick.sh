#!/usr/bin/env bash
# tests/e2e/test_stick.sh — stick tables, run on HAProxy 2.6 and on sluice with one configuration:
#  - `stick on src` in a mode tcp backend (L4 NAT: decided at the SYN, before Maglev) and in a
#    mode http backend: six client addresses each reach one server over 30 connections (each
#    a new 4-tuple, so RSS spreads them over every lcore: the table is shared), while the same
#    servers with roundrobin alone alternate;
#  - a server put in maintenance: its clients move to the other server, and stay there when it
#    comes back (the entry was replaced, as HAProxy does without `option persist`);
#  - `http-request track-sc0 src` + `deny deny_status 429 if { sc_http_req_rate(0) gt 20 }`
#    with http_req_rate(3s): 20 requests pass, the next ones get 429, and after two periods a
#    request passes again;
#  - `show table` lists the tables and the entries in HAProxy's format, `clear table ... key`
#    removes one;
#  - sluice only: a reload keeps the entries of an unchanged table (the clients keep their
#    server) and drops those of a table whose definition changed.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/lib/e2e.sh" 400 "$0" "$@"
trap 'sl_e2e_finish' EXIT

check "net up" sl_net_up || exit 1
check "backend be1" sl_backend_start sl-be1 be1
check "backend be2" sl_backend_start sl-be2 be2
CLIENTS="10.77.0.31 10.77.0.32 10.77.0.33 10.77.0.34 10.77.0.35 10.77.0.36"
LIMITED=10.77.0.40
for a in $CLIENTS $LIMITED; do
    ip -n "$(sl_ns sl-cli)" addr add "$a/24" dev "$SL_CLI_IF" || bad "client address $a"
done
PY=python3
HSOCK=$SL_RUN_DIR/haproxy.sock

# make_cfg haproxy|sluice [SIZE] — the same configuration for both (SIZE: b_stick's table size)
make_cfg() {
    if [[ $1 == haproxy ]]; then
        printf 'global\n    stats socket %s mode 600 level admin\n' "$HSOCK"
    else
        printf 'global\n    stats socket %s mode 600 level admin\n' "$SL_SOCK"
    fi
    cat <<EOT
defaults
    timeout connect 2s
    timeout client 30s
    timeout server 30s

frontend l4
    mode tcp
    bind :9000
    default_backend b_stick
backend b_stick
    mode tcp
    balance roundrobin
    stick-table type ip size ${2:-200k} expire 30m
    stick on src
    server s1 $SL_BE1_IP:5080
    server s2 $SL_BE2_IP:5080

frontend l4rr
    mode tcp
    bind :9001
    default_backend b_rr
backend b_rr
    mode tcp
    balance roundrobin
    server s1 $SL_BE1_IP:5080
    server s2 $SL_BE2_IP:5080

frontend web
    mode http
    bind :8090
    stick-table type ip size 100k expire 10s store http_req_rate(3s),conn_cur
    http-request track-sc0 src
    http-request deny deny_status 429 if { sc_http_req_rate(0) gt 20 }
    default_backend b_web
frontend websticky
    mode http
    bind :8091
    default_backend b_web
backend b_web
    mode http
    balance roundrobin
    stick-table type ip size 1k expire 30m
    stick on src
    server w1 $SL_BE1_IP:5080
    server w2 $SL_BE2_IP:5080
EOT
    [[ $1 == sluice ]] && sl_dataplane_cfg af_xdp
}

# servers PORT N ADDR... — for each ADDR, N new connections from it to PORT, GET /index.txt;
# prints "ADDR be1 be2 ..." (the backend that answered each, "-" for no answer)
servers() {
    sl_in sl-cli "$PY" - "$SL_VIP" "$@" <<'PY'
import socket, sys
vip, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
for a in sys.argv[4:]:
    got = []
    for i in range(n):
        try:
            s = socket.create_connection((vip, port), timeout=3, source_address=(a, 0))
            s.sendall(b"GET /index.txt HTTP/1.0\r\nHost: x\r\n\r\n")
            data = b""
            while True:
                d = s.recv(4096)
                if not d:
                    break
                data += d
            s.close()
            body = data.split(b"\r\n\r\n", 1)[-1].decode().strip()
            got.append(body.split()[-1] if body.startswith("backend") else "-")
        except Exception:
            got.append("-")
    print(a, " ".join(got))
PY
}

# codes ADDR N — N requests on new connections from ADDR to :8090; prints the status codes
codes() {
    sl_in sl-cli "$PY" - "$SL_VIP" "$@" <<'PY'
import socket, sys
vip, a, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
out = []
for i in range(n):
    try:
        s = socket.create_connection((vip, 8090), timeout=3, source_address=(a, 0))
        s.sendall(b"GET /index.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        data = s.recv(4096)
        out.append(data.split(b" ")[1].decode() if data.startswith(b"HTTP/1.1 ") else "-")
        s.close()
    except Exception:
        out.append("-")
print(" ".join(out))
PY
}

# one_server LINE: the server when every answer of "ADDR s s s ..." is the same one, else ""
one_server() { awk '{ for (i = 3; i <= NF; i++) if ($i != $2) { print ""; exit } print $2 }' <<<"$1"; }

# all_on PORT SERVER ADDR... — whether 5 connections from each ADDR all reach SERVER (prints the
# answers of those that do not)
all_on() {
    local port=$1 want=$2 a line rc=0
    shift 2
    for a in "$@"; do
        line=$(servers "$port" 5 "$a")
        [[ $(one_server "$line") == "$want" ]] || { rc=1; echo "     $line"; }
    done
    return $rc
}

# ctl SOCKET CMD... — the stats socket of the target (sluicectl speaks HAProxy's protocol)
ctl() { local s=$1; shift; "$SL_CTL" -s "$s" raw "$@"; }

run_checks() {
    local t=$1 sock=$2 port line srv a n before after
    echo "== $t"
    # ---------------------------------------------------------------- stickiness, L4 and HTTP
    for port in 9000 8091; do
        local all=1 seen=""
        while read -r line; do
            srv=$(one_server "$line")
            [[ -n $srv ]] || { all=0; echo "     not sticky: $line"; }
            seen="$seen $srv"
        done < <(servers "$port" 30 $CLIENTS)
        expect_eq "$t :$port stick on src: each of 6 clients on one server over 30 connections" "$all" 1
        n=$(tr ' ' '\n' <<<"$seen" | sort -u | grep -c .)
        expect_eq "$t :$port the clients spread over both servers" "$n" 2
    done
    line=$(servers 9001 10 10.77.0.31)
    n=$(tr ' ' '\n' <<<"${line#* }" | sort -u | grep -c .)
    expect_eq "$t :9001 roundrobin alone: one client reaches both servers" "$n" 2

    # ---------------------------------------------------------------- show table
    out=$(ctl "$sock" show table)
    check "$t show table lists b_stick" grep -q "^# table: b_stick, type: ip, size:204800, used:6" <<<"$out"
    check "$t show table lists web" grep -q "^# table: web, type: ip, size:102400, used:" <<<"$out"
    out=$(ctl "$sock" show table b_stick)
    echo "$out" | head -3 | sed 's/^/     /'
    check "$t show table b_stick: an entry in HAProxy's format" \
        grep -Eq "^0x[0-9a-f]+: key=10\.77\.0\.31 use=0 exp=[0-9]+ server_id=([12]) server_key=s\\1$" <<<"$out"

    # ---------------------------------------------------------------- a server in maintenance
    before=$(servers 9000 1 $CLIENTS)
    local on_s1
    on_s1=$(awk '$2 == "be1" { print $1 }' <<<"$before" | tr '\n' ' ')
    ctl "$sock" disable server b_stick/s1 >/dev/null
    sleep 0.5
    all_on 9000 be2 $on_s1
    check "$t clients of s1 (${on_s1:-none}) move to s2 while s1 is in maintenance" test $? = 0 -a -n "$on_s1"
    ctl "$sock" enable server b_stick/s1 >/dev/null
    sleep 0.5
    all_on 9000 be2 $on_s1
    local stay=$((1 - $?))
    expect_eq "$t after s1 is back they stay on s2 (the entry was replaced)" "$stay" 1

    # ---------------------------------------------------------------- clear table key
    ctl "$sock" clear table b_stick key 10.77.0.36 >/dev/null
    out=$(ctl "$sock" show table b_stick)
    check "$t clear table b_stick key 10.77.0.36 removes it" test "$(grep -c 'key=10.77.0.36 ' <<<"$out")" = 0
    check "$t  and only it" grep -q "key=10.77.0.35 " <<<"$out"

    # ---------------------------------------------------------------- the rate limit
    line=$(codes "$LIMITED" 25)
    expect_eq "$t 20 requests pass, the 21st to 25th get 429 (sc_http_req_rate(0) gt 20)" "$line" \
        "$(printf '200 %.0s' $(seq 20))429 429 429 429 429"
    out=$(ctl "$sock" show table web)
    echo "$out" | grep "key=$LIMITED" | sed 's/^/     /'
    check "$t show table web: the client's http_req_rate(3000)=25" grep -Eq "key=$LIMITED use=0 exp=[0-9]+ conn_cur=0 http_req_rate\(3000\)=25$" <<<"$out"
    sleep 6.3
    expect_eq "$t two periods later a request passes again" "$(codes "$LIMITED" 1)" "200"
}

make_cfg haproxy >"$SL_RUN_DIR/haproxy.cfg"
make_cfg sluice >"$SL_RUN_DIR/sluice.cfg"

# ---------------------------------------------------------------- HAProxy 2.6
sl_lb_kernel_addr
if sl_haproxy_start "$SL_RUN_DIR/haproxy.cfg"; then
    ok "HAProxy starts with the configuration"
    sl_wait_tcp sl-cli "$SL_VIP" 8090 10 # (not 9000: its table would hold the waiting client)
    run_checks haproxy "$HSOCK"
else
    bad "HAProxy starts with the configuration"
fi
sl_haproxy_stop

# ---------------------------------------------------------------- sluice
check "configuration passes sluiced -c" "$SL_SLUICED" -q -c -f "$SL_RUN_DIR/sluice.cfg"
check "sluiced starts" sl_sluiced_start "$SL_RUN_DIR/sluice.cfg" || exit 1
echo "     layout: $(grep -E '^ *cores' "$SL_RUN_DIR/sluice.cfg"), $(sl_ctl show lcores | grep -c worker) worker lcore(s)"
sl_wait_tcp sl-cli "$SL_VIP" 8090 10
run_checks sluice "$SL_SOCK"
check "stick_hits counted" test "$(sl_ctr stick_hits)" -gt 0

# ---------------------------------------------------------------- reloads (sluice: in process)
before=$(servers 9000 1 $CLIENTS)
make_cfg sluice >"$SL_RUN_DIR/sluice.cfg"
printf 'frontend extra\n    mode tcp\n    bind :9009\n    default_backend b_rr\n' >>"$SL_RUN_DIR/sluice.cfg"
check "reload with b_stick unchanged applied" grep -q "reload applied" <<<"$(sl_ctl reload 2>&1)"
after=$(servers 9000 1 $CLIENTS)
expect_eq "the entries survive the reload: every client on the same server" "$after" "$before"
check "show table b_stick still has the entries" \
    grep -q "^# table: b_stick, type: ip, size:204800, used:6" <<<"$(ctl "$SL_SOCK" show table)"
make_cfg sluice 100k >"$SL_RUN_DIR/sluice.cfg"
check "reload with b_stick's size changed applied" grep -q "reload applied" <<<"$(sl_ctl reload 2>&1)"
check "its entries are dropped (used:0)" \
    grep -q "^# table: b_stick, type: ip, size:102400, used:0" <<<"$(ctl "$SL_SOCK" show table)"
check "and said so" grep -q "stick-table of 'b_stick' changed its definition: its entries are dropped" \
    "$SL_RUN_DIR/logs/sluiced.log"
