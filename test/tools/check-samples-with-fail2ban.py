#!/usr/bin/python3
"""Check logjail's annotated sample logs against the reference fail2ban.

Usage:
    python3 test/tools/check-samples-with-fail2ban.py [--config DIR] [--samples DIR] [FILTER ...]

Every FILTER (default: every filter.d/*.conf of the config tree except common.conf)
is read with fail2ban's own FilterReader from the config tree, and every annotated
line of samples/logs/FILTER is run through fail2ban's Filter, the way fail2ban's
sample-log test does it (see docs/filters.md, "Sample logs"):

  * TZ is CET/CEST and "now" is 2005-08-14 12:00:00 local time;
  * "# filterOptions: {...}" or "[{...}, ...]" selects the filter variants that the
    following lines go through; "# fileOptions: {...}" is merged into each of them;
    keys starting with "test." are not filter options;
  * "# failJSON: {...}" describes the next line: "match" true means exactly one
    failure, false (or absent) means none; every other key except time, match,
    desc and constraint must equal the captured value ("host" falls back to the
    failure id, "attempts" counts matched lines); "time" is local time;
    "constraint" is a Python expression over name and opts;
  * failures without an id (pending) or flagged nofail are not failures;
  * at the end every failregex must have matched some line (like fail2ban, a
    regex counts as used when any variant of the file used the same text; with
    --strict every variant must use each of its own regexes), and no failregex
    may put a greedy catch-all before <HOST> without being anchored at the end.

It only imports the installed fail2ban package; nothing of it is copied here.
Exit status: 0 when everything agrees, 1 otherwise.
"""

import argparse
import datetime
import json
import os
import re
import sys
import time

os.environ['TZ'] = 'CET-01CEST-02,M3.5.0,M10.5.0'
time.tzset()

try:
    import fail2ban  # noqa: F401
except ImportError:
    # fail2ban is installed for the system interpreter; another python3 first on
    # PATH (pyenv, venv) does not see it.
    if os.path.exists('/usr/bin/python3') and sys.executable != '/usr/bin/python3':
        os.execv('/usr/bin/python3', ['/usr/bin/python3'] + sys.argv)
    raise

from fail2ban.client.filterreader import FilterReader  # noqa: E402
from fail2ban.server.filter import Filter  # noqa: E402
from fail2ban.server.mytime import MyTime  # noqa: E402
from fail2ban.tests.samplestestcase import RE_WRONG_GREED, RE_HOST  # noqa: E402

NOW = 1124013600  # 2005-08-14 12:00:00 CEST
NOW_ISO_UTC = '2005-08-14T10:00:00'
DIRECTIVE = re.compile(r'^#+ ?(failJSON|fileOptions|filterOptions|addFILE):(.+)$')
NOT_COMPARED = ('time', 'match', 'desc', 'constraint')


class Variant:
    """One filter built with one set of options, plus which of its regexes hit."""

    def __init__(self, name, opts, config_dir):
        self.name = name
        self.opts = opts
        self.label = name + (json.dumps(opts, sort_keys=True) if opts else '')
        self.filter = Filter(None)
        self.filter.returnRawHost = True
        self.filter.checkAllRegex = True
        self.filter.checkFindTime = False
        self.filter.active = True
        reader = FilterReader(name, 'jail', dict(opts), basedir=config_dir)
        if not reader.read():
            raise SystemExit('cannot read filter %r from %s' % (name, config_dir))
        reader.getOptions({})
        for command in reader.convert():
            op, _jail, key = command[0], command[1], command[2]
            values = command[3] if op == 'multi-set' else [command[3]]
            for value in values:
                if key == 'prefregex':
                    self.filter.prefRegex = value
                elif key == 'addfailregex':
                    self.filter.addFailRegex(value)
                elif key == 'addignoreregex':
                    self.filter.addIgnoreRegex(value)
                elif key == 'maxlines':
                    self.filter.setMaxLines(value)
                elif key == 'datepattern':
                    self.filter.setDatePattern(value)
        self.used = set()

    def regexes(self):
        return self.filter.getFailRegex()


def local_time(text):
    fmt = '%Y-%m-%dT%H:%M:%S.%f' if '.' in text else '%Y-%m-%dT%H:%M:%S'
    value = datetime.datetime.strptime(text, fmt)
    return time.mktime(value.timetuple()) + value.microsecond / 1e6


def same(actual, expected):
    if isinstance(actual, (set, list, tuple, dict)):
        return sorted(actual) == sorted(expected)
    # IPAddr compares with a string by address (so "2001:DB8::1" equals 2001:db8::1).
    return actual == expected


