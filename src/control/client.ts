/**
 * The client end of the control socket: send one command, wait for its answer.
 * Every way of not getting an answer (no socket, nobody listening, no permission, the daemon
 * hanging up or taking too long) is a CONTROL_UNREACHABLE error that says which it was.
 */
import * as net from 'node:net';
import { LogjailError } from '../errors.js';
import { parseResponse, type WireError } from './protocol.js';

export interface SendOptions {
  /** Give up waiting after this long; 0 waits for ever. Default 30 s (fail2ban-client's --timeout). */
  readonly timeoutMs?: number;
}

/** An answer bigger than this is refused: the client must not be made to exhaust memory either. */
const MAX_ANSWER_BYTES = 256 * 1024 * 1024;

/** The daemon refused the command: its error, as it sent it. */
export class DaemonError extends Error {
  readonly code: string;
  readonly hint: string;
  constructor(e: WireError) {
    super(e.message);
    this.name = 'DaemonError';
    this.code = e.code;
    this.hint = e.hint;
  }
}

function unreachable(detail: string, hint?: string): LogjailError {
  return new LogjailError('CONTROL_UNREACHABLE', detail, {}, hint);
}

function connectError(socketPath: string, e: NodeJS.ErrnoException): LogjailError {
  switch (e.code) {
    case 'ENOENT':
      return unreachable(`there is no control socket at ${socketPath}`);
    case 'ECONNREFUSED':
      return unreachable(`nothing answers on ${socketPath} (a daemon that stopped without removing it?)`);
    case 'EACCES':
    case 'EPERM':
      return unreachable(`permission denied on ${socketPath}`, 'the control socket is for root only: run the command with sudo');
    case 'ENOTSOCK':
      return unreachable(`${socketPath} is not a socket`);
    default:
      return unreachable(`cannot connect to ${socketPath}: ${e.message}`);
  }
}

/** Send `cmd` and resolve with the daemon's result; rejects with LogjailError or DaemonError. */
export function sendCommand(socketPath: string, cmd: readonly string[], o: SendOptions = {}): Promise<unknown> {
  const timeoutMs = o.timeoutMs ?? 30_000;
  const id = 1;
  return new Promise((resolve, reject) => {
    const socket = net.createConnection(socketPath);
    const chunks: Buffer[] = [];
    let bytes = 0;
    let connected = false;
    let settled = false;
    const finish = (err: Error | null, value?: unknown): void => {
      if (settled) return;
      settled = true;
      if (timer !== undefined) clearTimeout(timer);
      socket.destroy();
      if (err !== null) reject(err);
      else resolve(value);
    };
    const timer = timeoutMs > 0
      ? setTimeout(() => finish(unreachable(
        connected ? `the daemon did not answer "${cmd[0] ?? ''}" within ${timeoutMs / 1000} s` : `no connection to ${socketPath} within ${timeoutMs / 1000} s`,
        'the daemon may be busy (a reload, slow actions); wait and retry, or give a longer --timeout')), timeoutMs)
      : undefined;
    socket.once('connect', () => {
      connected = true;
      socket.write(JSON.stringify({ id, cmd }) + '\n');
    });
    socket.on('error', (e: NodeJS.ErrnoException) => {
      finish(connected ? unreachable(`the connection to ${socketPath} failed: ${e.message}`) : connectError(socketPath, e));
    });
    socket.on('data', (chunk: Buffer) => {
      const nl = chunk.indexOf(10);
      if (nl === -1) {
        chunks.push(chunk);
        bytes += chunk.length;
        if (bytes > MAX_ANSWER_BYTES) finish(internal(`the answer is larger than ${MAX_ANSWER_BYTES} bytes`));
        return;
      }
      chunks.push(chunk.subarray(0, nl));
      const line = Buffer.concat(chunks).toString('utf8');
      const r = parseResponse(line);
      if (r === null) return finish(internal(`the daemon's answer is not a well-formed answer: ${line.slice(0, 200)}`));
      // an answer with id null is the daemon refusing the connection or the line as a whole (busy, too long)
      if (r.id !== id && r.id !== null) return finish(internal(`the daemon answered request ${String(r.id)} instead of ${id}`));
      if (r.ok) finish(null, r.result);
      else finish(new DaemonError(r.error));
    });
    socket.on('end', () => finish(unreachable(`the daemon closed the connection before answering "${cmd[0] ?? ''}" (it may be stopping)`)));
  });
}

function internal(detail: string): LogjailError {
  return new LogjailError('INTERNAL', detail);
}
