import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCommand } from '../../src/control/command.js';
import { parseRequest, parseResponse, RequestError } from '../../src/control/protocol.js';
import { LogjailError } from '../../src/errors.js';

function rejects(tokens: string[], pattern: RegExp): void {
  assert.throws(() => parseCommand(tokens), (e: unknown) => {
    assert.ok(e instanceof LogjailError);
    assert.equal(e.code, 'LJ671');
    assert.match(e.message, pattern);
    return true;
  }, tokens.join(' '));
}

test('a request is an object with an integer id and a non-empty list of strings', () => {
  assert.deepEqual(parseRequest('{"id": 3, "cmd": ["status", "sshd"]}'), { id: 3, cmd: ['status', 'sshd'] });
  const bad: [string, RegExp, number | null][] = [
    ['not json', /not JSON/, null],
    ['[1, 2]', /JSON object, got a list/, null],
    ['"status"', /JSON object, got the string/, null],
    ['{"cmd": ["ping"]}', /"id" must be a non-negative integer, got nothing/, null],
    ['{"id": 1.5, "cmd": ["ping"]}', /"id" must be/, null],
    ['{"id": -1, "cmd": ["ping"]}', /"id" must be/, null],
    ['{"id": "1", "cmd": ["ping"]}', /"id" must be/, null],
    ['{"id": 4, "cmd": "ping"}', /"cmd" must be a non-empty list of strings, got the string "ping"/, 4],
    ['{"id": 4, "cmd": []}', /"cmd" must be a non-empty list/, 4],
    ['{"id": 4, "cmd": ["ban", "sshd", 1]}', /"cmd" item 2 must be a string, got number 1/, 4],
    ['{"id": 4, "cmd": ["ban", null]}', /"cmd" item 1 must be a string, got null/, 4],
    ['{"id": 4, "cmd": ["ping"], "extra": 1}', /unknown key "extra"/, 4],
    ['{"id": 4, "cmd": ["ban", "sshd", "1.2.3.4\\u0000"]}', /NUL/, 4],
  ];
  for (const [line, pattern, id] of bad) {
    assert.throws(() => parseRequest(line), (e: unknown) => {
      assert.ok(e instanceof RequestError, line);
      assert.equal(e.code, 'LJ670');
      assert.equal(e.requestId, id, line);
      assert.match(e.message, pattern, line);
      return true;
    });
  }
});

test('an answer is read back only when it has the documented shape', () => {
  assert.deepEqual(parseResponse('{"id":1,"ok":true,"result":{"reply":"pong"}}'), { id: 1, ok: true, result: { reply: 'pong' } });
  assert.deepEqual(parseResponse('{"id":null,"ok":false,"error":{"code":"LJ675","message":"m","hint":"h"}}'),
    { id: null, ok: false, error: { code: 'LJ675', message: 'm', hint: 'h' } });
  for (const line of ['', '{}', '{"id":1,"ok":true}', '{"id":1,"ok":false,"error":{"code":1}}', '{"id":"x","ok":true,"result":1}', '[]']) {
    assert.equal(parseResponse(line), null, line);
  }
});

test('logjail\'s command forms are read into commands', () => {
  assert.deepEqual(parseCommand(['ping']), { kind: 'ping' });
  assert.deepEqual(parseCommand(['version']), { kind: 'version' });
  assert.deepEqual(parseCommand(['stop']), { kind: 'stop' });
  assert.deepEqual(parseCommand(['status']), { kind: 'status' });
  assert.deepEqual(parseCommand(['status', 'sshd']), { kind: 'jailStatus', jail: 'sshd', short: false });
  assert.deepEqual(parseCommand(['ban', 'sshd', '192.0.2.1', '2001:db8::1']), { kind: 'ban', jail: 'sshd', ips: ['192.0.2.1', '2001:db8::1'] });
  assert.deepEqual(parseCommand(['unban', '192.0.2.1']), { kind: 'unban', jail: null, ips: ['192.0.2.1'], reportAbsent: false });
  assert.deepEqual(parseCommand(['unban', '--all']), { kind: 'unbanAll', jail: null });
  assert.deepEqual(parseCommand(['unban', '--jail', 'sshd', '192.0.2.1']), { kind: 'unban', jail: 'sshd', ips: ['192.0.2.1'], reportAbsent: false });
  assert.deepEqual(parseCommand(['unban', '--jail', 'sshd', '--all']), { kind: 'unbanAll', jail: 'sshd' });
  assert.deepEqual(parseCommand(['banned']), { kind: 'banned', filters: [] });
  assert.deepEqual(parseCommand(['banned', 'sshd']), { kind: 'banned', filters: ['sshd'] });
  assert.deepEqual(parseCommand(['reload']), { kind: 'reload', jail: null, unban: false, ifExists: false });
  assert.deepEqual(parseCommand(['reload', 'sshd']), { kind: 'reload', jail: 'sshd', unban: false, ifExists: false });
  assert.deepEqual(parseCommand(['get', 'sshd', 'maxretry']), { kind: 'get', jail: 'sshd', setting: 'maxretry' });
  assert.deepEqual(parseCommand(['set', 'sshd', 'bantime', '-1']), { kind: 'set', jail: 'sshd', setting: 'bantime', value: '-1' });
  // a value may contain spaces and start with dashes: it is one token
  assert.deepEqual(parseCommand(['set', 'sshd', 'failregex', '--x <HOST> y']), { kind: 'set', jail: 'sshd', setting: 'failregex', value: '--x <HOST> y' });
});

