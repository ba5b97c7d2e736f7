import { PHASE_LABELS, type LoadProgress } from '../ingest/progress.js';

/**
 * A one-line progress display on stderr, shown only on a terminal and only for loads that take a
 * while: the bytes read while the file is read, then the rows DuckDB has processed and rows/s.
 */
export function progressBar(stream: NodeJS.WriteStream = process.stderr) {
  const enabled = Boolean(stream.isTTY);
  let shown = false;
  let last = 0;
  const started = Date.now();
  return {
    update(progress: LoadProgress) {
      if (!enabled) return;
      const now = Date.now();
      if (now - started < 500 || now - last < 100) return;
      last = now;
      shown = true;
      const name = progress.file.slice(-30).padEnd(30);
      const phase = PHASE_LABELS[progress.phase];
      let line: string;
      if (progress.phase === 'reading') {
        const width = 30;
        const fraction = progress.bytesTotal ? Math.min(1, progress.bytesDone / progress.bytesTotal) : 0;
        const filled = Math.round(fraction * width);
        const mb = (n: number) => (n / 1e6).toFixed(0);
        line = `${name} ${phase} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}% ${mb(progress.bytesDone)}/${mb(progress.bytesTotal)} MB`;
      } else {
        const rows = progress.rows === null ? '' : ` ${progress.rows.toLocaleString('en')} 行 rows`;
        const speed = progress.rowsPerSecond ? ` · ${progress.rowsPerSecond.toLocaleString('en')} 行/秒 rows/s` : '';
        line = `${name} ${phase}${rows}${speed}`;
      }
      stream.write(`\r\x1b[K${line}`);
    },
    done() {
      if (shown) stream.write('\r\x1b[K');
    },
  };
}
