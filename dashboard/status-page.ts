import type { StatusReport } from '../pipelines/status.js';
import type { AppContext } from './server.js';

const escapeHtml = (value: unknown) =>
  String(value ?? '—').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function table(rows: Record<string, unknown>[], columns: [string, string][]): string {
  if (!rows.length) return '<p class="empty">暂无记录</p>';
  return `<table><thead><tr>${columns.map(([, label]) => `<th>${label}</th>`).join('')}</tr></thead><tbody>${rows
    .map((row) => `<tr>${columns.map(([key]) => `<td>${escapeHtml(row[key])}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

/** The minimal status page the service shows until the dashboard replaces it. */
export function statusPage(report: StatusReport, context: AppContext): string {
  const t = report.tickets;
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Hotline Pulse · 12345 热线数据仓库状态</title>
<style>
body{font-family:"Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif;margin:0;padding:1rem 1.5rem;color:#1f2933;background:#f5f7fa}
h1{font-size:1.4rem;margin:.2rem 0 1rem} h2{font-size:1.1rem;margin-top:1.6rem}
.cards{display:flex;flex-wrap:wrap;gap:.8rem} .card{background:#fff;border-radius:8px;padding:.8rem 1rem;min-width:10rem;box-shadow:0 1px 3px #0001}
.card b{display:block;font-size:1.5rem;color:#0b6bcb} table{border-collapse:collapse;background:#fff;width:100%;font-size:.85rem}
th,td{border-bottom:1px solid #e4e7eb;padding:.35rem .5rem;text-align:left;vertical-align:top} th{background:#eef2f7}
.empty{color:#7b8794} footer{margin-top:2rem;color:#7b8794;font-size:.8rem}
</style></head><body>
<h1>Hotline Pulse · 12345 热线数据仓库</h1>
<div class="cards">
  <div class="card">工单<b>${t.count.toLocaleString('zh-CN')}</b>${escapeHtml(t.first?.slice(0, 10))} 至 ${escapeHtml(t.last?.slice(0, 10))}</div>
  <div class="card">话务记录<b>${report.calls.toLocaleString('zh-CN')}</b></div>
  <div class="card">承办单位<b>${report.units.toLocaleString('zh-CN')}</b></div>
  <div class="card">隔离行<b>${report.quarantined.toLocaleString('zh-CN')}</b>待核对的问题数据</div>
</div>
<h2>最近导入 / Ingest runs</h2>
${table(report.ingestRuns, [['run_id', '#'], ['file_name', '文件'], ['status', '结果'], ['profile', '方案'], ['kind', '类型'], ['loaded', '新增'], ['updated', '更新'], ['unchanged', '未变'], ['quarantined', '隔离'], ['finished_at', '完成时间'], ['message', '说明']])}
<h2>定时任务 / Scheduled jobs</h2>
${table(report.jobRuns, [['run_id', '#'], ['job', '任务'], ['trigger', '触发'], ['started_at', '开始'], ['finished_at', '结束'], ['status', '结果'], ['message', '说明']])}
<footer>数据仓库 ${escapeHtml(context.config.db)} · 服务启动于 ${escapeHtml(context.startedAt.toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai' }))} · 将文件放入 ${escapeHtml(context.config.dataDir)}/inbox/ 即可自动导入</footer>
</body></html>`;
}

/** The sign-in page; the script is served from /assets so the CSP can forbid inline scripts. */
export function loginPage(): string {
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>登录 · Hotline Pulse</title>
<style>
body{font-family:"Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif;background:#f5f7fa;display:flex;min-height:100vh;align-items:center;justify-content:center;margin:0}
form{background:#fff;padding:2rem;border-radius:10px;box-shadow:0 2px 10px #0002;width:min(22rem,90vw)}
h1{font-size:1.2rem;margin:0 0 1rem} label{display:block;margin:.6rem 0 .2rem;color:#52606d}
input{width:100%;box-sizing:border-box;padding:.5rem;border:1px solid #cbd2d9;border-radius:6px;font-size:1rem}
button{margin-top:1.2rem;width:100%;padding:.6rem;border:0;border-radius:6px;background:#0b6bcb;color:#fff;font-size:1rem}
#error{color:#c81e1e;min-height:1.2rem;margin-top:.6rem}
</style></head><body>
<form id="login"><h1>Hotline Pulse · 12345 热线</h1>
<label for="name">用户名</label><input id="name" name="name" autocomplete="username" required>
<label for="password">密码</label><input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">登录</button><div id="error" role="alert"></div></form>
<script src="/assets/login.js"></script>
</body></html>`;
}
