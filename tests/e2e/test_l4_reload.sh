#!/usr/bin/env bash
# tests/e2e/test_l4_reload.sh — what a flow and the local ports keep across configurations:
#  - a mode tcp flow keeps its own frontend's timeouts through a reload that reorders the
#    frontends (a flow used to keep an index into the generation's services: after the reload it
#    read another frontend's 1 s timeouts and was dropped after a short idle);
#  - binds inside the default local-port ranges move the ranges (the port plan) instead of being
#    swallowed: a mode tcp bind in the probe range (61500) reaches its server, an HTTP bind in the
#    proxy lcores' server-side range (20000) serves every request, and checks (now probing from
#    the moved range) see the servers UP;
#  - a reload whose binds would move a range is refused (restart-only), the running one serves.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/lib/e2e.sh" 180 "$0" "$@"
trap 'sl_e2e_finish' EXIT

check "net up" sl_net_up || exit 1
check "backend be1" sl_backend_start sl-be1 be1
check "backend be2" sl_backend_start sl-be2 be2
CFG=$SL_RUN_DIR/sluice.cfg
PY=python3

# write_cfg ORDER [EXTRA]: ORDER "short-first" or "long-first" (which mode tcp frontend comes
# first in the file), EXTRA a bind line for frontend web2
write_cfg() {
    local short long
    short=$(printf 'frontend short\n    mode tcp\n    bind :9001\n    timeout client 1s\n    default_backend b_short\n')
    long=$(printf 'frontend long\n    mode tcp\n    bind :9002\n    timeout client 30s\n    default_backend b_long\n')
    printf 'global\n    stats socket %s mode 600 level admin\n' "$SL_SOCK"
    cat <<EOT
defaults
    timeout connect 2s
    timeout client 30s
    timeout server 30s
EOT
    if [[ $1 == short-first ]]; then printf '%s\n%s\n' "$short" "$long"; else printf '%s\n%s\n' "$long" "$short"; fi
    cat <<EOT
backend b_short
    mode tcp
    timeout server 1s
    server s1 $SL_BE1_IP:5080
backend b_long
    mode tcp
    timeout server 30s
    server l1 $SL_BE1_IP:5080

frontend probeport
    mode tcp
    bind :61500
    default_backend b_probed
backend b_probed
    mode tcp
    server p2 $SL_BE2_IP:5080 check inter 300 fall 2 rise 1

frontend web2
    mode http
    bind :20000
    ${2:-}
    default_backend web
backend web
    mode http
    option httpchk GET /
    server w1 $SL_BE1_IP:5080 check inter 300 fall 2 rise 1
    server w2 $SL_BE2_IP:5080 check inter 300 fall 2 rise 1
EOT
    sl_dataplane_cfg af_xdp
}
write_cfg short-first >"$CFG"
check "config passes sluiced -c" "$SL_SLUICED" -q -c -f "$CFG"
check "sluiced starts" sl_sluiced_start "$CFG" || exit 1
status() { sl_ctl raw show stat | awk -F, -v b="$1" -v s="$2" '$1==b && $2==s {print $18}'; }

# ---------------------------------------------------------------- binds inside default ranges
for i in $(seq 40); do
    [[ $(status b_probed p2) == UP* && $(status web w1) == UP* && $(status web w2) == UP* ]] && break
    sleep 0.25
done
expect_eq "a TCP check from the moved probe range: p2" "$(status b_probed p2 | cut -c1-2)" "UP"
expect_eq "HTTP checks from the proxy lcores' ports: w1" "$(status web w1 | cut -c1-2)" "UP"
expect_eq "  w2" "$(status web w2 | cut -c1-2)" "UP"
got=$(sl_in sl-cli curl -s --max-time 5 -o /dev/null -w '%{http_code}' "http://$SL_VIP:61500/")
expect_eq "a mode tcp bind in the default probe range (61500) reaches its server" "$got" "200"
n=0
for i in $(seq 30); do
    c=$(sl_in sl-cli curl -s --max-time 5 -o /dev/null -w '%{http_code}' "http://$SL_VIP:20000/")
    [[ $c == 200 ]] && n=$((n + 1))
done
expect_eq "an HTTP bind in the default server-side range (20000): every request answered" "$n" 30

# ---------------------------------------------------------------- a flow keeps its timeouts
# a keep-alive HTTP connection through frontend `long` (30 s); during its idle time the file is
# reloaded with `long` first; 3 s later (past `short`'s 1 s) the next request on it is answered
sl_in sl-cli "$PY" - "$SL_VIP" >"$SL_RUN_DIR/keep.out" 2>&1 <<'PY' &
import socket, sys, time
s = socket.create_connection((sys.argv[1], 9002), timeout=5)
req = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"
s.sendall(req)
print("first", s.recv(4096).split(b"\r\n")[0].decode(), flush=True)
time.sleep(4)
s.sendall(req)
try:
    print("second", s.recv(4096).split(b"\r\n")[0].decode(), flush=True)
except Exception as e:
    print("second", type(e).__name__, flush=True)
PY
keeper=$!
sleep 1
write_cfg long-first >"$CFG"
out=$(sl_ctl reload 2>&1)
check "reload with the frontends reordered applied" grep -q "reload applied" <<<"$out"
wait "$keeper"
check "the flow's first request answered" grep -q "^first HTTP/1.1 200" "$SL_RUN_DIR/keep.out"
check "after the reload and 4 s idle the same flow still works (its own 30 s timeouts)" \
    grep -q "^second HTTP/1.1 200" "$SL_RUN_DIR/keep.out"
cat "$SL_RUN_DIR/keep.out" | sed 's/^/    /'
# and a flow of `short` does time out after 1 s idle (the timeouts are in effect)
got=$(sl_in sl-cli "$PY" - "$SL_VIP" <<'PY'
import socket, sys, time
s = socket.create_connection((sys.argv[1], 9001), timeout=3)
req = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"
s.sendall(req)
s.recv(4096)
time.sleep(2.5)
try:
    s.sendall(req)
    print("answered" if s.recv(4096) else "closed")
except Exception as e:
    print(type(e).__name__)
PY
)
check "a flow of frontend short is gone after 2.5 s idle (timeout 1 s): $got" test "$got" != answered

# ---------------------------------------------------------------- a reload cannot move the ranges
write_cfg long-first "bind :40000" >"$CFG"
out=$(sl_ctl reload 2>&1)
rc=$?
check "a reload whose bind falls in the L4 source-port range is refused (restart-only)" \
    grep -q "reload refused: the new binds move the local port ranges" <<<"$out"
expect_eq "  sluicectl exits 1" "$rc" 1
got=$(sl_in sl-cli curl -s --max-time 5 -o /dev/null -w '%{http_code}' "http://$SL_VIP:20000/")
expect_eq "  the running configuration still serves" "$got" "200"
