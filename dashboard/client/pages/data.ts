import { chinesePart } from '../../../pipelines/cli-error.js';
import type { JobName } from '../../../pipelines/jobs.js';
import { getJson, post, type LoadingProgress } from '../api.js';
import { h, panel, replace, table } from '../dom.js';
import { beijingTime, count } from '../format.js';
import { progressBar, progressText } from '../loading.js';

interface Status {
  tickets: { count: number; first: string | null; last: string | null };
  calls: number;
  units: number;
  quarantined: number;
  ingestRuns: Record<string, string | number | null>[];
  jobRuns: Record<string, string | number | null>[];
  activity: { job: string; trigger: string; startedAt: string; progress: Omit<LoadingProgress, 'job' | 'since'> }[];
}

type Row = Record<string, string | number | null>;
const cell = (key: string) => (row: Row) => (row[key] === null || row[key] === undefined ? '—' : String(row[key]));
/** A count cell with thousands separators, as the cards above the table write them. */
const countCell = (key: string) => (row: Row) => (row[key] === null || row[key] === undefined ? '—' : count(Number(row[key])));

/** The words the pipeline records, as the page says them. */
const WORDS: Record<string, string> = {
  loaded: '已导入',
  unchanged: '重复（未改动）',
  refused: '已拒绝',
  ok: '成功',
  failed: '失败',
  skipped: '跳过',
  running: '运行中',
  schedule: '定时',
  manual: '手动',
  startup: '启动时',
  'after-load': '导入后',
  tickets: '工单',
  calls: '话务',
  units: '承办单位',
  categories: '分类',
};
const JOB_NAMES: Record<JobName | 'startup', string> & Record<string, string | undefined> = {
  'ingest-inbox': '收件箱导入',
  'hotspots-daily': '每日热点预警',
  'incidents-hourly': '每小时突发检测',
  'hotspots-backfill': '回溯热点预警',
  'monthly-report': '月报',
  'text-models': '文本模型训练',
  startup: '首次启动',
};
const word = (key: string) => (row: Row) => (row[key] === null || row[key] === undefined ? '—' : (WORDS[String(row[key])] ?? String(row[key])));

/**
 * A recorded message as the page shows it: the part in Chinese (messages are "中文 / English"); a raw
 * database message, which older runs may still hold, is summarised.
 */
export function messageText(message: unknown): string {
  if (message === null || message === undefined || message === '') return '—';
  const text = String(message).replace(/^skipped:\s*/, '');
  if (/^[A-Za-z ]*(Error|Exception):|Cannot CHECKPOINT|Catalog Error|TransactionContext/.test(text)) return '数据库内部错误，详情见服务日志';
  return chinesePart(text);
}

/** Job runs with each stretch of idle "skipped" runs (the inbox job every five minutes) folded into one row. */
export function foldIdleRuns(runs: Row[]): (Row & { folded?: number; from?: string | null })[] {
  const folded: (Row & { folded?: number; from?: string | null })[] = [];
  for (const run of runs) {
    const last = folded.at(-1);
    if (run.status === 'skipped' && last?.status === 'skipped' && last.job === run.job) {
      last.folded = (last.folded ?? 1) + 1;
      last.from = run.started_at === null ? null : String(run.started_at);
      continue;
    }
    folded.push({ ...run });
  }
  return folded;
}

/**
 * The 数据 page. After an upload whose load started at once (`follow`), the page draws itself again
 * every 2 s while the load runs — its progress, then its row among the imports — and says when it
 * is done.
 */
