#!/usr/bin/env bash
# tests/e2e/test_page.sh — the seed's stats listener (`listen stats`, :6080, basic auth, realm
# "Haproxy Statistics") served by sluice's own TCP stack on the VIP: 401 on missing, wrong and
# malformed credentials with the challenge, 200 with them, every proxy and server named on the
# page, ;csv in HAProxy's format, ;json parseable, counters that move with traffic, 404 elsewhere.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/lib/check.sh"
sl_under_timeout 240 "$0" "$@"
source "$HERE/lib/deps.sh"
source "$HERE/lib/net.sh"
source "$HERE/lib/sluiced.sh"
trap 'sl_e2e_finish pkill -f "ffmpeg.*rtmp://$SL_VIP"' EXIT
[[ $(id -u) -eq 0 ]] || { echo "needs root" >&2; exit 1; }
[[ "${SL_E2E_NO_INSTALL:-0}" == 1 ]] || sl_e2e_install_deps >/dev/null || { bad "install deps"; exit 1; }

# The stats listener's maxconn below counts its connections on every proxy lcore (the default two):
# the 8 held ones may be spread over both, the 9th waits wherever it lands.
check "net up" sl_net_up || exit 1
check "backend be1" sl_backend_start sl-be1 be1
check "backend be2" sl_backend_start sl-be2 be2
CFG=$SL_RUN_DIR/sluice.cfg
{
    # the seed's stats listener with a maxconn, to see its limit act
    sed -e "s/172.30.0.42/$SL_BE1_IP/; s/172.30.0.48/$SL_BE2_IP/" \
        -e 's/^listen stats .*/&\n  maxconn 8/' "$SL_REPO/tests/fixtures/seed/seed-common.cfg"
    sed -e "s/172.17.0.2/$SL_BE1_IP/; s/172.17.0.3/$SL_BE2_IP/" "$SL_REPO/tests/fixtures/seed/seed-hls.cfg"
    printf 'global\n    stats socket %s mode 600 level admin\n' "$SL_SOCK"
    sl_dataplane_cfg af_xdp
} >"$CFG"
check "sluiced starts with the seed's configuration" sl_sluiced_start "$CFG" || exit 1

