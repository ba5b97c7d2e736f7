import type { KpiSettings } from '../pipelines/kpi.js';

/** The formula of every KPI in words (kpi-definitions.md): the report's definitions appendix. */
export function kpiFormulas(settings: KpiSettings): Record<string, string> {
  return {
    received: '受理时间在本月内的工单数（不含已撤销）',
    dispatched: '本月受理且办理方式为“转办”的工单数',
    direct_answer_rate: '本月受理工单中办理方式为“直接答复”的件数 ÷ 本月受理量',
    completion_rate: '本月受理工单中已办结的件数（有办结时间；直接答复件无办结时间时以受理时间为办结）÷ 本月受理量',
    ontime_completion_rate: '本月转办工单中办结时间 ≤ 办理时限的件数 ÷ 本月转办量',
    ontime_sign_rate: `本月转办工单中签收时间 ≤ 派单时间 + ${settings.signLimitHours} 小时的件数 ÷ 本月转办量`,
    return_rate: '本月转办工单中退单次数 > 0 的件数 ÷ 本月转办量',
    satisfaction_rate: `回访时间在本月的工单中回访结果为“满意”${settings.basicallySatisfiedCounts ? '或“基本满意”' : ''}的件数 ÷ 回访结果为满意/基本满意/不满意的件数`,
    callback_rate: '办结时间在本月的转办工单（不论受理月份）中有回访时间的件数 ÷ 办结时间在本月的转办工单数',
    resolution_rate: '回访时间在本月且“是否解决”为“已解决”的件数 ÷ 回访时间在本月且“是否解决”非空的件数',
    connection_rate: '来电时间在本月、非纯自助语音的呼入中已应答的通数 ÷ 本月非纯自助语音呼入通数',
    answered_within_15s_rate: '本月已应答呼入中应答时间 − 来电时间 ≤ 15 秒的通数 ÷ 本月已应答呼入通数',
    repeat_rate: '本月受理且留有电话的工单中，同一来电号码（加密哈希）在此前 30 天内已就同一二级分类（无二级时一级）提出过诉求的件数 ÷ 本月受理且留有电话的件数',
    avg_handling_hours: '本月转办且已办结工单的（办结时间 − 派单时间）小时数的平均值',
    enterprise: '本月受理且“是否涉企”为“是”的工单数',
  };
}
