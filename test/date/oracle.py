"""Reference answers from the installed fail2ban for logjail's date tests.

Reads JSON from stdin: {"cases": [{"tz": str|null, "now": float, "pattern": str|null,
"timezone": str|null, "lines": [str, ...]}, ...]} and writes JSON to stdout: one object per
case with, per line, [start, end, time] where start/end are the code-point span of the date text
(group 1) or null when no template matched, and time is a number, null (no valid date), "empty"
(the template matched an empty date) or "raise:<Error>" (fail2ban's parser raised). Also the
template names in original order and the final order with hits.

Each case builds a detector the way fail2ban's Filter.setDatePattern does and processes its lines
in order (the detector is stateful). The TZ is switched with time.tzset(); after each switch one
unambiguous mktime call sets libc's remembered offset to a known value (the tests do the same).
"""
import json
import os
import re
import sys
import time

sys.path.insert(0, '/usr/lib/python3/dist-packages')

from fail2ban.server.datedetector import DateDetector  # noqa: E402
from fail2ban.server.mytime import MyTime  # noqa: E402


def make_detector(pattern, timezone):
    dd = DateDetector()
    dd.default_tz = timezone
    if pattern is not None:
        for p in [p for p in (s.strip() for s in re.split('\n+', pattern)) if p]:
            dd.appendTemplate(p)
    if not dd.templates:
        # what the first matchTime() would do
        dd.addDefaultTemplate()
    return dd


def run_case(case):
    tz = case.get('tz')
    if tz is None:
        os.environ.pop('TZ', None)
    else:
        os.environ['TZ'] = tz
    time.tzset()
    time.mktime((2000, 1, 15, 12, 0, 0, 0, 0, -1))
    MyTime.setTime(case['now'])
    dd = make_detector(case.get('pattern'), case.get('timezone'))
    names = [t.name for t in dd.templates]
    trace = [] if case.get('trace') else None
    results = []
    for line in case['lines']:
        try:
            match, template = dd.matchTime(line)
        except Exception as e:  # pragma: no cover - reported, compared as a failure
            results.append(['matchraise:' + type(e).__name__, None, None])
            continue
        if trace is not None:
            trace.append([t.name for t in dd.templates])
        if match is None:
            results.append([None, None, None])
            continue
        s, e = match.start(1), match.end(1)
        text = line[s:e]
        if not text:
            results.append([s, e, 'empty'])
            continue
        try:
            got = dd.getTime(text, (match, template))
            results.append([s, e, None if got is None else got[0]])
        except Exception as ex:
            results.append([s, e, 'raise:' + type(ex).__name__])
    return {
        'trace': trace,
        'names': names,
        'order': [[t.name, t.hits] for t in dd.templates],
        'results': results,
    }


def stock_patterns():
    """Distinct datepattern values of the stock filters (read by fail2ban's own FilterReader, for
    the default options and each logtype/logging variant), with the filters using each."""
    import glob
    import logging
    from fail2ban.client.filterreader import FilterReader
    logging.disable(logging.CRITICAL)
    found = {}
    variants = [{}, {'logtype': 'file'}, {'logtype': 'short'}, {'logtype': 'journal'},
                {'logtype': 'rfc5424'}, {'logging': 'catalina'}, {'logging': 'webapp'}]
    for path in sorted(glob.glob('/etc/fail2ban/filter.d/*.conf')):
        name = os.path.basename(path)[:-5]
        if name.endswith('common'):
            continue
        for opts in variants:
            try:
                reader = FilterReader(name, 'jail', dict(opts), basedir='/etc/fail2ban', share_config={})
                reader.read()
                reader.getOptions({})
                for cmd in reader.convert():
                    if cmd[0] == 'set' and cmd[2] == 'datepattern':
                        found.setdefault(cmd[3], set()).add(name)
            except Exception:
                pass
    return [[p, sorted(n)] for p, n in found.items()]


def main():
    req = json.load(sys.stdin)
    if req.get('stockPatterns'):
        json.dump(stock_patterns(), sys.stdout)
        return
    out = []
    for case in req['cases']:
        try:
            out.append(run_case(case))
        except Exception as e:
            out.append({'error': '%s: %s' % (type(e).__name__, e)})
    json.dump(out, sys.stdout)


if __name__ == '__main__':
    main()
