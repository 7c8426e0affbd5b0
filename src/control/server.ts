/**
 * The daemon's control socket: a Unix stream socket only root can use (the socket file is 0600,
 * a folder it creates is 0700), one JSON request per line (see protocol.ts), each answered by
 * running the command against the Controller. Hostile or broken clients get error answers, never
 * a crash or a stack trace, and cannot make the daemon hold more than a bounded amount of memory.
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { isMainThread } from 'node:worker_threads';
import { isLogjailError, LogjailError } from '../errors.js';
import { parseCommand } from './command.js';
import { Connection } from './connection.js';
import type { Controller } from './controller.js';
import { executeCommand } from './execute.js';
import { clip, DEFAULT_SOCKET_PATH, errorLine, MAX_REQUEST_BYTES, okLine, parseRequest, RequestError } from './protocol.js';

/** Where the server reports what an admin should know (the daemon's Logger fits). */
export interface ControlLog {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface ControlServerOptions {
  readonly path?: string;
  readonly log?: ControlLog;
  /** Clients connected at once; one more is told to retry and hung up on. Default 64. */
  readonly maxClients?: number;
  /** A client with nothing in progress is dropped after this long; 0 never. Default 60 s. */
  readonly idleTimeoutMs?: number;
  /** close() waits this long for answers in progress before cutting connections. Default 3 s. */
  readonly closeGraceMs?: number;
}

/** Longest path a Unix socket address holds on Linux (sun_path is 108 bytes with the NUL). */
const MAX_SOCKET_PATH_BYTES = 107;

export class ControlServer {
  readonly path: string;
  private readonly log: ControlLog | null;
  private readonly maxClients: number;
  private readonly idleTimeoutMs: number;
  private readonly closeGraceMs: number;
  private readonly server: net.Server;
  private readonly clients = new Set<Connection>();
  /** Inode of the socket file we created: close() removes that file and no other. */
  private inode: number | null = null;
  private closing: Promise<void> | null = null;

  /** Create the socket at `socketPath` and answer on it (what `logjail server` calls). */
  static async start(socketPath: string, controller: Controller, log?: ControlLog): Promise<ControlServer> {
    const s = new ControlServer(controller, log === undefined ? { path: socketPath } : { path: socketPath, log });
    await s.listen();
    return s;
  }

  constructor(private readonly controller: Controller, o: ControlServerOptions = {}) {
    this.path = path.resolve(o.path ?? DEFAULT_SOCKET_PATH);
    this.log = o.log ?? null;
    this.maxClients = o.maxClients ?? 64;
    this.idleTimeoutMs = o.idleTimeoutMs ?? 60_000;
    this.closeGraceMs = o.closeGraceMs ?? 3000;
    this.server = net.createServer((socket) => this.accept(socket));
  }

  /** Clients connected now. */
  get clientCount(): number {
    return this.clients.size;
  }

  async listen(): Promise<void> {
    if (Buffer.byteLength(this.path) > MAX_SOCKET_PATH_BYTES) {
      throw new LogjailError('CONTROL_SOCKET', `the path ${this.path} is longer than ${MAX_SOCKET_PATH_BYTES} bytes`);
    }
    const dir = path.dirname(this.path);
    try {
      // only folders created here get 0700; an existing one (/tmp, /run) is not ours to change
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    } catch (e) {
      throw new LogjailError('CONTROL_SOCKET', `cannot create the folder ${dir}: ${(e as Error).message}`);
    }
    await this.removeStale();
    await new Promise<void>((resolve, reject) => {
      const onError = (e: NodeJS.ErrnoException): void => {
        this.server.off('listening', onListening);
        reject(e.code === 'EADDRINUSE'
          ? new LogjailError('CONTROL_IN_USE', `${this.path} was created by another process while this one started`)
          : new LogjailError('CONTROL_SOCKET', `cannot listen on ${this.path}: ${e.message}`));
      };
      const onListening = (): void => {
        this.server.off('error', onError);
        resolve();
      };
      this.server.once('error', onError);
      this.server.once('listening', onListening);
      // The socket file is created inside listen(), synchronously; with this umask it is born
      // 0600, so no other user can connect between its creation and the chmod below. (The
      // umask is process-wide for that instant: files created meanwhile by the thread pool
      // would only come out stricter.) Worker threads cannot change it; the chmod still holds.
      const old = isMainThread ? process.umask(0o177) : null;
      try {
        this.server.listen(this.path);
      } finally {
        if (old !== null) process.umask(old);
      }
    });
    this.server.on('error', (e) => this.log?.error(`control socket ${this.path}: ${e.message}`));
    try {
      fs.chmodSync(this.path, 0o600);
      this.inode = fs.lstatSync(this.path).ino;
    } catch (e) {
      this.server.close();
      throw new LogjailError('CONTROL_SOCKET', `cannot restrict ${this.path} to root: ${(e as Error).message}`);
    }
    this.log?.info(`Control socket listening at ${this.path}`);
  }

