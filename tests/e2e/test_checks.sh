#!/usr/bin/env bash
# tests/e2e/test_checks.sh — health checks of mode tcp servers (TCP probes from the first worker):
#  - a backend whose nginx is stopped goes DOWN (L4CON) within inter x fall (+1 s), new RTMP
#    streams then all go to the other backend, and it comes back UP after rise checks;
#  - a backend that stops answering (100% loss) goes DOWN by L4TOUT, and with
#    `on-marked-down shutdown-sessions` its running stream is reset at once while the stream on
#    the other backend goes on.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/lib/check.sh"
sl_under_timeout 300 "$0" "$@"
source "$HERE/lib/deps.sh"
source "$HERE/lib/net.sh"
source "$HERE/lib/sluiced.sh"

trap 'sl_e2e_finish pkill -f "ffmpeg.*rtmp://$SL_VIP"' EXIT
[[ $(id -u) -eq 0 ]] || { echo "needs root" >&2; exit 1; }
[[ "${SL_E2E_NO_INSTALL:-0}" == 1 ]] || sl_e2e_install_deps >/dev/null || { bad "install deps"; exit 1; }

check "net up" sl_net_up || exit 1
check "backend be1" sl_backend_start sl-be1 be1
check "backend be2" sl_backend_start sl-be2 be2

# The seed's RTMP frontend and backend; the servers keep the seed's `check` and get short
# intervals and shutdown-sessions for the test.
INTER=1000 FALL=2 RISE=2
CFG=$SL_RUN_DIR/sluice.cfg
sed -e "s/172.30.0.42:1935 check/$SL_BE1_IP:1935 check inter $INTER fall $FALL rise $RISE on-marked-down shutdown-sessions/" \
    -e "s/172.30.0.48:1935 check/$SL_BE2_IP:1935 check inter $INTER fall $FALL rise $RISE on-marked-down shutdown-sessions/" \
    "$SL_REPO/tests/fixtures/seed/seed-common.cfg" >"$CFG"
cat >>"$CFG" <<EOT

frontend web_lb
    bind *:8080
    mode tcp
    timeout client 30s
    default_backend backend_web

backend backend_web
    mode tcp
    timeout connect 2s
    timeout server 30s
    option httpchk GET /index.txt
    http-check expect string backend
    server w1 $SL_BE1_IP:5080 check inter $INTER fall $FALL rise $RISE
    server w2 $SL_BE2_IP:5080 check inter $INTER fall $FALL rise $RISE

frontend bk_lb
    bind *:8082
    mode tcp
    timeout client 30s
    default_backend backend_bk

backend backend_bk
    mode tcp
    timeout connect 2s
    timeout server 30s
    server p1 $SL_BE1_IP:5080 check inter $INTER fall $FALL rise $RISE on-marked-up shutdown-backup-sessions
    server k1 $SL_BE2_IP:5080 check inter $INTER fall $FALL rise $RISE backup

frontend bad_lb
    bind *:8081
    mode tcp
    timeout client 30s
    default_backend backend_bad

backend backend_bad
    mode tcp
    timeout connect 2s
    timeout server 30s
    option httpchk
    http-check expect status 201
    server b1 $SL_BE1_IP:5080 check inter $INTER fall $FALL rise $RISE
EOT
{ printf 'global\n    stats socket %s mode 600 level admin\n' "$SL_SOCK"; sl_dataplane_cfg af_xdp; } >>"$CFG"
check "sluiced starts" sl_sluiced_start "$CFG" || exit 1

