import { build } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const CLIENT_ENTRY = join(here, 'client', 'main.ts');
export const CLIENT_CSS = join(here, 'client', 'app.css');

let bundle: Promise<string> | null = null;

/**
 * The browser code, bundled once per process by esbuild from dashboard/client/*.ts — which import the
 * chart option builders of reports/charts/ directly, so the dashboard draws the reports' charts.
 * ECharts itself is not bundled: the page loads it from node_modules (/assets/echarts.min.js).
 */
export function clientBundle(): Promise<string> {
  bundle ??= build({
    entryPoints: [CLIENT_ENTRY],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: ['es2020'],
    minify: true,
    sourcemap: false,
    charset: 'utf8',
    legalComments: 'none',
    logLevel: 'silent',
  })
    .then((result) => result.outputFiles[0].text)
    .catch((error: unknown) => {
      bundle = null; // a later request tries again (e.g. after a fix during development)
      throw error;
    });
  return bundle;
}
