import { describe, expect, it } from 'vitest';
import { firstSentence, findTopics, specialReportTopic, topicSurges, type TopicTicket } from '../../pipelines/text/topics.js';
import { placesIn } from '../../pipelines/text/places.js';

let sequence = 0;
function request(day: string, content: string, fields: Partial<TopicTicket> = {}): TopicTicket {
  sequence++;
  return { ticket_id: `Q${sequence}`, received_at: `${day} 10:00:00`, content, district: null, township: null, place: null, phone_hash: `caller${sequence}`, likes: null, dislikes: null, category: '未分类', ...fields };
}

/** Four concerns: a water outage at one compound (filed under three categories), noise at another, a wage dispute, and scattered singles. */
function month(): TopicTicket[] {
  const tickets: TopicTicket[] = [];
  const outage = ['天山小区停水两天了，什么时候恢复供水', '天山小区从前天开始停水，家里没水做饭', '天山小区一直停水，物业也不给说法', '天山小区停水，老人孩子没水喝', '反映天山小区停水问题，请尽快恢复供水'];
  const categories = ['供水', '物业管理', '供水', '水质', '供水'];
  outage.forEach((text, i) => tickets.push(request(`2025-07-2${i + 5}`, text, { category: categories[i] })));
  for (let i = 0; i < 3; i++) tickets.push(request(`2025-07-0${i + 3}`, `阳光花园旁边工地夜间施工噪音扰民，第${i + 1}次反映`, { category: '噪声扰民' }));
  // the same caller twice: people count once, the second request counts half
  tickets.push(request('2025-07-10', '宏远建筑公司拖欠农民工工资', { phone_hash: 'same', category: '欠薪' }));
  tickets.push(request('2025-07-11', '宏远建筑公司拖欠农民工工资至今未发', { phone_hash: 'same', category: '欠薪' }));
  for (const [day, text] of [['2025-07-02', '咨询社保卡补办流程'], ['2025-07-08', '建议增加公交线路'], ['2025-07-15', '表扬派出所民警热心帮助']]) tickets.push(request(day, text));
  return tickets;
}

