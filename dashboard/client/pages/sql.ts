import { download, getJson, post, postJson } from '../api.js';
import { h, panel, replace } from '../dom.js';
import { beijingTime } from '../format.js';

interface Result {
  columns: { name: string; type: string }[];
  rows: unknown[][];
  truncated: boolean;
  cappedBy: 'rows' | 'bytes' | null;
  limits: { maxRows: number; maxBytes: number };
  elapsedMs: number;
  snapshot: string;
  snapshotTakenAt: string;
}
interface SchemaColumn {
  table: string;
  tableComment: string | null;
  column: string;
  type: string;
  comment: string | null;
}
interface Saved {
  id: string;
  name: string;
  sql: string;
  owner: string;
  shared: boolean;
}

const PAGE_SIZE = 50;
// stg_tickets: the tickets the dashboard counts, so the example's numbers are the 诉求分析 page's
const EXAMPLE = `select category_l1 as 一级分类, count(*) as 工单数
from stg_tickets
where received_at >= date_trunc('month', (select max(received_at) from stg_tickets))
group by all
order by 工单数 desc`;

const show = (value: unknown) => (value === null || value === undefined ? 'NULL' : typeof value === 'object' ? JSON.stringify(value) : String(value));

export async function renderSql(content: HTMLElement): Promise<void> {
  const editor = h('textarea', { id: 'sql-editor', spellcheck: 'false', 'aria-label': 'SQL 语句' });
  editor.value = sessionStorage.getItem('hotline-sql') ?? EXAMPLE;
  const status = h('span', { class: 'muted', role: 'status', id: 'sql-status' });
  const results = h('div', { id: 'sql-results' });
  const schemaBox = h('div', { class: 'schema' }, h('p', { class: 'loading' }, '加载中…'));
  const savedBox = h('div', {});
  const historyBox = h('div', {});
  const name = h('input', { type: 'text', placeholder: '查询名称', 'aria-label': '查询名称', id: 'sql-name' });
  const shared = h('input', { type: 'checkbox', id: 'sql-shared' });

  const insert = (text: string) => {
    const start = editor.selectionStart ?? editor.value.length;
    editor.value = editor.value.slice(0, start) + text + editor.value.slice(editor.selectionEnd ?? start);
    editor.focus();
    editor.selectionStart = editor.selectionEnd = start + text.length;
  };

  function grid(result: Result, page: number): void {
    const pages = Math.max(1, Math.ceil(result.rows.length / PAGE_SIZE));
    const rows = result.rows.slice(page * PAGE_SIZE, (page + 1) * PAGE_SIZE);
    replace(
      results,
      h(
        'div',
        { class: 'pager' },
        `${result.rows.length.toLocaleString('zh-CN')} 行 · ${result.elapsedMs} ms · 快照生成于 ${beijingTime(Date.parse(result.snapshotTakenAt)).slice(5)}`,
        h('button', { type: 'button', disabled: page === 0, onclick: () => grid(result, page - 1) }, '上一页'),
        `第 ${page + 1} / ${pages} 页`,
        h('button', { type: 'button', disabled: page + 1 >= pages, onclick: () => grid(result, page + 1) }, '下一页'),
      ),
      result.truncated
        ? h(
            'p',
            { class: 'notice', id: 'sql-capped', role: 'status' },
            result.cappedBy === 'bytes'
              ? `结果超过 ${Math.round(result.limits.maxBytes / 1024 / 1024)} MB，只显示前 ${result.rows.length.toLocaleString('zh-CN')} 行。`
              : `结果超过 ${result.limits.maxRows.toLocaleString('zh-CN')} 行，只显示前 ${result.rows.length.toLocaleString('zh-CN')} 行。`,
            'CSV / XLSX 导出同样截断；完整结果请',
            h('button', { type: 'button', class: 'link', onclick: () => void exportAs('parquet') }, '导出 Parquet'),
            '。',
          )
        : null,
      h(
        'div',
        { class: 'table-wrap' },
        h(
          'table',
          { id: 'sql-grid' },
          h('thead', {}, h('tr', {}, result.columns.map((c) => h('th', { title: c.type }, c.name)))),
          h('tbody', {}, rows.map((row) => h('tr', {}, row.map((v, i) => h('td', { class: /INT|DOUBLE|DECIMAL|FLOAT/.test(result.columns[i].type) ? 'num' : undefined }, show(v)))))),
        ),
      ),
    );
  }

  async function run() {
    sessionStorage.setItem('hotline-sql', editor.value);
    status.textContent = '查询中…';
    try {
      const result = await postJson<Result>('/api/sql', { sql: editor.value });
      status.textContent = '';
      grid(result, 0);
      void loadHistory();
    } catch (error) {
      status.textContent = '';
      replace(results, h('p', { class: 'error', role: 'alert' }, (error as Error).message));
    }
  }

  async function exportAs(format: 'csv' | 'xlsx' | 'parquet') {
    status.textContent = `正在导出 ${format.toUpperCase()}…`;
    try {
      const response = await post('/api/sql/export', { sql: editor.value, format });
      const capped = response.headers.get('x-result-capped');
      await download(response, `hotline-query.${format}`);
      status.textContent = capped
        ? `已导出 ${format.toUpperCase()}，但结果已截断（只含前 ${Number(response.headers.get('x-result-rows')).toLocaleString('zh-CN')} 行）；完整结果请导出 Parquet`
        : `已导出 ${format.toUpperCase()}`;
    } catch (error) {
      status.textContent = `导出失败：${(error as Error).message}`;
    }
  }

  async function save() {
    if (!name.value.trim()) {
      status.textContent = '请填写查询名称';
      return;
    }
    try {
      await postJson('/api/sql/saved', { name: name.value, sql: editor.value, shared: shared.checked });
      status.textContent = '已保存';
      void loadSaved();
    } catch (error) {
      status.textContent = (error as Error).message;
    }
  }

  async function loadSaved() {
    const saved = await getJson<Saved[]>('/api/sql/saved');
    replace(
      savedBox,
      saved.length
        ? h('ul', { class: 'list' }, saved.map((q) => h('li', {}, h('button', { type: 'button', onclick: () => (editor.value = q.sql) }, q.name), h('code', { title: q.sql }, q.sql), h('span', { class: 'muted' }, q.shared ? `共享 · ${q.owner}` : '仅自己'))))
        : h('p', { class: 'empty' }, '还没有保存的查询'),
    );
  }

  async function loadHistory() {
    const history = await getJson<{ sql: string; at: string }[]>('/api/sql/history');
    replace(
      historyBox,
      history.length
        ? h('ul', { class: 'list' }, history.slice(0, 15).map((q) => h('li', {}, h('button', { type: 'button', onclick: () => (editor.value = q.sql) }, '载入'), h('code', { title: q.sql }, q.sql), h('span', { class: 'muted' }, beijingTime(Date.parse(q.at)).slice(5)))))
        : h('p', { class: 'empty' }, '本次登录还没有查询'),
    );
  }

  editor.addEventListener('keydown', (event) => {
    if ((event.ctrlKey || event.metaKey) && event.key === 'Enter') {
      event.preventDefault();
      void run();
    }
  });

  replace(
    content,
    h(
      'div',
      { class: 'sql-layout' },
      panel('表与字段', h('p', { class: 'sub' }, '分析快照：只读，不含电话号码哈希。按 stg_tickets 统计的件数与看板一致；tickets 是导入的全部工单（含已撤销的）。点击名称插入。'), schemaBox),
      h(
        'div',
        {},
        panel(
          'SQL 查询',
          editor,
          h(
            'div',
            { class: 'form-row' },
            h('button', { type: 'button', class: 'primary', id: 'sql-run', onclick: () => void run() }, '运行（Ctrl+Enter）'),
            h('button', { type: 'button', id: 'export-csv', onclick: () => void exportAs('csv') }, '导出 CSV'),
            h('button', { type: 'button', id: 'export-xlsx', onclick: () => void exportAs('xlsx') }, '导出 XLSX'),
            h('button', { type: 'button', id: 'export-parquet', title: '完整结果，不限行数', onclick: () => void exportAs('parquet') }, '导出 Parquet（完整结果）'),
            status,
          ),
          h('div', { class: 'form-row' }, name, h('label', {}, shared, ' 共享给其他分析员'), h('button', { type: 'button', id: 'sql-save', onclick: () => void save() }, '保存查询')),
          results,
        ),
        h('div', { class: 'grid halves' }, panel('保存的查询', savedBox), panel('查询历史', historyBox)),
      ),
    ),
  );

  const schema = await getJson<SchemaColumn[]>('/api/sql/schema').catch((error: Error) => error);
  if (schema instanceof Error) {
    replace(schemaBox, h('p', { class: 'error' }, schema.message));
  } else {
    const tables = new Map<string, SchemaColumn[]>();
    for (const c of schema) tables.set(c.table, [...(tables.get(c.table) ?? []), c]);
    replace(
      schemaBox,
      [...tables].map(([table, columns]) =>
        h(
          'details',
          { open: table === 'stg_tickets', 'data-table': table },
          h('summary', {}, h('span', {}, table), ' ', h('button', { type: 'button', class: 'tag', onclick: (e: Event) => (e.preventDefault(), insert(table)) }, '插入')),
          columns[0].tableComment ? h('p', { class: 'about' }, columns[0].tableComment) : null,
          h(
            'ul',
            {},
            columns.map((c) =>
              h('li', {}, h('button', { type: 'button', onclick: () => insert(c.column) }, c.column), h('span', {}, c.type.toLowerCase()), c.comment ? h('small', {}, c.comment) : null),
            ),
          ),
        ),
      ),
    );
  }
  await Promise.all([loadSaved(), loadHistory()]);
}
