/**
 * The arithmetic of `bantime.formula` and `bantime.factor`, which fail2ban evaluates as Python.
 * logjail never evaluates configuration as code: this is a small parser for the Python
 * expressions such formulas use — numbers, names (ban.Time, ban.Count, banFactor), + - * / // %
 * ** << >> & | ^, comparisons, `not`/`and`/`or`, `a if c else b`, parentheses and the functions
 * min, max, abs, int, float, round, pow. Anything else is a configuration error.
 */
import { LogjailError, type Place } from '../errors.js';
import { pyRound } from './failManager.js';

export type Env = Readonly<Record<string, number>>;
type Expr = (env: Env) => number;

const TOKEN = /\s*(?:(\d+\.\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?|\d+(?:[eE][+-]?\d+)?)|([A-Za-z_][A-Za-z_0-9]*(?:\.[A-Za-z_][A-Za-z_0-9]*)*)|(\*\*|\/\/|<<|>>|<=|>=|==|!=|[-+*/%()<>,&|^~]))/y;

const FUNCS: Readonly<Record<string, (...a: number[]) => number>> = {
  min: (...a) => Math.min(...a),
  max: (...a) => Math.max(...a),
  abs: (a) => Math.abs(a!),
  int: (a) => Math.trunc(a!),
  float: (a) => a!,
  round: (a) => pyRound(a!),
  pow: (a, b) => a! ** b!,
};

class Parser {
  private pos = 0;
  private tok: { kind: 'num' | 'name' | 'op' | 'end'; text: string } = { kind: 'end', text: '' };

  constructor(private readonly src: string, private readonly fail: (why: string) => never) {
    this.next();
  }

  private next(): void {
    if (this.pos >= this.src.length || /^\s*$/.test(this.src.slice(this.pos))) {
      this.tok = { kind: 'end', text: '' };
      return;
    }
    TOKEN.lastIndex = this.pos;
    const m = TOKEN.exec(this.src);
    if (m === null) this.fail(`unexpected "${this.src.slice(this.pos).trim().slice(0, 10)}"`);
    this.pos = TOKEN.lastIndex;
    this.tok = m[1] !== undefined ? { kind: 'num', text: m[1] } : m[2] !== undefined ? { kind: 'name', text: m[2] } : { kind: 'op', text: m[3]! };
  }

  private accept(text: string): boolean {
    if ((this.tok.kind === 'op' || this.tok.kind === 'name') && this.tok.text === text) {
      this.next();
      return true;
    }
    return false;
  }

  parse(): Expr {
    const e = this.ternary();
    if (this.tok.kind !== 'end') this.fail(`unexpected "${this.tok.text}"`);
    return e;
  }

  private ternary(): Expr {
    const a = this.or();
    if (this.accept('if')) {
      const c = this.or();
      if (!this.accept('else')) this.fail('"if" without "else"');
      const b = this.ternary();
      return (env) => (c(env) ? a(env) : b(env));
    }
    return a;
  }

  private or(): Expr {
    let a = this.and();
    while (this.accept('or')) { const l = a, r = this.and(); a = (env) => l(env) || r(env); }
    return a;
  }

  private and(): Expr {
    let a = this.not();
    while (this.accept('and')) { const l = a, r = this.not(); a = (env) => l(env) && r(env); }
    return a;
  }

  private not(): Expr {
    if (this.accept('not')) { const a = this.not(); return (env) => (a(env) ? 0 : 1); }
    return this.compare();
  }

  private compare(): Expr {
    let a = this.bitor();
    for (;;) {
      const op = this.tok.kind === 'op' && ['<', '<=', '>', '>=', '==', '!='].includes(this.tok.text) ? this.tok.text : null;
      if (op === null) return a;
      this.next();
      const l = a, r = this.bitor();
      a = op === '<' ? (env) => +(l(env) < r(env)) : op === '<=' ? (env) => +(l(env) <= r(env))
        : op === '>' ? (env) => +(l(env) > r(env)) : op === '>=' ? (env) => +(l(env) >= r(env))
          : op === '==' ? (env) => +(l(env) === r(env)) : (env) => +(l(env) !== r(env));
    }
  }

