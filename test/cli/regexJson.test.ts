import { test } from 'node:test';
import assert from 'node:assert/strict';
import { failureJson, writeFailureJson } from '../../src/cli/regexJson.js';
import type { Failure } from '../../src/filter/types.js';

function failure(data: Record<string, unknown>, id = '192.0.2.1', time: number | null = 1700000000): Failure {
  return { regexIndex: 0, id, family: 'inet4', kind: 'addr', time, lineNo: 12, data: data as Failure['data'] };
}

test('a failure is one line of JSON: ip, time, line, then the captured fields in order, machinery left out', () => {
  const users = new Set(['root', 'admin']);
  const s = failureJson(failure({ user: 'root', ip4: '192.0.2.1', mlfid: ' host sshd[1]: ', port: undefined, users, matches: ['x'], extra: 'v' }), 0);
  assert.ok(s.endsWith('}\n') && !s.slice(0, -1).includes('\n'));
  assert.deepEqual(Object.entries(JSON.parse(s) as object),
    [['ip', '192.0.2.1'], ['time', 1700000000], ['line', 12], ['user', 'root'], ['extra', 'v'], ['users', ['admin', 'root']]]);
  // no date: "now" stands in
  assert.equal((JSON.parse(failureJson(failure({}, '192.0.2.1', null), 1234.5)) as { time: number }).time, 1234.5);
});

test('values from log lines come out as valid JSON whatever they hold', () => {
  const hostile = ['a"b', 'a\\b', 'tab\there', 'nul\u0000', 'esc\u001b[31m', 'line\u2028sep', 'lone \ud800 surrogate',
    'pair 😀', 'é', '\u007f', '', '$(touch /tmp/x)', '</script>'];
  for (const v of hostile) {
    const s = failureJson(failure({ user: v }, v), 0);
    assert.ok(!s.slice(0, -1).includes('\n'), JSON.stringify(v));
    const o = JSON.parse(s) as { ip: string; user: string };
    // JSON.stringify's own reading of the value (a lone surrogate comes back as U+FFFD-free escape)
    assert.equal(o.user, JSON.parse(JSON.stringify(v)) as string, JSON.stringify(v));
    assert.equal(o.ip, JSON.parse(JSON.stringify(v)) as string);
    assert.ok(s.includes(`"user":${JSON.stringify(v)}`), `${JSON.stringify(v)} is written as JSON.stringify writes it`);
  }
});

test('JSON written as bytes is byte for byte what failureJson gives, or left to it', () => {
  const values = ['root', 'a"b', 'a\\b', 'tab\there', 'nul\u0000', '\u007f', 'é', 'pair 😀', 'lone \ud800', '', 'x'.repeat(300), '$(touch /tmp/x)'];
  const times: (number | null)[] = [1700000000, 1700000000.25, 0, null, 1e21, -5];
  const out = new Uint8Array(1 << 12);
  let written = 0;
  for (const v of values) {
    for (const time of times) {
      for (const data of [{ user: v }, { user: 'bob', ip: v }, { user: v, tuple_x: 'y', x: ['a', v] }, { user: v, users: new Set(['a', 'b']) }, { user: v, users: 'a' }]) {
        const f = failure(data, v === '' ? '192.0.2.9' : v, time);
        const want = Buffer.from(failureJson(f, 1234.5));
        const end = writeFailureJson(f, 1234.5, out, 7);
        if (end >= 0) {
          written++;
          assert.deepEqual(Buffer.from(out.subarray(7, end)), want, JSON.stringify([v, time, data]));
        }
        // too little room: never a partial line
        assert.equal(writeFailureJson(f, 1234.5, out.subarray(0, 7 + want.length - 1), 7), -1);
      }
    }
  }
  // plain text takes the byte path (the usual case)
  assert.ok(written >= 30, `only ${written} written as bytes`);
  assert.ok(writeFailureJson(failure({ user: 'root' }), 0, out, 0) > 0);
});
