/**
 * The demo's picture of Changji prefecture: districts with their shares of requests, townships and
 * residential compounds, the category tree with each sub-category's season, and the unit kinds.
 * Names are realistic but the compounds and units are invented.
 */

export interface District {
  name: string;
  share: number;
  townships: string[];
}

export const DISTRICTS: District[] = [
  { name: '昌吉市', share: 0.4, townships: ['宁边路街道', '延安北路街道', '北京南路街道', '中山路街道', '绿洲路街道', '建国路街道', '六工镇', '三工镇', '榆树沟镇'] },
  { name: '阜康市', share: 0.12, townships: ['博峰街道', '阜新街道', '准东街道', '九运街镇', '滋泥泉子镇', '城关镇'] },
  { name: '呼图壁县', share: 0.1, townships: ['呼图壁镇', '大丰镇', '五工台镇', '园户村镇', '二十里店镇'] },
  { name: '玛纳斯县', share: 0.11, townships: ['玛纳斯镇', '乐土驿镇', '包家店镇', '凉州户镇', '北五岔镇'] },
  { name: '奇台县', share: 0.11, townships: ['古城乡', '奇台镇', '老奇台镇', '半截沟镇', '吉布库镇', '西北湾镇'] },
  { name: '吉木萨尔县', share: 0.08, townships: ['吉木萨尔镇', '三台镇', '北庭镇', '二工镇', '大有镇'] },
  { name: '木垒哈萨克自治县', share: 0.05, townships: ['木垒镇', '西吉尔镇', '东城镇', '照壁山乡'] },
  { name: '昌吉高新区', share: 0.03, townships: ['高新区管委会', '大西渠镇'] },
];

export const COMPOUND_NAMES = ['幸福小区', '阳光花园', '绿洲家园', '天山苑', '金色港湾小区', '康居小区', '锦绣华城', '御景湾小区', '丽水家园', '和谐苑', '世纪花园', '润丰小区', '龙湖公寓', '北庭家园', '同心苑', '明珠花园'];
export const STREETS = ['延安北路', '北京南路', '宁边西路', '长宁路', '建国路', '绿洲路', '昌吉东路', '世纪大道', '健康路', '文化路', '光明路', '人民路'];

/** How a sub-category's volume moves through the year (multiplier on its base weight). */
export type Season = 'flat' | 'summer-noise' | 'heating' | 'cotton-harvest' | 'pre-spring-festival' | 'summer' | 'winter' | 'school-start' | 'spring';

export interface Subcategory {
  name: string;
  weight: number;
  season: Season;
  /** Share of 咨询 among its requests (the rest: 投诉/求助/举报/建议/表扬). */
  consult: number;
  /** The department kind that handles it when dispatched. */
  unit: string;
  /** What citizens write; {place} is replaced with the address. */
  texts: string[];
  enterprise?: number;
}

export interface Category {
  name: string;
  subs: Subcategory[];
}

const s = (name: string, weight: number, season: Season, consult: number, unit: string, texts: string[], enterprise = 0): Subcategory => ({ name, weight, season, consult, unit, texts, enterprise });

