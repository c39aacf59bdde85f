#!/usr/bin/env bash
# tests/e2e/test_top.sh — `sluicectl top` against a running sluiced (a mode tcp and a mode http
# frontend, each to a backend of two servers on be1 and be2):
#  - without a terminal (`--once`, `-n 2`): the header line, the FRONTENDS, BACKENDS AND SERVERS
#    and LCORES sections, every frontend, backend, server and lcore named, rates in every frame,
#    exit 0; bad arguments: 64;
#  - in a terminal (tmux) while a client loop sends HTTP requests: the view redraws in place, the
#    HTTP frontend's stot grows from one capture to the next, its req/s and the worker lcore's
#    rx pkt/s are not zero; `q` ends it with status 0 and the terminal's modes as they were;
#  - a missing socket: status 2 (cannot connect) and a message that says so.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/lib/e2e.sh" 180 "$0" "$@"

# tmux on a server socket of its own in the run directory: never the user's tmux sessions
TMUX_SOCK=$SL_RUN_DIR/tmux.sock
tm() { env -u TMUX tmux -S "$TMUX_SOCK" "$@"; }
trap 'sl_e2e_finish tm kill-server' EXIT
[[ -x $SL_SLUICED && -x $SL_CTL ]] || { echo "build sluiced and sluicectl first (ninja -C build)" >&2; exit 1; }

check "net up" sl_net_up || exit 1
check "backend be1" sl_backend_start sl-be1 be1
check "backend be2" sl_backend_start sl-be2 be2
CFG=$SL_RUN_DIR/sluice.cfg
{
    printf 'global\n    stats socket %s mode 600 level admin\n' "$SL_SOCK"
    cat <<EOT
defaults
    timeout connect 5s
    timeout client 30s
    timeout server 30s

frontend top_tcp
    bind *:8080
    mode tcp
    default_backend be_tcp

frontend top_http
    bind *:5080
    mode http
    default_backend be_http

backend be_tcp
    mode tcp
    server t1 $SL_BE1_IP:5080 check
    server t2 $SL_BE2_IP:5080 check

backend be_http
    mode http
    server h1 $SL_BE1_IP:5080 check
    server h2 $SL_BE2_IP:5080 check
EOT
    sl_dataplane_cfg af_xdp
} >"$CFG"
check "sluiced starts" sl_sluiced_start "$CFG" || exit 1
check "both frontends answer" bash -c "ip netns exec '$SL_NS_CLI' curl -sf --max-time 5 http://$SL_VIP:5080/ | grep -q backend &&
    ip netns exec '$SL_NS_CLI' curl -sf --max-time 5 http://$SL_VIP:8080/ | grep -q backend"

# cell FRAME SECTION ROW COLUMN — one cell of a table in a frame: the row whose first or second
# word is ROW, the column headed COLUMN. Numbers are right-aligned, so a number ends where its
# column's header ends.
cell() {
    awk -v sec="$2" -v row="$3" -v col="$4" '
        $0 == sec { in_sec = 1; next }
        in_sec && hdr == "" { hdr = $0; end = index(hdr, col) + length(col) - 1; next }
        in_sec && $0 == "" { exit }
        in_sec && ($1 == row || $2 == row) { n = split(substr($0, 1, end), w, " "); print w[n]; exit }' "$1"
}
is_num() { [[ $1 =~ ^[0-9]+(\.[0-9]+)?$ ]]; }
positive() { is_num "$1" && awk -v v="$1" 'BEGIN { exit !(v > 0) }'; }
WORKER=$(sl_ctl show lcores | awk '$2 ~ /worker/ { print $1; exit }')
LCORES=$(sl_ctl show lcores | awk '!/^#/ && NF { print $1 }' | tr '\n' ' ')

# ---------------------------------------------------------------- no terminal: --once, -n 2
ONCE=$SL_RUN_DIR/top-once.txt
"$SL_CTL" -s "$SL_SOCK" top --once </dev/null >"$ONCE" 2>"$SL_RUN_DIR/top-once.err"
expect_eq "top --once: exit status" "$?" 0
sed 's/^/     | /' "$ONCE"
check "top --once: header line with time, socket and uptime" \
    grep -qE "^sluice top  [0-9-]+ [0-9:]+  socket $SL_SOCK  uptime [0-9]+d +[0-9]+h[0-9]+m[0-9]+s  every 1 s$" "$ONCE"
check "top --once: no terminal escapes, nothing on stderr" \
    bash -c "! grep -q $'\033' '$ONCE' && [[ ! -s '$SL_RUN_DIR/top-once.err' ]]"
for sec in FRONTENDS "BACKENDS AND SERVERS" LCORES; do
    check "top --once: section $sec" grep -qx "$sec" "$ONCE"
done
for fe in top_tcp top_http; do
    check "top --once: frontend $fe, OPEN" grep -qE "^$fe +OPEN " "$ONCE"
done
for be in be_tcp be_http; do
    check "top --once: backend $be, UP" grep -qE "^$be +UP " "$ONCE"
done
for sv in t1 t2 h1 h2; do
    check "top --once: server $sv under its backend" grep -qE "^  $sv +(UP|DOWN|MAINT|DRAIN|no check)" "$ONCE"
done
check "top --once: servers follow their backend (be_tcp t1 t2 be_http h1 h2)" \
    bash -c "[[ \$(awk '/^BACKENDS AND SERVERS\$/,/^\$/' '$ONCE' | awk 'NR > 2 && NF { printf \"%s \", \$1 }') == 'be_tcp t1 t2 be_http h1 h2 ' ]]"
