#!/usr/bin/python3
"""Test oracle: runs Python's re.search for the cases given on stdin.

Input (JSON): [{"pattern": str, "flags": int, "subjects": [str, ...]}, ...]
Output (JSON): one entry per case, either {"error": "message at position N"} or
{"groups": n, "names": {name: number}, "results": [null | [[start, end] | null, ...], ...]}
where each result lists the span of group 0..n (code-point offsets) or null for no match.
"""
import json
import re
import sys
import warnings

warnings.simplefilter('ignore')


def run(case):
    try:
        rx = re.compile(case['pattern'], case.get('flags', 0))
    except (re.error, ValueError, OverflowError, RecursionError) as e:
        return {'error': str(e), 'type': type(e).__name__}
    results = []
    for s in case['subjects']:
        m = rx.search(s)
        results.append(None if m is None else [list(m.span(g)) if m.span(g) != (-1, -1) else None
                                               for g in range(rx.groups + 1)])
    return {'groups': rx.groups, 'names': rx.groupindex and dict(rx.groupindex) or {}, 'results': results}


def main():
    cases = json.load(sys.stdin)
    json.dump([run(c) for c in cases], sys.stdout)


main()
