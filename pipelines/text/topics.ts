import { sqlFile, type Warehouse } from '../warehouse.js';
import type { Config } from '../config.js';
import { jieba, normaliseText, textFeatures, Vocabulary, wordHash, type FeatureOptions } from './features.js';
import { placesIn } from './places.js';

/**
 * Hot issues (热点问题): requests about the same concrete problem — the same place or group of
 * people and the same matter — grouped across categories, ranked by a heat index.
 *
 * Grouping: each request is a TF-IDF vector of the words and character bigrams of the start of
 * its text (300 characters: long posts wander, what they are about is said first) and of its first
 * sentence (the title of a message-board post) counted twice more, plus the places it names (from
 * the address columns, else from the text) holding a fixed 30 % of the vector's length, so "the
 * same matter at the same compound" lies closer than "the same matter anywhere" for short phone
 * requests and long posts alike. Requests are visited in time order and
 * join the most similar existing issue when the cosine to its centroid reaches `threshold`
 * (a leader clustering: no chaining of A~B~C into one issue when A and C differ), else start one.
 * Candidates come from an inverted index of each issue's most telling features, so the work grows
 * with the number of requests, not its square.
 *
 * Heat: people (distinct callers; a request without a phone counts as its own person) + half of
 * the repeated requests + √(likes + dislikes), times 1 + the growth boost (how much faster the
 * issue came in over the last third of the period than before, on a log scale, at most doubling).
 */

export interface TopicTicket {
  ticket_id: string;
  /** 'YYYY-MM-DD HH:MM:SS', Beijing wall-clock. */
  received_at: string;
  content: string;
  district: string | null;
  township: string | null;
  /** The compound or address (stg_tickets.place). */
  place: string | null;
  phone_hash: string | null;
  likes: number | null;
  dislikes: number | null;
  /** The operator's 一级 category, else the suggested one. */
  category: string | null;
}

export interface Topic {
  rank: number;
  heat: number;
  firstDay: string;
  lastDay: string;
  place: string;
  description: string;
  count: number;
  ticketIds: string[];
  callers: number;
  likes: number;
  dislikes: number;
  /** Tickets in the last third of the period ÷ the number expected from the rest (smoothed). */
  growth: number;
  categories: { name: string; count: number }[];
  daily: { day: string; count: number }[];
}

export interface TopicOptions {
  /** First and last day of the period (YYYY-MM-DD); default: the tickets' own range. */
  from?: string;
  to?: string;
  top?: number;
  /** Cosine to an issue's centroid needed to join it. */
  threshold?: number;
}

const FEATURES: FeatureOptions = { charNgrams: [2, 2], words: true };
const INDEXED_FEATURES = 12;
const DEFAULT_THRESHOLD = 0.3;
/** Share of a request's vector length given to the places it names: same place pulls together. */
const PLACE_SHARE = 0.3;
const COMMON_SHARE = 0.5;
/** Cosine of the matter part (the text without its places) needed as well. */
const MATTER_THRESHOLD = 0.08;
/** Long posts wander; what they are about is said first. */
const BODY_CHARS = 300;
const TITLE_WEIGHT = 2;

interface Doc {
  ticket: TopicTicket;
  ids: Int32Array;
  values: Float32Array;
  /** The most telling features shared with at least one other request: where its candidates are found. */
  linking: number[];
  /** Which features are places, and the squared length of the rest (the matter). */
  isPlace: boolean[];
  matterSquaredNorm: number;
  address: string | null;
  places: string[];
  title: string;
}

interface Cluster {
  sum: Map<number, number>;
  squaredNorm: number;
  /** The squared length of the matter part of the sum (its features other than places). */
  matterSquaredNorm: number;
  /** The address places of its requests (from the export's address columns, which are reliable). */
  addresses: Set<string>;
  members: number[];
}

/** What callers' requests start with and says nothing: "来电人反映：", "市民来电反映，", "网友留言：". */
const OPENING = /^(?:来电人|市民来电|市民通过网络|市民|网友|来电)(?:反映|称|留言|咨询)?[：:，,]\s*/;

/**
 * The gist of a request: its first clauses (the title of a message-board post, the first words of
 * a phone request without the operator's "来电人反映："), at least 10 characters, at most `max`.
 */
