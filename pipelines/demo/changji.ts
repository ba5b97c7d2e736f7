/**
 * The demo's picture of Changji prefecture (昌吉州): districts with their share of requests, real
 * township names, the departments and companies that handle tickets, and the request categories
 * with each one's season and the way citizens describe it. Compounds, villages, companies' exact
 * names, callers and phone numbers are invented.
 */

export interface District {
  name: string;
  share: number;
  /** First six digits of resident ID numbers issued there (for the odd ID quoted in a request). */
  idPrefix: string;
  townships: string[];
  streets: string[];
}

export const PREFECTURE = '昌吉州';

export const DISTRICTS: readonly District[] = [
  {
    name: '昌吉市',
    share: 0.4,
    idPrefix: '652301',
    townships: ['宁边路街道', '延安北路街道', '北京南路街道', '中山路街道', '绿洲路街道', '建国路街道', '榆树沟镇', '硫磺沟镇', '三工镇', '六工镇', '二六工镇', '大西渠镇', '佃坝镇', '滨湖镇', '庙尔沟乡', '阿什里哈萨克民族乡'],
    streets: ['延安北路', '北京南路', '北京北路', '宁边西路', '宁边东路', '长宁路', '建国西路', '绿洲北路', '绿洲南路', '昌吉东路', '世纪大道', '屯河路', '亚中路', '乌伊东路', '健康西路', '光明南路'],
  },
  {
    name: '阜康市',
    share: 0.12,
    idPrefix: '652302',
    townships: ['博峰街道', '阜新街道', '甘河子镇', '城关镇', '九运街镇', '滋泥泉子镇', '上户沟哈萨克族乡', '水磨沟乡', '三工河哈萨克族乡'],
    streets: ['天池街', '博峰路', '阜新路', '准噶尔路', '瑶池路', '西环路', '中心路'],
  },
  {
    name: '呼图壁县',
    share: 0.09,
    idPrefix: '652323',
    townships: ['呼图壁镇', '大丰镇', '雀尔沟镇', '二十里店镇', '园户村镇', '五工台镇', '石梯子哈萨克族乡'],
    streets: ['迎宾路', '东风路', '团结路', '景化路', '文化路', '昌盛路'],
  },
  {
    name: '玛纳斯县',
    share: 0.11,
    idPrefix: '652324',
    townships: ['玛纳斯镇', '乐土驿镇', '包家店镇', '凉州户镇', '北五岔镇', '六户地镇', '兰州湾镇', '广东地乡', '清水河哈萨克族乡', '塔西河哈萨克族乡'],
    streets: ['凤凰路', '新城路', '和平路', '建设路', '天山路', '迎宾大道'],
  },
  {
    name: '奇台县',
    share: 0.11,
    idPrefix: '652325',
    townships: ['古城街道', '奇台镇', '老奇台镇', '半截沟镇', '吉布库镇', '东湾镇', '西地镇', '碧流河镇', '三个庄子镇', '西北湾镇', '坎尔孜乡', '五马场哈萨克族乡'],
    streets: ['古城路', '民主路', '北大街', '南大街', '文化东路', '天山路', '东环路'],
  },
  {
    name: '吉木萨尔县',
    share: 0.08,
    idPrefix: '652327',
    townships: ['北庭路街道', '吉木萨尔镇', '三台镇', '泉子街镇', '北庭镇', '二工镇', '大有镇', '庆阳湖乡', '老台乡', '新地乡'],
    streets: ['北庭路', '文化路', '人民路', '金山路', '团结路', '振兴路'],
  },
  {
    name: '木垒哈萨克自治县',
    share: 0.05,
    idPrefix: '652328',
    townships: ['木垒镇', '西吉尔镇', '东城镇', '新户镇', '英格堡乡', '照壁山乡', '雀仁乡', '大石头乡', '白杨河乡'],
    streets: ['人民北路', '人民南路', '团结路', '民生路', '胡杨路'],
  },
  {
    name: '昌吉高新区',
    share: 0.04,
    idPrefix: '652301',
    townships: ['高新区北区片区', '高新区南区片区', '科技产业园片区'],
    streets: ['高新大道', '科创路', '创业路', '国道312线'],
  },
];

/** Streets (街道) and 片区 are urban: residential compounds; towns and 乡 also have villages. */
export const isUrban = (township: string) => /街道|片区/.test(township);

export const COMPOUND_STEMS = ['天山', '绿洲', '北庭', '丝路', '金域', '锦绣', '阳光', '幸福', '和谐', '康居', '御景', '丽水', '世纪', '润泽', '碧水', '雪莲', '博格达', '昆仑', '紫金', '怡和', '同心', '明珠', '金色港湾', '宏远', '盛世', '华源', '新城', '泰和', '安居', '瑞祥', '福润', '嘉禾', '春晖', '翠苑', '枫林', '银河', '东方', '西域', '馨安', '祥和'];
export const COMPOUND_SUFFIXES = ['小区', '花园', '家园', '苑', '华府', '新城小区', '嘉园', '雅居', '名邸', '公寓'];
export const VILLAGE_STEMS = ['头工', '二工', '三工', '新户', '下营盘', '北沟', '东湾', '西地', '河坝', '团结', '友谊', '光明', '红星', '联合', '五星', '永丰', '大庄子', '小渠子', '园艺', '建设', '胜利', '丰收', '新湖', '八家户', '六户', '老龙河', '柳树沟', '杨家庄', '南梁', '北梁', '白杨沟', '黄渠', '沙山子', '梧桐窝子', '马场湖', '头屯河', '苇湖', '上湖', '长山子', '东地'];
export const COMMUNITY_STEMS = ['延安', '东方', '丽景', '文化', '建国', '天山', '绿洲', '南公园', '北公园', '长宁', '世纪', '雪莲', '和谐', '安居', '康宁', '育才', '光明', '金桥', '新华', '园林', '振兴', '西域', '通达', '怡园'];

