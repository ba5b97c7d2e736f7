import { sqlFile, type Warehouse } from '../warehouse.js';
import type { Config } from '../config.js';
import { runOffThread } from '../off-thread.js';
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
 * An address that is only a district or township is an area, not a place: it keeps requests from
 * other addresses out, but pulls nothing together (the matter alone must reach `threshold`).
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
  /** The 二级 category and the compound (stg_tickets.place): what the alert job compares a surge's tickets with. */
  category_l2?: string | null;
  compound?: string | null;
}

export interface Topic {
  rank: number;
  heat: number;
  firstDay: string;
  lastDay: string;
  /** The place (compound or address) at least half of its requests name ('' when none does). */
  place: string;
  /** Where it is, to print: the place; else its one district, '昌吉市等 3 个区县' (most of it in one) or '多地（8 个区县）'; '' when no request says. */
  where: string;
  /** Its requests by district (unknown district left out), most first. */
  districts: { name: string; count: number }[];
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
  /** Requests an issue needs to be listed (default 2), unless its posts have 10 likes + dislikes. */
  minCount?: number;
}

const FEATURES: FeatureOptions = { charNgrams: [2, 2], words: true };
const INDEXED_FEATURES = 12;
const DEFAULT_THRESHOLD = 0.3;
/**
 * A hot issue holds at least this many requests, or one post that many others back (likes +
 * dislikes): a lone post of a quiet month is no hot issue, a post with 100 likes is.
 */
export const MIN_TOPIC_REQUESTS = 2;
export const MIN_TOPIC_REACTIONS = 10;
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
  /** Its compound and 二级 category, for a request from a compound ('翠苑华府|停水'; else null). */
  filed: string | null;
  places: string[];
  title: string;
  /** Its address is only a district or township (no compound, road or village): an area, not a place. */
  broad: boolean;
}

interface Cluster {
  sum: FeatureSums;
  squaredNorm: number;
  /** The squared length of the matter part of the sum (its features other than places). */
  matterSquaredNorm: number;
  /**
   * The address of its requests that have one (from the export's address columns, which are
   * reliable); null while none has. One at most: a request at another address never joins.
   */
  address: string | null;
  /** The compound and category pairs of its requests (Doc.filed). */
  filed: Set<string>;
  members: number[];
}

/**
 * An issue's sum of request vectors, feature → weight: an open-addressing table of typed arrays.
 * (A Map<number, number> boxed every sum and took ≈ 60 ns a lookup; a month's hot issues look up
 * ≈ 22 M features.) Feature ids are vocabulary columns, ≥ 0; −1 marks an empty slot.
 */
class FeatureSums {
  private keys = new Int32Array(16).fill(-1);
  private values = new Float64Array(16);
  private bits = 4;
  private size = 0;

  get(id: number): number {
    const mask = this.keys.length - 1;
    for (let i = Math.imul(id, 0x9e3779b1) >>> (32 - this.bits); ; i = (i + 1) & mask) {
      const key = this.keys[i];
      if (key === id) return this.values[i];
      if (key === -1) return 0;
    }
  }

  add(id: number, value: number): void {
    if ((this.size + 1) * 2 > this.keys.length) this.grow();
    const mask = this.keys.length - 1;
    for (let i = Math.imul(id, 0x9e3779b1) >>> (32 - this.bits); ; i = (i + 1) & mask) {
      const key = this.keys[i];
      if (key === id) {
        this.values[i] += value;
        return;
      }
      if (key === -1) {
        this.keys[i] = id;
        this.values[i] = value;
        this.size++;
        return;
      }
    }
  }

  private grow(): void {
    const { keys, values } = this;
    this.bits++;
    this.keys = new Int32Array(1 << this.bits).fill(-1);
    this.values = new Float64Array(1 << this.bits);
    this.size = 0;
    for (let i = 0; i < keys.length; i++) if (keys[i] !== -1) this.add(keys[i], values[i]);
  }
}

/**
 * What callers' requests start with and says nothing about the matter: "来电人反映：", "市民来电反映，",
 * "网友留言：", and a repeat call's "第二次来电，", "再次反映：", "此前已反映过，" — one or several.
 */