  /**
   * Stop listening, remove the socket file, let answers in progress be written (for at most
   * closeGraceMs) and close every connection. Do not await it from inside Controller.stop():
   * the `stop` request waiting for that answer would hold it up until the grace time ends.
   */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    const stopped = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.removeOwnSocket();
    for (const c of this.clients) c.shutdown();
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => { timer = setTimeout(resolve, this.closeGraceMs); });
    await Promise.race([Promise.all([...this.clients].map((c) => c.closed)), grace]);
    clearTimeout(timer);
    for (const c of this.clients) c.destroy();
    await stopped;
  }

  private removeOwnSocket(): void {
    try {
      if (this.inode !== null && fs.lstatSync(this.path).ino === this.inode) fs.unlinkSync(this.path);
    } catch {
      // already gone
    }
  }

  /** A socket file left by a daemon that died is removed; one a live daemon answers on is not. */
  private async removeStale(): Promise<void> {
    let st: fs.Stats;
    try {
      st = fs.lstatSync(this.path);
    } catch {
      return;
    }
    if (!st.isSocket()) {
      throw new LogjailError('CONTROL_SOCKET', `${this.path} exists and is not a socket; logjail does not remove it`, {},
        'move the file away or give the daemon another --socket path');
    }
    if (await answers(this.path)) {
      throw new LogjailError('CONTROL_IN_USE', `a daemon is listening on ${this.path}`);
    }
    try {
      fs.unlinkSync(this.path);
    } catch (e) {
      throw new LogjailError('CONTROL_SOCKET', `cannot remove the stale socket ${this.path}: ${(e as Error).message}`);
    }
    this.log?.warn(`Removed the stale control socket ${this.path} (left by a daemon that did not stop cleanly)`);
  }

  private accept(socket: net.Socket): void {
    if (this.closing !== null) {
      socket.destroy();
      return;
    }
    if (this.clients.size >= this.maxClients) {
      socket.on('error', () => socket.destroy());
      const e = new LogjailError('CONTROL_BUSY', `${this.clients.size} clients are connected, the most this daemon serves at once`);
      socket.end(errorLine(null, e), () => socket.destroy());
      return;
    }
    const c = new Connection(socket, (line) => this.answer(line), {
      maxLineBytes: MAX_REQUEST_BYTES,
      maxQueued: 16,
      idleTimeoutMs: this.idleTimeoutMs,
    });
    this.clients.add(c);
    void c.closed.then(() => this.clients.delete(c));
  }

  /** The answer line for one request line; never throws. */
  private async answer(line: string): Promise<string> {
    let id: number | null = null;
    try {
      const req = parseRequest(line);
      id = req.id;
      const result = await executeCommand(this.controller, parseCommand(req.cmd));
      return okLine(id, result);
    } catch (e) {
      if (e instanceof RequestError) id = e.requestId;
      if (!isLogjailError(e)) {
        // a bug (in the daemon or here): the client gets the message, the log gets the stack
        const stack = e instanceof Error ? e.stack ?? e.message : String(e);
        this.log?.error(`control request ${clip(line, 200)} failed: ${stack}`);
      }
      return errorLine(id, e);
    }
  }
}

/** Whether a process accepts connections on the socket at `p` (a live daemon). */
function answers(p: string): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const s = net.createConnection(p);
    const done = (alive: boolean): void => {
      clearTimeout(timer);
      s.destroy();
      resolve(alive);
    };
    // a listening socket accepts at once (the kernel queues the connection); silence means a
    // daemon too busy to accept, which is still a daemon: leave its socket alone
    const timer = setTimeout(() => done(true), 2000);
    s.once('connect', () => done(true));
    s.once('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'ECONNREFUSED' || e.code === 'ENOENT') done(false);
      else {
        clearTimeout(timer);
        s.destroy();
        reject(new LogjailError('CONTROL_SOCKET', `cannot check whether a daemon answers on ${p}: ${e.message}`));
      }
    });
  });
}