// ---------------------------------------------------------------------------------------------
// Handling units

export type UnitKind = '州直部门' | '县市部门' | '乡镇街道' | '企业';

export interface Department {
  /** Name at county level, appended to the district name. */
  name: string;
  /** Full name of the prefecture-level unit; null when there is none. */
  prefecture: string | null;
  /** Full name of a county-level unit when it is not `${district}${name}`. */
  county?: (district: string) => string;
  /** Name in 昌吉高新区; when absent the zone is served by 昌吉市's unit. */
  zone?: string;
  company?: boolean;
}

export const DEPARTMENTS = {
  housing: { name: '住房和城乡建设局', prefecture: '昌吉州住房和城乡建设局', zone: '昌吉高新区建设局' },
  cityManagement: { name: '城市管理局', prefecture: '昌吉州城市管理局', zone: '昌吉高新区综合行政执法局' },
  ecology: { name: '生态环境分局', prefecture: '昌吉州生态环境局', county: (d) => `昌吉州生态环境局${d}分局`, zone: '昌吉州生态环境局高新区分局' },
  naturalResources: { name: '自然资源局', prefecture: '昌吉州自然资源局' },
  transport: { name: '交通运输局', prefecture: '昌吉州交通运输局' },
  humanResources: { name: '人力资源和社会保障局', prefecture: '昌吉州人力资源和社会保障局', zone: '昌吉高新区社会事务局' },
  socialInsurance: { name: '社会保险中心', prefecture: '昌吉州社会保险中心' },
  medicalInsurance: { name: '医疗保障局', prefecture: '昌吉州医疗保障局' },
  health: { name: '卫生健康委员会', prefecture: '昌吉州卫生健康委员会' },
  education: { name: '教育局', prefecture: '昌吉州教育局' },
  market: { name: '市场监督管理局', prefecture: '昌吉州市场监督管理局', zone: '昌吉高新区市场监督管理局' },
  police: { name: '公安局', prefecture: '昌吉州公安局' },
  trafficPolice: { name: '交通警察大队', prefecture: '昌吉州公安局交通警察支队', county: (d) => `${d}公安局交通警察大队` },
  civilAffairs: { name: '民政局', prefecture: '昌吉州民政局' },
  agriculture: { name: '农业农村局', prefecture: '昌吉州农业农村局' },
  water: { name: '水利局', prefecture: '昌吉州水利局' },
  forestry: { name: '林业和草原局', prefecture: '昌吉州林业和草原局' },
  government: { name: '政务服务和公共资源交易中心', prefecture: '昌吉州政务服务和公共资源交易中心', zone: '昌吉高新区政务服务中心' },
  development: { name: '发展和改革委员会', prefecture: '昌吉州发展和改革委员会', zone: '昌吉高新区经济发展局' },
  industry: { name: '工业和信息化局', prefecture: '昌吉州工业和信息化局' },
  commerce: { name: '商务局', prefecture: '昌吉州商务局' },
  tax: { name: '税务局', prefecture: '国家税务总局昌吉回族自治州税务局', county: (d) => `国家税务总局${d}税务局` },
  housingFund: { name: '住房公积金管理部', prefecture: '昌吉州住房公积金管理中心', county: (d) => `昌吉州住房公积金管理中心${d}管理部` },
  culture: { name: '文化体育广播电视和旅游局', prefecture: '昌吉州文化体育广播电视和旅游局' },
  emergency: { name: '应急管理局', prefecture: '昌吉州应急管理局' },
  veterans: { name: '退役军人事务局', prefecture: '昌吉州退役军人事务局' },
  justice: { name: '司法局', prefecture: '昌吉州司法局' },
  realEstate: { name: '不动产登记中心', prefecture: '昌吉州不动产登记中心' },
  fire: { name: '消防救援大队', prefecture: '昌吉州消防救援支队' },
  disability: { name: '残疾人联合会', prefecture: '昌吉州残疾人联合会' },
  finance: { name: '财政局', prefecture: '昌吉州财政局' },
  petition: { name: '信访局', prefecture: '昌吉州信访局' },
  statistics: { name: '统计局', prefecture: '昌吉州统计局' },
  audit: { name: '审计局', prefecture: '昌吉州审计局' },
  union: { name: '总工会', prefecture: '昌吉州总工会' },
  women: { name: '妇女联合会', prefecture: '昌吉州妇女联合会' },
  // Public-service companies: one per district (昌吉市 and the zone share the prefecture's water company).
  waterCompany: { name: '自来水公司', prefecture: null, company: true, county: (d) => (d === '昌吉市' ? '昌吉州供水公司' : `${d}自来水公司`), zone: '昌吉州供水公司' },
  heatingCompany: { name: '供热公司', prefecture: null, company: true, county: (d) => (d === '昌吉市' ? '昌吉市热力有限公司' : `${d}供热公司`), zone: '昌吉高新区热力公司' },
  powerCompany: { name: '供电公司', prefecture: '国网昌吉供电公司', company: true, county: (d) => `国网${d}供电公司` },
  gasCompany: { name: '天然气公司', prefecture: '昌吉州燃气公司', company: true, county: (d) => (d === '昌吉市' ? '昌吉州燃气公司' : `${d}天然气公司`), zone: '昌吉州燃气公司' },
  busCompany: { name: '公交公司', prefecture: null, company: true, county: (d) => `${d}公共交通有限公司` },
} satisfies Record<string, Department>;