export function firstSentence(content: string, max = 40): string {
  const text = content.replace(/\s+/g, ' ').trim().replace(OPENING, '');
  const clauses = text.split(/[，,：:。！？!?；;\n]/).map((c) => c.trim()).filter(Boolean);
  let sentence = '';
  for (const clause of clauses) {
    sentence = sentence ? `${sentence}，${clause}` : clause;
    if (sentence.length >= 10) break;
  }
  sentence ||= text;
  return sentence.length > max ? `${sentence.slice(0, max - 1)}…` : sentence;
}

export function findTopics(tickets: readonly TopicTicket[], options: TopicOptions = {}): Topic[] {
  const threshold = options.threshold ?? DEFAULT_THRESHOLD;
  const ordered = [...tickets].filter((t) => t.content && t.content.trim()).sort((a, b) => (a.received_at < b.received_at ? -1 : a.received_at > b.received_at ? 1 : a.ticket_id < b.ticket_id ? -1 : 1));
  if (!ordered.length) return [];
  const from = options.from ?? ordered[0].received_at.slice(0, 10);
  const to = options.to ?? ordered[ordered.length - 1].received_at.slice(0, 10);

  const bags: number[][] = [];
  const placeFeatures = new Set<number>();
  const placeLists: string[][] = [];
  const addresses: (string | null)[] = [];
  for (const t of ordered) {
    const title = firstSentence(t.content, 60);
    // The address without building and room numbers, else the places the text names.
    const address = t.place?.replace(/[0-9０-９#＃].*$/, '').trim();
    const named = placesIn(`${title} ${t.content.slice(0, 200)}`);
    const places = address ? [address] : named.map((p) => p.name);
    // The place counts once, in its own part of the vector; the text part says the matter.
    const matter = (text: string) => withoutPlaces(text, [address, t.township, t.district, ...named.flatMap((p) => [p.name, p.region])]);
    const bag = textFeatures(normaliseText(matter(t.content.slice(0, BODY_CHARS))), FEATURES);
    for (let k = 0; k < TITLE_WEIGHT; k++) textFeatures(normaliseText(matter(title)), FEATURES, bag);
    for (const p of places.slice(0, 3)) {
      const h = wordHash(`@${p}`);
      placeFeatures.add(h);
      bag.push(h);
    }
    bags.push(bag);
    placeLists.push(places);
    addresses.push(address || null);
  }
  const vocabulary = Vocabulary.build(bags, 1);
  // A short period is judged against a hotline's usual month, where a compound's name is rare.
  const idf = vocabulary.inverseDocumentFrequency(1000);
  const placeColumns = new Set([...placeFeatures].map((h) => vocabulary.columns.get(h)!));
  // Features in more than half of the requests are boilerplate ("来电人反映", "请尽快处理"): they
  // say nothing about which issue it is. (A twentieth was too strict: a big issue's own words are
  // that frequent in its month.)
  const common = ordered.length >= 200 ? ordered.length * COMMON_SHARE : Infinity;
  const docs: Doc[] = ordered.map((ticket, i) => {
    const counts = vocabulary.counts(bags[i]);
    const ids: number[] = [];
    const values: number[] = [];
    const isPlace: boolean[] = [];
    let textSquares = 0;
    let placeSquares = 0;
    for (let k = 0; k < counts.ids.length; k++) {
      const column = counts.ids[k];
      const place = placeColumns.has(column);
      if (!place && vocabulary.documentFrequency[column] > common) continue;
      const v = (1 + Math.log(counts.values[k])) * idf[column];
      ids.push(column);
      values.push(v);
      isPlace.push(place);
      if (place) placeSquares += v * v;
      else textSquares += v * v;
    }
    // The place takes a fixed share of the length, whatever the length of the text.
    const share = placeSquares > 0 ? PLACE_SHARE : 0;
    const textScale = textSquares > 0 ? Math.sqrt(1 - share) / Math.sqrt(textSquares) : 0;
    const placeScale = placeSquares > 0 ? Math.sqrt(share) / Math.sqrt(placeSquares) : 0;
    for (let k = 0; k < values.length; k++) values[k] *= isPlace[k] ? placeScale : textScale;
    const linking = ids
      .map((id, k) => [id, values[k]] as const)
      .filter(([id]) => vocabulary.documentFrequency[id] >= 2)
      .sort((a, b) => b[1] - a[1])
      .slice(0, INDEXED_FEATURES)
      .map(([id]) => id);
    return { ticket, ids: Int32Array.from(ids), values: Float32Array.from(values), linking, isPlace, matterSquaredNorm: textSquares > 0 ? 1 - share : 0, address: addresses[i], places: placeLists[i], title: firstSentence(ticket.content) };
  });

  const clusters: Cluster[] = [];
  const index = new Map<number, number[]>();
  for (let d = 0; d < docs.length; d++) {
    const doc = docs[d];
    const candidates = new Set<number>();
    for (const f of doc.linking) for (const c of index.get(f) ?? []) candidates.add(c);
    let best = -1;
    let bestCosine = threshold;
    for (const c of candidates) {
      const { cosine, matter } = similarity(doc, clusters[c]);
      // Same place alone is not the same issue: the matter must agree too. And the same matter at
      // another address is another issue (the export's address is reliable; names found in a
      // text are not, so they only pull together).
      const elsewhere = doc.address !== null && clusters[c].addresses.size > 0 && !clusters[c].addresses.has(doc.address);
      if (cosine >= bestCosine && matter >= MATTER_THRESHOLD && !elsewhere) [best, bestCosine] = [c, cosine];
    }
    if (best < 0) {
      best = clusters.length;
      clusters.push({ sum: new Map(), squaredNorm: 0, matterSquaredNorm: 0, addresses: new Set(), members: [] });
    }
    const cluster = clusters[best];
    const { dot, matterDot } = dotProducts(doc, cluster);
    for (let k = 0; k < doc.ids.length; k++) cluster.sum.set(doc.ids[k], (cluster.sum.get(doc.ids[k]) ?? 0) + doc.values[k]);
    cluster.squaredNorm += 2 * dot + 1;
    cluster.matterSquaredNorm += 2 * matterDot + doc.matterSquaredNorm;
    cluster.members.push(d);
    if (doc.address !== null) cluster.addresses.add(doc.address);
    for (const f of doc.linking) {
      const list = index.get(f);
      if (!list) index.set(f, [best]);
      else if (list[list.length - 1] !== best) list.push(best);
    }
  }

  const topics = clusters.map((cluster) => describeTopic(cluster, docs, from, to));
  topics.sort((a, b) => b.heat - a.heat || b.count - a.count || (a.firstDay < b.firstDay ? -1 : 1));
  const top = options.top ?? 10;
  return topics.slice(0, top).map((t, i) => ({ ...t, rank: i + 1 }));
}

function cosineToCentroid(doc: Doc, cluster: Cluster): number {
  return similarity(doc, cluster).cosine;
}

/** A request's dot product with an issue's sum of vectors, overall and on the matter part. */
function dotProducts(doc: Doc, cluster: Cluster): { dot: number; matterDot: number } {
  let dot = 0;
  let matterDot = 0;
  for (let k = 0; k < doc.ids.length; k++) {
    const product = (cluster.sum.get(doc.ids[k]) ?? 0) * doc.values[k];
    dot += product;
    if (!doc.isPlace[k]) matterDot += product;
  }
  return { dot, matterDot };
}

/** Cosine of a request to an issue's centroid, overall and on the matter part alone. */
function similarity(doc: Doc, cluster: Cluster): { cosine: number; matter: number } {
  if (cluster.squaredNorm <= 0) return { cosine: 0, matter: 0 };
  const { dot, matterDot } = dotProducts(doc, cluster);
  const matterNorms = Math.sqrt(cluster.matterSquaredNorm * doc.matterSquaredNorm);
  return { cosine: dot / Math.sqrt(cluster.squaredNorm), matter: matterNorms > 0 ? matterDot / matterNorms : 0 };
}

/** The text with the names of its places taken out (longest first, so a compound goes before its district). */
function withoutPlaces(text: string, names: (string | null | undefined)[]): string {
  let out = text;
  for (const name of [...new Set(names.filter((n): n is string => !!n && n.length >= 2))].sort((a, b) => b.length - a.length)) out = out.split(name).join(' ');
  return out;
}

function describeTopic(cluster: Cluster, docs: Doc[], from: string, to: string): Topic {
  const members = cluster.members.map((i) => docs[i]);
  const days = members.map((d) => d.ticket.received_at.slice(0, 10)).sort();
  const people = new Set<string>();
  let anonymous = 0;
  let likes = 0;
  let dislikes = 0;
  for (const { ticket } of members) {
    if (ticket.phone_hash) people.add(ticket.phone_hash);
    else anonymous++;
    likes += ticket.likes ?? 0;
    dislikes += ticket.dislikes ?? 0;
  }
  const callers = people.size + anonymous;
  const growth = growthOf(days, from, to);
  const boost = Math.min(1, Math.max(0, Math.log2(growth) / 3));
  const heat = (callers + 0.5 * (members.length - callers) + Math.sqrt(likes + dislikes)) * (1 + boost);

  // The description: the title of the member closest to the centroid (the most typical request).
  let typical = members[0];
  let bestCosine = -1;
  for (const d of members) {
    const c = cosineToCentroid(d, cluster);
    if (c > bestCosine) [typical, bestCosine] = [d, c];
  }
  return {
    rank: 0,
    heat: Math.round(heat * 10) / 10,
    firstDay: days[0],
    lastDay: days[days.length - 1],
    place: commonest(members.flatMap((d) => d.places.slice(0, 1))) ?? '',
    description: typical.title,
    count: members.length,
    ticketIds: members.map((d) => d.ticket.ticket_id),
    callers,
    likes,
    dislikes,
    growth: Math.round(growth * 100) / 100,
    categories: tally(members.map((d) => d.ticket.category ?? '未分类')).map(([name, count]) => ({ name, count })),
    daily: tally(days).map(([day, count]) => ({ day, count })).sort((a, b) => (a.day < b.day ? -1 : 1)),
  };
}

/** Tickets in the last third of [from, to] ÷ those expected there at the rate of the first two thirds (+1 smoothing). */
function growthOf(days: string[], from: string, to: string): number {
  const start = Date.parse(from);
  const total = Math.round((Date.parse(to) - start) / 86_400_000) + 1;
  if (!(total >= 3)) return 1;
  const recentDays = Math.max(1, Math.round(total / 3));
  const cut = new Date(start + (total - recentDays) * 86_400_000).toISOString().slice(0, 10);
  const recent = days.filter((d) => d >= cut).length;
  const before = days.length - recent;
  return (recent + 1) / ((before * recentDays) / (total - recentDays) + 1);
}

function tally(values: string[]): [string, number][] {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
}

function commonest(values: string[]): string | null {
  return tally(values)[0]?.[0] ?? null;
}

/** The hot issues of [from, to] (whole days, inclusive) in the warehouse. */
export async function hotTopics(warehouse: Warehouse, options: { from: string; to: string; top?: number; threshold?: number }): Promise<Topic[]> {
  const tickets = await warehouse.all<TopicTicket>(sqlFile('text/topic_tickets.sql'), { from: options.from, to: options.to });
  return findTopics(tickets, options);
}

export interface TopicSurge {
  day: string;
  description: string;
  place: string;
  /** The topic's requests on the day, and the daily mean of the days before it in the window. */
  count: number;
  expected: number;
  /** Poisson upper-tail probability of `count` or more at `expected` a day. */
  pValue: number;
  /** The operators' (or suggested) categories of the day's requests: a surge spread over several is one no category series sees whole. */
  categories: { name: string; count: number }[];
  ticketIds: string[];
}

export interface SurgeOptions {
  /** Days of history before the day that the topics are mined over (default 27: four weeks in all). */
  lookbackDays?: number;
  minCount?: number;
  /** The day's count must be at least this many times the expected count. */
  minRatio?: number;
  /** Poisson tail probability below which the day is a surge. */
  alpha?: number;
}

/**
 * Alarm candidates from the text: topics of the four weeks up to `day` whose requests on `day`
 * far exceed their own earlier daily rate. A concern whose requests are spread over several
 * categories (a water outage filed as 停水, 水质, 物业 …) stays under each category's threshold
 * but surges here. The incidents job turns a candidate into an incident.
 */
export function topicSurges(tickets: readonly TopicTicket[], day: string, options: SurgeOptions = {}): TopicSurge[] {
  const lookback = options.lookbackDays ?? 27;
  const minCount = options.minCount ?? 5;
  const minRatio = options.minRatio ?? 3;
  const alpha = options.alpha ?? 1e-4;
  const from = new Date(Date.parse(day) - lookback * 86_400_000).toISOString().slice(0, 10);
  const inWindow = tickets.filter((t) => t.received_at.slice(0, 10) >= from && t.received_at.slice(0, 10) <= day);
  const topics = findTopics(inWindow, { from, to: day, top: Infinity });
  const byId = new Map(inWindow.map((t) => [t.ticket_id, t]));
  const surges: TopicSurge[] = [];
  for (const topic of topics) {
    const today = topic.ticketIds.filter((id) => byId.get(id)!.received_at.startsWith(day));
    if (today.length < minCount) continue;
    const expected = (topic.count - today.length) / lookback;
    if (today.length < minRatio * Math.max(expected, 1 / lookback)) continue;
    const pValue = poissonUpperTail(today.length, Math.max(expected, 0.5 / lookback));
    if (pValue >= alpha) continue;
    surges.push({
      day,
      description: topic.description,
      place: topic.place,
      count: today.length,
      expected: Math.round(expected * 100) / 100,
      pValue,
      categories: tally(today.map((id) => byId.get(id)!.category ?? '未分类')).map(([name, count]) => ({ name, count })),
      ticketIds: today,
    });
  }
  return surges.sort((a, b) => a.pValue - b.pValue);
}

/** The warehouse's topic surges on `day` (see topicSurges). */
export async function hotTopicSurges(warehouse: Warehouse, day: string, options: SurgeOptions = {}): Promise<TopicSurge[]> {
  const from = new Date(Date.parse(day) - (options.lookbackDays ?? 27) * 86_400_000).toISOString().slice(0, 10);
  const tickets = await warehouse.all<TopicTicket>(sqlFile('text/topic_tickets.sql'), { from, to: day });
  return topicSurges(tickets, day, options);
}

/** P(X ≥ k) for X ~ Poisson(mean), summed upwards from k in log space (precise for tiny tails). */
function poissonUpperTail(k: number, mean: number): number {
  if (k <= 0) return 1;
  let logTerm = -mean + k * Math.log(mean);
  for (let i = 2; i <= k; i++) logTerm -= Math.log(i);
  let sum = 0;
  for (let i = k; i < k + 1000; i++) {
    const term = Math.exp(logTerm);
    sum += term;
    if (term < sum * 1e-12) break;
    logTerm += Math.log(mean / (i + 1));
  }
  return Math.min(1, sum);
}

/**
 * A hot issue as the start of a special report (专报): the report builder takes a topic of
 * categories and keywords (reports/special.ts, `buildSpecialReport`), so the issue becomes the
 * requests of its period that name its place (or, with no place, its most telling word), titled
 * with its description. A leader can then widen or narrow it like any configured topic.
 */
export function specialReportTopic(topic: Topic, tickets: readonly Pick<TopicTicket, 'ticket_id' | 'content'>[] = []): { topic: Config['reports']['topics'][number]; from: string; to: string } {
  // The place as the requests write it: the address's last named part ("…街道天山小区" → "天山小区").
  const place = topic.place.replace(/^.*(?:市|县|区|街道|镇|乡)(?=.{2,})/, '');
  let keyword = place;
  if (!keyword) {
    const members = new Set(topic.ticketIds);
    const texts = tickets.filter((t) => members.has(t.ticket_id)).map((t) => normaliseText(t.content));
    const words = new Map<string, number>();
    for (const text of texts) for (const w of new Set(jieba().cut(text, false).filter((w) => w.length >= 2 && /[\u4e00-\u9fa5]/.test(w)))) words.set(w, (words.get(w) ?? 0) + 1);
    keyword = [...words].sort((a, b) => b[1] - a[1] || b[0].length - a[0].length)[0]?.[0] ?? firstSentence(topic.description, 8);
  }
  return {
    topic: { name: `hot-${topic.firstDay}-${wordHash(topic.description).toString(36)}`, title: topic.description, categories: [], keywords: [keyword], seasonMonths: [] },
    from: topic.firstDay,
    to: topic.lastDay,
  };
}
