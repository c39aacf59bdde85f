#!/usr/bin/env bash
# tests/e2e/test_tls_client.sh — `bind ... ssl crt-list FILE` and client certificates, the same
# configuration run by HAProxy 2.6 then by sluice, their outcomes compared line for line:
#  - a crt-list with SNI filters: an exact name, a wildcard, a negative filter ("!sec.ex.test"
#    gets the default certificate though "*.ex.test" matches), per-line [verify ... ca-file ...
#    crl-file ...]; which certificate each SNI gets (openssl s_client);
#  - verify required: no client certificate or one from another CA fails the handshake; a
#    good one passes; verify optional: none is fine, a revoked one (crl-file) fails;
#  - ssl_c_used, ssl_fc_has_crt, ssl_c_verify, ssl_c_s_dn, ssl_c_i_dn, ssl_c_serial,hex in a
#    forwarded header (the backend echoes it), and in ACLs (`deny if !{ ssl_c_used }`, a DN);
#  - sluice only: `reload certs` reads the crt-list again (a new filter takes effect).
# Needs root and ./build. Prints "N passed, N failed".
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/lib/check.sh"
sl_under_timeout 120 "$0" "$@"
source "$HERE/lib/deps.sh"
source "$HERE/lib/net.sh"
source "$HERE/lib/sluiced.sh"
trap 'sl_e2e_finish' EXIT
trap 'echo "interrupted/timed out" >&2; FAIL=$((FAIL + 1)); exit 124' TERM INT
[[ $(id -u) -eq 0 ]] || { echo "needs root" >&2; exit 1; }
[[ -x $SL_SLUICED && -x $SL_CTL ]] || { echo "build first (ninja -C build)" >&2; exit 1; }
[[ "${SL_E2E_NO_INSTALL:-0}" == 1 ]] || sl_e2e_install_deps >/dev/null || { bad "install deps"; exit 1; }

check "net up" sl_net_up || exit 1
check "backend be1" sl_backend_start sl-be1 be1

# ---- certificates: a CA for the servers' and the clients' certificates, another CA whose
# client certificate must be refused, a CRL revoking one client
C=$SL_RUN_DIR/certs
mkdir -p "$C"
gen_certs() {
    openssl req -x509 -newkey rsa:2048 -nodes -keyout "$C/ca.key" -subj "/C=FR/O=Test CA/CN=Test Root" \
        -days 30 -out "$C/ca.crt" 2>/dev/null || return 1
    openssl req -x509 -newkey rsa:2048 -nodes -keyout "$C/evil.key" -subj "/CN=Evil Root" \
        -days 30 -out "$C/evil.crt" 2>/dev/null || return 1
    local n
    for n in default.test a.test wild.ex.test; do
        sl_mkcert "$C" "$n" "DNS:$n" rsa:2048 || return 1
        cat "$C/$n.crt" "$C/$n.key" >"$C/$n.pem"
    done
    sl_mkcert "$C" wild "DNS:*.ex.test" rsa:2048 && cat "$C/wild.crt" "$C/wild.key" >"$C/wild.pem" || return 1
    # clients: good (serial 0x1234ABCD), revoked, one from the other CA
    openssl req -new -newkey rsa:2048 -nodes -keyout "$C/good.key" -subj "/C=FR/O=Clients/CN=client one" \
        -out "$C/good.csr" 2>/dev/null &&
        openssl x509 -req -in "$C/good.csr" -CA "$C/ca.crt" -CAkey "$C/ca.key" -set_serial 0x1234ABCD \
            -days 30 -out "$C/good.crt" 2>/dev/null || return 1
    openssl req -new -newkey rsa:2048 -nodes -keyout "$C/revoked.key" -subj "/CN=client revoked" \
        -out "$C/revoked.csr" 2>/dev/null &&
        openssl x509 -req -in "$C/revoked.csr" -CA "$C/ca.crt" -CAkey "$C/ca.key" -set_serial 77 \
            -days 30 -out "$C/revoked.crt" 2>/dev/null || return 1
    openssl req -new -newkey rsa:2048 -nodes -keyout "$C/bad.key" -subj "/CN=client evil" \
        -out "$C/bad.csr" 2>/dev/null &&
        openssl x509 -req -in "$C/bad.csr" -CA "$C/evil.crt" -CAkey "$C/evil.key" -set_serial 5 \
            -days 30 -out "$C/bad.crt" 2>/dev/null || return 1
    # a CRL of the CA revoking serial 77 (openssl ca wants its little database)
    mkdir -p "$C/db" && : >"$C/db/index.txt" && echo 01 >"$C/db/crlnumber"
    printf '[ca]\ndefault_ca=d\n[d]\ndatabase=%s/db/index.txt\ncrlnumber=%s/db/crlnumber\ndefault_md=sha256\ndefault_crl_days=30\n' \
        "$C" "$C" >"$C/db/ca.cnf"
    openssl ca -config "$C/db/ca.cnf" -keyfile "$C/ca.key" -cert "$C/ca.crt" -revoke "$C/revoked.crt" 2>/dev/null &&
        openssl ca -config "$C/db/ca.cnf" -keyfile "$C/ca.key" -cert "$C/ca.crt" -gencrl -out "$C/crl.pem" 2>/dev/null
}
check "certificates: CA, servers, clients (good, revoked, other CA), CRL" gen_certs || exit 1

