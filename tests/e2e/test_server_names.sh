#!/usr/bin/env bash
# tests/e2e/test_server_names.sh — servers given by host name, resolved by sluiced through
# getaddrinfo() from the balancer namespace's hosts file (sl_lb_hosts), with HAProxy's init-addr:
#  - `sluiced -c`: names resolve (the --dump comment shows the address), an unknown name is an
#    error at its line, an IPv6-only name an error saying IPv6 servers are not supported yet;
#  - start: `app` and `moving` on be1 (HTTP and mode tcp), `later` unknown with init-addr
#    libc,none: that server in MAINT, its frontend answers 503;
#  - the names move to be2, reload: servers with the default last,libc (no server state, as
#    HAProxy without a state file) and with `init-addr libc` follow (HTTP and L4 traffic reaches
#    be2, the report names the address change); with `load-server-state-from-file`, last,libc
#    keeps be1 (the running state plays the state file's part); `later` gets an address and
#    leaves maintenance;
#  - a name that no longer resolves: the reload is refused naming it, and traffic goes on.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/lib/e2e.sh" 240 "$0" "$@"
trap 'sl_e2e_finish' EXIT

check "net up" sl_net_up || exit 1
check "web servers on be1 and be2" sl_named_web 5080

CFG=$SL_RUN_DIR/sluice.cfg
{
    printf 'global\n    maxconn 4000\n    stats socket %s mode 600 level admin\n' "$SL_SOCK"
    cat <<EOT
defaults
    timeout connect 2s
    timeout client 30s
    timeout server 30s

frontend keep
    mode http
    bind :80
    default_backend keep_be

frontend follow
    mode http
    bind :81
    default_backend follow_be

frontend later
    mode http
    bind :82
    default_backend later_be

frontend l4
    mode tcp
    bind :8081
    default_backend l4_be

backend keep_be
    mode http
    load-server-state-from-file global
    server app app:5080

backend follow_be
    mode http
    server moving moving:5080

backend later_be
    mode http
    server later later:5080 init-addr libc,none

backend l4_be
    mode tcp
    server moving moving:5080 init-addr libc,last
EOT
    sl_dataplane_cfg af_xdp
} >"$CFG"

# ---------------------------------------------------------------- sluiced -c
check "hosts: app and moving on be1" sl_lb_hosts "app=$SL_BE1_IP" "moving=$SL_BE1_IP" "v6only=fd00::1"
out=$(sl_in sl-lb "$SL_SLUICED" -c --dump -f "$CFG" 2>&1)
check "sluiced -c --dump: the name as written, the address as a comment" grep -q "server app app:5080 .*# $SL_BE1_IP (libc)" <<<"$out"
check "  a name without an address: none, in maintenance" grep -q "server later later:5080 .*# no address (none): in maintenance" <<<"$out"
check "  and a notice at its line" grep -q "sluice.cfg:[0-9]*: notice: 'server later_be/later': no address for 'later'" <<<"$out"
sed 's/server app app:5080/server app nowhere:5080/' "$CFG" >"$SL_RUN_DIR/bad.cfg"
out=$(sl_in sl-lb "$SL_SLUICED" -c -f "$SL_RUN_DIR/bad.cfg" 2>&1)
expect_eq "sluiced -c with an unknown name exits 1" "$?" 1
line=$(grep -n "server app nowhere" "$SL_RUN_DIR/bad.cfg" | cut -d: -f1)
check "  the error names file:line, server and name" grep -q "bad.cfg:$line: 'server keep_be/app': could not resolve address 'nowhere'" <<<"$out"
sed 's/server app app:5080/server app v6only:5080/' "$CFG" >"$SL_RUN_DIR/bad.cfg"
out=$(sl_in sl-lb "$SL_SLUICED" -c -f "$SL_RUN_DIR/bad.cfg" 2>&1)
check "an IPv6-only name: IPv6 servers are not supported yet" grep -q "could not resolve address 'v6only' (.*IPv6 servers are not supported yet)" <<<"$out"

# ---------------------------------------------------------------- start
check "sluiced starts" sl_sluiced_start "$CFG" || exit 1
LOG=$SL_RUN_DIR/logs/sluiced.log
get() { sl_in sl-cli curl -s --max-time 3 "http://$SL_VIP:$1/"; }
code() { sl_in sl-cli curl -s --max-time 3 -o /dev/null -w '%{http_code}' "http://$SL_VIP:$1/"; }
status() { sl_ctl raw show stat | awk -F, -v b="$1" -v s="$2" '$1 == b && $2 == s { print $18 }'; }
addr() { sl_ctl raw show stat | awk -F, -v b="$1" -v s="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "addr") c = i } $1 == b && $2 == s { print $c }'; }
expect_eq "keep (app, last,libc) reaches be1" "$(get 80)" "backend be1"
expect_eq "follow (moving, last,libc) reaches be1" "$(get 81)" "backend be1"
expect_eq "l4 (moving, libc,last) reaches be1" "$(get 8081)" "backend be1"
expect_eq "later (no address) is in maintenance" "$(status later_be later)" "MAINT"
expect_eq "  and its frontend answers 503" "$(code 82)" "503"
expect_eq "show stat: follow_be/moving's address" "$(addr follow_be moving)" "$SL_BE1_IP:5080"

# ---------------------------------------------------------------- the names move, reload
check "hosts: app, moving and later on be2" sl_lb_hosts "app=$SL_BE2_IP" "moving=$SL_BE2_IP" "later=$SL_BE2_IP"
out=$(sl_ctl reload 2>&1)
check "reload applied" grep -q "reload applied" <<<"$out"
check "  the report: follow_be/moving's new address" grep -q "server follow_be/moving address $SL_BE1_IP:5080 -> $SL_BE2_IP:5080" <<<"$out"
check "  keep_be/app unchanged (last)" bash -c "! grep -q 'server keep_be/app address' <<<'$out'"
expect_eq "follow (last,libc without state) now reaches be2" "$(get 81)" "backend be2"
expect_eq "l4 (libc,last) now reaches be2" "$(get 8081)" "backend be2"
expect_eq "keep (last,libc with server state) still reaches be1" "$(get 80)" "backend be1"
expect_eq "later resolved: out of maintenance" "$(status later_be later)" "no check"
expect_eq "  and its frontend reaches be2" "$(get 82)" "backend be2"

# ---------------------------------------------------------------- a name gone: refused
check "hosts: moving gone" sl_lb_hosts "app=$SL_BE2_IP" "later=$SL_BE2_IP"
out=$(sl_ctl reload 2>&1)
check "reload refused, naming the server and the name" grep -q "'server follow_be/moving': could not resolve address 'moving' (last: no server state (load-server-state-from-file); libc: " <<<"$out"
check "  and the configuration keeps serving" grep -q "reload refused: the configuration is invalid; the running one keeps serving" <<<"$out"
expect_eq "follow still reaches be2" "$(get 81)" "backend be2"
check "sluiced's log has the refusal" grep -q "could not resolve address 'moving'" "$LOG"