class Checker:
    def __init__(self, config_dir, samples_dir, strict=False):
        self.strict = strict
        self.config_dir = config_dir
        self.samples_dir = samples_dir
        self.problems = []
        self.lines_checked = 0

    def problem(self, where, text):
        self.problems.append('%s: %s' % (where, text))

    def run_filter(self, name):
        variants = {}
        active = None
        file_opts = {}
        files = [name]
        while files:
            current = files.pop(0)
            path = os.path.join(self.samples_dir, current)
            if not os.path.isfile(path):
                self.problem(path, 'no sample file')
                return
            with open(path, encoding='utf-8') as handle:
                lines = handle.read().splitlines()
            expect = None
            skip_block = False
            for number, line in enumerate(lines, 1):
                where = '%s:%d' % (path, number)
                found = DIRECTIVE.match(line)
                if found:
                    kind, data = found.group(1), json.loads(found.group(2))
                    if kind == 'fileOptions':
                        file_opts = data
                    elif kind == 'addFILE':
                        files.append(data)
                    elif kind == 'filterOptions':
                        active, skip_block = [], False
                        for opts in data if isinstance(data, list) else [data]:
                            merged = dict(file_opts)
                            merged.update(opts)
                            if merged.get('test.condition') and not eval(merged['test.condition'], {'name': name}):
                                skip_block = True
                                continue
                            filter_opts = {k: v for k, v in merged.items() if not k.startswith('test.')}
                            key = json.dumps(filter_opts, sort_keys=True)
                            if key not in variants:
                                variants[key] = Variant(name, filter_opts, self.config_dir)
                            active.append((variants[key], merged))
                    else:
                        expect = data
                    continue
                if line.startswith('#') or not line.strip():
                    continue
                if expect is None:
                    self.problem(where, 'line has no failJSON annotation')
                    expect = {}
                if skip_block:
                    expect = None
                    continue
                if active is None:
                    key = json.dumps({})
                    variants.setdefault(key, Variant(name, {}, self.config_dir))
                    active = [(variants[key], {})]
                for variant, opts in active:
                    self.check_line(where, line, expect, variant, opts, name)
                expect = None
        used_texts = {variant.regexes()[index] for variant in variants.values() for index in variant.used}
        for variant in variants.values():
            for index, regex in enumerate(variant.regexes()):
                if RE_WRONG_GREED.search(regex):
                    self.problem(variant.label, 'failregex %d has a greedy catch-all before <HOST>: %s'
                                 % (index, regex.replace(RE_HOST, '<HOST>')))
                if index not in variant.used and (self.strict or regex not in used_texts):
                    self.problem(variant.label, 'failregex %d matched no sample line: %s'
                                 % (index, regex.replace(RE_HOST, '<HOST>')))

    def check_line(self, where, line, expect, variant, opts, name):
        if expect.get('constraint') and not eval(expect['constraint'], {'name': name, 'opts': variant.opts}):
            return
        self.lines_checked += 1
        where = '%s [%s]' % (where, variant.label)
        if opts.get('logtype') == 'journal':
            text = opts.get('test.prefix-line', '') + line
            results = variant.filter.processLine(('', NOW_ISO_UTC, text), NOW) or []
        else:
            results = variant.filter.processLine(line) or []
        failures = []
        for index, fid, stamp, data in results:
            variant.used.add(index)
            if fid is None or data.get('nofail'):
                continue
            failures.append((index, fid, stamp, data))
        if not expect.get('match', False):
            if failures:
                self.problem(where, 'matched (regex %s, id %s) but is annotated "match": false'
                             % ([f[0] for f in failures], [str(f[1]) for f in failures]))
            return
        if len(failures) != 1:
            self.problem(where, 'expected exactly one failure, got %d (regexes %s)'
                         % (len(failures), [f[0] for f in failures]))
            return
        index, fid, stamp, data = failures[0]
        for key, wanted in expect.items():
            if key in NOT_COMPARED:
                continue
            actual = data.get(key)
            if actual is None and key == 'host':
                actual = fid
            if actual is None and key == 'attempts':
                actual = len(data.get('matches', []))
            if not same(actual, wanted):
                self.problem(where, '%s is %r, annotated %r (regex %d)' % (key, actual, wanted, index))
        if 'time' in expect and stamp != local_time(expect['time']):
            self.problem(where, 'time is %s, annotated %s' % (
                time.strftime('%Y-%m-%dT%H:%M:%S', time.localtime(stamp)), expect['time']))


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(os.path.dirname(here))
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--config', default=os.path.join(root, 'config'))
    parser.add_argument('--samples', default=os.path.join(root, 'samples', 'logs'))
    parser.add_argument('--strict', action='store_true',
                        help='every filter variant must use every one of its failregexes')
    parser.add_argument('filters', nargs='*')
    args = parser.parse_args()
    names = args.filters or sorted(
        entry[:-5] for entry in os.listdir(os.path.join(args.config, 'filter.d'))
        if entry.endswith('.conf') and not entry.endswith('common.conf'))
    MyTime.setAlternateNow(NOW)
    MyTime.setTime(NOW)
    checker = Checker(args.config, args.samples, args.strict)
    for name in names:
        checker.run_filter(name)
    for text in checker.problems:
        print(text)
    print('%d filter(s), %d line checks, %d problem(s)' % (len(names), checker.lines_checked, len(checker.problems)))
    return 1 if checker.problems else 0


if __name__ == '__main__':
    sys.exit(main())