describe('hot issues', () => {
  const topics = findTopics(month(), { from: '2025-07-01', to: '2025-07-31', top: 10 });

  it('groups the requests about one problem at one place, across categories', () => {
    const outage = topics[0];
    expect(outage.count).toBe(5);
    expect(outage.description).toMatch(/天山小区.*停水/);
    expect(outage.place).toBe('天山小区');
    expect(outage.categories.map((c) => c.name).sort()).toEqual(['供水', '水质', '物业管理']);
    expect([outage.firstDay, outage.lastDay]).toEqual(['2025-07-25', '2025-07-29']);
    expect(outage.ticketIds).toHaveLength(5);
    const noise = topics.find((t) => t.description.includes('阳光花园'))!;
    expect(noise.count).toBe(3);
    // A lone request is no hot issue (a quiet month of a message board listed fifteen of them, each
    // "×2.0"); asked for, they are there, each on its own.
    expect(topics.filter((t) => t.count < 2)).toEqual([]);
    expect(topics).toHaveLength(3);
    const singles = findTopics(month(), { from: '2025-07-01', to: '2025-07-31', top: 10, minCount: 1 }).filter((t) => t.count === 1);
    expect(singles.map((t) => t.description).sort()).toEqual(['咨询社保卡补办流程', '建议增加公交线路', '表扬派出所民警热心帮助'].sort());
  });

  it('computes the heat from people, repeats, reactions and growth', () => {
    const wages = topics.find((t) => t.description.includes('宏远'))!;
    expect(wages).toMatchObject({ count: 2, callers: 1 });
    // 1 person + half of 1 repeat; the requests came in the first two thirds: no growth boost
    expect(wages.heat).toBe(1.5);
    const noise = topics.find((t) => t.description.includes('阳光花园'))!;
    expect(noise.heat).toBe(3);
    // all five in the last third of the month: growth (5+1)/(0+1) = 6 → boost min(1, log2(6)/3)
    const outage = topics[0];
    expect(outage.growth).toBe(6);
    expect(outage.heat).toBeCloseTo(5 * (1 + Math.log2(6) / 3), 1);
    const liked = findTopics([request('2025-07-05', '某某小区违建', { likes: 98, dislikes: 2 })], { from: '2025-07-01', to: '2025-07-31' });
    expect(liked[0].heat).toBe(1 + 10);
    // one post that others back is listed (10 likes + dislikes), one with a few is not
    expect(findTopics([request('2025-07-05', '某某小区违建', { likes: 7, dislikes: 3 })], { from: '2025-07-01', to: '2025-07-31' })).toHaveLength(1);
    expect(findTopics([request('2025-07-05', '某某小区违建', { likes: 6, dislikes: 3 })], { from: '2025-07-01', to: '2025-07-31' })).toEqual([]);
  });

  it('does not pin a question asked all over the prefecture on the few requests that carry an address', () => {
    // A consultation asked in six districts; three of the ten requests carry a township address
    // (as phone tickets do), and the first request of the issue is one of them.
    const districts = ['奇台县', '昌吉市', '昌吉市', '玛纳斯县', '阜康市', '昌吉市', '呼图壁县', '吉木萨尔县', '昌吉市', '奇台县'];
    const asked = districts.map((district, i) =>
      request(`2025-07-${String(i + 2).padStart(2, '0')}`, '咨询城乡居民医保缴费标准和截止时间', i % 4 === 0 ? { district, township: '老奇台镇', place: '奇台县老奇台镇' } : { district }),
    );
    const [question] = findTopics(asked, { from: '2025-07-01', to: '2025-07-31' });
    expect(question.count).toBe(10);
    expect(question.place).toBe('');
    expect(question.districts.slice(0, 2)).toEqual([{ name: '昌吉市', count: 4 }, { name: '奇台县', count: 2 }]);
    expect(question.districts).toHaveLength(6);
    expect(question.where).toBe('多地（6 个区县）');
    // its special report takes the words the requests share, not a township name
    expect(specialReportTopic(question, asked).topic.keywords[0]).not.toMatch(/老奇台|奇台县/);
    // one district with most of an issue, and an issue at one compound
    const mostly = findTopics(['昌吉市', '昌吉市', '昌吉市', '阜康市'].map((district) => request('2025-07-03', '咨询新生儿如何参加医保', { district })), { from: '2025-07-01', to: '2025-07-31' })[0];
    expect(mostly.where).toBe('昌吉市等 2 个区县');
    expect(topics[0]).toMatchObject({ place: '天山小区', where: '天山小区' });
  });

  it('describes an issue raised at many places without naming one of them', () => {
    // The same complaint from five townships: its description must not pin it on the first one.
    const towns = ['中山路街道', '北京南路街道', '呼图壁镇', '阜新街道', '宁边路街道', '中山路街道'];
    const asked = towns.map((town, i) => request(`2025-07-0${i + 2}`, `${town}公租房维修不及时，暖气管道漏水，请督促解决`));
    const [repairs] = findTopics(asked, { from: '2025-07-01', to: '2025-07-31' });
    expect(repairs.count).toBe(6);
    expect(repairs.description).toBe('公租房维修不及时');
    // a place most of the requests name stays in the description
    const outage = findTopics(month(), { from: '2025-07-01', to: '2025-07-31' })[0];
    expect(outage.description).toContain('天山小区');
  });

  it('keeps unrelated requests at one road apart, and one outage at one compound together however it is worded', () => {
    // The address is the road; each text names the road too, without the district.
    const road = ['宁边东路附近路灯不亮已有5天，夜间出行不安全', '在宁边东路商店买到过期食品，请核实处理', '宁边东路路面积雪5天未清，车辆打滑', '宁边东路夜市摊贩占道经营，堵塞交通', '在宁边东路买的家电坏了，商家拒绝退换', '宁边东路检查井一直往外冒水'];
    const atRoad = road.flatMap((text, k) => [0, 1].map((i) => request(`2025-07-${String(2 + k * 3 + i).padStart(2, '0')}`, text, { district: '昌吉市', place: '昌吉市宁边东路', category: ['城乡建设', '市场监管'][k % 2] })));
    const roadTopics = findTopics(atRoad, { from: '2025-07-01', to: '2025-07-31', top: 20 });
    expect(roadTopics.map((t) => t.count)).toEqual([2, 2, 2, 2, 2, 2]);
    // A heating failure at 明珠华府, filed as 供暖不热 each time, in words that share nothing but the compound.
    const heating = ['明珠华府整个小区暖气都停了', '明珠华府停暖大半天了，外面零下二十多度', '明珠华府暖气片冰凉，打供热公司电话一直占线', '明珠华府暖气从昨晚开始突然不热了'];
    const outage = heating.flatMap((text, k) =>
      [0, 1, 2].map((i) => request('2025-12-02', text, { district: '阜康市', township: '阜新街道', place: `阜康市阜新街道明珠华府${k * 3 + i + 1}号楼`, compound: '明珠华府', category: '供暖', category_l2: '供暖不热' })),
    );
    const [failure, ...rest] = findTopics(outage, { from: '2025-12-01', to: '2025-12-31' });
    expect(failure).toMatchObject({ count: 12, place: '阜康市阜新街道明珠华府' });
    expect(rest).toEqual([]);
  });

  it('keeps different questions from one township apart: a township alone is an area, not the place of an issue', () => {
    // Phone consultations whose address is only the township, worded from the hotline's templates.
    const questions: [string, string][] = [
      ['咨询异地购房如何提取公积金', '住房保障'],
      ['咨询残疾证办理流程', '民政'],
      ['咨询营业执照办理流程', '政务服务'],
      ['咨询公租房申请条件和需要准备的材料', '住房保障'],
      ['咨询新生儿如何参加医保', '医疗卫生'],
      ['咨询居住证办理条件', '公安治安'],
    ];
    const wordings = [(q: string) => `${q}，请告知。`, (q: string) => `市民来电${q}，希望得到答复。`, (q: string) => `网友${q}。`];
    const asked = wordings.flatMap((word, w) =>
      questions.map(([q, category], k) => request(`2025-07-${String(2 + w * 7 + k).padStart(2, '0')}`, word(q), { district: '昌吉市', township: '绿洲路街道', place: '昌吉市绿洲路街道', category })),
    );
    // A month around them, asked all over the prefecture in the same templates (so that 咨询, 办理,
    // 流程, 请告知 are as common as in a hotline's month).
    const subjects = ['社保卡', '护照', '驾驶证', '出生证明', '养老保险', '失业金', '公积金贷款', '不动产登记', '医保电子凭证', '结婚登记', '户口迁移', '个体工商户'];
    const ways = ['办理流程', '办理条件', '需要哪些材料', '如何办理'];
    const prefecture = Array.from({ length: 240 }, (_, i) =>
      request(`2025-07-${String(1 + (i % 30)).padStart(2, '0')}`, `${['市民来电', '网友', ''][i % 3]}咨询${subjects[i % subjects.length]}${ways[i % ways.length]}，${['请告知。', '希望得到答复。'][i % 2]}`, { district: ['昌吉市', '阜康市', '奇台县'][i % 3], category: '政务服务' }),
    );
    const found = findTopics([...prefecture, ...asked], { from: '2025-07-01', to: '2025-07-31', top: 500 }).filter((t) => t.place === '昌吉市绿洲路街道');
    expect(found.map((t) => t.count)).toEqual([3, 3, 3, 3, 3, 3]);
    for (const topic of found) expect(topic.categories).toHaveLength(1);
    // The same question asked at one compound is still one issue there, apart from the township's.
    const atCompound = [0, 1].map((i) => request(`2025-07-2${i}`, '咨询残疾证办理流程，请告知。', { district: '昌吉市', township: '绿洲路街道', place: `昌吉市绿洲路街道康城小区${i + 1}号楼`, category: '民政' }));
    const both = findTopics([...prefecture, ...asked, ...atCompound], { from: '2025-07-01', to: '2025-07-31', top: 500 });
    expect(both.find((t) => t.place === '昌吉市绿洲路街道康城小区')?.count).toBe(2);
  });

  it('ranks and cuts to --top, with the contract fields', () => {
    const top2 = findTopics(month(), { from: '2025-07-01', to: '2025-07-31', top: 2 });
    expect(top2.map((t) => t.rank)).toEqual([1, 2]);
    for (const key of ['rank', 'heat', 'firstDay', 'lastDay', 'place', 'description', 'count', 'ticketIds']) expect(top2[0]).toHaveProperty(key);
    expect(findTopics([], {})).toEqual([]);
  });

  it('raises a surge when a topic jumps on one day, though no category has many', () => {
    const tickets = month();
    const day = '2025-07-30';
    const burst = ['绿洲家园燃气泄漏味道很大', '绿洲家园有很浓的燃气味', '绿洲家园燃气管道漏气，很危险', '绿洲家园楼道燃气味重，担心爆炸', '绿洲家园燃气泄漏，请燃气公司来查', '绿洲家园闻到燃气味'];
    const categories = ['燃气', '安全生产', '物业管理', '燃气', '安全生产', '物业管理'];
    burst.forEach((text, i) => tickets.push(request(day, text, { category: categories[i] })));
    const surges = topicSurges(tickets, day);
    expect(surges).toHaveLength(1);
    expect(surges[0]).toMatchObject({ day, count: 6, expected: 0 });
    expect(surges[0].pValue).toBeLessThan(1e-6);
    expect(surges[0].categories.every((c) => c.count <= 2)).toBe(true);
    // The outage spread over five days is no one-day surge.
    expect(topicSurges(month(), '2025-07-29')).toEqual([]);
  });
});

