/**
 * Warnings met while loading a configuration: things fail2ban accepts (so logjail must too) but
 * that are probably mistakes, such as a misspelt option name. They use the error catalogue's
 * codes and hints but never stop a load.
 */
import { ERRORS, formatPlace, type ErrorKey, type Place } from '../errors.js';

export interface ConfigWarning {
  readonly code: string;
  readonly title: string;
  readonly detail: string;
  readonly place: Place;
  readonly hint: string;
}

export class Diagnostics {
  private readonly list: ConfigWarning[] = [];
  private readonly seen = new Set<string>();

  warn(key: ErrorKey, detail: string, place: Place = {}, hint?: string): void {
    const spec = ERRORS[key];
    const w: ConfigWarning = Object.freeze({ code: spec.code, title: spec.title, detail, place: Object.freeze({ ...place }), hint: hint ?? spec.hint });
    // The same included file or action may be read for many jails: report each problem once.
    const id = renderWarning(w);
    if (this.seen.has(id)) return;
    this.seen.add(id);
    this.list.push(w);
  }

  get warnings(): readonly ConfigWarning[] {
    return this.list;
  }
}

/** "warning LJ110: jail.local:12: [sshd] bantme: unknown key: ..." followed by the hint. */
export function renderWarning(w: ConfigWarning): string {
  const where = formatPlace(w.place);
  return `warning ${w.code}: ${where ? where + ': ' : ''}${w.title}: ${w.detail}\n  hint: ${w.hint}`;
}
