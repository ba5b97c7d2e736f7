import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { ROLES, authenticate, type Role } from '../pipelines/users.js';

/**
 * Sessions (httpOnly, SameSite=Strict cookie; state on the server), a CSRF token per session that
 * every state-changing request must echo in `x-csrf-token`, login rate limiting, and role checks.
 */

export interface Session {
  id: string;
  user: string;
  role: Role;
  csrf: string;
  expires: number;
}

declare module 'express-serve-static-core' {
  interface Request {
    session?: Session;
  }
}

const COOKIE = 'hp_session';
const SESSION_MS = 12 * 3600_000;
const FAILURE_WINDOW_MS = 15 * 60_000;
const MAX_FAILURES = 5;
/** Addresses and names with recent failures that are remembered at most; the oldest go first. */
export const MAX_TRACKED_FAILURES = 10_000;

/** leader < analyst < admin: each role can do everything the one before it can. */
export function allows(role: Role, needed: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(needed);
}

function readCookie(req: Request, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return decodeURIComponent(rest.join('='));
  }
  return undefined;
}

export class Sessions {
  private readonly sessions = new Map<string, Session>();
  /** Failed sign-ins per `ip:` and `user:` key, oldest key first; bounded by time and by count. */
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly usersFile: string,
    private readonly maxTrackedFailures = MAX_TRACKED_FAILURES,
  ) {}

  /** Express middleware: attaches req.session when the cookie names a live session. */
  attach = (req: Request, _res: Response, next: NextFunction) => {
    const id = readCookie(req, COOKIE);
    const session = id ? this.sessions.get(id) : undefined;
    if (session && session.expires > Date.now()) req.session = session;
    else if (id) this.sessions.delete(id);
    next();
  };

  /** How many keys the failure record holds (it never grows past MAX_TRACKED_FAILURES). */
  get trackedFailures(): number {
    return this.failures.size;
  }

  /** Forgets failures older than the window. */
  private pruneFailures(now: number): void {
    for (const [key, times] of this.failures) {
      if (times.at(-1)! <= now - FAILURE_WINDOW_MS) this.failures.delete(key);
    }
  }

  /** Records a failure; beyond the cap the keys failing longest ago are forgotten first. */
  private recordFailure(key: string, now: number): void {
    const recent = (this.failures.get(key) ?? []).filter((t) => now - t < FAILURE_WINDOW_MS);
    recent.push(now);
    // Re-inserted, so the map's order stays oldest-first.
    this.failures.delete(key);
    this.failures.set(key, recent);
    for (const oldest of this.failures.keys()) {
      if (this.failures.size <= this.maxTrackedFailures) break;
      this.failures.delete(oldest);
    }
  }

  /** Checks the password; refuses with 429 after repeated failures for the same name or address. */
  async login(req: Request, res: Response, name: string, password: string): Promise<Session | 'rate-limited' | null> {
    const keys = [`ip:${req.ip}`, `user:${name}`];
    const now = Date.now();
    this.pruneFailures(now);
    for (const key of keys) {
      const recent = (this.failures.get(key) ?? []).filter((t) => now - t < FAILURE_WINDOW_MS);
      if (recent.length >= MAX_FAILURES) return 'rate-limited';
    }
    const user = await authenticate(this.usersFile, name, password);
    if (!user) {
      for (const key of keys) this.recordFailure(key, now);
      return null;
    }
    for (const key of keys) this.failures.delete(key);
    for (const [id, session] of this.sessions) if (session.expires <= now) this.sessions.delete(id);
    const session: Session = { id: randomBytes(24).toString('base64url'), user: user.name, role: user.role, csrf: randomBytes(24).toString('base64url'), expires: now + SESSION_MS };
    this.sessions.set(session.id, session);
    res.cookie(COOKIE, session.id, { httpOnly: true, sameSite: 'strict', secure: req.secure, path: '/', maxAge: SESSION_MS });
    return session;
  }

  logout(req: Request, res: Response): void {
    if (req.session) this.sessions.delete(req.session.id);
    res.clearCookie(COOKIE, { path: '/' });
  }
}

/**
 * Whether a request that changes something comes from this site. Browsers send Origin with every
 * POST; "null" (a sandboxed frame, a file: page, some redirects) and anything unparsable count as foreign.
 * Without the header (curl, the CLI) the session cookie and the CSRF token still decide.
 */
export function sameOrigin(req: Request): boolean {
  const origin = req.get('origin');
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === req.get('host');
  } catch {
    return false;
  }
}

/** Refuses state-changing requests from another origin with 403, before anything else looks at them. */
export function requireSameOrigin(req: Request, res: Response, next: NextFunction) {
  if (['GET', 'HEAD', 'OPTIONS'].includes(req.method) || sameOrigin(req)) return next();
  res.status(403).json({ error: '拒绝来自其他网站的请求 / cross-origin request refused' });
}

/**
 * Where to go after sign-in: a path on this site, or '/'. Refused: other hosts (`//evil`,
 * `https:…`), backslashes (browsers read `/\evil` as `//evil`), control characters.
 */
export function safeNextPath(next: unknown): string {
  if (typeof next !== 'string' || !next.startsWith('/') || next.startsWith('//') || /[\\\u0000-\u001f\u007f]/.test(next)) return '/';
  const base = 'http://hotline.invalid';
  let url: URL;
  try {
    url = new URL(next, base);
  } catch {
    return '/';
  }
  return url.origin === base ? `${url.pathname}${url.search}${url.hash}` : '/';
}

/** 401 without a session, 403 without the role. */
export function requireRole(needed: Role) {
  return (req: Request, res: Response, next: NextFunction) => {
    if (!req.session) return void res.status(401).json({ error: '请先登录 / please sign in' });
    if (!allows(req.session.role, needed)) return void res.status(403).json({ error: '没有权限 / not allowed for your role' });
    next();
  };
}

/** Every state-changing request carries the session's CSRF token. */
export function requireCsrf(req: Request, res: Response, next: NextFunction) {
  // Without a session the route's role check answers 401; nothing can change without one.
  if (['GET', 'HEAD', 'OPTIONS'].includes(req.method) || !req.session) return next();
  const sent = req.get('x-csrf-token') ?? '';
  const expected = req.session?.csrf ?? '';
  const ok = expected.length > 0 && sent.length === expected.length && timingSafeEqual(Buffer.from(sent), Buffer.from(expected));
  if (!ok) return void res.status(403).json({ error: 'CSRF 校验失败，请刷新页面 / missing or wrong CSRF token' });
  next();
}