export const CATEGORIES: Category[] = [
  { name: '城乡建设', subs: [
    s('物业管理', 40, 'flat', 0.2, '住房和城乡建设局', ['{place}物业不作为，楼道垃圾无人清理', '{place}物业费收费标准不透明，要求公示', '{place}电梯经常停运，物业维修不及时']),
    s('房屋建设', 22, 'spring', 0.3, '住房和城乡建设局', ['{place}新房交付后墙体开裂，开发商不处理', '{place}房屋漏水，要求开发商维修']),
    s('市政设施', 18, 'spring', 0.2, '城市管理局', ['{place}附近路灯不亮', '{place}门口井盖缺失，存在安全隐患']),
    s('违章建筑', 8, 'summer', 0.1, '城市管理局', ['{place}有住户私搭乱建，占用公共绿地']),
  ] },
  { name: '住房保障', subs: [
    s('公租房', 12, 'flat', 0.7, '住房和城乡建设局', ['咨询公租房申请条件和材料', '{place}公租房分配进度咨询']),
    s('住房公积金', 14, 'flat', 0.85, '住房公积金管理中心', ['咨询住房公积金提取流程', '公积金贷款审批进度咨询']),
  ] },
  { name: '环境保护', subs: [
    s('噪声扰民', 30, 'summer-noise', 0.05, '生态环境局', ['{place}附近夜间施工噪声很大，影响休息', '{place}楼下烧烤店晚上噪音扰民', '{place}广场舞音响声音过大']),
    s('大气污染', 10, 'winter', 0.1, '生态环境局', ['{place}附近锅炉冒黑烟，空气很差']),
    s('垃圾清运', 14, 'summer', 0.1, '城市管理局', ['{place}垃圾桶满了好几天没人清运']),
  ] },
  { name: '供暖', subs: [
    s('供暖不热', 30, 'heating', 0.05, '供热公司', ['{place}暖气不热，室内温度只有十五度', '{place}家中暖气片冰凉，老人孩子受冻']),
    s('供暖收费', 10, 'heating', 0.6, '供热公司', ['咨询{place}采暖费缴费标准和期限']),
  ] },
  { name: '供水', subs: [
    s('停水', 14, 'summer', 0.3, '供水公司', ['{place}突然停水，没有任何通知', '{place}停水一天了，请尽快恢复']),
    s('水质问题', 6, 'flat', 0.2, '供水公司', ['{place}自来水发黄有异味']),
  ] },
  { name: '交通运输', subs: [
    s('农村道路', 10, 'cotton-harvest', 0.1, '交通运输局', ['{place}通往棉田的道路坑洼不平，拉棉车无法通行', '{place}乡村道路损坏，秋收运输困难']),
    s('公交线路', 12, 'school-start', 0.5, '交通运输局', ['建议增加{place}附近的公交班次', '{place}公交站牌信息错误']),
    s('出租车', 8, 'flat', 0.1, '交通运输局', ['出租车司机拒载、绕路', '出租车不打表乱收费']),
  ] },
  { name: '劳动和社会保障', subs: [
    s('欠薪', 14, 'pre-spring-festival', 0.05, '人力资源和社会保障局', ['{place}工地拖欠农民工工资三个月', '在{place}务工，老板拖欠工资不给']),
    s('社保缴纳', 16, 'flat', 0.8, '社会保险中心', ['咨询灵活就业人员社保缴费', '社保断缴如何补缴']),
    s('就业创业', 8, 'spring', 0.8, '人力资源和社会保障局', ['咨询创业担保贷款政策', '咨询职业技能培训补贴']),
  ] },
  { name: '医疗卫生', subs: [
    s('医保报销', 18, 'flat', 0.85, '医疗保障局', ['咨询异地就医医保报销流程', '门诊慢特病医保报销比例咨询']),
    s('医疗服务', 10, 'winter', 0.3, '卫生健康委员会', ['{place}附近医院挂号难、等候时间长']),
  ] },
  { name: '教育', subs: [
    s('入学招生', 10, 'school-start', 0.8, '教育局', ['咨询{place}学区划分和入学条件', '孩子转学手续咨询']),
    s('校外培训', 5, 'summer', 0.2, '教育局', ['{place}附近培训机构违规收费']),
  ] },
  { name: '市场监管', subs: [
    s('消费维权', 20, 'flat', 0.2, '市场监督管理局', ['在{place}商店买到过期食品', '预付卡商家跑路，要求退款'], 0.15),
    s('食品安全', 8, 'summer', 0.1, '市场监督管理局', ['{place}餐馆卫生条件差']),
    s('价格监管', 6, 'pre-spring-festival', 0.3, '市场监督管理局', ['{place}超市商品明码标价与结算价不符']),
  ] },
  { name: '公安治安', subs: [
    s('户籍办理', 14, 'flat', 0.9, '公安局', ['咨询身份证补办需要的材料', '新生儿落户流程咨询']),
    s('治安问题', 6, 'summer', 0.1, '公安局', ['{place}附近晚上有人聚众喧哗']),
  ] },
  { name: '民政', subs: [
    s('低保救助', 8, 'winter', 0.6, '民政局', ['咨询城乡低保申请条件']),
    s('养老服务', 6, 'flat', 0.6, '民政局', ['咨询高龄津贴发放时间']),
  ] },
  { name: '农业农村', subs: [
    s('农业补贴', 8, 'spring', 0.8, '农业农村局', ['咨询棉花目标价格补贴发放', '耕地地力保护补贴什么时候发']),
    s('农村环境', 5, 'summer', 0.2, '农业农村局', ['{place}村里畜禽粪便随意堆放']),
  ] },
  { name: '政务服务', subs: [
    s('办事咨询', 30, 'flat', 0.95, '政务服务和公共资源交易中心', ['咨询营业执照办理流程', '咨询不动产登记所需材料', '咨询居住证办理']),
    s('服务态度', 5, 'flat', 0.05, '政务服务和公共资源交易中心', ['政务大厅工作人员态度差']),
  ] },
  { name: '涉企服务', subs: [
    s('营商环境', 6, 'flat', 0.3, '发展和改革委员会', ['企业反映项目审批时间过长', '企业反映惠企政策兑现慢'], 1),
    s('企业用工', 4, 'pre-spring-festival', 0.4, '人力资源和社会保障局', ['企业咨询稳岗补贴申领'], 1),
  ] },
];

export const CHANNELS: [string, number][] = [
  ['电话', 0.56],
  ['微信', 0.18],
  ['网站', 0.07],
  ['移动APP', 0.1],
  ['小程序', 0.07],
  ['短信', 0.02],
];

/** Weekday and hour-of-day shape of demand (index 0 = Sunday; hour 0–23). */
export const WEEKDAY = [0.62, 1.12, 1.06, 1.04, 1.03, 1.0, 0.68];
export const HOURS = [0.15, 0.08, 0.05, 0.04, 0.05, 0.12, 0.35, 0.8, 1.5, 1.95, 2.0, 1.85, 1.3, 1.1, 1.45, 1.75, 1.8, 1.6, 1.2, 1.05, 1.0, 0.85, 0.6, 0.3];

export const SURNAMES = '王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤';
export const GIVEN = '伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍建国红梅鹏飞斌文辉力春雪琳晨宇浩然思雨子涵欣怡阿依古丽买买提艾力努尔';
