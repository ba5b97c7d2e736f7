/** A load in progress, in words and as a bar: the "数据加载中" page and the 数据 page's running jobs. */
import type { LoadingProgress } from './api.js';
import { h, panel } from './dom.js';

type Progress = Omit<LoadingProgress, 'job' | 'since'>;

/** The share of the whole load done so far (files done plus the part of the current file), or null. */
export function loadFraction(progress: Progress): number | null {
  if (!progress.filesTotal) return null;
  const inFile = progress.bytesTotal ? Math.min(1, (progress.bytesDone ?? 0) / progress.bytesTotal) : 0;
  return Math.min(1, ((progress.filesDone ?? 0) + (progress.step === 'ingest' ? inFile : 0)) / progress.filesTotal);
}

export function progressText(progress: Progress): string {
  const rows = progress.rows ? `；已导入 ${progress.rows.toLocaleString('zh-CN')} 行` : '';
  switch (progress.step) {
    case 'demo':
      return '首次启动：正在生成演示数据…';
    case 'queued':
      return '等待正在运行的任务结束…';
    case 'ingest': {
      // The share of the file read, while it is being read (not "0%" before its bytes are counted,
      // nor "100%" through the phases after).
      const done = progress.bytesDone ?? 0;
      const part = progress.bytesTotal && done > 0 && done < progress.bytesTotal ? `（已读取 ${Math.floor((100 * done) / progress.bytesTotal)}%）` : '';
      // The current file's phase and speed, as the CLI's progress line shows them.
      const speed = progress.phase
        ? `；${progress.phase}中${progress.phaseRows ? ` ${progress.phaseRows.toLocaleString('zh-CN')} 行` : ''}${progress.rowsPerSecond ? `，${progress.rowsPerSecond.toLocaleString('zh-CN')} 行/秒` : ''}`
        : '';
      return `正在导入第 ${(progress.filesDone ?? 0) + 1} / ${progress.filesTotal ?? '?'} 个文件：${progress.file ?? ''}${part}${speed}${rows}`;
    }
    case 'refresh':
      return `正在更新汇总表和分析快照…${rows}`;
    default:
      return progress.step ? `正在运行：${progress.step}` : '正在准备数据…';
  }
}

export function progressBar(progress: Progress): HTMLElement | null {
  const fraction = loadFraction(progress);
  return fraction === null ? null : h('progress', { max: 100, value: Math.round(fraction * 100), 'aria-label': '加载进度' });
}

/** What a page shows instead of its content while the first load runs. */
export function loadingPanel(loading: LoadingProgress | null): HTMLElement {
  const since = loading?.since ? `（已进行 ${Math.max(0, Math.round((Date.now() - Date.parse(loading.since)) / 1000))} 秒）` : '';
  return panel(
    '数据加载中',
    h('p', { class: 'sub' }, '首次导入完成后，本页会自动显示。其间可以查看“报告”和“预警”，SQL 控制台在导入第一个文件后即可使用。'),
    h('p', { role: 'status', id: 'loading-progress' }, loading ? progressText(loading) + since : '正在准备数据…'),
    loading ? progressBar(loading) : null,
  );
}
