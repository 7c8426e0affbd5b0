/**
 * Is the first character of every match of a (Python) regex a word character, or never one?
 *
 * Used to replace fail2ban's word-start boundary `(?=^|\b|\W)` by an equivalent that V8 runs far
 * faster: before a pattern whose matches always start with a word character the boundary means
 * "no word character before" (`(?<!\w)`); before one whose matches never do, it always holds.
 * (Both need the pattern to consume at least one character.) The analysis is conservative: any
 * construct it does not fully understand gives "unknown" and the boundary is kept as written.
 */
import { isAlnum } from './codepoints.js';

const WORD = 1;
const NONWORD = 2;
const ANY = WORD | NONWORD;

interface Part {
  /** Kinds of character that can come first (WORD / NONWORD bits). */
  kinds: number;
  /** Can match without consuming anything. */
  empty: boolean;
}

class Unknown extends Error {}

const kindOf = (cp: number): number => (cp === 95 /* _ */ || isAlnum(cp) ? WORD : NONWORD);

class Scanner {
  i = 0;
  constructor(readonly s: string) {}
  peek(k = 0): string { return this.s[this.i + k] ?? ''; }

  alternation(): Part {
    const out: Part = { kinds: 0, empty: false };
    for (;;) {
      const b = this.sequence();
      out.kinds |= b.kinds;
      out.empty ||= b.empty;
      if (this.peek() !== '|') return out;
      this.i++;
    }
  }

  sequence(): Part {
    const out: Part = { kinds: 0, empty: true };
    while (this.i < this.s.length && this.peek() !== '|' && this.peek() !== ')') {
      const item = this.quantified();
      if (out.empty) out.kinds |= item.kinds;
      out.empty &&= item.empty;
    }
    return out;
  }

  quantified(): Part {
    const atom = this.atom();
    const q = this.peek();
    let min = 1;
    if (q === '?' || q === '*') { min = 0; this.i++; }
    else if (q === '+') this.i++;
    else if (q === '{') {
      const m = /^\{(\d*)(,\d*)?\}/.exec(this.s.slice(this.i));
      // Braces that form no quantifier are a literal '{', read as the next atom.
      if (m === null || (m[1] === '' && m[2] === undefined)) return atom;
      min = m[1] === '' ? 0 : Number(m[1]);
      this.i += m[0].length;
    } else {
      return atom;
    }
    if (this.peek() === '?' || this.peek() === '+') this.i++; // lazy / possessive
    return min === 0 ? { kinds: atom.kinds, empty: true } : atom;
  }

  atom(): Part {
    const c = this.peek();
    this.i++;
    switch (c) {
      case '(': return this.group();
      case '[': return { kinds: this.charClass(), empty: false };
      case '\\': return this.escape();
      case '.': return { kinds: ANY, empty: false };
      case '^': case '$': return { kinds: 0, empty: true };
      default: return { kinds: kindOf(c.codePointAt(0)!), empty: false };
    }
  }