for id in $LCORES; do
    check "top --once: lcore $id" bash -c "awk '/^LCORES\$/,/^\$/' '$ONCE' | grep -qE '^ *$id +(main|worker|proxy)'"
done
v=$(cell "$ONCE" FRONTENDS top_http sess/s)
check "top --once: rates in the first frame (top_http sess/s '$v')" is_num "$v"
# HAProxy leaves req_tot empty for a mode tcp backend and its servers: no rate, not a zero
v=$(cell "$ONCE" "BACKENDS AND SERVERS" be_tcp req/s)
expect_eq "top --once: no request rate for a mode tcp backend" "$v" "-"

t0=$(date +%s%N)
"$SL_CTL" -s "$SL_SOCK" top -n 2 -i 0.5 </dev/null >"$SL_RUN_DIR/top-n2.txt"
rc=$?
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
expect_eq "top -n 2 -i 0.5: exit status" "$rc" 0
expect_eq "top -n 2 -i 0.5: two frames" "$(grep -c '^sluice top ' "$SL_RUN_DIR/top-n2.txt")" 2
check "top -n 2 -i 0.5: one interval between frames (took $ms ms)" test "$ms" -ge 900 -a "$ms" -lt 3000
"$SL_CTL" -s "$SL_SOCK" top -i 0 --once >/dev/null 2>&1
expect_eq "top -i 0: usage error" "$?" 64
"$SL_CTL" -s "$SL_SOCK" top --bogus >/dev/null 2>&1
expect_eq "top --bogus: usage error" "$?" 64

# ---------------------------------------------------------------- in a terminal, with traffic
sl_bg sl-cli curl-loop bash -c "while :; do curl -s -o /dev/null --max-time 2 http://$SL_VIP:5080/; sleep 0.05; done" >/dev/null
RC=$SL_RUN_DIR/top-tty.rc
# the pane's command notes the terminal's modes around sluicectl, and its exit status
tm new-session -d -s top -x 200 -y 50 \
    "stty -g >'$SL_RUN_DIR/stty-before'; '$SL_CTL' -s '$SL_SOCK' top; echo \$? >'$RC'; stty -g >'$SL_RUN_DIR/stty-after'"
check "tmux session with sluicectl top" tm has-session -t top
sleep 3
tm capture-pane -p -t top >"$SL_RUN_DIR/cap1.txt"
sleep 2.5
tm capture-pane -p -t top >"$SL_RUN_DIR/cap2.txt"
sed 's/^/     | /' "$SL_RUN_DIR/cap2.txt" | grep -v '^     | $'
check "terminal: the header says how to quit" grep -qE "^sluice top .*socket $SL_SOCK .*\(q quits\)$" "$SL_RUN_DIR/cap2.txt"
check "terminal: one frame on the screen, redrawn in place" \
    bash -c "[[ \$(grep -c '^sluice top ' '$SL_RUN_DIR/cap2.txt') == 1 && \$(grep -c '^FRONTENDS\$' '$SL_RUN_DIR/cap2.txt') == 1 ]]"
s1=$(cell "$SL_RUN_DIR/cap1.txt" FRONTENDS top_http stot)
s2=$(cell "$SL_RUN_DIR/cap2.txt" FRONTENDS top_http stot)
check "terminal: top_http stot grows between two captures ($s1 -> $s2)" \
    bash -c "[[ '$s1' =~ ^[0-9]+\$ && '$s2' =~ ^[0-9]+\$ ]] && (( $s2 > $s1 ))"
v=$(cell "$SL_RUN_DIR/cap2.txt" FRONTENDS top_http req/s)
check "terminal: top_http req/s is not zero ($v)" positive "$v"
v=$(cell "$SL_RUN_DIR/cap2.txt" "BACKENDS AND SERVERS" be_http req/s)
check "terminal: be_http req/s is not zero ($v)" positive "$v"
v=$(cell "$SL_RUN_DIR/cap2.txt" LCORES "$WORKER" "rx pkt/s")
check "terminal: worker lcore $WORKER rx pkt/s is not zero ($v)" positive "$v"
tm send-keys -t top q
for _ in $(seq 50); do [[ -s $RC ]] && break; sleep 0.1; done
expect_eq "terminal: q ends top with status" "$(cat "$RC" 2>/dev/null)" 0
check "terminal: its modes restored (stty -g before and after)" \
    bash -c "[[ -s '$SL_RUN_DIR/stty-before' ]] && cmp -s '$SL_RUN_DIR/stty-before' '$SL_RUN_DIR/stty-after'"
sl_stop curl-loop

# ---------------------------------------------------------------- no socket
MISSING=$SL_RUN_DIR/missing.sock
"$SL_CTL" -s "$MISSING" top --once >"$SL_RUN_DIR/missing.out" 2>"$SL_RUN_DIR/missing.err"
expect_eq "missing socket: exit status 2 (cannot connect)" "$?" 2
echo "     $(cat "$SL_RUN_DIR/missing.err")"
check "missing socket: the message names the socket and asks whether sluiced runs" \
    grep -qF "cannot connect to $MISSING: No such file or directory; is sluiced running?" "$SL_RUN_DIR/missing.err"
check "missing socket: nothing on stdout" test ! -s "$SL_RUN_DIR/missing.out"