export type DepartmentKey = keyof typeof DEPARTMENTS;

/** Prefecture-only bodies that appear in the directory without county branches. */
export const PREFECTURE_ONLY = ['昌吉州气象局', '昌吉州粮食和物资储备局', '昌吉州机关事务管理局', '昌吉州医疗保障服务中心', '昌吉州红十字会', '昌吉州档案馆', '昌吉州地震局', '昌吉州广播电视台', '昌吉州疾病预防控制中心', '昌吉州人民医院', '昌吉州中医医院', '昌吉州第二人民医院'];

/** Extra companies: 昌吉市 has several heating companies; telecoms serve the whole prefecture. */
export const EXTRA_COMPANIES: readonly [string, string][] = [
  ['昌吉市城北供热有限公司', '昌吉市'],
  ['昌吉市恒泰供热有限公司', '昌吉市'],
  ['阜康市准东热力有限公司', '阜康市'],
  ['中国电信昌吉分公司', PREFECTURE],
  ['中国移动昌吉分公司', PREFECTURE],
  ['中国联通昌吉分公司', PREFECTURE],
  ['中国邮政昌吉分公司', PREFECTURE],
  ['昌吉州城市建设投资发展有限公司', PREFECTURE],
];

// ---------------------------------------------------------------------------------------------
// Request categories

/** How a sub-category's volume moves through the year (a multiplier on its base weight). */
export type Season =
  | 'flat'
  | 'noise' // peaks in July, high June–August
  | 'heating' // mid-October to early April, peaks at the start and in the coldest weeks
  | 'heatingFee' // heating fees are paid September–November
  | 'cotton' // roads to the cotton fields at harvest, October
  | 'wages' // builds over the six weeks before the Spring Festival, drops during it
  | 'festivalShopping' // consumer complaints before the Spring Festival
  | 'summer'
  | 'winter'
  | 'spring'
  | 'snow' // snow clearing, December–February
  | 'irrigation' // April–August
  | 'school' // enrolment in August and around the spring term
  | 'taxSeason' // March–June: annual income-tax reconciliation
  | 'insuranceDrive'; // residents' medical insurance collection, September–December

export interface SubCategory {
  name: string;
  /** Relative volume on an ordinary day. */
  weight: number;
  season: Season;
  /** Share of 咨询 (consultation) among its requests. */
  consult: number;
  department: DepartmentKey;
  /** Share dispatched to the township/street office instead of the department. */
  local?: number;
  /** Share of 涉企 requests. */
  enterprise?: number;
  urgent?: number;
  /** Share of callers who call again about it within weeks (when not solved, or pressing). */
  repeat?: number;
  /** Where it happens: at home (a compound), in the street, in a village, or nowhere in particular. */
  where: 'home' | 'street' | 'village' | 'none';
  l3?: string[];
  /** Appeal types other than 咨询 with their weights (defaults to APPEALS). */
  appeals?: readonly [string, number][];
  /** Complaint/request wording; {place} {township} {village} {days} {months} {amount} {hour} are filled in. */
  texts: string[];
  /** Consultation wording (defaults to texts). */
  asks?: string[];
}

export interface Category {
  name: string;
  subs: SubCategory[];
}

