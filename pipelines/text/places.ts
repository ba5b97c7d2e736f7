import { jieba } from './features.js';

/**
 * Places and groups of people named in a request's text — "中海国际社区", "春华镇金鼎村",
 * "丽发新城", "泉塘小学" — found on jieba's part-of-speech tags: a run of name-like words ending
 * in a word that says what kind of place or body it is (小区, 村, 路, 学校, 公司 …). Regions
 * (市, 区, 县 and the message board's anonymised "A3区") are split off, so "A市A3区魅力之城小区"
 * and "魅力之城小区" are the same place. Used to group requests about one place when the export
 * has no address, and to name a topic.
 */

const KIND = /(?:小区|花园|家园|新村|公寓|大厦|广场|华府|名邸|嘉园|雅居|新城|公馆|苑|府|湾|城|村|组|镇|乡|街道|社区|路|街|大道|巷|桥|隧道|高速|高铁|站|线|公园|市场|医院|卫生院|学校|学院|大学|中学|小学|幼儿园|公司|集团|银行|工厂|厂|项目|工地|楼盘|酒店|商场|超市|安置区|园区|景区)$/;
const REGION = /^(?:[A-Z][0-9]{0,2}|[\u4e00-\u9fa5]{1,8})?(?:省|市|区|县)$/;
/** Tags that end a name: verbs, prepositions, particles, adverbs, conjunctions, pronouns, locatives, time words, punctuation. */
const BREAK_TAG = /^(?:v|p|u|d|c|r|f|t|y|q|e|o|w|zg|a)/;
/** What a name may not consist of alone: descriptions, not names. */
const GENERIC_STEM = /^(?:[这那该本此各每某我你他她其所全整小大新老原]|水泥|周边|附近|居民|我们|这个|那个|城市|乡村|农村|城乡|全市|全区|全县|私立|公立|民办|公办|培训|安置|拆迁|商品|老旧|周围|所在|市级|区级|县级|乡镇|街道|社区|道路|马路|公路|高速|地铁|公交|国有|民营|物业|开发|施工|建筑|相关|有关|当地|本地|我村|我县|我市|我区|学校|医院|公司)*$/;
/** Government and companies in general are not a place ("市委市政府", "有限公司"). */
const GOVERNMENT = /政府|党委|市委|区委|县委|有限公司$|^有限/;
const LEADING_FUNCTION = /^(?:[市区县省在到从向对于把被给让和与及请的是由]|反映|投诉|咨询|举报|建议|希望|要求|关于|位于|靠近|地处|座落在|坐落在|就读于|距离)+/;

export interface NamedPlace {
  /** e.g. "A3区" or "昌吉市" (may be empty). */
  region: string;
  /** e.g. "中海国际社区". */
  name: string;
}

/** The places a text names, in order of appearance, each once. */
export function placesIn(text: string): NamedPlace[] {
  const found: NamedPlace[] = [];
  const seen = new Set<string>();
  let region = '';
  let run = '';
  const flush = () => {
    run = '';
  };
  const add = (name: string) => {
    const clean = name.replace(LEADING_FUNCTION, '');
    const stem = clean.replace(KIND, '');
    if (clean.length < 3 || stem.length < 2 || GENERIC_STEM.test(stem) || GOVERNMENT.test(clean) || seen.has(clean)) return;
    seen.add(clean);
    found.push({ region, name: clean });
  };
  const tagged = jieba().tag(text.normalize('NFKC'), true);
  for (let i = 0; i < tagged.length; i++) {
    const { word, tag } = tagged[i];
    // "A" + "市", "A3" + "区": the anonymised regions arrive as two words.
    const next = tagged[i + 1]?.word;
    if (/^[A-Z][0-9]{0,2}$/.test(word) && next && /^(?:省|市|区|县)$/.test(next)) {
      region = word + next;
      i++;
      flush();
      continue;
    }
    if (REGION.test(word) && (tag === 'ns' || word.length <= 4) && !run) {
      region = word;
      continue;
    }
    // A kind word ends a name whatever its tag ("金毛" + "湾/zg").
    if ((BREAK_TAG.test(tag) && !(run && KIND.test(word))) || !/[\u4e00-\u9fa5A-Za-z0-9]/.test(word)) {
      flush();
      continue;
    }
    run += word;
    if (KIND.test(word)) {
      // A kind word right after a place ("橄榄城" + "小区", "宁边路" + "街道") belongs to it.
      const last = found[found.length - 1];
      if (run === word && last && tagged[i - 1] && last.name.endsWith(tagged[i - 1].word) && word.length >= 2) {
        seen.delete(last.name);
        last.name += word;
        seen.add(last.name);
      } else {
        add(run);
      }
      flush();
    }
  }
  return found;
}
