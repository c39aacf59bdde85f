#!/usr/bin/env bash
# tests/e2e/test_reload.sh — server states and live reconfiguration, with an iperf3 stream and an
# RTMP publish to the healthy backend (be2) running through all of it without a break:
#  - nginx killed on be1: its servers DOWN within inter x fall (+1 s), no HTTP request fails
#    (a client loop runs all along), no new RTMP flow goes there; restarted: UP after rise;
#  - an HTTP check on a path that answers 500: DOWN with L7STS, code 500;
#  - drain: a client holding be1's cookie still reaches be1, new clients do not;
#  - SIGHUP with a configuration that adds a third server (10.77.0.23, in be2's namespace) to
#    every backend and removes be1's: applied, new flows and requests reach the new server and
#    never the removed one, a header rule changed on the frontend applies to the next request;
#  - a broken configuration (SIGHUP and the `reload` command) and a restart-only change are
#    refused with file, line and reason, and traffic goes on.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/lib/e2e.sh" 300 "$0" "$@"
trap 'sl_e2e_finish pkill -f "ffmpeg.*rtmp://$SL_VIP"' EXIT

check "net up" sl_net_up || exit 1
check "backend be1" sl_backend_start sl-be1 be1
check "backend be2" sl_backend_start sl-be2 be2
BE3_IP=10.77.0.23
sl_in sl-be2 ip addr add "$BE3_IP/24" dev "$SL_BE2_IF"
for b in be1 be2; do sl_bg "sl-$b" "iperf3-$b" iperf3 -s -p 5201 >/dev/null; done
sl_bg sl-be2 iperf3-be3 iperf3 -s -B "$BE3_IP" -p 5202 >/dev/null
mkdir -p "$SL_RUN_DIR/be3"
echo "backend be3" >"$SL_RUN_DIR/be3/index.html"
sl_bg sl-be2 http-be3 python3 -m http.server 5081 --bind "$BE3_IP" --directory "$SL_RUN_DIR/be3" >/dev/null
check "iperf3 and the third server listen" bash -c "sleep 1; ip netns exec '$SL_NS_BE2' ss -ltn | grep -q '$BE3_IP:5081' && ip netns exec '$SL_NS_BE2' ss -ltn | grep -q '$BE3_IP:5202'"

INTER=500 FALL=2 RISE=2
CHK="check inter $INTER fall $FALL rise $RISE"
CFG=$SL_RUN_DIR/sluice.cfg
# write_cfg VERSION — v1: be1 and be2; v2: be2 and the third server, a header rule changed
write_cfg() {
    local v=$1 rtmp iperf web
    if [[ $v == 1 ]]; then
        rtmp="r1 $SL_BE1_IP:1935,r2 $SL_BE2_IP:1935" iperf="i1 $SL_BE1_IP:5201,i2 $SL_BE2_IP:5201"
        web="w1 $SL_BE1_IP:5080,w2 $SL_BE2_IP:5080"
    else
        rtmp="r2 $SL_BE2_IP:1935,r3 $BE3_IP:1935" iperf="i2 $SL_BE2_IP:5201,i3 $BE3_IP:5202"
        web="w2 $SL_BE2_IP:5080,w3 $BE3_IP:5081"
    fi
    servers() { # servers "NAME ADDR,NAME ADDR" [cookie]
        local list s
        IFS=, read -ra list <<<"$1"
        for s in "${list[@]}"; do
            printf '    server %s %s %s\n' "$s" "$CHK" "${2:+cookie ${s%% *}}"
        done
    }
    {
        printf 'global\n    maxconn 4000\n    stats socket %s mode 600 level admin\n' "$SL_SOCK"
        cat <<EOT
defaults
    timeout connect 2s
    timeout client 60s
    timeout server 60s
    timeout http-keep-alive 5s

frontend rtmp_in
    mode tcp
    bind :1935
    default_backend rtmp

frontend iperf_in
    mode tcp
    bind :5201
    default_backend iperf

frontend web
    mode http
    bind :80
    http-request set-header X-Test cfg-$v
    default_backend web_be

backend chk500
    mode http
    option httpchk GET /fail
    server f1 $SL_BE1_IP:5080 $CHK

backend rtmp
    mode tcp
    balance roundrobin
$(servers "$rtmp")

backend iperf
    mode tcp
$(servers "$iperf")

backend web_be
    mode http
    balance roundrobin
    cookie SRV insert indirect nocache
    option httpchk GET /
    option redispatch
    retries 2
$(servers "$web" cookie)
EOT
        printf '%s\n' "${EXTRA:-}"
        sl_dataplane_cfg af_xdp
    }
}
write_cfg 1 >"$CFG"
check "sluiced starts" sl_sluiced_start "$CFG" || exit 1
LOG=$SL_RUN_DIR/logs/sluiced.log