export const CATEGORIES: readonly Category[] = [
  {
    name: '住房保障',
    subs: [
      { name: '物业管理', weight: 40, season: 'flat', consult: 0.12, department: 'housing', local: 0.55, repeat: 0.1, where: 'home', l3: ['物业服务', '物业收费', '电梯维修', '公共维修基金'], texts: ['{place}物业不作为，楼道垃圾{days}天无人清理，多次找物业无果', '{place}物业费上涨没有公示，业主不认可，要求物业说明收费依据', '{place}电梯经常停运，已经{days}天了，物业维修不及时，老人上下楼困难', '{place}物业擅自把公共绿地改成停车位收费', '{place}电梯停了{days}天，物业只说"没钱修"，让业主自己想办法', '{place}楼顶漏水，物业以没有维修基金为由推诿'], asks: ['咨询{place}物业费收费标准如何核定', '咨询住宅专项维修资金如何申请使用'] },
      { name: '房屋建设', weight: 22, season: 'spring', consult: 0.25, department: 'housing', repeat: 0.08, where: 'home', l3: ['房屋质量', '延期交房', '办证难'], texts: ['{place}新房交付后墙体开裂、卫生间渗水，开发商一直不处理', '{place}购房合同约定的交房日期已过去{months}个月，开发商仍未交房', '{place}已入住{months}年仍办不下不动产权证，开发商推诿'], asks: ['咨询{place}商品房预售许可情况', '咨询购买二手房需要注意哪些手续'] },
      { name: '公租房', weight: 10, season: 'flat', consult: 0.7, department: 'housing', where: 'none', texts: ['申请公租房已{months}个月没有结果，请帮忙催办', '{place}公租房维修不及时，暖气管道漏水'], asks: ['咨询公租房申请条件和需要准备的材料', '咨询公租房租金标准和补贴政策'] },
      { name: '住房公积金', weight: 13, season: 'flat', consult: 0.88, department: 'housingFund', where: 'none', texts: ['单位未按规定为职工缴存住房公积金', '公积金贷款审批超过{days}个工作日仍未放款'], asks: ['咨询住房公积金提取条件和流程', '咨询异地购房如何提取公积金', '咨询公积金贷款额度如何计算'] },
      { name: '不动产登记', weight: 8, season: 'flat', consult: 0.8, department: 'realEstate', where: 'none', texts: ['办理不动产登记材料齐全却被要求反复补充材料'], asks: ['咨询二手房过户需要的材料和税费', '咨询不动产权证遗失如何补办'] },
      { name: '老旧小区改造', weight: 6, season: 'summer', consult: 0.35, department: 'housing', local: 0.3, where: 'home', texts: ['{place}老旧小区改造施工拖延，路面挖开{days}天未恢复', '{place}改造后外墙保温层脱落，存在安全隐患'], asks: ['咨询{place}是否列入今年老旧小区改造计划'] },
    ],
  },
  {
    name: '城乡建设',
    subs: [
      { name: '市政设施', weight: 16, season: 'spring', consult: 0.1, department: 'cityManagement', where: 'street', l3: ['道路破损', '路灯不亮', '井盖缺失', '排水不畅'], texts: ['{place}附近路灯不亮已有{days}天，夜间出行不安全', '{place}路口井盖缺失，存在安全隐患，请尽快处理', '{place}路面塌陷出现大坑，车辆通行困难', '{place}下雨后积水严重，排水井堵塞'] },
      { name: '违章建筑', weight: 8, season: 'summer', consult: 0.08, department: 'cityManagement', local: 0.4, where: 'home', texts: ['{place}一楼住户私自扩建院子，占用公共绿地', '{place}楼顶有人搭建彩钢房，存在安全隐患'] },
      { name: '燃气管理', weight: 5, season: 'winter', consult: 0.4, department: 'gasCompany', urgent: 0.1, where: 'home', texts: ['{place}楼道里有燃气味，担心泄漏，请尽快派人检查', '{place}燃气表无故停气，充值后仍无法使用'], asks: ['咨询燃气开户需要的材料'] },
      { name: '拆迁征收', weight: 4, season: 'flat', consult: 0.4, department: 'housing', repeat: 0.12, where: 'home', texts: ['{place}征收补偿款迟迟不到位', '{place}拆迁安置房{months}年未交付'], asks: ['咨询{township}征收补偿标准'] },
      { name: '占道经营', weight: 6, season: 'summer', consult: 0.05, department: 'cityManagement', where: 'street', texts: ['{place}夜市摊贩占道经营，堵塞交通', '{place}商户在人行道上摆放货物'] },
      { name: '环境卫生', weight: 10, season: 'summer', consult: 0.05, department: 'cityManagement', local: 0.35, where: 'home', texts: ['{place}垃圾桶满了{days}天没人清运，气味难闻', '{place}附近有人随意倾倒建筑垃圾', '{place}公共厕所长期无人打扫'] },
      { name: '积雪清理', weight: 4, season: 'snow', consult: 0.05, department: 'cityManagement', local: 0.3, where: 'street', texts: ['{place}人行道积雪结冰无人清理，已有老人摔倒', '{place}路面积雪{days}天未清，车辆打滑'] },
      { name: '停车管理', weight: 5, season: 'flat', consult: 0.2, department: 'cityManagement', where: 'street', texts: ['{place}车辆乱停乱放，堵塞消防通道', '{place}停车场收费不明码标价'] },
      { name: '园林绿化', weight: 4, season: 'spring', consult: 0.15, department: 'cityManagement', where: 'street', texts: ['{place}行道树枯枝随时可能掉落，请尽快修剪', '{place}绿化带长期无人浇水，树木枯死'] },
    ],
  },
  {
    name: '环境保护',
    subs: [
      { name: '噪声扰民', weight: 22, season: 'noise', consult: 0.03, department: 'ecology', local: 0.15, repeat: 0.12, where: 'home', l3: ['建筑施工噪声', '社会生活噪声', '商业经营噪声', '交通运输噪声'], texts: ['{place}附近工地夜间施工，噪声很大，晚上{hour}点还在作业', '{place}楼下烧烤店晚上营业到凌晨，噪音扰民', '{place}广场舞音响声音过大，影响居民休息', '{place}楼上住户装修从早到晚电钻声不断', '{place}旁边的酒吧音乐声太大，严重影响休息'] },
      { name: '大气污染', weight: 7, season: 'winter', consult: 0.05, department: 'ecology', where: 'street', l3: ['燃煤烟尘', '工业废气', '餐饮油烟'], texts: ['{place}附近锅炉冒黑烟，空气很差', '{place}附近工厂夜间排放刺鼻气味', '{place}楼下饭店油烟直排，熏得不敢开窗'] },
      { name: '水污染', weight: 3, season: 'summer', consult: 0.05, department: 'ecology', where: 'village', texts: ['{village}附近有企业向渠道排放污水', '{village}河道里漂浮大量垃圾'] },
      { name: '固体废物', weight: 3, season: 'flat', consult: 0.1, department: 'ecology', where: 'village', texts: ['{village}路边被人倾倒大量工业废渣', '{village}附近有人焚烧废旧轮胎'] },
    ],
  },
  {
    name: '供暖',
    subs: [
      { name: '供暖不热', weight: 26, season: 'heating', consult: 0.04, department: 'heatingCompany', urgent: 0.06, repeat: 0.14, where: 'home', texts: ['{place}暖气不热，室内温度只有十四五度，老人孩子受冻', '{place}家中暖气片冰凉，已经反映{days}天没人处理', '{place}整栋楼暖气温度偏低，供热公司说正在调试', '{place}顶楼暖气不循环，室温不达标，要求退还部分采暖费'] },
      { name: '供暖设施', weight: 6, season: 'heating', consult: 0.1, department: 'heatingCompany', urgent: 0.08, where: 'home', texts: ['{place}暖气管道漏水，楼下被淹', '{place}单元地下室供热管道破裂，冒着热气'] },
      { name: '供暖收费', weight: 6, season: 'heatingFee', consult: 0.65, department: 'heatingCompany', where: 'home', texts: ['{place}未供暖却被要求缴纳全额采暖费', '{place}采暖费缴纳后发票迟迟开不出来'], asks: ['咨询{place}采暖费缴费标准和缴费期限', '咨询空置房采暖费能否减免'] },
    ],
  },
  {
    name: '供水',
    subs: [
      { name: '停水', weight: 10, season: 'summer', consult: 0.3, department: 'waterCompany', urgent: 0.08, repeat: 0.06, where: 'home', l3: ['计划停水', '突发停水'], texts: ['{place}突然停水，没有任何通知', '{place}停水已经一天了，请尽快恢复供水', '{place}高层水压不足，{hour}点以后就没水', '{place}物业只贴了一张"临时停水"通知，没写什么时候恢复'], asks: ['咨询{place}停水什么时候恢复'] },
      { name: '水质问题', weight: 4, season: 'summer', consult: 0.15, department: 'waterCompany', where: 'home', texts: ['{place}自来水发黄有异味，不敢饮用', '{place}水龙头放出来的水有沉淀物'] },
      { name: '水费收费', weight: 4, season: 'flat', consult: 0.6, department: 'waterCompany', where: 'home', texts: ['{place}本月水费比平时高出好几倍，怀疑水表有问题'], asks: ['咨询阶梯水价标准', '咨询水费如何在手机上缴纳'] },
      { name: '管网漏水', weight: 4, season: 'spring', consult: 0.05, department: 'waterCompany', urgent: 0.05, where: 'street', texts: ['{place}路边自来水管破裂，水流满路面', '{place}检查井一直往外冒水'] },
    ],
  },
  {
    name: '供电供气',
    subs: [
      { name: '停电', weight: 6, season: 'summer', consult: 0.35, department: 'powerCompany', urgent: 0.1, where: 'home', texts: ['{place}突然停电，没有接到通知', '{place}电压不稳，家电频繁跳闸'], asks: ['咨询{place}停电什么时候恢复'] },
      { name: '电费收费', weight: 3, season: 'flat', consult: 0.7, department: 'powerCompany', where: 'home', texts: ['{place}电费异常，比往月高很多'], asks: ['咨询居民阶梯电价标准'] },
      { name: '燃气供应', weight: 3, season: 'winter', consult: 0.4, department: 'gasCompany', urgent: 0.06, where: 'home', texts: ['{place}天然气压力不够，做饭都困难', '{place}燃气公司上门安检后收取不合理费用'], asks: ['咨询燃气价格和缴费方式'] },
    ],
  },
  {
    name: '交通运输',
    subs: [
      { name: '农村道路', weight: 6, season: 'cotton', consult: 0.05, department: 'transport', local: 0.35, repeat: 0.1, where: 'village', texts: ['{village}通往棉田的道路坑洼不平，拉棉车无法通行', '{village}村道被拉棉车压坏，秋收运输困难', '{village}田间道路被水冲断，采棉机进不了地', '{village}道路上散落棉花秸秆，影响通行安全'] },
      { name: '公交线路', weight: 8, season: 'school', consult: 0.5, department: 'busCompany', where: 'street', appeals: [['建议', 0.45], ['投诉', 0.45], ['表扬', 0.1]], texts: ['建议增加{place}附近的公交班次', '{place}公交车不按站停靠', '公交司机态度恶劣，不等乘客坐稳就开车'], asks: ['咨询到{place}坐哪路公交', '咨询公交卡老年优惠如何办理'] },
      { name: '出租车', weight: 5, season: 'flat', consult: 0.1, department: 'transport', where: 'street', texts: ['在{place}打车，司机拒载', '出租车司机不打表，到{place}收费五十元', '网约车司机绕路多收费'] },
      { name: '道路交通', weight: 7, season: 'flat', consult: 0.35, department: 'trafficPolice', where: 'street', texts: ['{place}路口红绿灯故障', '{place}路口早晚高峰拥堵，建议增设信号灯', '{place}有大货车违规进城'], asks: ['咨询交通违章处理流程', '咨询驾驶证到期换证需要的材料'] },
      { name: '客运班线', weight: 3, season: 'school', consult: 0.6, department: 'transport', where: 'none', texts: ['{township}到县城的班车经常不按时发车'], asks: ['咨询到乌鲁木齐的班车时间'] },
      { name: '道路施工', weight: 3, season: 'summer', consult: 0.2, department: 'transport', where: 'street', texts: ['{place}道路施工没有设置警示标志', '{place}道路施工拖延{months}个月未完工'] },
    ],
  },
  {
    name: '劳动和社会保障',
    subs: [
      { name: '欠薪', weight: 9, season: 'wages', consult: 0.05, department: 'humanResources', repeat: 0.12, enterprise: 0.1, where: 'street', l3: ['工程建设领域欠薪', '企业欠薪', '个体工商户欠薪'], texts: ['在{place}工地干活，包工头拖欠{months}个月工资共{amount}元', '在{place}一家饭店打工，老板拖欠工资{amount}元不给', '我们{days}个工人在{place}项目干活，工程款结了但工资一直没发', '快过年了，{place}工地老板还欠着工资{amount}元，找不到人'] },
      { name: '社保缴纳', weight: 14, season: 'flat', consult: 0.85, department: 'socialInsurance', where: 'none', texts: ['单位未给职工缴纳社会保险'], asks: ['咨询灵活就业人员社保缴费标准', '咨询社保断缴如何补缴', '咨询社保转移接续手续'] },
      { name: '养老金', weight: 8, season: 'flat', consult: 0.85, department: 'socialInsurance', where: 'none', texts: ['养老金本月未按时到账'], asks: ['咨询退休养老金领取资格认证', '咨询养老金调整什么时候发放'] },
      { name: '就业创业', weight: 6, season: 'spring', consult: 0.85, department: 'humanResources', where: 'none', texts: ['参加职业技能培训后补贴一直未发放'], asks: ['咨询创业担保贷款政策', '咨询职业技能培训补贴', '咨询高校毕业生就业补贴'] },
      { name: '劳动合同', weight: 4, season: 'flat', consult: 0.5, department: 'humanResources', enterprise: 0.1, where: 'none', texts: ['公司不签劳动合同，无故辞退员工', '公司拒不支付加班费'], asks: ['咨询试用期被辞退如何维权'] },
      { name: '工伤认定', weight: 2, season: 'flat', consult: 0.6, department: 'humanResources', where: 'none', texts: ['工伤认定申请{months}个月没有结果'], asks: ['咨询工伤认定需要的材料'] },
    ],
  },
  {
    name: '医疗卫生',
    subs: [
      { name: '医保报销', weight: 14, season: 'flat', consult: 0.88, department: 'medicalInsurance', where: 'none', texts: ['医保报销材料交了{months}个月还没有到账'], asks: ['咨询异地就医医保报销流程', '咨询门诊慢特病医保报销比例', '咨询医保电子凭证如何激活'] },
      { name: '医保缴费', weight: 8, season: 'insuranceDrive', consult: 0.9, department: 'medicalInsurance', where: 'none', texts: ['城乡居民医保缴费后显示未参保'], asks: ['咨询城乡居民医保缴费标准和截止时间', '咨询新生儿如何参加医保'] },
      { name: '医疗服务', weight: 7, season: 'winter', consult: 0.25, department: 'health', where: 'street', texts: ['{place}附近医院挂号难、候诊时间长', '在医院看病被要求做不必要的检查', '{township}卫生院没有值班医生'] },
      { name: '医德医风', weight: 2, season: 'flat', consult: 0.05, department: 'health', where: 'none', texts: ['医生态度恶劣，不耐心解答病情'] },
      { name: '疫苗接种', weight: 3, season: 'spring', consult: 0.9, department: 'health', where: 'none', texts: ['社区医院疫苗缺货，预约不上'], asks: ['咨询儿童疫苗接种时间', '咨询狂犬疫苗在哪里可以打'] },
    ],
  },
  {
    name: '教育',
    subs: [
      { name: '入学招生', weight: 7, season: 'school', consult: 0.8, department: 'education', where: 'home', texts: ['住在{place}，孩子被分到很远的学校，要求调整', '入学报名系统一直提交不成功'], asks: ['咨询{place}学区划分和入学条件', '咨询孩子转学需要的手续', '咨询幼儿园报名时间'] },
      { name: '校外培训', weight: 3, season: 'summer', consult: 0.2, department: 'education', where: 'street', texts: ['{place}附近培训机构违规收费，退费困难', '{place}有无证培训机构暑期招生'] },
      { name: '教师师德', weight: 2, season: 'school', consult: 0.05, department: 'education', where: 'none', texts: ['老师在班级群里要求家长购买指定资料'] },
      { name: '学校收费', weight: 2, season: 'school', consult: 0.4, department: 'education', where: 'none', texts: ['学校收取校服费和资料费不合理'], asks: ['咨询学校午餐费收费标准'] },
    ],
  },
  {
    name: '市场监管',
    subs: [
      { name: '消费维权', weight: 16, season: 'festivalShopping', consult: 0.15, department: 'market', enterprise: 0.12, repeat: 0.08, where: 'street', l3: ['预付卡', '网购纠纷', '商品质量', '退换货'], texts: ['在{place}一家健身房办了年卡，现在商家跑路，要求退款{amount}元', '在{place}商店买到过期食品', '在{place}买的家电坏了，商家拒绝退换', '在{place}理发店办的储值卡，店铺关门联系不上老板'] },
      { name: '食品安全', weight: 6, season: 'summer', consult: 0.08, department: 'market', where: 'street', texts: ['{place}餐馆后厨卫生条件差', '在{place}超市买的熟食吃后腹泻', '{place}有无证摊贩销售散装食品'] },
      { name: '价格监管', weight: 4, season: 'festivalShopping', consult: 0.3, department: 'market', where: 'street', texts: ['{place}超市商品标价与结算价不符', '{place}停车场乱收费'], asks: ['咨询商品价格欺诈如何投诉'] },
      { name: '特种设备', weight: 2, season: 'flat', consult: 0.2, department: 'market', urgent: 0.1, where: 'home', texts: ['{place}电梯困人，物业救援不及时', '{place}电梯年检合格证已过期'] },
    ],
  },
  {
    name: '公安治安',
    subs: [
      { name: '户籍办理', weight: 10, season: 'school', consult: 0.92, department: 'police', where: 'none', texts: ['到派出所办理户口迁移被要求反复提供材料'], asks: ['咨询身份证补办需要的材料', '咨询新生儿落户流程', '咨询居住证办理条件'] },
      { name: '治安问题', weight: 5, season: 'summer', consult: 0.05, department: 'police', where: 'home', texts: ['{place}附近晚上有人聚众喧哗、酗酒', '{place}地下车库电动车电瓶经常被盗'] },
      { name: '电信诈骗', weight: 2, season: 'flat', consult: 0.5, department: 'police', where: 'none', texts: ['接到冒充客服的诈骗电话被骗{amount}元'], asks: ['咨询如何识别冒充公检法的诈骗电话'] },
      { name: '出入境', weight: 2, season: 'summer', consult: 0.95, department: 'police', where: 'none', texts: ['护照办理超过承诺时限'], asks: ['咨询护照办理需要的材料和时间'] },
    ],
  },
  {
    name: '民政',
    subs: [
      { name: '低保救助', weight: 6, season: 'winter', consult: 0.6, department: 'civilAffairs', local: 0.5, repeat: 0.08, where: 'village', texts: ['{village}家庭困难申请低保{months}个月没有结果', '低保金本月未按时发放'], asks: ['咨询城乡低保申请条件', '咨询临时救助如何申请'] },
      { name: '养老服务', weight: 4, season: 'flat', consult: 0.7, department: 'civilAffairs', where: 'none', texts: ['高龄津贴{months}个月未发放'], asks: ['咨询高龄津贴发放标准', '咨询养老机构入住条件'] },
      { name: '婚姻登记', weight: 2, season: 'flat', consult: 0.95, department: 'civilAffairs', where: 'none', texts: ['婚姻登记处预约不上'], asks: ['咨询结婚登记需要的材料'] },
      { name: '殡葬管理', weight: 1, season: 'flat', consult: 0.7, department: 'civilAffairs', where: 'none', texts: ['公墓收费标准不公开'], asks: ['咨询丧葬补助金如何领取'] },
      { name: '残疾人服务', weight: 2, season: 'flat', consult: 0.8, department: 'disability', where: 'none', texts: ['残疾人两项补贴未按时发放'], asks: ['咨询残疾证办理流程'] },
    ],
  },
  {
    name: '农业农村',
    subs: [
      { name: '农业补贴', weight: 6, season: 'spring', consult: 0.8, department: 'agriculture', local: 0.3, where: 'village', texts: ['{village}棉花目标价格补贴至今未发放', '{village}耕地地力保护补贴面积核算有误'], asks: ['咨询棉花目标价格补贴发放时间', '咨询农机购置补贴申请流程'] },
      { name: '农村环境', weight: 3, season: 'summer', consult: 0.1, department: 'agriculture', local: 0.6, where: 'village', texts: ['{village}村里畜禽粪便随意堆放，气味难闻', '{village}村道两旁垃圾长期无人清理'] },
      { name: '土地承包', weight: 3, season: 'spring', consult: 0.4, department: 'agriculture', local: 0.6, repeat: 0.1, where: 'village', texts: ['{village}土地流转费{months}个月未支付', '{village}承包地被村委会收回，没有补偿'], asks: ['咨询土地承包经营权证办理'] },
      { name: '农业灌溉', weight: 3, season: 'irrigation', consult: 0.3, department: 'water', local: 0.3, where: 'village', texts: ['{village}春灌轮水不公平，地里浇不上水', '{village}灌溉渠道渗漏严重'], asks: ['咨询今年农业用水价格'] },
      { name: '畜牧兽医', weight: 2, season: 'spring', consult: 0.6, department: 'agriculture', where: 'village', texts: ['{village}有病死牲畜被随意丢弃'], asks: ['咨询牲畜免疫时间安排'] },
      { name: '农资质量', weight: 2, season: 'spring', consult: 0.3, department: 'market', where: 'village', texts: ['在{township}农资店买的种子出苗率很低', '{village}买到假化肥，棉花长势差'] },
    ],
  },
  {
    name: '政务服务',
    subs: [
      { name: '办事咨询', weight: 26, season: 'flat', consult: 0.97, department: 'government', where: 'none', texts: ['在政务大厅办事被告知材料不全，要求一次性告知'], asks: ['咨询营业执照办理流程', '咨询不动产登记所需材料', '咨询政务服务中心办公时间', '咨询“一件事一次办”如何办理', '咨询新生儿出生“一件事”需要哪些材料'] },
      { name: '服务态度', weight: 3, season: 'flat', consult: 0.02, department: 'government', where: 'none', texts: ['政务大厅工作人员态度差、推诿扯皮', '窗口工作人员上班时间玩手机'] },
      { name: '表扬感谢', weight: 2, season: 'flat', consult: 0, department: 'government', where: 'none', appeals: [['表扬', 1]], texts: ['感谢窗口工作人员耐心帮忙办理业务', '感谢社区工作人员及时帮忙解决问题'] },
      { name: '热线服务', weight: 2, season: 'flat', consult: 0.3, department: 'government', where: 'none', texts: ['反映的问题承办单位未联系就办结', '对上次工单的处理结果不满意，要求重新办理'], asks: ['咨询12345热线工单办理进度'] },
    ],
  },
  {
    name: '涉企服务',
    subs: [
      { name: '营商环境', weight: 4, season: 'flat', consult: 0.3, department: 'development', enterprise: 1, where: 'none', texts: ['企业反映项目审批时间过长', '企业反映惠企政策兑现慢', '企业反映部门重复检查'] },
      { name: '企业用工', weight: 3, season: 'wages', consult: 0.5, department: 'humanResources', enterprise: 1, where: 'none', texts: ['企业反映招工难，希望协助对接'], asks: ['企业咨询稳岗补贴申领', '企业咨询社保缓缴政策'] },
      { name: '惠企政策', weight: 3, season: 'flat', consult: 0.8, department: 'industry', enterprise: 1, where: 'none', texts: ['企业申报的技改补贴迟迟未拨付'], asks: ['企业咨询中小企业扶持资金申报', '企业咨询研发费用加计扣除政策'] },
      { name: '企业开办', weight: 2, season: 'flat', consult: 0.85, department: 'market', enterprise: 1, where: 'none', texts: ['企业注销手续办理时间过长'], asks: ['咨询企业开办全程网办流程'] },
      { name: '税费咨询', weight: 3, season: 'taxSeason', consult: 0.9, department: 'tax', enterprise: 0.6, where: 'none', texts: ['电子税务局申报系统故障无法申报'], asks: ['咨询个人所得税年度汇算', '咨询小规模纳税人增值税减免政策'] },
      { name: '水电气暖报装', weight: 1, season: 'spring', consult: 0.4, department: 'waterCompany', enterprise: 1, where: 'street', texts: ['企业反映{place}厂房用水报装{days}天未接通'], asks: ['企业咨询用水报装流程'] },
    ],
  },
];

