/**
 * The action stage: what happens when a jail bans or unbans. See src/actions/README.md.
 */
export type { Action, ActionLog, AddressHistory, Ban, Family, JailContext, JailCounters } from './types.js';
export { SILENT_LOG } from './types.js';
export { CommandAction, type CommandActionOptions } from './commandAction.js';
export { CommandRunner, SHARED_COMMAND_QUEUE, type RunnerOptions, type ShellCommand } from './commandRunner.js';
export { substituteDynamic, type TagValues } from './dynamicTags.js';
export { banTags, operationTags, familyTags } from './tagValues.js';
export { JailActions } from './jailActions.js';
export { NftablesAction, type NftablesActionOptions } from './nftables/nftablesAction.js';
export { createJailActions, type ActionEnvironment } from './createActions.js';
export { runProcess, REAL_TIMERS, type ProcessResult, type Timers } from './process.js';
export { SerialQueue } from './serialQueue.js';
