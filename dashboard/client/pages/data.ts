import { getJson, post } from '../api.js';
import { h, panel, replace, table } from '../dom.js';
import { count } from '../format.js';

interface Status {
  tickets: { count: number; first: string | null; last: string | null };
  calls: number;
  units: number;
  quarantined: number;
  ingestRuns: Record<string, string | number | null>[];
  jobRuns: Record<string, string | number | null>[];
}

type Row = Record<string, string | number | null>;
const cell = (key: string) => (row: Row) => (row[key] === null || row[key] === undefined ? '—' : String(row[key]));

export async function renderData(content: HTMLElement): Promise<void> {
  const runParam = new URLSearchParams(location.search).get('run');
  const [status, quarantine] = await Promise.all([getJson<Status>('/api/status'), getJson<Row[]>('/api/quarantine', { run: runParam ?? undefined })]);
  const input = h('input', { type: 'file', id: 'upload-file', 'aria-label': '选择导出文件', accept: '.csv,.txt,.xlsx,.xls,.json,.ndjson,.jsonl,.parquet' });
  const message = h('span', { class: 'muted', role: 'status', id: 'upload-message' });
  const upload = async () => {
    const file = input.files?.[0];
    if (!file) {
      message.textContent = '请先选择文件';
      return;
    }
    message.textContent = '上传中…';
    try {
      const response = await post('/api/inbox', await file.arrayBuffer(), { 'x-file-name': encodeURIComponent(file.name), 'content-type': 'application/octet-stream' });
      message.textContent = ((await response.json()) as { note: string }).note;
    } catch (error) {
      message.textContent = `上传失败：${(error as Error).message}`;
    }
  };
  const t = status.tickets;
  replace(
    content,
    h(
      'div',
      { class: 'cards' },
      h('article', { class: 'card' }, h('span', { class: 'name' }, '工单'), h('span', { class: 'value' }, count(t.count)), h('span', { class: 'changes' }, `${t.first?.slice(0, 10) ?? '—'} 至 ${t.last?.slice(0, 10) ?? '—'}`)),
      h('article', { class: 'card' }, h('span', { class: 'name' }, '话务记录'), h('span', { class: 'value' }, count(status.calls))),
      h('article', { class: 'card' }, h('span', { class: 'name' }, '承办单位'), h('span', { class: 'value' }, count(status.units))),
      h('article', { class: 'card' }, h('span', { class: 'name' }, '隔离行'), h('span', { class: 'value' }, count(status.quarantined)), h('span', { class: 'changes' }, '待核对的问题数据')),
    ),
    panel('上传导出文件', h('p', { class: 'sub' }, '文件放入收件箱后，由导入任务在 5 分钟内处理；结果见下方导入记录。'), h('div', { class: 'form-row' }, input, h('button', { type: 'button', class: 'primary', id: 'upload', onclick: () => void upload() }, '上传'), message)),
    panel(
      '最近导入',
      table(
        status.ingestRuns,
        [
          { label: '#', value: cell('run_id'), className: 'num' },
          { label: '文件', value: cell('file_name') },
          { label: '结果', value: cell('status') },
          { label: '方案', value: cell('profile') },
          { label: '类型', value: cell('kind') },
          { label: '新增', value: cell('loaded'), className: 'num' },
          { label: '更新', value: cell('updated'), className: 'num' },
          { label: '隔离', value: (r) => (Number(r.quarantined) > 0 ? h('a', { href: `/data?run=${r.run_id}` }, String(r.quarantined)) : '0'), className: 'num' },
          { label: '完成时间', value: cell('finished_at') },
          { label: '说明', value: cell('message'), className: 'text' },
        ],
        { empty: '还没有导入记录' },
      ),
    ),
    panel(
      runParam ? `隔离行（导入 #${runParam}）` : '隔离行（最近 500 行）',
      table(
        quarantine,
        [
          { label: '导入 #', value: cell('run_id'), className: 'num' },
          { label: '文件', value: cell('file_name') },
          { label: '行号', value: cell('row_number'), className: 'num' },
          { label: '原因', value: cell('reason'), className: 'text' },
          { label: '原始记录（已脱敏）', value: cell('record'), className: 'text' },
        ],
        { empty: '没有隔离行' },
      ),
    ),
    panel(
      '定时任务',
      table(
        status.jobRuns,
        [
          { label: '#', value: cell('run_id'), className: 'num' },
          { label: '任务', value: cell('job') },
          { label: '触发', value: cell('trigger') },
          { label: '开始', value: cell('started_at') },
          { label: '结果', value: cell('status') },
          { label: '说明', value: cell('message'), className: 'text' },
        ],
        { empty: '还没有任务记录' },
      ),
    ),
  );
}
