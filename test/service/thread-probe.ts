import { isMainThread, threadId } from 'node:worker_threads';

/** Called through runOffThread by off-thread.test.ts: where it ran, and what it was given. */
export function whereAmI(input: { tickets: string[] }): { isMainThread: boolean; threadId: number; echoed: string[] } {
  return { isMainThread, threadId, echoed: input.tickets };
}

export function fails(what: string): never {
  throw new Error(`探针失败：${what}`);
}