test('fail2ban-client\'s command forms are read into the same commands', () => {
  assert.deepEqual(parseCommand(['set', 'sshd', 'banip', '192.0.2.1', '192.0.2.2']), { kind: 'ban', jail: 'sshd', ips: ['192.0.2.1', '192.0.2.2'] });
  assert.deepEqual(parseCommand(['set', 'sshd', 'unbanip', '192.0.2.1']), { kind: 'unban', jail: 'sshd', ips: ['192.0.2.1'], reportAbsent: false });
  assert.deepEqual(parseCommand(['set', 'sshd', 'unbanip', '--report-absent', '192.0.2.1']), { kind: 'unban', jail: 'sshd', ips: ['192.0.2.1'], reportAbsent: true });
  assert.deepEqual(parseCommand(['get', 'sshd', 'banned']), { kind: 'getBanned', jail: 'sshd', ips: [] });
  assert.deepEqual(parseCommand(['get', 'sshd', 'banned', '192.0.2.1']), { kind: 'getBanned', jail: 'sshd', ips: ['192.0.2.1'] });
  assert.deepEqual(parseCommand(['get', 'sshd', 'banip']), { kind: 'getBanip', jail: 'sshd', withTime: false, separator: ' ' });
  assert.deepEqual(parseCommand(['get', 'sshd', 'banip', ',']), { kind: 'getBanip', jail: 'sshd', withTime: false, separator: ',' });
  assert.deepEqual(parseCommand(['get', 'sshd', 'banip', '--with-time']), { kind: 'getBanip', jail: 'sshd', withTime: true, separator: ' ' });
  assert.deepEqual(parseCommand(['status', 'sshd', 'short']), { kind: 'jailStatus', jail: 'sshd', short: true });
  assert.deepEqual(parseCommand(['status', 'sshd', 'basic']), { kind: 'jailStatus', jail: 'sshd', short: false });
  assert.deepEqual(parseCommand(['ping', '5']), { kind: 'ping' });
  assert.deepEqual(parseCommand(['reload', '--unban', '--all']), { kind: 'reload', jail: null, unban: true, ifExists: false });
  assert.deepEqual(parseCommand(['reload', '--if-exists', 'sshd']), { kind: 'reload', jail: 'sshd', unban: false, ifExists: true });
});

test('unknown commands, missing or extra arguments and unsupported forms are refused with the reason', () => {
  rejects([], /empty/);
  rejects(['frobnicate'], /unknown command "frobnicate"; commands: status, ban/);
  rejects(['ping', 'x'], /does not match ping/);
  rejects(['version', 'now'], /does not match version/);
  rejects(['stop', 'sshd'], /stopping one jail is not supported/);
  rejects(['status', 'sshd', 'cymru'], /cymru.*not supported/);
  rejects(['status', 'sshd', 'long'], /does not match status \[JAIL \[basic\|short\]\]/);
  rejects(['status', '--all'], /does not match/);
  rejects(['ban', 'sshd'], /does not match ban JAIL IP/);
  rejects(['ban'], /does not match ban JAIL IP/);
  rejects(['ban', 'sshd', '--all'], /does not match ban JAIL IP/);
  rejects(['unban'], /does not match unban IP/);
  rejects(['unban', '--jail'], /does not match unban/);
  rejects(['unban', '--all', '192.0.2.1'], /does not match unban/);
  rejects(['banned', '--all'], /does not match banned/);
  rejects(['reload', 'a', 'b'], /does not match reload/);
  rejects(['reload', '--all', 'sshd'], /does not match reload/);
  rejects(['reload', '--if-exists'], /does not match reload/);
  rejects(['reload', '--restart'], /--restart is not supported/);
  rejects(['get', 'sshd'], /does not match get JAIL SETTING/);
  rejects(['get', 'sshd', 'colour'], /"colour" is not a jail setting logjail can get; known: maxretry, findtime/);
  rejects(['get', 'sshd', 'maxretry', 'extra'], /does not match get JAIL SETTING/);
  rejects(['get', 'sshd', 'banip', ',', 'x'], /does not match get JAIL banip/);
  rejects(['set', 'sshd', 'maxretry'], /takes exactly one value, got 0/);
  rejects(['set', 'sshd', 'maxretry', '3', '4'], /takes exactly one value, got 2; quote/);
  rejects(['set', 'sshd', 'banned', 'x'], /"banned" cannot be set/);
  rejects(['set', 'sshd', 'banip'], /does not match set JAIL banip IP/);
  rejects(['set', 'sshd', 'unbanip', '--report-absent'], /does not match set JAIL unbanip/);
  rejects(['set', 'sshd', 'addignoreip', '10.0.0.1'], /"addignoreip" is not a jail setting logjail can set/);
});

test('a long value is shortened in the error message, so an answer does not grow with the request', () => {
  const long = 'x'.repeat(50_000);
  assert.throws(() => parseCommand([long]), (e: unknown) => e instanceof LogjailError && e.message.length < 400);
  assert.throws(() => parseCommand(['get', 'sshd', long]), (e: unknown) => e instanceof LogjailError && e.message.length < 600);
});
