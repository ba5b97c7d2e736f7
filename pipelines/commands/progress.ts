/** A one-line progress bar on stderr, shown only on a terminal and only for files that take a while. */
export function progressBar(stream: NodeJS.WriteStream = process.stderr) {
  const enabled = Boolean(stream.isTTY);
  let shown = false;
  let last = 0;
  const started = Date.now();
  return {
    update(name: string, done: number, total: number) {
      if (!enabled) return;
      const now = Date.now();
      if (now - started < 500 || now - last < 100) return;
      last = now;
      shown = true;
      const width = 30;
      const fraction = total ? Math.min(1, done / total) : 0;
      const filled = Math.round(fraction * width);
      const mb = (n: number) => (n / 1e6).toFixed(0);
      stream.write(`\r${name.slice(-30).padEnd(30)} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}% ${mb(done)}/${mb(total)} MB`);
    },
    done() {
      if (shown) stream.write('\r\x1b[K');
    },
  };
}