/** Channels with their share of requests. */
export const CHANNELS: readonly [string, number][] = [
  ['电话', 0.58],
  ['微信', 0.15],
  ['网站', 0.06],
  ['移动APP', 0.1],
  ['小程序', 0.09],
  ['短信', 0.02],
];

export const APPEALS: readonly [string, number][] = [
  ['投诉', 0.58],
  ['求助', 0.26],
  ['举报', 0.05],
  ['建议', 0.08],
  ['表扬', 0.03],
];

/** Day of week (0 = Sunday) and hour of day shape of demand. */
export const WEEKDAY = [0.62, 1.12, 1.05, 1.03, 1.02, 0.98, 0.67];
export const HOURS = [0.16, 0.09, 0.05, 0.04, 0.05, 0.1, 0.3, 0.75, 1.45, 2.0, 2.05, 1.85, 1.25, 1.05, 1.4, 1.8, 1.85, 1.6, 1.2, 1.1, 1.05, 0.85, 0.6, 0.32];

// ---------------------------------------------------------------------------------------------
// Callers (invented; personal data the ingest hashes or drops)

export const SURNAMES = '王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤';
export const GIVEN = '伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍建国红梅鹏飞斌文辉力春雪琳晨宇浩然思雨子涵欣怡海燕志刚建新永红';
/** Uyghur and Kazakh given names, written as 名·父名 in Chinese. */
export const MINORITY_NAMES = ['阿依古丽', '古丽娜尔', '努尔兰', '叶尔兰', '热依拉', '买买提江', '艾力', '吐尔逊', '加娜尔', '哈力木拉提', '阿不都热依木', '帕提古丽', '别克', '赛力克', '玛依拉', '木拉提', '阿力木', '迪丽努尔'];
/** Father's names, the second part of such names. */
export const MINORITY_FATHER_NAMES = ['吐尔逊', '买买提', '艾山', '阿不都', '哈力克', '努尔', '托合提', '加汗', '别克', '吾斯曼', '热合曼', '沙吾提'];
