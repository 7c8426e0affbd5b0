/**
 * Bytes of complete lines → text. Pieces always end at a "\n" byte, so no character is ever
 * split between two pieces (in UTF-8 and every ASCII-compatible single-byte encoding the byte
 * 0x0A is only ever a line feed): each piece decodes on its own, with no decoder state.
 */
import { isAscii } from 'node:buffer';
import { TextDecoder } from 'node:util';
import { LogjailError } from '../errors.js';

/** Decodes one piece; `ascii` tells whether the resulting text is pure ASCII. */
export type PieceDecoder = (bytes: Buffer) => { text: string; ascii: boolean };

const NON_ASCII = /[^\x00-\x7f]/;

/**
 * A decoder for `logencoding`. "auto", "utf-8" and its spellings decode UTF-8 with invalid bytes
 * turned into U+FFFD (fail2ban decodes with "replace" too); other ASCII-compatible encodings
 * known to the platform (latin-1, windows-1252, ...) work as well. Pure-ASCII pieces take a fast
 * path (latin1 decoding gives one-byte strings, the cheapest V8 has).
 */
export function pieceDecoder(encoding = 'utf-8'): PieceDecoder {
  const label = encoding.trim().toLowerCase().replace(/_/g, '-');
  if (label === 'auto' || label === 'utf-8' || label === 'utf8') {
    return (bytes) => (isAscii(bytes) ? { text: bytes.toString('latin1'), ascii: true } : { text: bytes.toString('utf8'), ascii: false });
  }
  if (label === 'latin-1' || label === 'latin1' || label === 'iso-8859-1') {
    // every byte maps to the code point of the same value
    return (bytes) => {
      const ascii = isAscii(bytes);
      return { text: bytes.toString('latin1'), ascii };
    };
  }
  let dec: TextDecoder;
  try {
    dec = new TextDecoder(label, { fatal: false, ignoreBOM: true });
  } catch {
    throw new LogjailError('CONFIG_VALUE', `logencoding "${encoding}" is not an encoding logjail knows`, { key: 'logencoding' },
      'use utf-8 (the default), latin-1, or another ASCII-compatible encoding name such as windows-1252 or iso-8859-15');
  }
  if (dec.encoding.startsWith('utf-16')) {
    throw new LogjailError('CONFIG_VALUE', `logencoding "${encoding}" is not ASCII-compatible (lines cannot be found by their "\\n" byte)`, { key: 'logencoding' },
      'convert the log to UTF-8, or use an ASCII-compatible encoding');
  }
  return (bytes) => {
    if (isAscii(bytes)) return { text: bytes.toString('latin1'), ascii: true };
    const text = dec.decode(bytes);
    return { text, ascii: !NON_ASCII.test(text) };
  };
}
