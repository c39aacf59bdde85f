#!/usr/bin/env bash
# tests/e2e/test_page_browser.sh — the seed's stats page (`listen stats`, :6080, basic auth) as a
# browser shows it: headless Chromium in the client namespace logs in, loads the page while
# HTTP requests run through the seed's http_lb and an RTMP publish through rtmp_lb, lets the
# chart's script poll `;csv` three times, and leaves a screenshot and the DOM after the scripts
# ran as artifacts (printed at the start and the end). Checked in that DOM: a table for every
# proxy with each of its servers; the chart's summary (#sl-chart-info) with rates in it (drawn
# from two polls at least: not empty as without JavaScript, not "statistics unavailable"), and
# rates above zero. The screenshot: a PNG of 1400x2400, not blank, the chart's two series drawn.
# ~25 s.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/lib/e2e.sh" 150 "$0" "$@"
trap 'sl_e2e_finish' EXIT

check "net up" sl_net_up || exit 1
# the test's artifacts outlive the run dir (every e2e test empties it): in the build tree,
# where a CI job can collect them
ART=${SL_ARTIFACTS:-$SL_BUILD/e2e-artifacts}
PNG=$ART/stats-page.png
DOM=$ART/stats-page.dom.html
mkdir -p "$ART" && rm -f "$PNG" "$DOM"
echo "     artifacts: $ART"
check "backend be1" sl_backend_start sl-be1 be1
check "backend be2" sl_backend_start sl-be2 be2
CFG=$SL_RUN_DIR/sluice.cfg
{
    sed -e "s/172.30.0.42/$SL_BE1_IP/; s/172.30.0.48/$SL_BE2_IP/" "$SL_REPO/tests/fixtures/seed/seed-common.cfg"
    sed -e "s/172.17.0.2/$SL_BE1_IP/; s/172.17.0.3/$SL_BE2_IP/" "$SL_REPO/tests/fixtures/seed/seed-hls.cfg"
    printf 'global\n    stats socket %s mode 600 level admin\n' "$SL_SOCK"
    sl_dataplane_cfg af_xdp
} >"$CFG"
check "sluiced starts with the seed's configuration" sl_sluiced_start "$CFG" || exit 1

# Traffic while the browser watches, from the client namespace: small requests through http_lb
# (the chart's requests/s) and an RTMP publish of ~1 Mbit/s through rtmp_lb (its Mbit/s: L4
# flows count their bytes; the HTTP proxy's bin/bout were still 0 when this test was written).
check "http_lb answers through the VIP" sl_in sl-cli curl -sf -o /dev/null --max-time 5 "http://$SL_VIP:5080/"
sl_bg sl-cli http-loop bash -c "while :; do curl -s -o /dev/null --max-time 5 'http://$SL_VIP:5080/'; sleep 0.05; done" >/dev/null
sl_bg sl-cli ffmpeg-pub ffmpeg -nostdin -loglevel error -re -f lavfi -i testsrc=size=320x240:rate=25 \
    -t 40 -c:v libx264 -preset ultrafast -tune zerolatency -b:v 1M -maxrate 1M -bufsize 500k -g 25 \
    -f flv "rtmp://$SL_VIP/live/browser" >/dev/null

# The browser is driven over the DevTools protocol on a pipe (python3's standard library only)
# so that the page runs in real time: under --virtual-time-budget its clock races ahead of the
# traffic and the chart's rates mean nothing.
# Basic auth as a user gets it: a first load with the credentials in the URL answers the 401
# challenge and fills Chromium's HTTP auth cache for the realm; the page is then loaded by its
# plain URL, and both the page and the chart's own fetch() of ;csv go out with the cached
# credentials, as after the login dialog. The page loaded by the credentialed URL cannot poll:
# its document URL keeps the credentials, the relative ";csv" resolves to a URL with
# credentials, and fetch() rejects those (Fetch standard) before sending anything; what that
# first load shows is printed as a note.
URL="http://$SL_VIP:6080/haproxy_stats"
URL_CRED="http://Username:Password@$SL_VIP:6080/haproxy_stats"
WAIT=${SL_PAGE_BROWSER_WAIT:-11.5}   # the chart polls at the load and every 5 s: 3 polls, 2 rates
sleep 1                              # the publish under way
t0=$(date +%s)
sl_in sl-cli timeout 60 /usr/bin/python3 - "$SL_RUN_DIR/chromium-profile" "$URL_CRED" "$URL" \
    "$PNG" "$DOM" "$WAIT" >"$SL_RUN_DIR/browser.out" 2>"$SL_RUN_DIR/logs/chromium.log" <<'PY'
import base64, fcntl, json, os, select, subprocess, sys, time

