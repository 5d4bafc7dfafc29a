#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""module-cycles.py OBJECT... - which modules (object files, named for their
source) call which, from nm's defined and undefined symbols, and every call
cycle between them.  Prints the graph and the cycles; exits 1 if there is a
cycle.  tests/test-module-cycles.sh runs it on the shim's objects."""
import collections
import os
import re
import subprocess
import sys


def module(path):
    base = os.path.basename(path)[:-2]
    return re.sub(r'^.*_la-', '', base)


def symbols(obj, *args):
    out = subprocess.run(['nm', *args, obj], capture_output=True, text=True, check=True).stdout
    return [l.split() for l in out.splitlines() if l.strip()]


def main(objs):
    defs, uses = {}, collections.defaultdict(set)
    for o in objs:
        m = module(o)
        for parts in symbols(o, '--defined-only'):
            if len(parts) == 3 and parts[1] in 'TDBRW':
                defs[parts[2]] = m
        for parts in symbols(o, '-u'):
            uses[m].add(parts[-1])
    graph = {m: sorted({defs[s] for s in syms if s in defs and defs[s] != m}) for m, syms in uses.items()}
    for m in sorted(graph):
        print(f'{m}: {" ".join(graph[m])}')
    cycles = set()

    def walk(n, path):
        for d in graph.get(n, []):
            if d in path:
                c = path[path.index(d):]
                i = c.index(min(c))
                cycles.add(' -> '.join(c[i:] + c[:i] + [min(c)]))
            else:
                walk(d, path + [d])
    for n in graph:
        walk(n, [n])
    for c in sorted(cycles):
        print('cycle:', c)
    print(f'{len(graph)} modules, {len(cycles)} cycles')
    return 1 if cycles else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
