/** Talking to the server: JSON with the session cookie, the CSRF token on every write. */
import type { JobProgress } from '../../pipelines/scheduler.js';

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/** What a load in progress has done, as the server reports it with its 503 "数据加载中". */
export type LoadingProgress = JobProgress & { job: string; since: string };

/** The data is still loading (the first load after installation): the page waits and tries again. */
export class LoadingError extends ApiError {
  constructor(
    message: string,
    readonly loading: LoadingProgress | null,
  ) {
    super(message, 503);
  }
}

function csrf(): string {
  return document.querySelector<HTMLMetaElement>('meta[name=csrf-token]')?.content ?? '';
}

async function check(response: Response): Promise<Response> {
  if (response.status === 401) {
    location.href = `/login?next=${encodeURIComponent(location.pathname + location.search)}`;
    throw new ApiError('请先登录', 401);
  }
  if (!response.ok) {
    type ErrorBody = { error?: string; loading?: LoadingProgress | null };
    const text = await response.text();
    let body: ErrorBody | null = null;
    try {
      body = JSON.parse(text) as ErrorBody;
    } catch {
      // not JSON: keep the status line
    }
    const message = body?.error ?? `${response.status} ${response.statusText}`;
    if (response.status === 503 && body && 'loading' in body) throw new LoadingError(message, body.loading ?? null);
    throw new ApiError(message, response.status);
  }
  return response;
}

export async function getJson<T>(path: string, params: Record<string, string | undefined> = {}): Promise<T> {
  const query = new URLSearchParams(Object.entries(params).filter((e): e is [string, string] => !!e[1])).toString();
  const response = await fetch(query ? `${path}?${query}` : path, { headers: { accept: 'application/json' }, credentials: 'same-origin' });
  return (await check(response)).json() as Promise<T>;
}

export async function post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  const isBinary = body instanceof Blob || body instanceof ArrayBuffer;
  const response = await fetch(path, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'x-csrf-token': csrf(), ...(isBinary ? {} : { 'content-type': 'application/json' }), ...headers },
    body: isBinary ? (body as BodyInit) : JSON.stringify(body),
  });
  return check(response);
}

export async function postJson<T>(path: string, body: unknown): Promise<T> {
  return (await post(path, body)).json() as Promise<T>;
}

/** Saves a response as a file the way a download link would. */
export async function download(response: Response, fallbackName: string): Promise<void> {
  const disposition = response.headers.get('content-disposition') ?? '';
  const match = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition);
  const name = match ? decodeURIComponent(match[1]) : fallbackName;
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