const OPENING =
  /^(?:(?:(?:来电人|市民来电|市民通过网络|市民|网友|来电)(?:反映|称|留言|咨询)?|再次(?:来电)?(?:反映)?|此前已?(?:多次)?反映过?|(?:第[二三四五六七八九十\d]+次|多次|重复)(?:来电|反映|投诉)(?:反映)?)[：:，,]\s*)+/;

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
  const ordered = inTimeOrder(tickets);
  if (!ordered.length) return [];
  const from = options.from ?? ordered[0].received_at.slice(0, 10);
  const to = options.to ?? ordered[ordered.length - 1].received_at.slice(0, 10);
  const docs = topicDocs(ordered);
  const minCount = options.minCount ?? MIN_TOPIC_REQUESTS;
  const topics = clusterDocs(docs, threshold, true)
    .map((cluster) => describeTopic(cluster, docs, from, to))
    .filter((topic) => topic.count >= minCount || topic.likes + topic.dislikes >= MIN_TOPIC_REACTIONS);
  topics.sort((a, b) => b.heat - a.heat || b.count - a.count || (a.firstDay < b.firstDay ? -1 : 1));
  const top = options.top ?? 10;
  return topics.slice(0, top).map((t, i) => ({ ...t, rank: i + 1 }));
}

/** The requests with a text, in time order (then by id): the order the leader clustering visits them. */
function inTimeOrder(tickets: readonly TopicTicket[]): TopicTicket[] {
  return [...tickets].filter((t) => t.content && t.content.trim()).sort((a, b) => (a.received_at < b.received_at ? -1 : a.received_at > b.received_at ? 1 : a.ticket_id < b.ticket_id ? -1 : 1));
}

/** Each request as a weighted vector (matter + places), with the IDF of the whole set. */
function topicDocs(ordered: readonly TopicTicket[]): Doc[] {
  const bags = ordered.map(bagOf);
  const space = topicSpace(bags, ordered.length);
  return ordered.map((ticket, i) => docOf(space, ticket, bags[i]));
}

/** A request's features before weighting: the hashes of its matter and of its places. */
interface Bag {
  features: number[];
  places: string[];
  address: string | null;
  broad: boolean;
}

