#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# cfg_corpus.sh DIR [DATAPLANE.cfg] — a development check, not part of CI: runs `sluiced -c` and
# (when installed) `haproxy -c` on every *.cfg of DIR and prints one row per file: HAProxy's
# verdict, sluice's, sluice's warnings count and its first refusal. With DATAPLANE.cfg, sluiced
# reads it after each file (as `sluiced -f haproxy.cfg -f dataplane.cfg`), so the checks that need
# the dataplane's addresses run too; without it the "no 'dataplane' section" warning is not
# counted.
#
# Each file is checked on a copy in a temporary directory where the tokens CERTDIR/ (a directory
# holding a PEM bundle), CERTDIR (that bundle) and CERTLIST (a crt-list naming it) are replaced
# by a self-signed certificate generated for the run, so that corpora which stand those tokens
# for their certificate paths parse as their authors' did.
#
# Environment: SLUICED (default: build/sluiced of this tree), HAPROXY (default: haproxy in PATH).
set -u

usage() {
    echo "usage: $0 DIR [DATAPLANE.cfg]" >&2
    exit 2
}
[[ $# -ge 1 && $# -le 2 && -d $1 ]] || usage
dir=$1
dpcfg=${2:-}
[[ -z $dpcfg || -r $dpcfg ]] || { echo "$0: cannot read $dpcfg" >&2; exit 2; }
[[ -z $dpcfg ]] || dpcfg=$(realpath "$dpcfg")
here=$(cd "$(dirname "$0")/.." && pwd)
sluiced=${SLUICED:-$here/build/sluiced}
haproxy=${HAPROXY:-$(command -v haproxy || true)}
[[ -x $sluiced ]] || { echo "$0: no sluiced at $sluiced (build first, or set SLUICED)" >&2; exit 2; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/certs"
if ! openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=corpus.example \
    -keyout "$tmp/key.pem" -out "$tmp/crt.pem" >/dev/null 2>&1; then
    echo "$0: openssl could not make a certificate" >&2
    exit 2
fi
cat "$tmp/crt.pem" "$tmp/key.pem" >"$tmp/certs/site.pem"
echo "$tmp/certs/site.pem" >"$tmp/crt-list"

total=0 ha_ok=0 sl_ok=0 both=0 ha_only=0
printf '%-40s %-8s %-8s %5s  %s\n' file haproxy sluice warns "sluice's first refusal"
for f in "$dir"/*.cfg; do
    [[ -e $f ]] || continue
    name=$(basename "$f")
    copy="$tmp/$name"
    sed -e "s|CERTDIR/|$tmp/certs/|g" -e "s|CERTDIR|$tmp/certs/site.pem|g" \
        -e "s|CERTLIST|$tmp/crt-list|g" "$f" >"$copy"
    total=$((total + 1))
    ha=-
    if [[ -n $haproxy ]]; then
        if (cd "$tmp" && timeout 30 "$haproxy" -c -f "$copy") >/dev/null 2>&1; then
            ha=valid
            ha_ok=$((ha_ok + 1))
        else
            ha=invalid
        fi
    fi
    args=(-c -f "$copy")
    [[ -n $dpcfg ]] && args+=(-f "$dpcfg")
    out=$(cd "$tmp" && timeout 30 "$sluiced" "${args[@]}" 2>&1)
    if [[ $? -eq 0 ]]; then
        sl=valid
        sl_ok=$((sl_ok + 1))
    else
        sl=invalid
    fi
    warns=$(grep ': warning: \|^warning: ' <<<"$out" | grep -vc "no 'dataplane' section")
    first=$(grep -v ': warning: \|^warning: \|: notice: \|^sluiced: \|^Configuration file is valid' <<<"$out" | head -n 1)
    first=${first#"$tmp/"}
    [[ $ha == valid && $sl == valid ]] && both=$((both + 1))
    [[ $ha == valid && $sl == invalid ]] && ha_only=$((ha_only + 1))
    printf '%-40s %-8s %-8s %5s  %s\n' "$name" "$ha" "$sl" "$warns" "${first:0:160}"
done
echo
echo "files: $total; HAProxy accepts $ha_ok, sluice accepts $sl_ok; both $both; HAProxy only $ha_only"
