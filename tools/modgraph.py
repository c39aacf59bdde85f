#!/usr/bin/env python3
"""Prints sluice's module graph (who includes whom) and fails on a cycle or an upward include.

    python3 tools/modgraph.py            the graph, then the verdict; exit 1 on any violation
    python3 tools/modgraph.py --dot      the graph in Graphviz's dot language

A module is a folder (MODULES below, first match wins). Modules sit in layers (docs/architecture.md,
"Layers"): an include must go to a module of a lower layer, or stay inside its own module. Two
modules of the same layer (the engines, say) never include each other, so no cycle can form.
Pure modules must not include DPDK (rte_*.h) nor OpenSSL (openssl/*), except tls/ for OpenSSL.
Only quoted includes are followed ("dir/file.h"); system headers are checked for the pure rule.
"""
import os
import re
import subprocess
import sys

# (path prefix, module, layer, pure). Lower layers know nothing of higher ones.
MODULES = [
    ('dataplane/xdp/', 'xdp', 0, True),            # the BPF program and its map layout
    ('proto/', 'proto', 0, True),                  # wire formats, byte buffers
    ('tls/', 'tls', 1, True),                      # the only code that includes OpenSSL
    ('controlplane/cfg/', 'cfg', 1, True),         # the configuration language
    ('dataplane/tcp/', 'tcp', 1, True),            # the TCP stack's core
    ('controlplane/check/', 'check', 2, True),     # HAProxy's health-check logic
    ('controlplane/stats/', 'stats', 2, True),     # stats model, renderers, socket
    ('dataplane/rules/', 'rules', 2, True),        # ACLs, HTTP decisions and heads, auth
    ('dataplane/balance/', 'balance', 2, True),    # backends, Maglev, the server picker
    ('dataplane/stick/', 'stick', 2, True),        # stick tables (shared by the lcores)
    ('dataplane/core/', 'core', 3, False),         # (a) the lcore context: tx, ip output, rings
    ('dataplane/l4/', 'l4', 4, False),             # (b) engines, each on (a) and pure libraries
    ('dataplane/tcphost/', 'tcphost', 4, False),
    ('dataplane/http/', 'http', 4, False),
    ('dataplane/page/', 'page', 4, False),
    ('dataplane/loop/', 'loop', 5, False),         # (c) the loop and the receive path
    ('controlplane/', 'control', 6, False),        # (d) the main lcore's control
    ('tools/', 'tools', 7, False),
    ('tests/', 'tests', 8, False),             # tests may use tools' helpers (tools/bench/bench_wire.h)
]

INCLUDE = re.compile(r'^\s*#\s*include\s+([<"])([^">]+)[">]', re.M)


def module_of(path):
    for prefix, name, layer, pure in MODULES:
        if path.startswith(prefix):
            return name, layer, pure
    return None


def sources(top):
    try:
        out = subprocess.check_output(['git', 'ls-files', '*.c', '*.h'], cwd=top, text=True)
        files = out.split()
    except (OSError, subprocess.CalledProcessError):
        files = []
        for d, _, names in os.walk(top):
            for n in names:
                if n.endswith(('.c', '.h')):
                    files.append(os.path.relpath(os.path.join(d, n), top))
    return sorted(f for f in files if not f.startswith(('build', 'subprojects/')))


def main():
    top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    dot = '--dot' in sys.argv[1:]
    edges = {}      # (from module, to module) -> [(file, included)]
    problems = []
    for f in sources(top):
        m = module_of(f)
        if m is None:
            continue
        name, layer, pure = m
        with open(os.path.join(top, f), encoding='utf-8', errors='replace') as fh:
            text = fh.read()
        for kind, inc in INCLUDE.findall(text):
            if kind == '<':
                if pure and (inc.startswith('rte_') or
                             (inc.startswith('openssl/') and name != 'tls')):
                    problems.append('%s: pure module %s includes <%s>' % (f, name, inc))
                continue
            t = module_of(inc)
            if t is None or t[0] == name:
                continue
            edges.setdefault((name, t[0]), []).append((f, inc))
            if t[1] >= layer:
                problems.append('%s: %s (layer %d) includes %s of %s (layer %d)' %
                                (f, name, layer, inc, t[0], t[1]))

    # cycles: strongly connected components of the module graph (Tarjan)
    graph = {}
    for a, b in edges:
        graph.setdefault(a, set()).add(b)
        graph.setdefault(b, set())
    index, low, stack, on, sccs = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                sccs.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(graph):
        if v not in index:
            visit(v)
    for comp in sccs:
        problems.append('include cycle among modules: ' + ' '.join(comp))

    layers = {name: layer for _, name, layer, _ in MODULES}
    if dot:
        print('digraph sluice {\n  rankdir=BT;')
        for (a, b), why in sorted(edges.items()):
            print('  "%s" -> "%s" [label=%d];' % (a, b, len(why)))
        print('}')
    else:
        print('module graph (layer: module -> modules it includes)')
        for name in sorted(graph, key=lambda n: (layers[n], n)):
            outs = sorted(graph[name], key=lambda n: (layers[n], n))
            print('  %d %-8s -> %s' % (layers[name], name, ' '.join(outs) or '-'))
    if problems:
        for p in problems:
            print('FAIL ' + p, file=sys.stderr)
        print('%d problem(s)' % len(problems), file=sys.stderr)
        return 1
    print('no cycle, no upward include, pure modules free of DPDK')
    return 0


if __name__ == '__main__':
    sys.exit(main())
