/**
 * The configuration reader's public surface (fail2ban 1.0.2 dialect → typed, frozen config).
 * See docs/configuration.md for what is read and how.
 */
export { loadConfig } from './load.js';
export { readFilter, readFilterWith } from './filterReader.js';
export { readAction, readActionWith, type JailContext } from './actionReader.js';
export { ConfigFiles } from './reader.js';
export { Diagnostics, renderWarning, type ConfigWarning } from './diagnostics.js';
export { parseDuration } from './duration.js';
export { extractOptions, splitWithOptions } from './options.js';
export { replaceTags, substituteTags, escapeTag, conditionalValue, ESCAPED_TAGS } from './tags.js';
export type * from './types.js';
