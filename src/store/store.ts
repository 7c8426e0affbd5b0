/**
 * The daemon's memory: bans (their history and the latest per address and jail) and how far
 * each log was read. SQLite through better-sqlite3, in WAL mode: a ban written is on disk before
 * the firewall is touched, and survives SIGKILL. `:memory:` keeps nothing across restarts.
 *
 * Times are epoch seconds; a ban time of -1 means "for ever".
 */
import Database from 'better-sqlite3';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { LogjailError } from '../errors.js';

export const SCHEMA_VERSION = 1;

/** A ban as remembered. */
export interface StoredBan {
  readonly jail: string;
  readonly ip: string;
  /** When the ban started. */
  readonly time: number;
  /** Seconds; -1 for ever. */
  readonly banTime: number;
  /** How many times this address was banned in this jail, this one included. */
  readonly count: number;
  /** Captured data (failures, matches, user...) as JSON-able values. */
  readonly data: Readonly<Record<string, unknown>>;
}

/** How far a log source was read. */
export interface StoredPosition {
  readonly jail: string;
  readonly source: string;
  /** A hash of the first line (files) or '' (journal). */
  readonly hash: string;
  /** Byte position (files) or journal cursor. */
  readonly pos: string;
}

export interface BanHistory {
  /** Bans of the address so far (in this jail, or in all jails). */
  readonly count: number;
  /** The latest ban's start, or null. */
  readonly last: number | null;
  /** Sum of their ban times. */
  readonly banTimeSum: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS bans (
  id INTEGER PRIMARY KEY, jail TEXT NOT NULL, ip TEXT NOT NULL,
  time REAL NOT NULL, bantime REAL NOT NULL, count INTEGER NOT NULL, data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS bans_jail_time ON bans (jail, time);
CREATE INDEX IF NOT EXISTS bans_ip ON bans (ip);
CREATE TABLE IF NOT EXISTS latest (
  ip TEXT NOT NULL, jail TEXT NOT NULL,
  time REAL NOT NULL, bantime REAL NOT NULL, count INTEGER NOT NULL, data TEXT NOT NULL,
  unbanned REAL,
  PRIMARY KEY (ip, jail));
CREATE INDEX IF NOT EXISTS latest_time ON latest (time);
CREATE TABLE IF NOT EXISTS positions (
  jail TEXT NOT NULL, source TEXT NOT NULL, hash TEXT NOT NULL, pos TEXT NOT NULL,
  PRIMARY KEY (jail, source));
`;

/** fail2ban's own database has these tables: logjail never writes into it. */
function isFail2banDb(path: string): boolean {
  if (path === ':memory:' || !existsSync(path)) return false;
  try {
    const db = new Database(path, { readonly: true, fileMustExist: true });
    try {
      return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'fail2banDb'").get() !== undefined;
    } finally {
      db.close();
    }
  } catch {
    return false;
  }
}

export class Store {
  private readonly db: Database.Database;
  readonly path: string;
  /** Set when the configured file was fail2ban's database: logjail's lives beside it. */
  readonly movedFrom: string | null = null;
  private readonly q: ReturnType<Store['prepare']>;

  constructor(configured: string) {
    let path = configured;
    if (isFail2banDb(configured)) {
      // an existing /etc/fail2ban points at fail2ban's database: keep ours beside it
      path = join(dirname(configured), 'logjail.sqlite3');
      this.movedFrom = configured;
    }
    this.path = path;
    try {
      if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      this.db = new Database(path);
      if (path !== ':memory:') this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = NORMAL');
      this.db.pragma('foreign_keys = ON');
      this.db.exec(SCHEMA);
    } catch (e) {
      throw new LogjailError('STORE_OPEN', `cannot open the database ${path}: ${(e as Error).message}`, { key: 'dbfile' });
    }
    const v = this.db.prepare('SELECT value FROM meta WHERE key = ?').get('schema') as { value: string } | undefined;
    if (v === undefined) this.db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)').run('schema', String(SCHEMA_VERSION));
    else if (Number(v.value) > SCHEMA_VERSION) {
      throw new LogjailError('STORE_OPEN', `the database ${path} was written by a newer logjail (schema ${v.value})`, { key: 'dbfile' });
    }
    this.q = this.prepare();
  }

  private prepare() {
    const db = this.db;
    return {
      addBan: db.prepare('INSERT INTO bans (jail, ip, time, bantime, count, data) VALUES (?, ?, ?, ?, ?, ?)'),
      upsertLatest: db.prepare(`INSERT INTO latest (ip, jail, time, bantime, count, data, unbanned) VALUES (?, ?, ?, ?, ?, ?, NULL)
        ON CONFLICT (ip, jail) DO UPDATE SET time = excluded.time, bantime = excluded.bantime, count = excluded.count,
        data = excluded.data, unbanned = NULL`),
      unban: db.prepare('UPDATE latest SET unbanned = ? WHERE ip = ? AND jail = ?'),
      unbanAll: db.prepare('UPDATE latest SET unbanned = ? WHERE unbanned IS NULL AND (bantime < 0 OR time + bantime > ?)'),
      current: db.prepare(`SELECT ip, jail, time, bantime, count, data FROM latest
        WHERE jail = ? AND unbanned IS NULL AND (bantime < 0 OR time + bantime > ?) ORDER BY time`),
      historyJail: db.prepare('SELECT count(*) AS n, max(time) AS last, coalesce(sum(bantime), 0) AS sum FROM bans WHERE ip = ? AND jail = ?'),
      historyAll: db.prepare('SELECT count(*) AS n, max(time) AS last, coalesce(sum(bantime), 0) AS sum FROM bans WHERE ip = ?'),
      latestCount: db.prepare('SELECT count FROM latest WHERE ip = ? AND jail = ?'),
      dataAll: db.prepare('SELECT data FROM bans WHERE ip = ? ORDER BY time'),
      dataJail: db.prepare('SELECT data FROM bans WHERE ip = ? AND jail = ? ORDER BY time'),
      getPos: db.prepare('SELECT jail, source, hash, pos FROM positions WHERE jail = ? AND source = ?'),
      setPos: db.prepare(`INSERT INTO positions (jail, source, hash, pos) VALUES (?, ?, ?, ?)
        ON CONFLICT (jail, source) DO UPDATE SET hash = excluded.hash, pos = excluded.pos`),
      purgeBans: db.prepare('DELETE FROM bans WHERE time < ?'),
      purgeLatest: db.prepare('DELETE FROM latest WHERE time < ? AND bantime >= 0 AND time + bantime * 3 < ?'),
    };
  }

  /** Remember a ban (history and latest); returns once it is in the database. */
  addBan(b: StoredBan): void {
    const data = JSON.stringify(b.data);
    this.db.transaction(() => {
      this.q.addBan.run(b.jail, b.ip, b.time, b.banTime, b.count, data);
      this.q.upsertLatest.run(b.ip, b.jail, b.time, b.banTime, b.count, data);
    })();
  }

  /** The ban was lifted early (manual unban): it is not restored at the next start. */
  markUnbanned(jail: string, ip: string, now: number): void {
    this.q.unban.run(now, ip, jail);
  }

  markAllUnbanned(now: number): void {
    this.q.unbanAll.run(now, now);
  }

  /** Bans of a jail still in force at `now` (to restore at start). */
  currentBans(jail: string, now: number): StoredBan[] {
    return (this.q.current.all(jail, now) as { ip: string; jail: string; time: number; bantime: number; count: number; data: string }[])
      .map((r) => ({ jail: r.jail, ip: r.ip, time: r.time, banTime: r.bantime, count: r.count, data: parseData(r.data) }));
  }

  /** How often an address was banned before (this jail, or all jails). */
  history(ip: string, jail: string | null): BanHistory {
    const r = (jail === null ? this.q.historyAll.get(ip) : this.q.historyJail.get(ip, jail)) as { n: number; last: number | null; sum: number };
    return { count: r.n, last: r.last, banTimeSum: r.sum };
  }

  /** Matches and failures of an address's bans (<ipmatches>, <ipfailures> and their jail variants). */
  addressHistory(ip: string, jail: string | null, maxMatches = 1000): { matches: string[]; failures: number } {
    const rows = (jail === null ? this.q.dataAll.all(ip) : this.q.dataJail.all(ip, jail)) as { data: string }[];
    const matches: string[] = [];
    let failures = 0;
    for (const r of rows) {
      const d = parseData(r.data);
      if (Array.isArray(d['matches'])) for (const m of d['matches']) matches.push(String(m));
      if (typeof d['failures'] === 'number') failures += d['failures'];
    }
    return { matches: matches.slice(-maxMatches), failures };
  }

  position(jail: string, source: string): StoredPosition | null {
    return (this.q.getPos.get(jail, source) as StoredPosition | undefined) ?? null;
  }

  setPosition(p: StoredPosition): void {
    this.q.setPos.run(p.jail, p.source, p.hash, p.pos);
  }

  /** Several positions in one transaction (they are flushed periodically and at stop). */
  setPositions(ps: readonly StoredPosition[]): void {
    if (ps.length === 0) return;
    this.db.transaction(() => { for (const p of ps) this.setPosition(p); })();
  }

  /** Forget history older than `age` seconds (dbpurgeage); bans still in force are kept. */
  purge(now: number, age: number): number {
    const before = now - age;
    let n = 0;
    this.db.transaction(() => {
      n += this.q.purgeBans.run(before).changes;
      n += this.q.purgeLatest.run(before, before).changes;
    })();
    return n;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

function parseData(s: string): Record<string, unknown> {
  try {
    const v = JSON.parse(s) as unknown;
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? v as Record<string, unknown> : {};
  } catch {
    return {};
  }
}
