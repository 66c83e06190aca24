import { readFile } from 'node:fs/promises';

/**
 * A token kept in a file, re-read on every use: kubelet rotates projected service-account
 * tokens in place, and an operator can replace a join token without restarting the workload.
 */
export function tokenFromFile(file: string): () => Promise<string> {
  return async () => {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      throw new Error(`cannot read the token file ${file}: ${(err as Error).message}`);
    }
    const token = text.trim();
    if (token === '') throw new Error(`the token file ${file} is empty`);
    return token;
  };
}
