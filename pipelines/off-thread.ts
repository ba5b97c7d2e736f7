import { setImmediate as nextTurn } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * Runs one exported, pure, CPU-bound function of our own modules on a worker thread and returns
 * its result. The service is one Node process: a function that computes for seconds on the main
 * thread (the 热点话题 clustering of a month: ≈ 5–10 s) would stop every page, sign-in and job for
 * that long. Arguments and result travel by structured clone, so both must be plain data.
 *
 * The worker registers the same TypeScript loader as bin/hotline.mjs (tsx) and imports the
 * module itself; each call starts a thread (≈ 0.3 s), which only pays off for work of seconds.
 */
const TSX_API = pathToFileURL(join(dirname(createRequire(import.meta.url).resolve('tsx/package.json')), 'dist/esm/api/index.mjs')).href;

const BOOT = `
const { parentPort, workerData } = require('node:worker_threads');
(async () => {
  (await import(workerData.tsx)).register();
  const module = await import(workerData.module);
  return module[workerData.name](...workerData.args);
})().then(
  (result) => parentPort.postMessage({ result }),
  (error) => parentPort.postMessage({ error: { message: String((error && error.message) || error), stack: error && error.stack } }),
);`;

export function runOffThread<T>(module: URL, name: string, args: readonly unknown[]): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const worker = new Worker(BOOT, { eval: true, workerData: { tsx: TSX_API, module: module.href, name, args } });
    let settled = false;
    worker.once('message', (message: { result?: T; error?: { message: string; stack?: string } }) => {
      settled = true;
      if (message.error) {
        const error = new Error(message.error.message);
        if (message.error.stack) error.stack = message.error.stack;
        reject(error);
      } else resolve(message.result as T);
      void worker.terminate();
    });
    worker.once('error', (error) => {
      if (!settled) reject(error);
      settled = true;
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new Error(`计算线程意外退出（代码 ${code}）/ worker thread exited with code ${code}`));
      settled = true;
    });
  });
}

/**
 * `items.map(fn)` for work of a few milliseconds an item on the main thread (judging tickets with
 * the text model): it lets the event loop turn every `slice` items, so that a batch of 20,000
 * never holds the service for seconds.
 */
export async function mapInSlices<T, R>(items: readonly T[], fn: (item: T, index: number) => R, slice = 500): Promise<R[]> {
  const out = new Array<R>(items.length);
  for (let start = 0; start < items.length; start += slice) {
    if (start > 0) await nextTurn();
    const end = Math.min(items.length, start + slice);
    for (let i = start; i < end; i++) out[i] = fn(items[i], i);
  }
  return out;
}