function bagOf(t: TopicTicket): Bag {
  const title = firstSentence(t.content, 60);
  // The address without building and room numbers, else the places the text names.
  const address = t.place?.replace(/[0-9０-９#＃].*$/, '').trim();
  const name = address ? placeName(address, t) : '';
  const named = placesIn(`${title} ${t.content.slice(0, 200)}`);
  const places = address ? [address] : named.map((p) => p.name);
  // The place counts once, in its own part of the vector; the text part says the matter.
  // (a text names its place without the district and township the address starts with:
  // "宁边东路附近路灯不亮" at the address 昌吉市宁边东路)
  const matter = (text: string) => withoutPlaces(text, [address, name, t.township, t.district, ...named.flatMap((p) => [p.name, p.region])]);
  const features = textFeatures(normaliseText(matter(t.content.slice(0, BODY_CHARS))), FEATURES);
  const titleFeatures = textFeatures(normaliseText(matter(title)), FEATURES);
  for (let k = 0; k < TITLE_WEIGHT; k++) for (const f of titleFeatures) features.push(f);
  for (const p of places.slice(0, 3)) features.push(placeHash(p));
  return { features, places, address: address || null, broad: !!address && name === '' };
}

/** An address without the district and township it starts with: 昌吉市延安北路街道翠苑华府 → 翠苑华府, 昌吉市延安北路街道 → ''. */
function placeName(address: string, t: Pick<TopicTicket, 'district' | 'township'>): string {
  let name = address;
  for (const prefix of [t.district, t.township]) if (prefix && name.startsWith(prefix)) name = name.slice(prefix.length);
  return name;
}

const placeHash = (place: string) => wordHash(`@${place}`) >>> 0;

/** The vector space of a set of requests: its vocabulary and IDF, and which features are places. */
interface TopicSpace {
  vocabulary: Vocabulary;
  idf: Float32Array;
  /** The IDF of a feature the set never saw. */
  unseenIdf: number;
  placeHashes: Set<number>;
  /** Features in more documents than this are boilerplate. */
  common: number;
}

function topicSpace(bags: readonly Bag[], documents: number): TopicSpace {
  const vocabulary = Vocabulary.build(bags.map((b) => b.features), 1);
  // A short period is judged against a hotline's usual month, where a compound's name is rare.
  const idf = vocabulary.inverseDocumentFrequency(1000);
  // Features in more than half of the requests are boilerplate ("来电人反映", "请尽快处理"): they
  // say nothing about which issue it is. (A twentieth was too strict: a big issue's own words are
  // that frequent in its month.)
  const common = documents >= 200 ? documents * COMMON_SHARE : Infinity;
  return { vocabulary, idf, unseenIdf: Math.log(1 + Math.max(documents, 1000)) + 1, placeHashes: new Set(bags.flatMap((b) => b.places.slice(0, 3).map(placeHash))), common };
}

/**
 * A request in a space. A feature the space never saw cannot match any issue of it, but still
 * counts in the request's length (as a rare one), so that its cosines are not overstated.
 */
function docOf(space: TopicSpace, ticket: TopicTicket, bag: Bag): Doc {
  const { vocabulary, idf } = space;
  const sorted = Uint32Array.from(bag.features).sort();
  const ids: number[] = [];
  const values: number[] = [];
  const isPlace: boolean[] = [];
  let textSquares = 0;
  let placeSquares = 0;
  for (let i = 0; i < sorted.length; ) {
    let j = i + 1;
    while (j < sorted.length && sorted[j] === sorted[i]) j++;
    const place = space.placeHashes.has(sorted[i]);
    const column = vocabulary.columns.get(sorted[i]);
    const tf = 1 + Math.log(j - i);
    i = j;
    if (column === undefined) {
      const v = tf * space.unseenIdf;
      if (place) placeSquares += v * v;
      else textSquares += v * v;
      continue;
    }
    if (!place && vocabulary.documentFrequency[column] > space.common) continue;
    const v = tf * idf[column];
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
  // The most telling features shared with another request (the top INDEXED_FEATURES by weight).
  const linking: number[] = [];
  const order = values.map((_, k) => k).filter((k) => vocabulary.documentFrequency[ids[k]] >= 2);
  order.sort((x, y) => values[y] - values[x]);
  for (const k of order.slice(0, INDEXED_FEATURES)) linking.push(ids[k]);
  return { ticket, ids: Int32Array.from(ids), values: Float32Array.from(values), linking, isPlace, matterSquaredNorm: textSquares > 0 ? 1 - share : 0, address: bag.address, filed: filedAt(ticket, bag.address), places: bag.places, title: firstSentence(ticket.content), broad: bag.broad };
}

/**
 * A request from a compound as '<address>|<二级 category>': requests from one compound filed under
 * one category are about one problem however differently callers word it (明珠华府停暖大半天了 /
 * 暖气片冰凉，打供热公司电话一直占线 / 暖气从昨晚开始突然不热了: no word of the matter in common).
 */
function filedAt(t: TopicTicket, address: string | null): string | null {
  const category = t.category_l2 || t.category;
  return t.compound && address && category ? `${address}|${category}` : null;
}

/**
 * Whether a request joins an issue: not at another address, and close to its centroid on the same
 * matter — or, with `byCompound`, from the same compound under the same category as one of its
 * requests. (The hot-issue list groups by compound; the day's surge check does not: a handful of
 * differently worded requests from one compound on one day would otherwise be a surge of their
 * own — on the demo's year, 23 topic-surge incidents on quiet days instead of 12.)
 */
function joins(doc: Doc, cluster: Cluster, threshold: number, byCompound = false): { cosine: number; ok: boolean; filed: boolean } {
  // Same place alone is not the same issue: the matter must agree too. And the same matter at
  // another address is another issue (the export's address is reliable; names found in a text
  // are not, so they only pull together). Told first: most candidates of a request are issues at
  // other addresses, and their cosine is never needed.
  const elsewhere = doc.address !== null && cluster.address !== null && cluster.address !== doc.address;
  if (elsewhere) return { cosine: 0, ok: false, filed: false };
  const { cosine, matter } = similarity(doc, cluster);
  // A district or township alone is an area, not the place of an issue: there the matter must
  // agree as closely as between requests that name no place ("咨询残疾证办理流程" and "咨询营业执照
  // 办理流程" from one township are two questions, not one issue of that township).
  const matterNeeded = doc.broad ? threshold : MATTER_THRESHOLD;
  const filed = byCompound && doc.filed !== null && cluster.filed.has(doc.filed);
  return { cosine, ok: (cosine >= threshold && matter >= matterNeeded) || filed, filed };
}

/**
 * The leader clustering of `docs` (in time order); members are indices into `docs`.
 *
 * Written for a month of requests (≈ 26,000, meeting ≈ 1,300 postings and 150 issues each): the
 * issues are found through the request's linking features, each once (marked with the request's
 * number, not collected in a Set), and those at another address — most of them — are told by a
 * number per address in one small array before any issue is read.
 */
function clusterDocs(docs: readonly Doc[], threshold: number, byCompound = false): Cluster[] {
  const clusters: Cluster[] = [];
  const index = new Map<number, number[]>();
  const addressIds = new Map<string, number>();
  const docAddress = docs.map((doc) => {
    if (doc.address === null) return -1;
    let id = addressIds.get(doc.address);
    if (id === undefined) addressIds.set(doc.address, (id = addressIds.size));
    return id;
  });
  const clusterAddress = new Int32Array(docs.length).fill(-1);
  const metBy = new Int32Array(docs.length).fill(-1);
  for (let d = 0; d < docs.length; d++) {
    const doc = docs[d];
    const address = docAddress[d];
    const candidates: number[] = [];
    for (const f of doc.linking) {
      const list = index.get(f);
      if (!list) continue;
      for (const c of list) {
        if (metBy[c] === d) continue;
        metBy[c] = d;
        if (address < 0 || clusterAddress[c] < 0 || clusterAddress[c] === address) candidates.push(c);
      }
    }
    // An issue that already holds a request from the same compound under the same category
    // comes first: one problem at one compound is one issue, not one per wording.
    let best = -1;
    let bestCosine = -Infinity;
    let bestFiled = false;
    for (const c of candidates) {
      const { cosine, ok, filed } = joins(doc, clusters[c], threshold, byCompound);
      if (ok && ((filed && !bestFiled) || (filed === bestFiled && cosine >= bestCosine))) [best, bestCosine, bestFiled] = [c, cosine, filed];
    }
    if (best < 0) {
      best = clusters.length;
      clusters.push({ sum: new FeatureSums(), squaredNorm: 0, matterSquaredNorm: 0, address: null, filed: new Set(), members: [] });
    }
    addToCluster(clusters[best], doc, d);
    if (address >= 0) clusterAddress[best] = address;
    for (const f of doc.linking) {
      const list = index.get(f);
      if (!list) index.set(f, [best]);
      else if (list[list.length - 1] !== best) list.push(best);
    }
  }
  return clusters;
}

function cosineToCentroid(doc: Doc, cluster: Cluster): number {
  return similarity(doc, cluster).cosine;
}

/** A request's dot product with an issue's sum of vectors, overall and on the matter part. */
function dotProducts(doc: Doc, cluster: Cluster): { dot: number; matterDot: number } {
  let dot = 0;
  let matterDot = 0;
  for (let k = 0; k < doc.ids.length; k++) {
    const product = cluster.sum.get(doc.ids[k]) * doc.values[k];
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

/** The text with the names of its places replaced by `by` (longest first, so a compound goes before its district). */
function withoutPlaces(text: string, names: (string | null | undefined)[], by = ' '): string {
  let out = text;
  for (const name of [...new Set(names.filter((n): n is string => !!n && n.length >= 2))].sort((a, b) => b.length - a.length)) out = out.split(name).join(by);
  return out;
}

/**
 * The typical request's title as a topic's description, without the places in it that most of the
 * topic's requests do not name: "中山路街道公租房维修不及时" describes repairs asked for in six
 * townships as "公租房维修不及时", not as one of them. A place most requests name stays
 * ("天山小区停水两天了"); a title that would keep fewer than four characters stays whole.
 */
function sharedTitle(title: string, members: readonly Doc[]): string {
  const own = placesIn(title)
    .flatMap((p) => [p.name, p.region])
    .filter((name) => name.length >= 2 && members.filter((d) => d.ticket.content.includes(name)).length * 2 <= members.length);
  if (!own.length) return title;
  const out = withoutPlaces(title, own, '\u0000').replace(/(?:位于|在|于)?\u0000+/g, '').replace(/^[\s，,。：:、；;]+/, '');
  return out.length >= 4 ? out : title;
}

function describeTopic(cluster: Cluster, docs: readonly Doc[], from: string, to: string): Topic {
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
  // A topic's place is one that most of its requests name: a question asked all over the
  // prefecture that happens to have a few requests with an address is not "at" that address.
  const place = mostOf(members.map((d) => d.places[0] ?? null)) ?? '';
  const districts = tally(members.flatMap((d) => (d.ticket.district ? [d.ticket.district] : []))).map(([name, count]) => ({ name, count }));
  return {
    rank: 0,
    heat: Math.round(heat * 10) / 10,
    firstDay: days[0],
    lastDay: days[days.length - 1],
    place,
    where: place || whereSpread(districts, members.length),
    districts,
    description: sharedTitle(typical.title, members),
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

/** Where a topic without one place is: its one district, the district of most of it, or how many districts. */
function whereSpread(districts: readonly { name: string; count: number }[], total: number): string {
  if (!districts.length) return '';
  if (districts.length === 1) return districts[0].name;
  return districts[0].count * 2 > total ? `${districts[0].name}等 ${districts.length} 个区县` : `多地（${districts.length} 个区县）`;
}

/** The hot issues of [from, to] (whole days, inclusive) in the warehouse. */
export interface HotTopicOptions {
  from: string;
  to: string;
  top?: number;
  threshold?: number;
  /** Whether requests filed as 咨询 take part (default true); false: hot issues of problems only. */
  consultations?: boolean;
}

export async function hotTopics(warehouse: Warehouse, options: HotTopicOptions): Promise<Topic[]> {
  const tickets = await warehouse.all<TopicTicket>(sqlFile('text/topic_tickets.sql'), { from: options.from, to: options.to, consultations: options.consultations ?? true, praise: true });
  // Seconds of CPU for a month: off the service's event loop.
  return runOffThread<Topic[]>(new URL(import.meta.url), 'findTopics', [tickets, options]);
}

/** One of a surge's requests, with what the alert job compares with other alarms. */
export interface SurgeTicket {
  ticket_id: string;
  received_at: string;
  category_l1: string | null;
  category_l2: string | null;
  district: string | null;
  township: string | null;
  /** The compound (stg_tickets.place). */
  compound: string | null;
}

export interface TopicSurge {
  day: string;
  description: string;
  /** The address the topic names (with district and township), as in hotline topics. */
  place: string;
  /** Where most of the day's requests are (null: not one place for at least half of them). */
  district: string | null;
  township: string | null;
  compound: string | null;
  /** The topic's requests on the day, and the daily mean of the similar requests of the days before. */
  count: number;
  expected: number;
  /** The count from which the day is a surge at this expected rate and number of tests. */
  upper: number;
  /** Poisson upper-tail probability of `count` or more at `expected` a day … */
  pValue: number;
  /** … times the topics of the day (Bonferroni) … */
  adjustedP: number;
  /** … this many. */
  tests: number;
  /** The operators' (or suggested) categories of the day's requests: a surge spread over several is one no category series sees whole. */
  categories: { name: string; count: number }[];
  /** The day's requests. */
  ticketIds: string[];
  tickets: SurgeTicket[];
  /** The day's requests and the similar ones of the days before: the topic's own daily counts. */
  historyTicketIds: string[];
  daily: { day: string; count: number }[];
}

export interface SurgeOptions {
  /** Days of history before the day that the topic's usual rate is measured over (default 27: four weeks in all). */
  lookbackDays?: number;
  /** A day with fewer days of data before it than this is not judged. */
  minHistoryDays?: number;
  minCount?: number;
  /** The day's count must be at least this many times the expected count. */
  minRatio?: number;
  /** Bonferroni-adjusted Poisson tail probability below which the day is a surge. */
  alpha?: number;
  /** The first day with data (default: the first request's day): the days before it are unknown, not quiet. */
  dataStart?: string;
}

const DAY_MS = 86_400_000;
const shiftDay = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
const dayGap = (from: string, to: string) => Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
/** Days judged in one vector space. */
const CHUNK_DAYS = 28;

/**
 * Alarm candidates from the text: on each of `days`, the day's requests are grouped into topics
 * (the same leader clustering as hot issues); a topic whose requests far exceed the rate of the
 * similar requests of the weeks before (those that would join it: close to its centroid, on the
 * same matter, not at another address) is a surge. A concern spread over several categories (a
 * water outage filed as 停水, 水质, 物业 …) stays under each category's threshold but surges here.
 * Multiplicity: Bonferroni over the day's topics.
 *
 * Cost: vectorising a request is what costs, so the vector space is that of the judged days'
 * requests (one for the whole run), and the weeks before are read newest first, each request
 * vectorised once for all candidates, and a candidate stops reading as soon as it has found more
 * similar requests than a surge allows — a common concern stops within a day or two; only a real
 * surge (or a quiet day's rare topic) reads its four weeks. A long replay is judged 28 days at a time.
 */
export function topicSurges(tickets: readonly TopicTicket[], days: string | readonly string[], options: SurgeOptions = {}): TopicSurge[] {
  const judged = [...new Set(typeof days === 'string' ? [days] : days)].sort();
  const ordered = inTimeOrder(tickets);
  if (!ordered.length || !judged.length) return [];
  const dataStart = options.dataStart ?? ordered[0].received_at.slice(0, 10);
  const minCount = options.minCount ?? 5;
  const dayOf = (t: TopicTicket) => t.received_at.slice(0, 10);
  const judgeable = judged.filter((day) => span(day, dataStart, options) > 0);
  // Newest first: the requests of the weeks before a day are read from the day backwards.
  const newestFirst = [...ordered].reverse();
  const surges: TopicSurge[] = [];
  // A long replay is judged 28 days at a time, each with its own space: memory stays bounded.
  for (let c = 0; c < judgeable.length; c += CHUNK_DAYS) {
    const judgedDays = new Set(judgeable.slice(c, c + CHUNK_DAYS));
    const judgedTickets = ordered.filter((t) => judgedDays.has(dayOf(t)));
    const judgedBags = judgedTickets.map(bagOf);
    const space = topicSpace(judgedBags, judgedTickets.length);
    const docs = new Map<string, Doc>(judgedTickets.map((t, i) => [t.ticket_id, docOf(space, t, judgedBags[i])]));
    const vectorised = (t: TopicTicket) => {
      let doc = docs.get(t.ticket_id);
      if (!doc) docs.set(t.ticket_id, (doc = docOf(space, t, bagOf(t))));
      return doc;
    };
    for (const day of judgedDays) {
      const today = judgedTickets.filter((t) => dayOf(t) === day).map(vectorised);
      const clusters = clusterDocs(today, DEFAULT_THRESHOLD);
      const history = span(day, dataStart, options);
      const since = shiftDay(day, -history);
      const before = newestFirst.filter((t) => dayOf(t) >= since && dayOf(t) < day);
      for (const cluster of clusters) {
        if (cluster.members.length < minCount) continue;
        const surge = judgeCandidate(cluster, today, before, vectorised, day, history, clusters.length, options);
        if (surge) surges.push(surge);
      }
    }
  }
  return surges.sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : a.pValue - b.pValue));
}

/** Days of history the day's rate is measured over (0: too few to judge it). */
function span(day: string, dataStart: string, options: SurgeOptions): number {
  const days = Math.min(options.lookbackDays ?? 27, dayGap(dataStart, day));
  return days >= (options.minHistoryDays ?? 7) ? days : 0;
}

/** Whether `count` requests on a day are a surge where `similar` came in the `days` days before. */
function surgeTest(count: number, similar: number, days: number, tests: number, options: SurgeOptions) {
  const expected = similar / days;
  // Half a request over the weeks where there was none: a first request is not infinitely unlikely.
  const mean = Math.max(expected, 0.5 / days);
  const large = count >= (options.minCount ?? 5) && count >= (options.minRatio ?? 3) * Math.max(expected, 1 / days);
  const pValue = large ? poissonUpperTail(count, mean) : 1;
  const adjustedP = Math.min(1, pValue * tests);
  return { expected, pValue, adjustedP, surge: large && adjustedP < (options.alpha ?? 0.01) };
}

/** A topic of the day (`cluster` over `today`) against the similar requests among `before` (newest first). */
function judgeCandidate(
  cluster: Cluster,
  today: readonly Doc[],
  before: readonly TopicTicket[],
  vectorised: (t: TopicTicket) => Doc,
  day: string,
  days: number,
  tests: number,
  options: SurgeOptions,
): TopicSurge | null {
  const count = cluster.members.length;
  // The most similar requests the weeks before may hold with the day still a surge.
  let allowed = 0;
  while (surgeTest(count, allowed + 1, days, tests, options).surge) allowed++;
  if (!surgeTest(count, 0, days, tests, options).surge) return null;
  const linking = new Set(cluster.members.flatMap((i) => today[i].linking));
  const similar: TopicTicket[] = [];
  for (const t of before) {
    const d = vectorised(t);
    if (!d.linking.some((f) => linking.has(f)) || !joins(d, cluster, DEFAULT_THRESHOLD).ok) continue;
    similar.push(t);
    if (similar.length > allowed) return null;
  }
  const { expected, pValue, adjustedP } = surgeTest(count, similar.length, days, tests, options);
  let upper = options.minCount ?? 5;
  while (upper < count && !surgeTest(upper, similar.length, days, tests, options).surge) upper++;
  const topic = describeTopic(cluster, today, day, day);
  const members = cluster.members.map((i) => today[i].ticket);
  const history = [...similar, ...members];
  return {
    day,
    description: topic.description,
    place: topic.place,
    district: mostOf(members.map((t) => t.district)),
    township: mostOf(members.map((t) => t.township)),
    compound: mostOf(members.map((t) => t.compound ?? null)),
    count,
    expected: Math.round(expected * 100) / 100,
    upper,
    pValue,
    adjustedP,
    tests,
    categories: topic.categories,
    ticketIds: topic.ticketIds,
    tickets: members.map((t) => ({ ticket_id: t.ticket_id, received_at: t.received_at, category_l1: t.category, category_l2: t.category_l2 ?? null, district: t.district, township: t.township, compound: t.compound ?? null })),
    historyTicketIds: history.map((t) => t.ticket_id),
    daily: tally(history.map((t) => t.received_at.slice(0, 10))).map(([d, n]) => ({ day: d, count: n })).sort((a, b) => (a.day < b.day ? -1 : 1)),
  };
}

/** Adds request `doc` (index `d`) to an issue: its sum of vectors, their lengths, its addresses. */
function addToCluster(cluster: Cluster, doc: Doc, d: number): void {
  const { dot, matterDot } = dotProducts(doc, cluster);
  for (let k = 0; k < doc.ids.length; k++) cluster.sum.add(doc.ids[k], doc.values[k]);
  cluster.squaredNorm += 2 * dot + 1;
  cluster.matterSquaredNorm += 2 * matterDot + doc.matterSquaredNorm;
  cluster.members.push(d);
  if (doc.address !== null) cluster.address = doc.address;
  if (doc.filed !== null) cluster.filed.add(doc.filed);
}

/** The value at least half of `values` share (null: none does, or it is empty). */
function mostOf(values: (string | null)[]): string | null {
  const [top] = tally(values.filter((v): v is string => !!v));
  return top && top[1] * 2 >= values.length ? top[0] : null;
}

/**
 * The warehouse's topic surges on each of `days` (see topicSurges): one read of the requests of the
 * window — every one but praise (表扬): residents thanking for a repair are no surge to alarm on.
 */
export async function hotTopicSurges(warehouse: Warehouse, days: string | readonly string[], options: SurgeOptions = {}): Promise<TopicSurge[]> {
  const list = [...(typeof days === 'string' ? [days] : days)].sort();
  if (!list.length) return [];
  const from = shiftDay(list[0], -(options.lookbackDays ?? 27));
  const tickets = await warehouse.all<TopicTicket>(sqlFile('text/topic_tickets.sql'), { from, to: list[list.length - 1], consultations: true, praise: false });
  const start = await warehouse.one<{ first_day: string | null }>(sqlFile('alerts/ticket_days.sql'));
  return runOffThread<TopicSurge[]>(new URL(import.meta.url), 'topicSurges', [tickets, list, { ...options, dataStart: options.dataStart ?? start?.first_day ?? undefined }]);
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
 * A hot issue as the start of a special report (专报): a report topic (reports/special.ts,
 * `buildSpecialReport`) of exactly the requests over its days, titled with its
 * description; its keyword (the place as the requests write it, or with no place the word most of
 * them share) says what the wider topic of the same words would be.
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
    // Its own tickets make the report (its counts are the issue's); the keyword says what a wider
    // topic of the same words would be, for a leader who wants one.
    topic: { name: `hot-${topic.firstDay}-${(wordHash(topic.description) >>> 0).toString(36)}`, title: topic.description, categories: [], keywords: [keyword], seasonMonths: [], ticketIds: topic.ticketIds },
    from: topic.firstDay,
    to: topic.lastDay,
  };
}
