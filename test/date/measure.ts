/**
 * Throughput of find() + time() on typical lines (not a test; run by hand):
 *   npx tsc -p tsconfig.json && node dist/test/date/measure.js
 */
import { createDateDetector, createLocalZone } from '../../src/filter/date/index.js';

const zone = createLocalZone('CET-01CEST-02,M3.5.0,M10.5.0');
const NOW = 1124013600;

function lines(make: (i: number) => string, n = 1000): string[] {
  return Array.from({ length: n }, (_, i) => make(i));
}

const two = (n: number): string => String(n).padStart(2, '0');
const SETS: [string, string | undefined, string[]][] = [
  ['syslog, default templates', undefined,
    lines((i) => `Aug ${two(1 + (i % 14))} ${two(i % 24)}:${two(i % 60)}:${two((i * 7) % 60)} host sshd[${1000 + i}]: Failed password for root from 192.0.2.${i % 250} port 22 ssh2`)],
  ['syslog, {^LN-BEG}', '{^LN-BEG}',
    lines((i) => `Aug ${two(1 + (i % 14))} ${two(i % 24)}:${two(i % 60)}:${two((i * 7) % 60)} host sshd[${1000 + i}]: Failed password for root from 192.0.2.${i % 250} port 22 ssh2`)],
  ['ISO 8601, default templates', undefined,
    lines((i) => `2005-08-${two(1 + (i % 14))}T${two(i % 24)}:${two(i % 60)}:${two((i * 7) % 60)}.${String(i).padStart(6, '0')}+02:00 host app: login failed for 192.0.2.${i % 250}`)],
  ['Apache, default templates', undefined,
    lines((i) => `192.0.2.${i % 250} - - [14/Aug/2005:${two(i % 24)}:${two(i % 60)}:${two((i * 7) % 60)} +0200] "GET /x HTTP/1.1" 401 123`)],
  ['no date, default templates', undefined,
    lines((i) => `host sshd[${1000 + i}]: Connection closed by 192.0.2.${i % 250} port 22 [preauth]`)],
  ['no date, {^LN-BEG}', '{^LN-BEG}',
    lines((i) => `host sshd[${1000 + i}]: Connection closed by 192.0.2.${i % 250} port 22 [preauth]`)],
  ['syslog, non-ASCII message', undefined,
    lines((i) => `Aug ${two(1 + (i % 14))} ${two(i % 24)}:${two(i % 60)}:${two((i * 7) % 60)} host sshd[${1000 + i}]: Invalid user josé from 192.0.2.${i % 250}`)],
  ['no date, non-ASCII, {^LN-BEG}', '{^LN-BEG}',
    lines((i) => `host sshd[${1000 + i}]: Invalid user josé from 192.0.2.${i % 250}`)],
  ['syslog + rfc5424 {DATE}', '{^LN-BEG}\n^<\\d+>\\d+\\s+{DATE}',
    lines((i) => `Aug ${two(1 + (i % 14))} ${two(i % 24)}:${two(i % 60)}:${two((i * 7) % 60)} host sshd[${1000 + i}]: Failed password for root from 192.0.2.${i % 250} port 22 ssh2`)],
];

for (const [label, pattern, ls] of SETS) {
  const d = createDateDetector({ pattern, localZone: zone });
  let sink = 0;
  // Warm up, then time at least ~0.5 s.
  for (let r = 0; r < 50; r++) for (const l of ls) if (d.find(l)) sink += d.time(l, NOW) ?? 0;
  let n = 0;
  const t0 = process.hrtime.bigint();
  let el = 0;
  while (el < 5e8) {
    for (const l of ls) if (d.find(l)) sink += d.time(l, NOW) ?? 0;
    n += ls.length;
    el = Number(process.hrtime.bigint() - t0);
  }
  console.log(`${label.padEnd(30)} ${(n / (el / 1e9) / 1e6).toFixed(2)} M lines/s  (${(el / n).toFixed(0)} ns/line)${sink === 0.5 ? '' : ''}`);
}