field() { # field BACKEND SERVER COLUMN (check_status without HAProxy's "* " check-in-progress mark)
    sl_ctl raw show stat | awk -F, -v b="$1" -v s="$2" -v c="$3" '$1 == b && $2 == s { sub(/^\* /, "", $c); print $c }'
}
status() { field "$1" "$2" 18; }
wait_status() { # wait_status BACKEND SERVER REGEX SECONDS -> prints the milliseconds it took
    local t0 i
    t0=$(date +%s%N)
    for i in $(seq $(( $4 * 20 ))); do
        if [[ $(status "$1" "$2") =~ $3 ]]; then
            echo $(( ($(date +%s%N) - t0) / 1000000 ))
            return 0
        fi
        sleep 0.05
    done
    return 1
}
curl_cli() { sl_in sl-cli curl -s --max-time 3 "$@"; }

check "every server UP after the first checks" bash -c "sleep 2; for s in rtmp,r1 rtmp,r2 iperf,i1 iperf,i2 web_be,w1 web_be,w2; do '$SL_CTL' -s '$SL_SOCK' raw show stat | grep -q \"^\$s,.*,UP,\" || exit 1; done"
# ---------------------------------------------------------------- HTTP check answered by 500
if wait_status chk500 f1 '^DOWN' 5 >/dev/null; then ok "HTTP check on /fail: chk500/f1 DOWN"; else bad "chk500/f1: $(status chk500 f1)"; fi
expect_eq "its check_status and code" "$(field chk500 f1 37) $(field chk500 f1 38)" "L7STS 500"

# ---------------------------------------------------------------- the long-lived streams, on be2
sl_ctl disable server rtmp/r1 >/dev/null
sl_ctl disable server iperf/i1 >/dev/null
sl_bg sl-cli iperf3-client bash -c "iperf3 -c $SL_VIP -p 5201 -t 32 -b 40M -i 1 -J --logfile $SL_RUN_DIR/iperf3.json; echo \$? >$SL_RUN_DIR/rc-iperf" >/dev/null
sl_bg sl-cli ffmpeg-long bash -c "ffmpeg -nostdin -loglevel error -re -f lavfi -i testsrc=size=320x240:rate=25 -t 32 \
    -c:v libx264 -preset ultrafast -g 25 -f flv rtmp://$SL_VIP/live/long; echo \$? >$SL_RUN_DIR/rc-long" >/dev/null
sleep 3
check "the stream publishes on be2" test -f "$SL_RUN_DIR/be/be2/hls/long.m3u8"
check "iperf3 runs on be2 (i2 has the flow)" bash -c "[[ \$('$SL_CTL' -s '$SL_SOCK' raw show stat | awk -F, '\$1==\"iperf\" && \$2==\"i2\" {print \$5}') -ge 1 ]]"
sl_ctl enable server rtmp/r1 >/dev/null
sl_ctl enable server iperf/i1 >/dev/null

# an HTTP client loop all along: every answer must be a 200
sl_bg sl-cli http-loop bash -c "while :; do curl -s -o /dev/null -w '%{http_code}\n' --max-time 3 http://$SL_VIP/ >>$SL_RUN_DIR/codes; sleep 0.02; done" >/dev/null

# ---------------------------------------------------------------- be1 dies and comes back
sleep 1
n_kill=$(wc -l <"$SL_RUN_DIR/codes")
sl_backend_stop be1
limit=$(( (INTER * FALL + 1000) / 1000 + 1 ))
if ms=$(wait_status rtmp r1 '^DOWN$' "$limit"); then ok "r1 DOWN ${ms} ms after nginx stopped (inter x fall = $((INTER * FALL)) ms)"; else bad "r1 not DOWN within ${limit}s: $(status rtmp r1)"; fi
wait_status web_be w1 '^DOWN$' 3 >/dev/null
n_down=$(wc -l <"$SL_RUN_DIR/codes")
expect_eq "r1's check_status" "$(field rtmp r1 37)" "L4CON"
stot_r1=$(field rtmp r1 8)
for i in 1 2 3 4; do
    sl_in sl-cli timeout 5 ffmpeg -nostdin -loglevel error -f lavfi -i testsrc=size=160x120:rate=25 -t 1 \
        -c:v libx264 -preset ultrafast -f flv "rtmp://$SL_VIP/live/d$i" >/dev/null 2>&1
