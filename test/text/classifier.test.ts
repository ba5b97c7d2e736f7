import { describe, expect, it } from 'vitest';
import { TextClassifier } from '../../pipelines/text/classifier.js';
import { crossValidate, scorePredictions, stratifiedFolds } from '../../pipelines/text/evaluate.js';
import { normaliseText, textFeatures } from '../../pipelines/text/features.js';
import { UnitRouter } from '../../pipelines/text/units.js';
import { CATEGORIES, fixtureTickets } from './fixture.js';

const examples = fixtureTickets().map((t) => ({ text: t.content, label: t.category_l1 }));

describe('features', () => {
  it('folds width, case and digits, and never crosses punctuation with an n-gram', () => {
    expect(normaliseText('ＡＢＣ小区３号楼  \n\t 12单元')).toBe('abc小区0号楼 0单元');
    const hashes = textFeatures('停水，停电', { charNgrams: [2, 2], words: false });
    // 停水 and 停电, not 水停 or 水，
    expect(hashes).toHaveLength(2);
  });

  it('adds jieba words from the shipped dictionary', () => {
    const chars = textFeatures(normaliseText('小区物业不作为'), { charNgrams: [1, 1], words: false });
    const both = textFeatures(normaliseText('小区物业不作为'), { charNgrams: [1, 1], words: true });
    expect(both.length).toBeGreaterThan(chars.length);
  });
});

describe('the classifier', () => {
  const model = TextClassifier.train(examples);

  it('learns the categories from the texts and predicts unseen wordings', () => {
    expect(model.labels).toEqual(['交通运输', '劳动和社会保障', '城乡建设', '环境保护']);
    expect(model.predict('博峰街道那边的工地，老板欠我们工资不给').label).toBe('劳动和社会保障');
    expect(model.predict('单位门口的路面塌陷了，坑洼积水').label).toBe('交通运输');
    expect(model.predict('楼上邻居深夜唱歌，噪音太吵').label).toBe('环境保护');
  });

  it('gives probabilities that sum to one, and calibration keeps every prediction', () => {
    const p = model.probabilities('暖气不热');
    expect(p.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 9);
    const before = examples.slice(0, 50).map((e) => model.predict(e.text).label);
    const temperature = model.calibrate(examples.slice(0, 100));
    expect(temperature).toBeGreaterThan(0);
    expect(examples.slice(0, 50).map((e) => model.predict(e.text).label)).toEqual(before);
    // On texts this plain the calibrated model is sure of itself.
    expect(model.predict('暖气片冰凉，室温只有十度').confidence).toBeGreaterThan(0.9);
  });

  it('is deterministic and survives its stored state', () => {
    const again = TextClassifier.train(examples);
    const restored = TextClassifier.restore(structuredClone(model.toState()));
    for (const text of ['电梯坏了', '拖欠工资', '路灯不亮，道路积水']) {
      expect(again.scores(text)).toEqual(TextClassifier.train(examples).scores(text));
      expect(restored.predict(text)).toEqual(model.predict(text));
    }
  });

  it('learns a class from prior texts alone (category names as prior knowledge)', () => {
    const withPrior = TextClassifier.train(examples, {}, [{ text: '医疗保险 医保报销 医保卡', label: '卫生计生' }]);
    expect(withPrior.labels).toContain('卫生计生');
    expect(withPrior.predict('医保报销比例是多少').label).toBe('卫生计生');
  });

  it('offers naive Bayes and complement naive Bayes as learners', () => {
    for (const learner of ['nb', 'cnb'] as const) {
      const nb = TextClassifier.train(examples, { learner, weighting: 'counts' });
      expect(nb.predict('包工头拖欠工资').label).toBe('劳动和社会保障');
    }
  });

  it('refuses to train on nothing', () => {
    expect(() => TextClassifier.train([])).toThrow(/no training examples/);
  });
});

describe('evaluation', () => {
  it('macro-F1 is the mean of the per-label F1, computed by hand', () => {
    // a: tp 2, fp 1, fn 0 → 0.8; b: tp 1, fp 0, fn 1 → 0.667
    const scores = scorePredictions(['a', 'a', 'a', 'b'], ['a', 'a', 'b', 'b']);
    expect(scores.perLabel.a.f1).toBeCloseTo(0.8, 10);
    expect(scores.perLabel.b.f1).toBeCloseTo(2 / 3, 10);
    expect(scores.macroF1).toBeCloseTo((0.8 + 2 / 3) / 2, 10);
    expect(scores.accuracy).toBe(0.75);
  });

  it('stratified folds give every fold its share of each label', () => {
    const labels = [...Array(10).fill('a'), ...Array(5).fill('b')];
    const folds = stratifiedFolds(labels, 5);
    for (let f = 0; f < 5; f++) {
      expect(labels.filter((l, i) => folds[i] === f && l === 'a')).toHaveLength(2);
      expect(labels.filter((l, i) => folds[i] === f && l === 'b')).toHaveLength(1);
    }
  });

  it('cross-validates the fixture near perfectly (its texts are plain)', () => {
    const { scores } = crossValidate(examples, {}, 5);
    expect(scores.macroF1).toBeGreaterThan(0.95);
  });
});

describe('the unit router', () => {
  const counts = fixtureTickets()
    .filter((t) => t.unit)
    .map((t) => ({ category_l1: t.category_l1, category_l2: t.category_l2, district: t.district, township: t.township, place: t.address!.replace(/\d.*$/, ''), unit: t.unit!, tickets: 1 }));
  const router = UnitRouter.build(counts);

  it('routes by category and place, where "the category\'s usual unit" cannot', () => {
    const heating = { category_l1: '城乡建设', category_l2: '供暖', township: '博峰街道', place: null };
    expect(router.suggest({ ...heating, district: '阜康市' })?.unit).toBe('阜康市热力公司');
    expect(router.suggest({ ...heating, district: '昌吉市', township: '宁边路街道' })?.unit).toBe('昌吉市热力公司');
    // Property matters go to the township office: decided at township level.
    const property = router.suggest({ category_l1: '城乡建设', category_l2: '物业管理', district: '昌吉市', township: '延安北路街道', place: null });
    expect(property).toMatchObject({ unit: '延安北路街道办事处', basis: 'township' });
    // Without a place, the category's commonest unit (昌吉市 has more tickets than 阜康市).
    const anywhere = { category_l1: '城乡建设', category_l2: '供暖', district: null, township: null, place: null };
    expect(router.suggest(anywhere)?.unit).toBe('昌吉市热力公司');
    expect(router.categoryOnly({ ...heating, district: '阜康市' })?.unit).toBe('昌吉市热力公司');
  });

  it('stores only what backing off would not give, and answers the same after a round trip', () => {
    const restored = UnitRouter.restore(JSON.parse(JSON.stringify(router.toState())));
    expect(router.size).toBeLessThan(new Set(counts.map((c) => `${c.category_l2}|${c.district}|${c.township}|${c.place}`)).size);
    for (const c of counts.slice(0, 50)) expect(restored.suggest(c)).toEqual(router.suggest(c));
    const wrong = counts.filter((c) => router.suggest(c)?.unit !== c.unit).length;
    expect(wrong).toBe(0);
  });

  it('knows every category of the fixture', () => {
    expect(CATEGORIES.every((c) => router.suggest({ category_l1: c.l1, category_l2: c.l2, district: null, township: null, place: null }))).toBe(true);
  });
});
