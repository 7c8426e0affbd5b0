import { LogjailError } from '../errors.js';

export async function checkCommand(_argv: string[]): Promise<number> {
  throw new LogjailError('USAGE', '"check" is not implemented yet');
}
