#!/usr/bin/env bash
# The cost of a new L4 generation in the running sluiced, for a backend of 10, 100 and 1000
# servers (issue: health checks, server states and live reconfiguration):
#  - `set server B/S weight N` (what a check's state change or an admin command does): the
#    rebuild (server lists, Maglev table, schedule) and the publish (pointer swap + RCU grace
#    period: every worker passes a quiescent state), as `show l4` reports them;
#  - a whole `reload` (read and validate the files, compare, build, carry the check states,
#    publish), as its report says;
#  - `show stat` through the stats socket (sluicectl raw: connect, rows with live counters,
#    CSV, read to the end), timed from the shell.
# Each figure is the median of SL_RUNS (default 7) on a sluiced with one worker+proxy lcore and
# the main lcore (AF_XDP on the test network's lb0). The servers are addresses nobody answers
# and carry no check, so nothing but the commands makes generations.
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
source "$top/tests/e2e/lib/deps.sh"
source "$top/tests/e2e/lib/net.sh"
source "$top/tests/e2e/lib/sluiced.sh"
RUNS=${SL_RUNS:-7}
trap 'sl_sluiced_stop >/dev/null 2>&1; sl_net_down >/dev/null 2>&1' EXIT
sl_net_up >/dev/null

median() { sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }

write_cfg() { # write_cfg NSERVERS WEIGHT-OF-s1
    {
        printf 'global\n    stats socket %s mode 600 level admin\n' "$SL_SOCK"
        printf 'frontend app_in\n    mode tcp\n    bind :9000\n    timeout client 30s\n    default_backend app\n'
        printf 'backend app\n    mode tcp\n    timeout connect 2s\n    timeout server 30s\n'
        for i in $(seq "$1"); do
            printf '    server s%d 10.78.%d.%d:80 weight %d\n' "$i" $((i / 250)) $((i % 250 + 1)) \
                $(( i == 1 ? $2 : 1 ))
        done
        sl_dataplane_cfg af_xdp
    } >"$SL_RUN_DIR/cost.cfg"
}

printf '| servers | rebuild (weight change) | publish (RCU) | whole reload | show stat through the socket |\n|---|---|---|---|---|\n'
for n in 10 100 1000; do
    write_cfg "$n" 1
    sl_sluiced_start "$SL_RUN_DIR/cost.cfg" >/dev/null
    : >"$SL_RUN_DIR/b" ; : >"$SL_RUN_DIR/p"; : >"$SL_RUN_DIR/r"; : >"$SL_RUN_DIR/s"
    for k in $(seq "$RUNS"); do
        sl_ctl set server app/s1 weight $((k + 1)) >/dev/null
        line=$(sl_ctl show l4 | sed -n 1p)
        sed -E 's/.*built in ([0-9]+) us.*/\1/' <<<"$line" >>"$SL_RUN_DIR/b"
        sed -E 's/.*published in ([0-9]+) us.*/\1/' <<<"$line" >>"$SL_RUN_DIR/p"
        write_cfg "$n" $((k + 1))
        sl_ctl reload | sed -nE 's/.*reload applied: .* in ([0-9]+) us.*/\1/p' >>"$SL_RUN_DIR/r"
        t0=$(date +%s%N)
        sl_ctl raw show stat >/dev/null
        echo $(( ($(date +%s%N) - t0) / 1000 )) >>"$SL_RUN_DIR/s"
    done
    printf '| %d | %s us | %s us | %s us | %s us |\n' "$n" "$(median <"$SL_RUN_DIR/b")" \
        "$(median <"$SL_RUN_DIR/p")" "$(median <"$SL_RUN_DIR/r")" "$(median <"$SL_RUN_DIR/s")"
    sl_sluiced_stop >/dev/null
done
