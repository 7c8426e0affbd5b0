import { LogjailError } from '../errors.js';

export async function regexCommand(_argv: string[]): Promise<number> {
  throw new LogjailError('USAGE', '"regex" is not implemented yet');
}