srv_field() { # srv_field SERVER COLUMN-NUMBER
    sl_ctl raw show stat | awk -F, -v s="$1" -v c="$2" '$1 == "backend_rtmp" && $2 == s { print $c }'
}
status() { srv_field "$1" 18; }
wait_status() { # wait_status SERVER REGEX SECONDS -> prints the seconds it took
    local t0 i
    t0=$(date +%s%N)
    for i in $(seq $(( $3 * 10 ))); do
        if [[ $(status "$1") =~ $2 ]]; then
            echo $(( ($(date +%s%N) - t0) / 1000000 ))
            return 0
        fi
        sleep 0.1
    done
    return 1
}
publish() {
    rm -f "$SL_RUN_DIR/rc-$1"
    sl_bg sl-cli "ffmpeg-$1" bash -c "ffmpeg -nostdin -loglevel error -re \
        -f lavfi -i testsrc=size=320x240:rate=25 -t $2 -c:v libx264 -preset ultrafast -g 25 \
        -f flv rtmp://$SL_VIP/live/$1; echo \$? >$SL_RUN_DIR/rc-$1" >/dev/null
}
alive() { [[ ! -f $SL_RUN_DIR/rc-$1 ]]; }
hls_on() { local b; for b in be1 be2; do [[ -f $SL_RUN_DIR/be/$b/hls/$1.m3u8 ]] && echo "$b"; done; }

check "both servers UP with L4OK after the first checks" bash -c "sleep 3; [[ \$('$SL_CTL' -s '$SL_SOCK' raw show stat | grep -c '^backend_rtmp,ams[12],.*,UP,.*L4OK') == 2 ]]"

# ---------------------------------------------------------------- HTTP checks (option httpchk)
row() { sl_ctl raw show stat | awk -F, -v b="$1" -v s="$2" '$1 == b && $2 == s'; }
check "HTTP check passes: backend_web/w1 UP, L7OK, code 200" bash -c "[[ \$('$SL_CTL' -s '$SL_SOCK' raw show stat | awk -F, '\$1==\"backend_web\" && \$2==\"w1\" {print \$18, \$37, \$38}') == 'UP L7OK 200' ]]"
check "HTTP check with a wrong expected status: backend_bad/b1 DOWN, L7STS, code 200" bash -c "sleep 2; [[ \$('$SL_CTL' -s '$SL_SOCK' raw show stat | awk -F, '\$1==\"backend_bad\" && \$2==\"b1\" {print \$18, \$37, \$38}') == 'DOWN L7STS 200' ]]"
echo "     $(row backend_web w1 | cut -d, -f1,2,18,37,38,39)"
echo "     $(row backend_bad b1 | cut -d, -f1,2,18,37,38,39)"
check "traffic through the HTTP-checked backend" bash -c "ip netns exec '$SL_NS_CLI' curl -sf --max-time 5 http://$SL_VIP:8080/ | grep -q backend"

# ---------------------------------------------------------------- refused: L4CON
sl_backend_stop be1
limit=$(( (INTER * FALL + 1000) / 1000 + 1 ))
if ms=$(wait_status ams1 '^DOWN$' "$limit"); then ok "ams1 DOWN ${ms} ms after nginx stopped (inter x fall = $((INTER * FALL)) ms)"; else bad "ams1 not DOWN within ${limit}s: $(status ams1)"; fi
check "check_status L4CON" bash -c "'$SL_CTL' -s '$SL_SOCK' raw show stat | grep -q '^backend_rtmp,ams1,.*,L4CON,'"
publish d1 10
publish d2 10
sleep 5
check "while ams1 is DOWN, new streams go to be2 ($(hls_on d1) $(hls_on d2))" bash -c "[[ '$(hls_on d1)' == be2 && '$(hls_on d2)' == be2 ]]"
check "and they publish (no failed connection)" bash -c "[[ ! -f '$SL_RUN_DIR/rc-d1' || \$(cat '$SL_RUN_DIR/rc-d1') == 0 ]]"
sl_backend_start sl-be1 be1 >/dev/null
limit=$(( (INTER * RISE + 1000) / 1000 + 2 ))
if ms=$(wait_status ams1 '^UP' "$limit"); then ok "ams1 UP again ${ms} ms after nginx restarted (rise $RISE)"; else bad "ams1 not UP within ${limit}s: $(status ams1)"; fi
check "chkdown counted" bash -c "[[ \$('$SL_CTL' -s '$SL_SOCK' raw show stat | awk -F, '\$1==\"backend_rtmp\" && \$2==\"ams1\" {print \$23}') -ge 1 ]]"

