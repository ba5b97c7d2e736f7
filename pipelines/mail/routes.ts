import type { MailConfig, MailRoute } from './config.js';

/** What an alert series is about: a category, possibly a sub-category, possibly a district. */
export interface AlertSeries {
  category_l1: string;
  category_l2?: string | null;
  district?: string | null;
}

export interface Recipients {
  /** Distinct addresses of every matching route, in route order (else the fallback list). */
  to: string[];
  /** Names of the matching routes: the footer tells the reader why they got the mail. */
  routes: string[];
  /** Why the reader gets it when no route matched (the fallback list), for the footer. */
  reason?: string;
}

/**
 * A route matches when both its filters match: `categories` empty or naming the series'
 * category_l1 or category_l2, and `districts` empty or naming the series' district. A series
 * without a district (prefecture-wide) matches only routes without districts.
 */
export function routeMatches(route: Pick<MailRoute, 'categories' | 'districts'>, series: AlertSeries): boolean {
  const categories = route.categories ?? [];
  const districts = route.districts ?? [];
  const categoryOk =
    categories.length === 0 ||
    categories.includes(series.category_l1) ||
    (series.category_l2 != null && categories.includes(series.category_l2));
  const districtOk = districts.length === 0 || (series.district != null && districts.includes(series.district));
  return categoryOk && districtOk;
}

/**
 * Everyone who should get the alert mail of `series`: the matching routes; when none matches, the
 * duty list `mail.to`, else the digest list. An alert nobody is configured for is still written to
 * the outbox, addressed to "未配置收件人" (send.ts).
 */
export function alertRecipients(series: AlertSeries, config: Pick<MailConfig, 'routes' | 'to' | 'digest'>): Recipients {
  const routed = recipientsFor(series, config);
  if (routed.to.length) return routed;
  if (config.to.length) return { to: [...config.to], routes: [], reason: '您在预警值班收件人名单（mail.to）中，且没有分发规则匹配此事件' };
  if (config.digest.to.length) return { to: [...config.digest.to], routes: [], reason: '您在预警日报收件人名单中，且没有分发规则匹配此事件' };
  return { ...routed, reason: '尚未配置预警收件人（mail.to 或 mail.routes），此邮件只保存在发件箱中' };
}

/** Everyone who should get the alert mail of `series`, by the routing rules of the mail config. */
export function recipientsFor(series: AlertSeries, config: Pick<MailConfig, 'routes'>): Recipients {
  const to: string[] = [];
  const seen = new Set<string>();
  const routes: string[] = [];
  for (const route of config.routes) {
    if (!routeMatches(route, series)) continue;
    routes.push(route.name);
    for (const mailbox of route.to) {
      const key = addressOf(mailbox).toLowerCase();
      if (seen.has(key)) continue;
      seen.add(key);
      to.push(mailbox);
    }
  }
  return { to, routes };
}

/** 'Name <a@b>' → 'a@b'; a bare address stays as it is. */
export function addressOf(mailbox: string): string {
  const match = /<([^<>]+)>\s*$/.exec(mailbox);
  return (match ? match[1] : mailbox).trim();
}
