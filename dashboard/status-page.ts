import { escapeHtml } from './pages.js';

/**
 * The sign-in page; the script is served from /assets so the CSP can forbid inline scripts. `next`
 * (where to go after signing in) must already be a safe same-site path (auth.ts safeNextPath).
 */
export function loginPage(next = '/'): string {
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
<form id="login" data-next="${escapeHtml(next)}"><h1>Hotline Pulse · 12345 热线</h1>
<label for="name">用户名</label><input id="name" name="name" autocomplete="username" required>
<label for="password">密码</label><input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">登录</button><div id="error" role="alert"></div></form>
<script src="/assets/login.js"></script>
</body></html>`;
}

/**
 * The sign-in script. It goes only where the server said (data-next, checked there) and checks
 * again itself: a path on this site, never `//host` or `/\host` (which browsers read as `//host`).
 */
export const LOGIN_SCRIPT = `const form = document.getElementById('login');
form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const body = JSON.stringify({ name: document.getElementById('name').value, password: document.getElementById('password').value });
  const response = await fetch('/api/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  const next = form.dataset.next || '/';
  const local = next.startsWith('/') && !next.startsWith('//') && !next.includes('\\\\');
  if (response.ok) location.href = local ? next : '/';
  else document.getElementById('error').textContent = (await response.json()).error;
});`;
