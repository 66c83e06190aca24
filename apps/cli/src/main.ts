import { processIo } from './io';
import { runCli } from './program';

export function main(argv: string[]): Promise<number> {
  return runCli(argv, processIo());
}
