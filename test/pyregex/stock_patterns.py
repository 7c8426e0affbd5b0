#!/usr/bin/python3
"""Lists every regular expression the installed fail2ban compiles for its stock filters.

For each filter in /etc/fail2ban/filter.d and each combination of its parameters (mode, logtype,
publickey, logging, the sample logs' filterOptions) and of usedns yes/no, the filter is loaded
with fail2ban's own reader and server-side Filter, and the compiled patterns are taken from the
Filter object: prefregex, failregex, ignoreregex and the date-template regexes, exactly as
fail2ban hands them to re.compile (tags expanded, flags included).

Prints JSON: {"patterns": [{"pattern", "flags", "kind", "filters", "maxlines"}...],
              "samples": {filter: [line, ...]}}
"""
import glob
import itertools
import json
import os
import re
import sys

sys.path.insert(0, '/usr/lib/python3/dist-packages')

from fail2ban.client.filterreader import FilterReader  # noqa: E402
from fail2ban.server.filter import Filter  # noqa: E402
from fail2ban.server.datedetector import DateDetector  # noqa: E402

CONF = '/etc/fail2ban'
LOGS = '/usr/lib/python3/dist-packages/fail2ban/tests/files/logs'
PARAMS = ('mode', 'logtype', 'publickey', 'logging')


def param_values(name):
    """Values each parameter can take, from the <prefix-<param>> keys the filter files define."""
    texts = []
    for path in (os.path.join(CONF, 'filter.d', name + '.conf'), os.path.join(CONF, 'filter.d', 'common.conf')):
        with open(path, encoding='utf-8') as f:
            texts.append(f.read())
    own = texts[0]
    text = '\n'.join(texts)
    values = {}
    for param in PARAMS:
        found = set()
        uses = own if param != 'logtype' else text
        for prefix, suffix in re.findall(r'<([\w-]*)<%s>([\w/-]*)>' % param, uses):
            if '/' in suffix:  # section reference such as <lt_<logtype>/__prefix_line>
                found.update(re.findall(r'^\[%s([\w-]+)\]' % re.escape(prefix), text, re.M))
            else:
                found.update(re.findall(r'^%s([\w]+)%s\s*=' % (re.escape(prefix), re.escape(suffix)), text, re.M))
        if param == 'logtype' and '__prefix_line' not in own:
            found = set()
        if found:
            values[param] = sorted(found)
    return values


def sample_options(name):
    opts = []
    path = os.path.join(LOGS, name)
    if not os.path.exists(path):
        return opts
    with open(path, encoding='utf-8', errors='replace') as f:
        for line in f:
            m = re.match(r'^#+ ?filterOptions:(.+)$', line)
            if m:
                data = json.loads(m.group(1))
                for d in (data if isinstance(data, list) else [data]):
                    opts.append({k: v for k, v in d.items() if not k.startswith('test.')})
    return opts


def combos(name):
    values = param_values(name)
    keys = sorted(values)
    out = [{}]
    for prod in itertools.product(*(values[k] for k in keys)):
        out.append(dict(zip(keys, prod)))
    out.extend(sample_options(name))
    return out


def load(name, opts, usedns):
    reader = FilterReader(name, 'jail', dict(opts), basedir=CONF)
    reader.read()
    reader.getOptions({})
    flt = Filter(None)
    flt.setUseDns(usedns)
    for opt in reader.convert():
        vals = opt[3] if opt[0] == 'multi-set' else [opt[3]]
        for val in vals:
            if opt[2] == 'prefregex':
                flt.prefRegex = val
            elif opt[2] == 'addfailregex':
                flt.addFailRegex(val)
            elif opt[2] == 'addignoreregex':
                flt.addIgnoreRegex(val)
            elif opt[2] == 'maxlines':
                flt.setMaxLines(val)
            elif opt[2] == 'datepattern':
                flt.setDatePattern(val)
    return flt


def main():
    patterns = {}

    def add(regex_obj_or_str, flags, kind, name, maxlines):
        pattern = regex_obj_or_str
        key = (pattern, flags)
        entry = patterns.get(key)
        if entry is None:
            entry = patterns[key] = {'pattern': pattern, 'flags': flags, 'kind': kind, 'filters': [], 'maxlines': maxlines}
        if name not in entry['filters']:
            entry['filters'].append(name)
        entry['maxlines'] = max(entry['maxlines'], maxlines)

    names = sorted(os.path.basename(p)[:-5] for p in glob.glob(os.path.join(CONF, 'filter.d', '*.conf')))
    names = [n for n in names if n != 'common']
    for name in names:
        for opts in combos(name):
            for usedns in ('yes', 'no'):
                try:
                    flt = load(name, opts, usedns)
                except Exception as e:  # an option combination the filter does not support
                    print('skip %s %r: %s' % (name, opts, e), file=sys.stderr)
                    continue
                maxlines = flt.getMaxLines()
                pref = flt._Filter__prefRegex
                if pref is not None:
                    add(pref._regexObj.pattern, pref._regexObj.flags & ~re.UNICODE, 'prefregex', name, maxlines)
                for r in flt._Filter__failRegex:
                    add(r._regexObj.pattern, r._regexObj.flags & ~re.UNICODE, 'failregex', name, maxlines)
                for r in flt._Filter__ignoreRegex:
                    add(r._regexObj.pattern, r._regexObj.flags & ~re.UNICODE, 'ignoreregex', name, maxlines)
                if flt.dateDetector is not None:
                    for t in flt.dateDetector.templates:
                        add(t.template.regex, 0, 'datepattern', name, 1)
    default = DateDetector()
    default.addDefaultTemplate()
    for t in default.templates:
        add(t.template.regex, 0, 'datepattern', '*', 1)

    samples = {}
    for path in sorted(glob.glob(os.path.join(LOGS, '*'))):
        if not os.path.isfile(path):
            continue
        with open(path, encoding='utf-8', errors='replace') as f:
            lines = [ln.rstrip('\r\n') for ln in f if not ln.startswith('#')]
        samples[os.path.basename(path)] = [ln for ln in lines if ln.strip()]
    json.dump({'patterns': list(patterns.values()), 'samples': samples}, sys.stdout)


main()