  group(): Part {
    let zeroWidth = false;
    if (this.peek() === '?') {
      const rest = this.s.slice(this.i + 1);
      let m: RegExpExecArray | null;
      if (rest.startsWith(':')) this.i += 2;
      else if ((m = /^P<\w+>/.exec(rest)) !== null) this.i += 1 + m[0].length;
      else if ((m = /^(?:=|!|<=|<!)/.exec(rest)) !== null) { this.i += 1 + m[0].length; zeroWidth = true; }
      else if ((m = /^[aiLmsux]+\)/.exec(rest)) !== null) {
        if (m[0].includes('x')) throw new Unknown();
        this.i += 1 + m[0].length;
        return { kinds: 0, empty: true };
      } else if ((m = /^[aiLmsu]*(?:-[imsx]+)?:/.exec(rest)) !== null) {
        this.i += 1 + m[0].length; // scoped flags (turning verbose mode on is not in the set)
      } else if ((m = /^P=\w+\)/.exec(rest)) !== null) {
        this.i += 1 + m[0].length; // back-reference: whatever the group matched, maybe nothing
        return { kinds: ANY, empty: true };
      } else if ((m = /^#[^)]*\)/.exec(rest)) !== null) {
        this.i += 1 + m[0].length;
        return { kinds: 0, empty: true };
      } else if ((m = /^\(\w+\)/.exec(rest)) !== null) {
        this.i += 1 + m[0].length; // conditional: the yes|no branches follow
      } else {
        throw new Unknown();
      }
    }
    const inner = this.alternation();
    if (this.peek() !== ')') throw new Unknown();
    this.i++;
    return zeroWidth ? { kinds: 0, empty: true } : inner;
  }

  escape(): Part {
    const c = this.peek();
    this.i++;
    if (c === 'd' || c === 'w') return { kinds: WORD, empty: false };
    if (c === 's' || c === 'W') return { kinds: NONWORD, empty: false };
    if (c === 'D' || c === 'S') return { kinds: ANY, empty: false };
    if (c === 'b' || c === 'B' || c === 'A' || c === 'Z') return { kinds: 0, empty: true };
    if (/[1-9]/.test(c)) {
      while (/[0-9]/.test(this.peek())) this.i++;
      return { kinds: ANY, empty: true }; // numbered back-reference
    }
    return { kinds: this.escapedChar(c), empty: false };
  }

  /** Kind of the character an escape outside \d\w\s… stands for (`c` is consumed). */
  escapedChar(c: string): number {
    const hex = (n: number): number => {
      const h = this.s.slice(this.i, this.i + n);
      if (!new RegExp(`^[0-9a-fA-F]{${n}}$`).test(h)) throw new Unknown();
      this.i += n;
      return kindOf(parseInt(h, 16));
    };
    if (c === 'x') return hex(2);
    if (c === 'u') return hex(4);
    if (c === 'U') return hex(8);
    if (c === '0') {
      let oct = '';
      while (oct.length < 2 && /[0-7]/.test(this.peek())) { oct += this.peek(); this.i++; }
      return kindOf(parseInt(oct || '0', 8));
    }
    if (c === 'N') {
      const m = /^\{[^}]*\}/.exec(this.s.slice(this.i));
      if (m === null) throw new Unknown();
      this.i += m[0].length;
      return ANY;
    }
    if ('afnrtv'.includes(c)) return NONWORD;
    if (/[A-Za-z0-9]/.test(c)) throw new Unknown();
    return kindOf(c.codePointAt(0)!);
  }

  charClass(): number {
    if (this.peek() === '^') throw new Unknown();
    let kinds = 0;
    let first = true;
    while (this.i < this.s.length && (this.peek() !== ']' || first)) {
      first = false;
      let c = this.peek();
      this.i++;
      let k: number;
      if (c === '\\') {
        const e = this.peek();
        this.i++;
        if (e === 'd' || e === 'w') { kinds |= WORD; continue; }
        if (e === 's' || e === 'W') { kinds |= NONWORD; continue; }
        if (e === 'D' || e === 'S') { kinds |= ANY; continue; }
        k = this.escapedChar(e);
        c = e;
      } else {
        k = kindOf(c.codePointAt(0)!);
      }
      if (this.peek() === '-' && this.peek(1) !== ']' && this.peek(1) !== '') {
        // A range: only all-digit or all-letter ASCII ranges are known to be word characters.
        this.i++;
        let hi = this.peek();
        this.i++;
        if (hi === '\\') { hi = this.peek(); this.i++; }
        const ok = (/[0-9]/.test(c) && /[0-9]/.test(hi)) || (/[a-z]/.test(c) && /[a-z]/.test(hi))
          || (/[A-Z]/.test(c) && /[A-Z]/.test(hi));
        kinds |= ok ? WORD : ANY;
        continue;
      }
      kinds |= k;
    }
    if (this.peek() !== ']') throw new Unknown();
    this.i++;
    return kinds;
  }
}

/** 'word' / 'nonword' when every match starts with such a character (and is non-empty). */
export function firstCharKind(pythonRegex: string): 'word' | 'nonword' | null {
  try {
    const sc = new Scanner(pythonRegex);
    const p = sc.alternation();
    if (sc.i !== pythonRegex.length || p.empty) return null;
    return p.kinds === WORD ? 'word' : p.kinds === NONWORD ? 'nonword' : null;
  } catch (e) {
    if (e instanceof Unknown) return null;
    throw e;
  }
}