profile, url_cred, url, png, dom, wait = sys.argv[1:7]
cmd_r, cmd_w = os.pipe()
ev_r, ev_w = os.pipe()
# the browser reads commands on its fd 3 and writes answers and events on its fd 4
hi_r = fcntl.fcntl(cmd_r, fcntl.F_DUPFD_CLOEXEC, 10)
hi_w = fcntl.fcntl(ev_w, fcntl.F_DUPFD_CLOEXEC, 10)
os.close(cmd_r)
os.close(ev_w)


def child_fds():
    os.dup2(hi_r, 3)
    os.dup2(hi_w, 4)


browser = subprocess.Popen(
    ["chromium", "--headless=new", "--no-sandbox", "--disable-gpu", "--user-data-dir=" + profile,
     "--no-first-run", "--disable-extensions", "--disable-background-networking",
     "--disable-dev-shm-usage", "--hide-scrollbars", "--window-size=1400,2400",
     "--remote-debugging-pipe", "about:blank"],
    preexec_fn=child_fds, close_fds=False, stdin=subprocess.DEVNULL)
os.close(hi_r)
os.close(hi_w)
buf, last_id, events = b"", 0, []


def recv(timeout):
    global buf
    while b"\0" not in buf:
        if not select.select([ev_r], [], [], max(0, timeout))[0]:
            return None
        d = os.read(ev_r, 1 << 20)
        if not d:
            raise EOFError("the browser closed its pipe")
        buf += d
    m, buf = buf.split(b"\0", 1)
    return json.loads(m)


def call(method, session=None, **params):
    global last_id
    last_id += 1
    m = {"id": last_id, "method": method, "params": params}
    if session:
        m["sessionId"] = session
    os.write(cmd_w, json.dumps(m).encode() + b"\0")
    end = time.time() + 20
    while (a := recv(end - time.time())) is not None:
        if a.get("id") == last_id:
            if "error" in a:
                raise RuntimeError("%s: %s" % (method, a["error"]))
            return a["result"]
        events.append(a)
    raise TimeoutError(method)


def wait_event(name, timeout):
    end = time.time() + timeout
    while not any(e.get("method") == name for e in events):
        a = recv(end - time.time())
        if a is None:
            raise TimeoutError(name)
        events.append(a)


def idle(secs):  # real time passes; events are read and dropped
    end = time.time() + secs
    while recv(end - time.time()) is not None:
        pass


def js(s, expr):
    return call("Runtime.evaluate", s, expression=expr, returnByValue=True)["result"].get("value")


def load(s, u):
    events.clear()
    r = call("Page.navigate", s, url=u)
    if r.get("errorText"):
        raise RuntimeError("%s: %s" % (u, r["errorText"]))
    wait_event("Page.loadEventFired", 15)


INFO = "(document.getElementById('sl-chart-info')||{}).textContent"
try:
    page = [t for t in call("Target.getTargets")["targetInfos"] if t["type"] == "page"][0]
    s = call("Target.attachToTarget", targetId=page["targetId"], flatten=True)["sessionId"]
    call("Page.enable", s)
    call("Emulation.setDeviceMetricsOverride", s, width=1400, height=2400, deviceScaleFactor=1,
         mobile=False)
    load(s, url_cred)
    idle(1)
    print("note: loaded by the credentialed URL, #sl-chart-info says '%s'" % js(s, INFO))
    load(s, url)
    t = time.time()
    idle(float(wait))
    print("loaded by the plain URL (title '%s'), %.1f s of polls" % (js(s, "document.title"),
                                                                    time.time() - t))
    with open(dom, "w") as f:
        f.write(js(s, "'<!DOCTYPE html>\\n'+document.documentElement.outerHTML") + "\n")
    with open(png, "wb") as f:
        f.write(base64.b64decode(call("Page.captureScreenshot", s, format="png")["data"]))
    call("Browser.close")
finally:
    try:
        browser.wait(10)
    except subprocess.TimeoutExpired:
        browser.kill()
PY
rc=$?
expect_eq "chromium logs in, renders the page and its chart ($(( $(date +%s) - t0 )) s)" "$rc" 0
(( rc == 0 )) || grep -v dbus "$SL_RUN_DIR/logs/chromium.log" | tail -n 20
sed 's/^/     /' "$SL_RUN_DIR/browser.out"

# The DOM: one table per proxy of the configuration, with a row for each of its servers.
check "DOM: a table for every proxy, a row for each of its servers" /usr/bin/python3 - "$CFG" "$DOM" <<'PY'
import sys
from html.parser import HTMLParser

want, px = {}, None
for line in open(sys.argv[1]):
    w = line.split()
    if w and w[0] in ("listen", "frontend", "backend"):
        px = w[1]
        want[px] = set()
    elif w and w[0] in ("global", "defaults", "dataplane"):
        px = None
    elif px and len(w) > 1 and w[0] == "server":
        want[px].add(w[1])