export async function renderData(content: HTMLElement, follow?: { note: string }): Promise<void> {
  const runParam = new URLSearchParams(location.search).get('run');
  const [status, quarantine] = await Promise.all([getJson<Status>('/api/status'), getJson<Row[]>('/api/quarantine', { run: runParam ?? undefined })]);
  const loading = status.activity.some((run) => run.job === 'ingest-inbox');
  if (follow && loading) setTimeout(() => void (content.isConnected ? renderData(content, follow) : undefined), 2000);
  const input = h('input', { type: 'file', id: 'upload-file', 'aria-label': '选择导出文件', accept: '.csv,.txt,.xlsx,.xls,.json,.ndjson,.jsonl,.parquet' });
  const message = h('span', { class: 'muted', role: 'status', id: 'upload-message' }, follow ? (loading ? follow.note : '导入完成，结果见下方“最近导入” / loaded: see the imports below') : '');
  const upload = async () => {
    const file = input.files?.[0];
    if (!file) {
      message.textContent = '请先选择文件';
      return;
    }
    message.textContent = '上传中…';
    try {
      const response = await post('/api/inbox', await file.arrayBuffer(), { 'x-file-name': encodeURIComponent(file.name), 'content-type': 'application/octet-stream' });
      const answer = (await response.json()) as { note: string; started?: boolean };
      message.textContent = answer.note;
      if (answer.started) setTimeout(() => void renderData(content, { note: answer.note }), 1000);
    } catch (error) {
      message.textContent = `上传失败：${(error as Error).message}`;
    }
  };
  const t = status.tickets;
  const jobRuns = foldIdleRuns(status.jobRuns);
  replace(
    content,
    status.activity.length
      ? panel(
          '正在运行',
          h(
            'ul',
            { class: 'list', id: 'activity' },
            status.activity.map((run) =>
              h('li', {}, h('strong', {}, JOB_NAMES[run.job] ?? run.job), ' ', progressText(run.progress), ' ', progressBar(run.progress), h('span', { class: 'muted' }, ` 开始于 ${beijingTime(Date.parse(run.startedAt)).slice(11)}`)),
            ),
          ),
        )
      : null,
    h(
      'div',
      { class: 'cards' },
      h('article', { class: 'card' }, h('span', { class: 'name' }, '工单'), h('span', { class: 'value' }, count(t.count)), h('span', { class: 'changes' }, `${t.first?.slice(0, 10) ?? '—'} 至 ${t.last?.slice(0, 10) ?? '—'}`)),
      h('article', { class: 'card' }, h('span', { class: 'name' }, '话务记录'), h('span', { class: 'value' }, count(status.calls))),
      h('article', { class: 'card' }, h('span', { class: 'name' }, '承办单位'), h('span', { class: 'value' }, count(status.units))),
      h('article', { class: 'card' }, h('span', { class: 'name' }, '隔离行'), h('span', { class: 'value' }, count(status.quarantined)), h('span', { class: 'changes' }, '待核对的问题数据')),
    ),
    panel('上传导出文件', h('p', { class: 'sub' }, '上传后立即开始导入（已有导入在运行时，在其后 5 分钟内处理）；结果见下方导入记录。'), h('div', { class: 'form-row' }, input, h('button', { type: 'button', class: 'primary', id: 'upload', onclick: () => void upload() }, '上传'), message)),
    panel(
      '最近导入',
      table(
        status.ingestRuns,
        [
          { label: '#', value: cell('run_id'), className: 'num' },
          { label: '文件', value: cell('file_name') },
          { label: '结果', value: word('status') },
          { label: '方案', value: cell('profile') },
          { label: '类型', value: word('kind') },
          { label: '新增', value: countCell('loaded'), className: 'num' },
          { label: '更新', value: countCell('updated'), className: 'num' },
          { label: '隔离', value: (r) => (Number(r.quarantined) > 0 ? h('a', { href: `/data?run=${r.run_id}` }, count(Number(r.quarantined))) : '0'), className: 'num' },
          { label: '完成时间', value: cell('finished_at') },
          { label: '说明', value: (r) => messageText(r.message), className: 'text' },
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
      h('p', { class: 'sub' }, '收件箱每 5 分钟检查一次；连续的“跳过”（收件箱为空）合并为一行。'),
      table(
        jobRuns,
        [
          { label: '#', value: cell('run_id'), className: 'num' },
          { label: '任务', value: (r) => JOB_NAMES[String(r.job)] ?? String(r.job) },
          { label: '触发', value: word('trigger') },
          { label: '开始', value: (r) => (r.folded ? `${r.from ?? '—'} 至 ${r.started_at ?? '—'}` : cell('started_at')(r)) },
          { label: '结果', value: (r) => (r.folded ? `跳过 ${r.folded} 次` : word('status')(r)) },
          { label: '说明', value: (r) => messageText(r.message), className: 'text' },
        ],
        { empty: '还没有任务记录' },
      ),
    ),
  );
}