done
expect_eq "while r1 is DOWN, no new RTMP flow goes to it (stot)" "$(field rtmp r1 8)" "$stot_r1"
check "and those publishes reached be2" test -f "$SL_RUN_DIR/be/be2/hls/d4.m3u8"
sl_backend_start sl-be1 be1 >/dev/null
if ms=$(wait_status rtmp r1 '^UP' 5); then ok "r1 UP ${ms} ms after nginx restarted (rise $RISE x inter $INTER)"; else bad "r1 not UP: $(status rtmp r1)"; fi
wait_status web_be w1 '^UP' 5 >/dev/null

# ---------------------------------------------------------------- drain keeps cookie holders
sl_ctl set server web_be/w1 state drain >/dev/null
expect_eq "w1 DRAIN" "$(status web_be w1)" "DRAIN"
on=$(for i in 1 2 3 4; do curl_cli -b SRV=w1 -D - -o /dev/null http://$SL_VIP/ | tr -d '\r' | awk -F': ' 'tolower($1)=="x-backend" {print $2}'; done | sort -u | tr '\n' ' ')
expect_eq "clients with w1's cookie still reach be1" "$on" "be1 "
on=$(for i in 1 2 3 4; do curl_cli -D - -o /dev/null http://$SL_VIP/ | tr -d '\r' | awk -F': ' 'tolower($1)=="x-backend" {print $2}'; done | sort -u | tr '\n' ' ')
expect_eq "new clients do not" "$on" "be2 "
sl_ctl set server web_be/w1 state ready >/dev/null

# ---------------------------------------------------------------- a broken configuration is refused
cp "$CFG" "$CFG.good"
printf 'backend broken\n    mode http\n    balance nonsense\n' >>"$CFG"
kill -HUP "$(cat "$SL_RUN_DIR/pids/sluiced.pid")"
sleep 1
check "SIGHUP with a broken file: refused, with file:line" grep -q "sluice.cfg:[0-9]*: .*balance" "$LOG"
check "  and 'reload refused' logged" grep -q "reload refused: the configuration is invalid" "$LOG"
out=$(sl_ctl reload 2>&1)
rc=$?
check "the reload command says so too" grep -q "reload refused" <<<"$out"
expect_eq "  and sluicectl exits 1 (a refused reload)" "$rc" 1
# what `systemctl reload` runs (dist/sluiced.service): sluiced's own admin socket, by its pid
own=/run/sluice/sluiced-$(cat "$SL_RUN_DIR/pids/sluiced.pid").sock
check "sluiced's own admin socket exists ($own)" test -S "$own"
"$SL_CTL" -s "$own" reload >/dev/null 2>&1
expect_eq "  a reload refused through it exits 1 (systemctl reload fails)" "$?" 1
expect_eq "the running configuration still has r1" "$(status rtmp r1 | cut -c1-2)" "UP"
# restart-only: global maxconn
sed -e 's/^    maxconn 4000$/    maxconn 5000/' "$CFG.good" >"$CFG"
out=$(sl_ctl reload 2>&1)
check "a global maxconn change is refused as needing a restart" grep -q "global: 'maxconn' cannot change in a running process (restart sluiced)" <<<"$out"
# more HTTP ports than a running process has listener slots: refused before anything applies
sed -e 's/^frontend web$/frontend many\n    mode http\n    bind :1100-1399\n    default_backend web_be\nfrontend web/' "$CFG.good" >"$CFG"
out=$(sl_ctl reload 2>&1)
check "a reload needing more listener slots than a proxy lcore holds is refused first" grep -q "reload refused: the new configuration listens on [0-9]* HTTP ports" <<<"$out"
check "  and nothing was applied" bash -c "! grep -q 'reload applied' <<<'$out'"
expect_eq "  the running configuration still serves" "$(curl_cli -o /dev/null -w '%{http_code}' http://$SL_VIP/)" 200
cp "$CFG.good" "$CFG"

# ---------------------------------------------------------------- SIGHUP: add a third server, remove be1's
hdr=$(curl_cli http://$SL_VIP/echo-headers | awk -F': ' '$1=="x-test" {print $2}')
expect_eq "before the reload the header rule says" "$hdr" "cfg-1"
write_cfg 2 >"$CFG"
kill -HUP "$(cat "$SL_RUN_DIR/pids/sluiced.pid")"
for i in $(seq 40); do grep -q "reload applied" "$LOG" && break; sleep 0.1; done
check "SIGHUP: reload applied" grep -q "reload applied: configuration 1" "$LOG"
check "  the log lists the changes" bash -c "grep -q 'server rtmp/r3 added (10.77.0.23:1935)' '$LOG' && grep -q 'server web_be/w1 removed' '$LOG'"
sleep 0.5
stat=$(sl_ctl raw show stat)
check "show stat: r3, i3, w3 present" bash -c "grep -q '^rtmp,r3,' <<<'$stat' && grep -q '^iperf,i3,' <<<'$stat' && grep -q '^web_be,w3,' <<<'$stat'"
check "show stat: r1, i1, w1 gone" bash -c "! grep -qE '^(rtmp,r1|iperf,i1|web_be,w1),' <<<'$stat'"
expect_eq "r2 kept its counters (stot >= 1)" "$( (( $(field rtmp r2 8) >= 1 )) && echo yes)" "yes"
hdr=$(curl_cli -b SRV=w2 http://$SL_VIP/echo-headers | awk -F': ' '$1=="x-test" {print $2}')
expect_eq "the changed header rule applies to the next request (to w2: nginx echoes it)" "$hdr" "cfg-2"
# both servers UP first: on a loaded machine a check may time out and take one out a moment
for i in $(seq 40); do
    [[ $(status web_be w2) == UP* && $(status web_be w3) == UP* ]] && break
    sleep 0.25
done
# The HTTP loop runs beside these requests on the same roundrobin cursor: taking turns with it,
# ours could all land on one server. So the spread is read from both servers' stot.
s2=$(field web_be w2 8); s3=$(field web_be w3 8)
on=$(for i in 1 2 3 4 5 6; do curl_cli http://$SL_VIP/ | awk '{print $2}'; done | sort -u | tr '\n' ' ')
check "new requests reach be2 and the new server (stot +$(( $(field web_be w2 8) - s2 )) and +$(( $(field web_be w3 8) - s3 )))" \
    bash -c "(( $(field web_be w2 8) > $s2 && $(field web_be w3 8) > $s3 ))"
check "  never be1 (ours reached: $on)" bash -c "[[ -n '$on' && '$on' != *be1* ]]"
if wait_status rtmp r3 '^UP' 5 >/dev/null; then ok "r3 checked and UP"; else bad "r3: $(status rtmp r3)"; fi
for i in 1 2 3 4; do
    sl_in sl-cli timeout 5 ffmpeg -nostdin -loglevel error -f lavfi -i testsrc=size=160x120:rate=25 -t 1 \
        -c:v libx264 -preset ultrafast -f flv "rtmp://$SL_VIP/live/n$i" >/dev/null 2>&1
done
expect_eq "new RTMP flows reach r3 too (stot)" "$( (( $(field rtmp r3 8) >= 1 )) && echo yes)" "yes"
check "and none reaches be1" bash -c "! ls '$SL_RUN_DIR'/be/be1/hls/n*.m3u8 >/dev/null 2>&1"
check "show l4 names the configuration generation" bash -c "'$SL_CTL' -s '$SL_SOCK' show l4 | grep -q '(configuration 1)'"

# ---------------------------------------------------------------- the streams went through it all
for i in $(seq 120); do [[ -f $SL_RUN_DIR/rc-iperf && -f $SL_RUN_DIR/rc-long ]] && break; sleep 0.5; done
sl_stop http-loop
expect_eq "iperf3 ended cleanly" "$(cat "$SL_RUN_DIR/rc-iperf" 2>/dev/null)" "0"
gaps=$(python3 -c "
import json; d = json.load(open('$SL_RUN_DIR/iperf3.json'))
iv = [i['sum']['bytes'] for i in d['intervals']]
print(len(iv), sum(1 for b in iv if b == 0))" 2>/dev/null)
check "iperf3: every 1 s interval carried data (intervals, empty: $gaps)" bash -c "[[ '$gaps' =~ ^(2[89]|3[0-9])\ 0$ ]]"
expect_eq "the RTMP publish ended cleanly" "$(cat "$SL_RUN_DIR/rc-long" 2>/dev/null)" "0"
# between the kill and the DOWN a request may meet the dying server: `option redispatch` sends
# the retry elsewhere (counted, not asserted); before and after, every answer must be a 200
window=$(sed -n "$((n_kill + 1)),${n_down}p" "$SL_RUN_DIR/codes" | sort | uniq -c | tr -s ' ' | tr '\n' ';')
rest=$(sed "$((n_kill + 1)),${n_down}d" "$SL_RUN_DIR/codes")
codes=$(sort <<<"$rest" | uniq -c | tr -s ' ' | tr '\n' ';')
nall=$(wc -l <<<"$rest")
n200=$(grep -c '^200$' <<<"$rest")
echo "     requests between be1's death and its DOWN: $window"
check "HTTP loop: all $nall requests outside that window answered 200 ($codes)" bash -c "(( $nall > 100 && $n200 == $nall ))"

# ---------------------------------------------------------------- old configurations freed
check "the replaced configuration was freed once no session used it" bash -c "sleep 0.5; '$SL_CTL' -s '$SL_SOCK' show l4 | grep -q '; 0 replaced configuration(s) still in use'"
# a proxied download from the third server, which the next reload removes: it goes on, and its
# session keeps the replaced configuration until it ends (then that one is freed)
head -c 4000000 /dev/urandom >"$SL_RUN_DIR/be3/big"
sl_bg sl-cli slow-get bash -c "curl -s -o /dev/null -w '%{size_download}' -b SRV=w3 --limit-rate 400k --max-time 6 http://$SL_VIP/big >$SL_RUN_DIR/slow-size" >/dev/null
sleep 1
write_cfg 1 >"$CFG"
out=$(sl_ctl reload 2>&1)
check "reload back to the first configuration (w3 removed): applied" grep -q "reload applied: configuration 2" <<<"$out"
check "  the download from w3 holds the replaced configuration" bash -c "'$SL_CTL' -s '$SL_SOCK' show l4 | grep -q '; 1 replaced configuration(s) still in use'"
for i in $(seq 60); do [[ -s $SL_RUN_DIR/slow-size ]] && break; sleep 0.2; done
size=$(cat "$SL_RUN_DIR/slow-size" 2>/dev/null || echo 0)
check "  and goes on after the reload ($size bytes in 6 s at 400 kB/s)" bash -c "(( ${size:-0} > 1800000 ))"
check "  once it ended, the replaced configuration is freed" bash -c "for i in \$(seq 50); do '$SL_CTL' -s '$SL_SOCK' show l4 | grep -q '; 0 replaced' && exit 0; sleep 0.1; done; exit 1"

# ---------------------------------------------------------------- an HTTP frontend added and removed
EXTRA=$'frontend web_extra\n    mode http\n    bind :8081\n    default_backend web_be\n' write_cfg 1 >"$CFG"
out=$(sl_ctl reload 2>&1)
check "reload adding an HTTP frontend on a new port (:8081): applied" grep -q "frontend web_extra added" <<<"$out"
expect_eq "  it answers" "$(sl_in sl-cli curl -s --max-time 3 -o /dev/null -w '%{http_code}' http://$SL_VIP:8081/)" 200
# a download started on :8081 before the frontend goes must finish after it went
sl_bg sl-cli extra-get bash -c "curl -s -o /dev/null -w '%{http_code} %{size_download}' --limit-rate 3M --max-time 20 http://$SL_VIP:8081/big >$SL_RUN_DIR/extra-get" >/dev/null
sleep 1
write_cfg 1 >"$CFG"
out=$(sl_ctl reload 2>&1)
check "reload removing it: applied" grep -q "frontend web_extra removed" <<<"$out"
for i in $(seq 100); do [[ -s $SL_RUN_DIR/extra-get ]] && break; sleep 0.2; done
expect_eq "  the download started on :8081 before finished whole after" "$(cat "$SL_RUN_DIR/extra-get")" "200 $(stat -c %s "$SL_RUN_DIR/big")"
sleep 0.2
expect_eq "  :8081 is refused now" "$(sl_in sl-cli curl -s --max-time 3 -o /dev/null -w '%{http_code}' http://$SL_VIP:8081/)" 000
expect_eq "  :80 goes on" "$(sl_in sl-cli curl -s --max-time 3 -o /dev/null -w '%{http_code}' http://$SL_VIP/)" 200
