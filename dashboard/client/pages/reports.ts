import { getJson } from '../api.js';
import { h, panel, replace, table } from '../dom.js';

interface Report {
  id: string;
  title: string;
  modified: string;
  files: { format: string; path: string; bytes: number }[];
}

const size = (bytes: number) => (bytes < 1024 * 1024 ? `${Math.max(1, Math.round(bytes / 1024))} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`);

export async function renderReports(content: HTMLElement): Promise<void> {
  const { reports } = await getJson<{ reports: Report[] }>('/api/reports');
  replace(
    content,
    panel(
      '报告存档',
      h('p', { class: 'sub' }, '月报与专报由报告任务生成并存入 data/reports/；网页版可直接查看，PDF / Word 版可下载。'),
      table(
        reports,
        [
          { label: '报告', value: (r) => r.title },
          { label: '生成时间', value: (r) => r.modified, className: 'num' },
          {
            label: '文件',
            value: (r) =>
              r.files.map((f) =>
                h(
                  'a',
                  { class: 'file-link', href: `/reports/file?path=${encodeURIComponent(f.path)}`, target: f.format === 'html' ? '_blank' : undefined, rel: 'noopener', download: f.format === 'html' ? undefined : '' },
                  f.format === 'html' ? '查看网页版' : `下载 ${f.format.toUpperCase()}`,
                  h('span', { class: 'muted' }, ` (${size(f.bytes)})`),
                ),
              ),
          },
        ],
        { empty: '还没有报告。报告任务生成月报后会出现在这里。' },
      ),
    ),
  );
}