describe('places named in the text', () => {
  it('finds compounds, villages and schools and splits off the region', () => {
    expect(placesIn('A市A3区中海国际社区三期与四期中间空地夜间施工噪音扰民')).toEqual([{ region: 'A3区', name: '中海国际社区' }]);
    expect(placesIn('反映A市金毛湾配套入学的问题').map((p) => p.name)).toEqual(['金毛湾']);
    expect(placesIn('请加快A市国家中心建设，市委市政府要重视')).toEqual([]);
  });

  it('takes the first sentence as the gist', () => {
    expect(firstSentence('天山小区停水：已经两天了。请尽快')).toBe('天山小区停水，已经两天了');
    expect(firstSentence('来电人反映：阳光花园小区楼下烧烤店油烟扰民，请处理')).toBe('阳光花园小区楼下烧烤店油烟扰民');
    // a repeat call's opening says nothing about the matter either, alone or after the operator's
    expect(firstSentence('第二次来电，康居新城小区整栋楼暖气温度偏低')).toBe('康居新城小区整栋楼暖气温度偏低');
    expect(firstSentence('市民来电反映：再次反映：翠苑华府停水')).toBe('翠苑华府停水');
    expect(firstSentence('此前已反映过，世纪花园小区门口路灯不亮')).toBe('世纪花园小区门口路灯不亮');
    expect(firstSentence('第3次来电：天山小区电梯故障，无人维修')).toBe('天山小区电梯故障，无人维修');
    expect(firstSentence('再次出现停水，已经两天了')).toBe('再次出现停水，已经两天了');
    expect(firstSentence('A市暮云街道丽发新城社区附近搅拌站噪音污染严重：详情如下')).toBe('A市暮云街道丽发新城社区附近搅拌站噪音污染严重');
    expect(firstSentence('很长'.repeat(40), 10)).toHaveLength(10);
  });
});

describe('a hot issue as the start of a special report', () => {
  it('becomes a report topic of its period and place', () => {
    const [outage] = findTopics(month(), { from: '2025-07-01', to: '2025-07-31' });
    const { topic, from, to } = specialReportTopic({ ...outage, place: '昌吉市宁边路街道天山小区' });
    expect(topic).toMatchObject({ title: outage.description, categories: [], keywords: ['天山小区'] });
    expect([from, to]).toEqual(['2025-07-25', '2025-07-29']);
    expect(topic.name).toMatch(/^[a-z0-9-]+$/);
  });

  it('without a place, takes the word most of its requests share', () => {
    const tickets = month();
    const wages = findTopics(tickets, { from: '2025-07-01', to: '2025-07-31', top: 20 }).find((t) => t.description.includes('宏远'))!;
    expect(specialReportTopic({ ...wages, place: '' }, tickets).topic.keywords).toHaveLength(1);
  });
});