class Tables(HTMLParser):
    def __init__(self):
        super().__init__()
        self.got, self.px = {}, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table" and "data-proxy" in a:
            self.px = a["data-proxy"]
            self.got[self.px] = set()
        elif tag == "tr" and "data-server" in a and self.px is not None:
            self.got[self.px].add(a["data-server"])


t = Tables()
t.feed(open(sys.argv[2]).read())
for p, servers in want.items():
    print("     %-20s %s" % (p, " ".join(sorted(t.got.get(p, ()))) if p in t.got else "MISSING"))
sys.exit(0 if all(p in t.got and s <= t.got[p] for p, s in want.items()) else 1)
PY
info=$(sed -n 's|.*<p id="sl-chart-info">\([^<]*\)</p>.*|\1|p' "$DOM" 2>/dev/null)
re='^(requests|sessions)/s ([0-9]+\.[0-9]+), Mbit/s ([0-9]+\.[0-9]+)$'
if [[ $info =~ $re ]]; then
    ok "DOM: the chart was drawn, #sl-chart-info '$info'"
    check "  requests/s above 0 (${BASH_REMATCH[2]})" test "${BASH_REMATCH[2]//./}" -gt 0
    check "  Mbit/s above 0 (${BASH_REMATCH[3]})" test "${BASH_REMATCH[3]//./}" -gt 0
else
    bad "DOM: the chart was not drawn, #sl-chart-info '$info'"
fi
# the second chart: the current connections of the busiest servers (the RTMP publish holds one)
cinfo=$(sed -n 's|.*<p id="sl-conn-info">\([^<]*\)</p>.*|\1|p' "$DOM" 2>/dev/null)
check "DOM: the connections chart names servers with their connections ('$cinfo')" \
    bash -c "[[ '$cinfo' =~ backend_rtmp/ams[12]\ 1 ]]"

# The screenshot: a PNG, and not blank. Decoded with zlib (the five PNG filters undone by hand):
# its size, how many colours, and whether the chart's two series (#2a6ebb, #c0392b, colours
# nothing else on the page uses) were drawn.
check "screenshot: PNG magic bytes" bash -c "[[ \$(head -c 8 '$PNG' 2>/dev/null | od -An -tx1 | tr -d ' \n') == 89504e470d0a1a0a ]]"
check "screenshot: 1400x2400, not blank, the chart's series drawn" /usr/bin/python3 - "$PNG" <<'PY'
import struct, sys, zlib

b = open(sys.argv[1], "rb").read()
pos, idat, hdr = 8, [], None
while pos + 8 <= len(b):
    n, typ = struct.unpack(">I4s", b[pos:pos + 8])
    if typ == b"IHDR":
        hdr = struct.unpack(">IIBBBBB", b[pos + 8:pos + 21])
    elif typ == b"IDAT":
        idat.append(b[pos + 8:pos + 8 + n])
    pos += 12 + n
w, h, depth, ctype, _, _, interlace = hdr
if depth != 8 or ctype not in (2, 6) or interlace:
    print("     unexpected PNG format: depth %d colour type %d interlace %d" % (depth, ctype, interlace))
    sys.exit(1)
bpp = 3 if ctype == 2 else 4
stride = w * bpp
raw = zlib.decompress(b"".join(idat))
prev, colours = bytearray(stride), set()
for y in range(h):
    f = raw[y * (stride + 1)]
    line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
    if f == 1:
        for i in range(bpp, stride):
            line[i] = (line[i] + line[i - bpp]) & 255
    elif f == 2:
        line = bytearray((x + u) & 255 for x, u in zip(line, prev))
    elif f == 3:
        for i in range(stride):
            line[i] = (line[i] + ((line[i - bpp] if i >= bpp else 0) + prev[i]) // 2) & 255
    elif f == 4:
        for i in range(stride):
            a, u = (line[i - bpp] if i >= bpp else 0), prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            p = a + u - c
            pa, pb, pc = abs(p - a), abs(p - u), abs(p - c)
            line[i] = (line[i] + (a if pa <= pb and pa <= pc else u if pb <= pc else c)) & 255
    colours.update(bytes(line[i:i + 3]) for i in range(0, stride, bpp))
    prev = line
series = {c: bytes.fromhex(c) in colours for c in ("2a6ebb", "c0392b")}
print("     %dx%d, %d bytes, %d colours, requests/s series %s, Mbit/s series %s"
      % (w, h, len(b), len(colours), series["2a6ebb"], series["c0392b"]))
sys.exit(0 if (w, h) == (1400, 2400) and len(b) > 20000 and len(colours) > 50 and all(series.values()) else 1)
PY
echo "     screenshot: $PNG"
echo "     DOM:        $DOM"