  private binary(next: () => Expr, ops: Readonly<Record<string, (a: number, b: number) => number>>): Expr {
    let a = next();
    for (;;) {
      const f = this.tok.kind === 'op' ? ops[this.tok.text] : undefined;
      if (f === undefined) return a;
      this.next();
      const l = a, r = next();
      a = (env) => f(l(env), r(env));
    }
  }

  private bitor(): Expr { return this.binary(() => this.bitxor(), { '|': (a, b) => Number(BigInt(Math.trunc(a)) | BigInt(Math.trunc(b))) }); }
  private bitxor(): Expr { return this.binary(() => this.bitand(), { '^': (a, b) => Number(BigInt(Math.trunc(a)) ^ BigInt(Math.trunc(b))) }); }
  private bitand(): Expr { return this.binary(() => this.shift(), { '&': (a, b) => Number(BigInt(Math.trunc(a)) & BigInt(Math.trunc(b))) }); }
  private shift(): Expr {
    return this.binary(() => this.sum(), {
      '<<': (a, b) => Math.trunc(a) * 2 ** Math.trunc(b),
      '>>': (a, b) => Math.floor(Math.trunc(a) / 2 ** Math.trunc(b)),
    });
  }
  private sum(): Expr { return this.binary(() => this.term(), { '+': (a, b) => a + b, '-': (a, b) => a - b }); }
  private term(): Expr {
    return this.binary(() => this.unary(), {
      '*': (a, b) => a * b,
      '/': (a, b) => (b === 0 ? this.fail('division by zero') : a / b),
      '//': (a, b) => (b === 0 ? this.fail('division by zero') : Math.floor(a / b)),
      '%': (a, b) => (b === 0 ? this.fail('division by zero') : a - b * Math.floor(a / b)),
    });
  }

  private unary(): Expr {
    if (this.accept('-')) { const a = this.unary(); return (env) => -a(env); }
    if (this.accept('+')) return this.unary();
    if (this.accept('~')) { const a = this.unary(); return (env) => -Math.trunc(a(env)) - 1; }
    return this.power();
  }

  private power(): Expr {
    const base = this.atom();
    if (this.accept('**')) { const e = this.unary(); return (env) => base(env) ** e(env); }
    return base;
  }

  private atom(): Expr {
    const t = this.tok;
    if (t.kind === 'num') {
      this.next();
      const v = Number(t.text);
      return () => v;
    }
    if (t.kind === 'op' && t.text === '(') {
      this.next();
      const e = this.ternary();
      if (!this.accept(')')) this.fail('missing ")"');
      return e;
    }
    if (t.kind === 'name') {
      this.next();
      if (this.accept('(')) {
        const f = FUNCS[t.text];
        if (f === undefined) this.fail(`unknown function ${t.text}()`);
        const args: Expr[] = [];
        if (!this.accept(')')) {
          do args.push(this.ternary()); while (this.accept(','));
          if (!this.accept(')')) this.fail('missing ")"');
        }
        return (env) => f(...args.map((a) => a(env)));
      }
      if (t.text === 'True') return () => 1;
      if (t.text === 'False') return () => 0;
      const name = t.text;
      return (env) => {
        const v = env[name];
        if (v === undefined) this.fail(`unknown name ${name}`);
        return v;
      };
    }
    return this.fail(t.kind === 'end' ? 'the expression ends too early' : `unexpected "${t.text}"`);
  }
}

/** Compile an expression; names are checked when it is evaluated with `names` given here. */
export function compileExpression(src: string, names: readonly string[], place: Place = {}): (env: Env) => number {
  const fail = (why: string): never => {
    throw new LogjailError('CONFIG_VALUE', `cannot use the expression "${src}": ${why}`, place,
      'write arithmetic on ban.Time, ban.Count and banFactor, e.g. ban.Time * (1<<(ban.Count if ban.Count<20 else 20)) * banFactor');
  };
  const e = new Parser(src, fail).parse();
  // evaluate once with all names set, so an unknown name is a configuration error now
  const probe: Record<string, number> = {};
  for (const n of names) probe[n] = 1;
  e(probe);
  return e;
}