# ---------------------------------------------------------------- silent: L4TOUT + shutdown-sessions
# (the stream on the silent server would hang until its timeouts without shutdown-sessions)
for i in $(seq 40); do alive d1 || break; sleep 0.5; done
read -r vs ss < <(sl_two_apart 60 h1 h2 h3 h4)
if [[ -n $vs && -n $ss ]]; then
    ok "$vs on be1, $ss on be2"
    # be1 stops answering: its link goes down, nothing it would send arrives
    sl_in sl-be1 ip link set dev "$SL_BE1_IF" down
    limit=$(( (INTER * FALL * 2 + 2000) / 1000 + 2 ))
    if ms=$(wait_status ams1 '^DOWN$' "$limit"); then ok "silent ams1 DOWN ${ms} ms later"; else bad "silent ams1 not DOWN within ${limit}s: $(status ams1)"; fi
    check "check_status L4TOUT" bash -c "'$SL_CTL' -s '$SL_SOCK' raw show stat | grep -q '^backend_rtmp,ams1,.*,L4TOUT,'"
    gone=0
    for i in $(seq 30); do alive "$vs" || { gone=1; break; }; sleep 0.2; done
    check "shutdown-sessions: the stream on the dead server ends at once ($vs)" test $gone -eq 1
    check "the stream on the other server goes on ($ss)" alive "$ss"
    echo "     l4_flows_reset_by_sluice=$(sl_ctr l4_flows_reset_by_sluice)"
    sl_in sl-be1 ip link set dev "$SL_BE1_IF" up
else
    bad "no two streams on two backends (be1: '$vs', be2: '$ss')"
fi

# ---------------------------------------------------------------- backup + on-marked-up shutdown-backup-sessions
bk_status() { sl_ctl raw show stat | awk -F, -v s="$1" '$1 == "backend_bk" && $2 == s { print $18 }'; }
bk_on() { sl_in sl-cli curl -s --max-time 3 "http://$SL_VIP:8082/" | awk '{print $2}'; }
for i in $(seq 50); do [[ $(bk_status p1) == UP* && $(bk_status k1) == UP* ]] && break; sleep 0.1; done
expect_eq "backup: while the active server is UP, new connections go to it" "$(bk_on) $(bk_on)" "be1 be1"
sl_backend_stop be1
for i in $(seq 60); do [[ $(bk_status p1) == DOWN ]] && break; sleep 0.1; done
expect_eq "  the active one DOWN: the backup takes the new connections" "$(bk_on) $(bk_on)" "be2 be2"
# a long download on the backup (be2), then the active server comes back
rm -f "$SL_RUN_DIR/bk-rc"
sl_bg sl-cli bk-get bash -c "curl -s -o /dev/null --limit-rate 200k --max-time 40 http://$SL_VIP:8082/big; echo \$? >$SL_RUN_DIR/bk-rc" >/dev/null
sleep 1
check "  a download runs on the backup" test ! -s "$SL_RUN_DIR/bk-rc"
sl_backend_start sl-be1 be1 >/dev/null
for i in $(seq 80); do [[ $(bk_status p1) == UP* ]] && break; sleep 0.1; done
for i in $(seq 30); do [[ -s $SL_RUN_DIR/bk-rc ]] && break; sleep 0.1; done
rc=$(cat "$SL_RUN_DIR/bk-rc" 2>/dev/null)
check "on-marked-up shutdown-backup-sessions: the backup's download is reset when p1 is UP again (curl exit $rc)" bash -c "[[ -n '$rc' && '$rc' != 0 ]]"
expect_eq "  and new connections go to the active server again" "$(bk_on) $(bk_on)" "be1 be1"
