/**
 * The control socket's wire format: one JSON object per line each way (UTF-8, "\n" ends a line).
 *
 *   request   {"id": 7, "cmd": ["status", "sshd"]}
 *   answer    {"id": 7, "ok": true, "result": {...}}
 *             {"id": 7, "ok": false, "error": {"code": "LJ671", "message": "...", "hint": "..."}}
 *
 * A request whose id cannot be read is answered with "id": null. Parsing is strict: exactly the
 * two keys, an integer id, a non-empty list of strings; anything else is an error answer.
 */
import { ERRORS, isLogjailError, LogjailError } from '../errors.js';

/** Where the daemon listens unless told otherwise (fail2ban.conf `socket`, --socket, LOGJAIL_SOCKET). */
export const DEFAULT_SOCKET_PATH = '/run/logjail/logjail.sock';

/** Longest request line the daemon reads (bytes, without the newline). */
export const MAX_REQUEST_BYTES = 64 * 1024;

export interface Request {
  readonly id: number;
  readonly cmd: readonly string[];
}

export interface WireError {
  readonly code: string;
  readonly message: string;
  readonly hint: string;
}

export type Response =
  | { readonly id: number | null; readonly ok: true; readonly result: unknown }
  | { readonly id: number | null; readonly ok: false; readonly error: WireError };

/** The id of a request that failed to parse, when it could still be read (to answer it). */
export class RequestError extends LogjailError {
  constructor(readonly requestId: number | null, detail: string) {
    super('CONTROL_REQUEST', detail);
  }
}

function isRequestId(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

/** Parse one request line (already split off, without "\n"). Throws RequestError. */
export function parseRequest(line: string): Request {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch (e) {
    throw new RequestError(null, `the line is not JSON (${(e as Error).message})`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw new RequestError(null, `a request is a JSON object, got ${describe(v)}`);
  }
  const o = v as Record<string, unknown>;
  const id = isRequestId(o['id']) ? o['id'] : null;
  if (id === null) throw new RequestError(null, `"id" must be a non-negative integer, got ${describe(o['id'])}`);
  for (const k of Object.keys(o)) {
    if (k !== 'id' && k !== 'cmd') throw new RequestError(id, `unknown key "${clip(k)}" (a request has "id" and "cmd" only)`);
  }
  const cmd = o['cmd'];
  if (!Array.isArray(cmd) || cmd.length === 0) {
    throw new RequestError(id, `"cmd" must be a non-empty list of strings, got ${describe(cmd)}`);
  }
  for (let i = 0; i < cmd.length; i++) {
    const t: unknown = cmd[i];
    if (typeof t !== 'string') throw new RequestError(id, `"cmd" item ${i} must be a string, got ${describe(t)}`);
    // a NUL cannot reach a command line or a file name intact; refuse it here rather than deep inside
    if (t.includes('\0')) throw new RequestError(id, `"cmd" item ${i} contains a NUL character`);
  }
  return { id, cmd: cmd as string[] };
}

export function okLine(id: number | null, result: unknown): string {
  return JSON.stringify({ id, ok: true, result: result === undefined ? null : result }) + '\n';
}

export function errorLine(id: number | null, e: unknown): string {
  return JSON.stringify({ id, ok: false, error: toWireError(e) }) + '\n';
}

/** Any thrown value as the error part of an answer: the message and the hint, never a stack trace. */
export function toWireError(e: unknown): WireError {
  if (isLogjailError(e)) return { code: e.code, message: e.message, hint: e.hint };
  const detail = e instanceof Error ? e.message : String(e);
  return { code: ERRORS.INTERNAL.code, message: `error ${ERRORS.INTERNAL.code}: ${ERRORS.INTERNAL.title}: ${detail}`, hint: ERRORS.INTERNAL.hint };
}

/** Parse one answer line; null when it is not a well-formed answer. */
export function parseResponse(line: string): Response | null {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return null;
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return null;
  const o = v as Record<string, unknown>;
  const id = o['id'];
  if (id !== null && !isRequestId(id)) return null;
  if (o['ok'] === true && 'result' in o) return { id, ok: true, result: o['result'] };
  const err = o['error'];
  if (o['ok'] === false && typeof err === 'object' && err !== null) {
    const { code, message, hint } = err as Record<string, unknown>;
    if (typeof code === 'string' && typeof message === 'string' && typeof hint === 'string') {
      return { id, ok: false, error: { code, message, hint } };
    }
  }
  return null;
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'string') return `the string "${clip(v)}"`;
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${clip(String(v))}`;
}

/** Values from a request are echoed in messages, but shortly: an answer must not grow with the input. */
export function clip(s: string, max = 60): string {
  return s.length <= max ? s : s.slice(0, max) + '…';
}