cat >"$C/list.txt" <<EOT
# the default certificate first, then by SNI
$C/default.test.pem
$C/a.test.pem [verify required ca-file $C/ca.crt] a.test
$C/wild.pem [ verify optional ca-file $C/ca.crt crl-file $C/crl.pem ] *.ex.test !sec.ex.test

EOT

make_cfg() {
    cat <<EOT
defaults
    mode http
    timeout connect 2s
    timeout client 5s
    timeout server 5s

frontend ft
    bind *:8443 ssl crt-list $C/list.txt
    bind *:8444 ssl crt $C/default.test.pem ca-file $C/ca.crt verify optional
    http-request deny if { path /need } !{ ssl_c_used }
    http-request deny deny_status 401 if { path /who } !{ ssl_c_s_dn "/C=FR/O=Clients/CN=client one" }
    http-request deny deny_status 404 if { path /ok } !{ ssl_c_verify 0 }
    http-request set-header X-Test "used=%[ssl_c_used] has=%[ssl_fc_has_crt] verify=%[ssl_c_verify] s=%[ssl_c_s_dn] i=%[ssl_c_i_dn] serial=%[ssl_c_serial,hex]"
    default_backend b

backend b
    server s1 $SL_BE1_IP:5080
EOT
    if [[ $1 == sluice ]]; then
        printf 'global\n    stats socket %s mode 600 level admin\n' "$SL_SOCK"
        sl_dataplane_cfg af_xdp
    fi
}
make_cfg haproxy >"$SL_RUN_DIR/haproxy.cfg"
make_cfg sluice >"$SL_RUN_DIR/sluice.cfg"

# get PORT SNI PATH [CERT] — one HTTPS request; prints the outcome (handshake failed, or the
# status and the x-test line the backend saw)
get() {
    local port=$1 sni=$2 path=$3 crt=${4:-} a=() out rc
    [[ -n $crt ]] && a=(--cert "$C/$crt.crt" --key "$C/$crt.key")
    out=$(sl_in sl-cli curl -s --max-time 5 --cacert "$C/ca.crt" --resolve "$sni:$port:$SL_VIP" \
        "${a[@]}" -w '\nstatus %{http_code}\n' "https://$sni:$port$path" 2>&1)
    rc=$?
    if [[ $rc != 0 ]]; then
        echo "  $port $sni $path ${crt:-(no cert)}: failed (curl exit $rc)"
        return
    fi
    echo "  $port $sni $path ${crt:-(no cert)}: $(grep '^status' <<<"$out") $(grep '^x-test:' <<<"$out")"
}

