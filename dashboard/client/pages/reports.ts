import { getJson, postJson } from '../api.js';
import { h, panel, replace, table } from '../dom.js';
import { filterOptions } from '../filters.js';

interface Report {
  id: string;
  title: string;
  modified: string;
  files: { format: string; path: string; bytes: number }[];
}

const size = (bytes: number) => (bytes < 1024 * 1024 ? `${Math.max(1, Math.round(bytes / 1024))} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`);

/**
 * The form that builds a special report (专报) for a topic and a period into the archive. The
 * period ends on the data's last day (not today: an export of months ago would give an empty
 * report) and starts 90 days before it.
 */
function specialForm(topics: { name: string; title: string }[], lastDay: string | null, reload: () => void): HTMLElement {
  const end = lastDay ?? new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
  const start = new Date(Date.parse(`${end}T00:00:00Z`) - 90 * 86_400_000).toISOString().slice(0, 10);
  const topic = h('select', { id: 'special-topic', 'aria-label': '专题' }, ...topics.map((t) => h('option', { value: t.name }, t.title)));
  const from = h('input', { id: 'special-from', type: 'date', value: start, 'aria-label': '起始日期' });
  const to = h('input', { id: 'special-to', type: 'date', value: end, 'aria-label': '截止日期' });
  const status = h('span', { class: 'muted', role: 'status' });
  const button = h('button', { type: 'submit' }, '生成专报');
  const form = h('form', { class: 'inline-form', id: 'special-form' }, '专题 ', topic, ' 自 ', from, ' 至 ', to, ' ', button, ' ', status);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    button.disabled = true;
    status.textContent = '正在生成…';
    try {
      await postJson('/api/reports/special', { topic: topic.value, from: from.value, to: to.value });
      reload();
    } catch (error) {
      status.textContent = (error as Error).message;
      button.disabled = false;
    }
  });
  return panel('生成专报', h('p', { class: 'sub' }, '按专题和时段生成专报（网页版与 Word 版），完成后出现在下方存档中。'), form);
}

/** The last month that has ended, Beijing time (YYYY-MM). */
function lastCompleteMonth(): string {
  const beijing = new Date(Date.now() + 8 * 3600_000);
  return new Date(Date.UTC(beijing.getUTCFullYear(), beijing.getUTCMonth() - 1, 1)).toISOString().slice(0, 7);
}

/**
 * 生成月报 (admins): a complete month's report into the archive, built by the service's report job;
 * it opens on the last complete month with data, as the other pages do.
 */
function monthlyForm(dataMonth: string | null, reload: () => void): HTMLElement {
  const latest = lastCompleteMonth();
  const month = h('input', { id: 'monthly-month', type: 'month', value: dataMonth && dataMonth < latest ? dataMonth : latest, max: latest, 'aria-label': '月份' });
  const status = h('span', { class: 'muted', role: 'status', id: 'monthly-status' });
  const button = h('button', { type: 'submit', id: 'monthly-build' }, '生成月报');
  const form = h('form', { class: 'inline-form', id: 'monthly-form' }, '月份 ', month, ' ', button, ' ', status);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    button.disabled = true;
    status.textContent = '正在生成（含 PDF 与 Word，约需半分钟）…';
    try {
      await postJson('/api/reports/monthly', { month: month.value });
      reload();
    } catch (error) {
      status.textContent = (error as Error).message;
      button.disabled = false;
    }
  });
  return panel('生成月报', h('p', { class: 'sub' }, '为已结束的月份生成月报（网页版、PDF、Word），存入下方存档，不发送邮件；同一月份再次生成会覆盖。'), form);
}

export async function renderReports(content: HTMLElement): Promise<void> {
  const [{ reports, topics }, calendar] = await Promise.all([
    getJson<{ reports: Report[]; topics: { name: string; title: string }[] }>('/api/reports'),
    // (while the first load runs there is no calendar yet: the clock's dates then)
    filterOptions().catch(() => null),
  ]);
  const reload = () => void renderReports(content);
  replace(
    content,
    document.body.dataset.role === 'admin' ? monthlyForm(calendar?.defaultMonth ?? null, reload) : null,
    specialForm(topics ?? [], calendar?.lastDay ?? null, reload),
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
        { empty: '还没有报告。首次导入数据后会生成数据中最近一个完整月份的月报；也可以在上方生成。' },
      ),
    ),
  );
}
