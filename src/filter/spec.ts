/**
 * From a filter as the configuration reader resolved it to what the engine compiles.
 */
import type { FilterDefinition } from '../config/index.js';
import { LogjailError } from '../errors.js';
import { CompiledFilter, type FilterSpec, type UseDns } from './compiledFilter.js';
import { createDateDetector } from './date/index.js';

export function specOf(def: FilterDefinition): FilterSpec {
  return {
    name: def.name,
    prefregex: def.prefregex,
    failregex: def.failregex,
    ignoreregex: def.ignoreregex,
    maxlines: def.maxlines,
    datepattern: def.datepattern,
    place: { file: def.file },
    places: def.places,
  };
}

export function useDnsOf(v: string | undefined): UseDns | undefined {
  return v === 'yes' || v === 'warn' || v === 'no' || v === 'raw' ? v : undefined;
}

/** Compile everything a filter needs (regexes in both translations, date patterns); collect errors. */
export function validateFilter(def: FilterDefinition, useDns?: UseDns): LogjailError[] {
  const errors: LogjailError[] = [];
  const keep = (e: unknown): void => {
    if (e instanceof LogjailError) errors.push(e);
    else throw e;
  };
  try {
    new CompiledFilter(specOf(def), { useDns: useDns ?? useDnsOf(def.usedns) ?? 'warn' }).prepareAll();
  } catch (e) {
    keep(e);
  }
  try {
    createDateDetector({ pattern: def.datepattern, context: `filter ${def.name}` });
  } catch (e) {
    keep(e instanceof LogjailError ? e.withPlace({ file: def.file, key: 'datepattern', ...def.places.datepattern }) : e);
  }
  return errors;
}