URL="http://$SL_VIP:6080/haproxy_stats"
code() { sl_in sl-cli curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$@"; }
expect_eq "no credentials: 401" "$(code "$URL")" 401
expect_eq "wrong password: 401" "$(code -u Username:wrong "$URL")" 401
expect_eq "unknown user: 401" "$(code -u nobody:Password "$URL")" 401
expect_eq "not base64: 401" "$(code -H 'Authorization: Basic !!!notbase64' "$URL")" 401
expect_eq "no colon: 401" "$(code -H "Authorization: Basic $(printf 'UsernamePassword' | base64)" "$URL")" 401
expect_eq "another scheme: 401" "$(code -H 'Authorization: Bearer abc' "$URL")" 401
check "the challenge names the realm" bash -c "ip netns exec '$SL_NS_CLI' curl -s -D - -o /dev/null '$URL' | grep -qi '^WWW-Authenticate: Basic realm=\"Haproxy Statistics\"'"
expect_eq "with the seed's credentials: 200" "$(code -u Username:Password "$URL")" 200
expect_eq "another path: 404" "$(code -u Username:Password "http://$SL_VIP:6080/other")" 404

sl_in sl-cli curl -s -u Username:Password "$URL" >"$SL_RUN_DIR/page.html"
for name in stats rtmp_lb backend_rtmp http_lb backend_http backend_http_sticky ams1 ams2; do
    check "page names $name" grep -q ">$name<" "$SL_RUN_DIR/page.html"
done
check "no external asset on the page" bash -c "! grep -qE 'https?://|//cdn' '$SL_RUN_DIR/page.html'"

sl_in sl-cli curl -s -u Username:Password "$URL;csv" >"$SL_RUN_DIR/stat.csv"
check ";csv: HAProxy's header line" bash -c "head -1 '$SL_RUN_DIR/stat.csv' | grep -q '^# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,wredis,status,weight,'"
check ";csv: parsed by a consumer of HAProxy's CSV" /usr/bin/python3 - "$SL_RUN_DIR/stat.csv" <<'PY'
import csv, sys
lines = open(sys.argv[1]).read().splitlines()
hdr = lines[0][2:].rstrip(",").split(",")
rows = [dict(zip(hdr, r)) for r in csv.reader(l.rstrip(",") for l in lines[1:] if l)]
names = {(r["pxname"], r["svname"]) for r in rows}
need = {("rtmp_lb", "FRONTEND"), ("backend_rtmp", "ams1"), ("backend_rtmp", "ams2"), ("backend_rtmp", "BACKEND")}
sys.exit(0 if need <= names and all(r["status"] for r in rows) else 1)
PY
check ";json parses" bash -c "ip netns exec '$SL_NS_CLI' curl -s -u Username:Password '$URL;json' | /usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin); assert len(d) > 5'"

stot() { sl_in sl-cli curl -s -u Username:Password "$URL;csv" | awk -F, '$1 == "backend_rtmp" && $2 == "BACKEND" {print $8}'; }
before=$(stot)
sl_bg sl-cli ffmpeg-p ffmpeg -nostdin -loglevel error -re -f lavfi -i testsrc=size=160x120:rate=10 -t 3 \
    -c:v libx264 -preset ultrafast -f flv "rtmp://$SL_VIP/live/page" >/dev/null
sleep 5
after=$(stot)
check "counters move with traffic (backend_rtmp stot $before -> $after)" test "${after:-0}" -gt "${before:-0}"

# HTTP counters: requests through the seed's http_lb show on the page's CSV (HAProxy's columns)
for i in 1 2 3 4 5 6; do sl_in sl-cli curl -s -o /dev/null --max-time 5 "http://$SL_VIP:5080/"; done
sl_in sl-cli curl -s -u Username:Password "$URL;csv" >"$SL_RUN_DIR/stat2.csv"
check "HTTP counters: http_lb req_tot and hrsp_2xx, backend_http req_tot, servers' scur back to 0" \
    /usr/bin/python3 - "$SL_RUN_DIR/stat2.csv" <<'PY'
import csv, sys
lines = open(sys.argv[1]).read().splitlines()
hdr = lines[0][2:].rstrip(",").split(",")
rows = {(r["pxname"], r["svname"]): r for r in (dict(zip(hdr, x)) for x in csv.reader(l.rstrip(",") for l in lines[1:] if l))}
fe, be = rows[("http_lb", "FRONTEND")], rows[("backend_http", "BACKEND")]
print("http_lb req_tot", fe["req_tot"], "hrsp_2xx", fe["hrsp_2xx"], "stot", fe["stot"],
      "| backend_http req_tot", be["req_tot"], "| scur", rows[("backend_http", "ams1")]["scur"], rows[("backend_http", "ams2")]["scur"])
ok = int(fe["req_tot"]) >= 6 and int(fe["hrsp_2xx"]) >= 6 and int(fe["stot"]) >= 6 and int(be["req_tot"]) >= 6
ok = ok and int(be["hrsp_2xx"]) >= 6 and rows[("backend_http", "ams1")]["scur"] in ("0", "") and rows[("backend_http", "ams2")]["scur"] in ("0", "")
sys.exit(0 if ok else 1)
PY

# clear counters all: the cumulative columns start from zero, and count again
sl_ctl clear counters all >/dev/null
for i in 1 2; do sl_in sl-cli curl -s -o /dev/null --max-time 5 "http://$SL_VIP:5080/"; done
reqs=$(sl_in sl-cli curl -s -u Username:Password "$URL;csv" | awk -F, '$1 == "http_lb" && $2 == "FRONTEND" {print $49}')
expect_eq "clear counters all: http_lb req_tot counts from zero again" "$reqs" 2

# maxconn 8 on the stats listener: 8 idle connections fill it; a 9th SYN goes unanswered (as in
# HAProxy's full accept queue, not refused); once one of the 8 closes, a new one is served.
check "maxconn: the 9th connection waits while 8 are open, and gets in once one closes" \
    sl_in sl-cli /usr/bin/python3 - "$SL_VIP" <<'PY'
import socket, sys, time
vip = sys.argv[1]
held = [socket.create_connection((vip, 6080), timeout=3) for _ in range(8)]
time.sleep(0.3)
s = socket.socket()
s.settimeout(1.5)
try:
    s.connect((vip, 6080))
    print("9th connection accepted while full"); sys.exit(1)
except (socket.timeout, TimeoutError):
    pass
s.close()
held.pop().close()
time.sleep(0.5)
t = socket.create_connection((vip, 6080), timeout=5)
t.sendall(b"GET /haproxy_stats;csv HTTP/1.0\r\nAuthorization: Basic VXNlcm5hbWU6UGFzc3dvcmQ=\r\n\r\n")
data = t.recv(64)
sys.exit(0 if data.startswith(b"HTTP/1.") else 1)
PY
check "the refusals were counted" bash -c "'$SL_CTL' -s '$SL_SOCK' show tcp | grep -qE 'refused_maxconn [1-9]'"

