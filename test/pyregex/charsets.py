#!/usr/bin/python3
"""Test oracle: the exact set of code points each single-character pattern matches.

Input (JSON): [{"pattern": str, "flags": int}, ...]; output: one list of [lo, hi] ranges each.
"""
import json
import re
import sys

EVERY = ''.join(map(chr, range(0x110000)))


def ranges(pattern, flags):
    out = []
    for m in re.finditer(pattern, EVERY, flags):
        c = m.start()
        if out and out[-1][1] == c - 1:
            out[-1][1] = c
        else:
            out.append([c, c])
    return out


json.dump([ranges(c['pattern'], c.get('flags', 0)) for c in json.load(sys.stdin)], sys.stdout)