# served SNI — the subject of the certificate the server sends for SNI
served() {
    sl_in sl-cli openssl s_client -connect "$SL_VIP:8443" ${1:+-servername "$1"} </dev/null 2>/dev/null |
        sed -n 's/^subject=//p' | head -1
}

run_checks() {
    local t=$1 out=$SL_RUN_DIR/answers-$1.txt
    {
        echo "== certificate by SNI (crt-list filters)"
        for s in a.test x.ex.test sec.ex.test other.test ""; do echo "  ${s:-(none)}: $(served "$s")"; done
        echo "== verify required (a.test)"
        get 8443 a.test /echo-headers
        get 8443 a.test /echo-headers good
        get 8443 a.test /echo-headers bad
        echo "== verify optional with a CRL (x.ex.test)"
        get 8443 x.ex.test /echo-headers
        get 8443 x.ex.test /echo-headers good
        get 8443 x.ex.test /echo-headers revoked
        echo "== no verify on the default certificate: a client certificate is not asked for"
        get 8443 default.test /echo-headers good
        echo "== bind verify optional, ACLs on the certificate"
        get 8444 default.test /need
        get 8444 default.test /need good
        get 8444 default.test /who good
        get 8444 default.test /ok good
        get 8444 default.test /echo-headers bad
    } >"$out"
    check "$t: verify required without a certificate fails the handshake" \
        grep -q '^  8443 a.test /echo-headers (no cert): failed (curl exit 56)' "$out"
    check "$t: the good client certificate passes, its fields forwarded" \
        grep -q "^  8443 a.test /echo-headers good: status 200 x-test: used=1 has=1 verify=0 s=/C=FR/O=Clients/CN=client one i=/C=FR/O=Test CA/CN=Test Root serial=1234ABCD" "$out"
}

# ------------------------------------------------------------------ HAProxy, then sluice
sl_lb_kernel_addr
if sl_haproxy_start "$SL_RUN_DIR/haproxy.cfg"; then
    ok "HAProxy starts with the configuration"
    run_checks haproxy
else
    bad "HAProxy starts with the configuration"
fi
sl_haproxy_stop

"$SL_SLUICED" -c -f "$SL_RUN_DIR/sluice.cfg" >"$SL_RUN_DIR/check.out" 2>&1
check "sluiced -c: valid, no warning but the dataplane's" bash -c \
    "[[ $? == 0 ]] && ! grep warning '$SL_RUN_DIR/check.out' | grep -v \"'cores \" | grep -q ."
if sl_sluiced_start "$SL_RUN_DIR/sluice.cfg"; then
    ok "sluiced starts with the configuration"
    sl_wait_tcp sl-cli "$SL_VIP" 8443 10 || bad "sluiced does not accept on $SL_VIP:8443"
    run_checks sluice
    # reload certs reads the crt-list again: other.test now gets a.test's certificate
    sed -i "s|\] a.test\$|] a.test other.test|" "$C/list.txt"
    out=$(sl_ctl reload certs)
    check "reload certs: accepted ($(head -1 <<<"$out"))" grep -q 'certificates reloaded' <<<"$out"
    expect_eq "reload certs: a new crt-list filter takes effect" "$(served other.test)" "$(served a.test)"
    printf 'nosuch.pem\n' >>"$C/list.txt"
    out=$(sl_ctl reload certs)
    check "reload certs: a crt-list naming a missing file is refused ($(head -1 <<<"$out"))" \
        bash -c "! grep -q 'certificates reloaded' <<<'$out'"
    expect_eq "reload certs refused: the certificates in use stay" "$(served other.test)" "$(served a.test)"
else
    bad "sluiced starts with the configuration"
fi
sl_sluiced_stop

sl_answers_match "outcomes match HAProxy's ($(grep -c '^  ' "$SL_RUN_DIR/answers-sluice.txt") lines)"
