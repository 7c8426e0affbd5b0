/**
 * Numbers from matched date text. Python's `\d` matches every Unicode decimal digit and its int()
 * and float() read them ("٢٠٠٥" is 2005), so a hostile or localised line can carry such digits
 * into a date; we read them the same way. ASCII is the fast path.
 */

const DECIMAL_DIGIT = /\p{Nd}/u;

function isDecimalDigit(cp: number): boolean {
  return cp >= 48 && cp <= 57 ? true : cp < 128 ? false : DECIMAL_DIGIT.test(String.fromCodePoint(cp));
}

/**
 * Value 0..9 of a code point, -1 if it is not a decimal digit. Unicode assigns decimal digits in
 * runs of ten starting at zero (some runs are adjacent), so the value is the number of digits
 * directly before it, modulo ten.
 */
export function digitValue(cp: number): number {
  if (cp >= 48 && cp <= 57) return cp - 48;
  if (cp < 128 || !isDecimalDigit(cp)) return -1;
  let before = 0;
  while (before < 64 && isDecimalDigit(cp - before - 1)) before++;
  return before % 10;
}

function isPythonSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13) || (c >= 0x1c && c <= 0x1f) || c === 0x85 || c === 0xa0
    || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f
    || c === 0x205f || c === 0x3000;
}

/**
 * Python int(text) for text made of an optional sign and decimal digits, surrounded by optional
 * whitespace (a `%d` match may be " 5"). NaN when the text is not such a number.
 */
export function pyInt(text: string): number {
  // Fast path: plain ASCII digits.
  const n = text.length;
  if (n > 0 && n <= 9) {
    let v = 0;
    let k = 0;
    for (; k < n; k++) {
      const c = text.charCodeAt(k) - 48;
      if (c < 0 || c > 9) break;
      v = v * 10 + c;
    }
    if (k === n) return v;
  }
  let i = 0;
  let end = text.length;
  while (i < end && isPythonSpace(text.charCodeAt(i))) i++;
  while (end > i && isPythonSpace(text.charCodeAt(end - 1))) end--;
  let sign = 1;
  const c0 = text.charCodeAt(i);
  if (c0 === 43 /* + */ || c0 === 45 /* - */) {
    if (c0 === 45) sign = -1;
    i++;
  }
  if (i >= end) return NaN;
  let value = 0;
  while (i < end) {
    const cp = text.codePointAt(i)!;
    const d = digitValue(cp);
    if (d < 0) return NaN;
    value = value * 10 + d;
    i += cp > 0xffff ? 2 : 1;
  }
  return sign * value;
}

/** Python float() for digit text with at most one '.', e.g. an epoch "1124013600.123". */
export function pyFloat(text: string): number {
  let ascii = true;
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) > 127) { ascii = false; break; }
  }
  if (ascii) return text.length === 0 ? NaN : Number(text);
  let out = '';
  for (let i = 0; i < text.length;) {
    const cp = text.codePointAt(i)!;
    const d = digitValue(cp);
    out += d >= 0 ? String.fromCharCode(48 + d) : String.fromCodePoint(cp);
    i += cp > 0xffff ? 2 : 1;
  }
  return Number(out);
}

/** Text of a match with every decimal digit replaced by its ASCII form (for zone offsets). */
export function asciiDigits(text: string): string {
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) > 127) {
      let out = '';
      for (let j = 0; j < text.length;) {
        const cp = text.codePointAt(j)!;
        const d = digitValue(cp);
        out += d >= 0 ? String.fromCharCode(48 + d) : String.fromCodePoint(cp);
        j += cp > 0xffff ? 2 : 1;
      }
      return out;
    }
  }
  return text;
}
