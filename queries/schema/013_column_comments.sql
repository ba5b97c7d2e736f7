-- What each column holds, in the words of the export documents (docs/export-format.md), stored as
-- DuckDB comments: the analysts' snapshot copies them, and the SQL page's table browser shows them
-- beside each column. The KPI rollups are rebuilt with every load and carry none; stg_tickets, the
-- tickets every figure counts, is described by the console itself (pipelines/sql-console.ts).

comment on table tickets is '导入的工单（每张工单最新的状态），含已撤销的；看板与报告计数用 stg_tickets';
comment on column tickets.ticket_id is '工单编号';
comment on column tickets.received_at is '受理时间（北京时间）';
comment on column tickets.channel is '来源渠道：电话/微信/网站/移动APP/小程序/短信/其他';
comment on column tickets.appeal_type is '诉求类型：咨询/求助/投诉/举报/建议/表扬/其他';
comment on column tickets.category_l1 is '一级分类（话务员所填；空或“未分类”时 stg_tickets 取文本模型的建议）';
comment on column tickets.category_l2 is '二级分类';
comment on column tickets.category_l3 is '三级分类';
comment on column tickets.content is '诉求内容（手机号、身份证号、固话与诉求人姓名已脱敏）';
comment on column tickets.address is '诉求地址（其中的号码已脱敏）';
comment on column tickets.district is '所属区县（空：stg_tickets 中为“未知区县”）';
comment on column tickets.township is '乡镇街道（空：stg_tickets 中为“未知乡镇街道”）';
comment on column tickets.phone_hash is '联系电话的加密哈希（只用于识别重复来电；分析快照不含此列）';
comment on column tickets.handling is '办理方式：直接答复/转办';
comment on column tickets.handling_given is '办理方式是否来自导出文件（false：导出没有此列，由映射方案的固定值填入，直接答复率因此不计算）';
comment on column tickets.unit is '承办单位（主办）';
comment on column tickets.co_units is '协办单位，以“、”分隔';
comment on column tickets.dispatched_at is '派单时间';
comment on column tickets.signed_at is '签收时间';
comment on column tickets.deadline_at is '办理时限';
comment on column tickets.completed_at is '办结时间';
comment on column tickets.status is '工单状态：已办结/办理中/待签收/已退回/待回访/已撤销';
comment on column tickets.returned_count is '退单次数';
comment on column tickets.is_enterprise is '是否涉企';
comment on column tickets.is_urgent is '是否紧急';
comment on column tickets.callback_at is '回访时间';
comment on column tickets.satisfaction is '回访结果：满意/基本满意/不满意/未评价';
comment on column tickets.resolved is '是否解决：已解决/未解决';
comment on column tickets.likes is '点赞数（留言板导出）';
comment on column tickets.dislikes is '反对数（留言板导出）';
comment on column tickets.source_profile is '导入时所用的映射方案';
comment on column tickets.first_run_id is '首次导入此工单的导入批次（ingest_runs.run_id）';
comment on column tickets.last_run_id is '最近一次改动此工单的导入批次（ingest_runs.run_id）';
comment on column tickets.activity_at is '此工单最新的事件时间：两份导出中较新的一份以它判断';

comment on table calls is '话务记录（呼叫明细）';
comment on column calls.call_id is '呼叫编号';
comment on column calls.call_at is '来电时间（北京时间）';
comment on column calls.queue is '呼入队列';
comment on column calls.ivr_only is '是否仅自助语音（接通率不计）';
comment on column calls.answered_at is '话务员应答时间（空：未接通）';
comment on column calls.ended_at is '挂机时间';
comment on column calls.agent_id is '话务员工号';
comment on column calls.ticket_id is '关联工单编号';
comment on column calls.source_profile is '导入时所用的映射方案';
comment on column calls.first_run_id is '首次导入此记录的导入批次';
comment on column calls.last_run_id is '最近一次改动此记录的导入批次';
comment on column calls.activity_at is '此记录最新的事件时间';

comment on table units is '承办单位名录';
comment on column units.unit is '单位名称';
comment on column units.unit_kind is '单位类别：州直部门/县市部门/乡镇街道/企业/其他（“三率”排名在类别内排）';
comment on column units.district is '所属区县';

comment on table categories is '参考分类体系（一级/二级/三级分类）';

comment on table ingest_runs is '每个导入文件一行：何时、用哪个映射方案、读了多少行、导入和隔离了多少';
comment on column ingest_runs.file_sha256 is '文件内容的 SHA-256：同样的字节不会导入两次';
comment on column ingest_runs.status is 'loaded（已导入）/ unchanged（重复文件）/ refused（拒绝）';
comment on column ingest_runs.loaded is '新增的记录';
comment on column ingest_runs.updated is '已有、本次有变化的记录';
comment on column ingest_runs.unchanged is '已有、本次没有变化的记录';
comment on column ingest_runs.quarantined is '隔离的行（原因见 quarantine）';

comment on table quarantine is '未能导入的行，附原因；个人信息已去除或脱敏';
comment on column quarantine.row_number is '行号（CSV：记录起始的物理行；XLSX：工作表行号）';
comment on column quarantine.reason is '原因（中文 / English）';
comment on column quarantine.record is '原始记录（JSON），个人信息已去除或脱敏';

comment on table alert_incidents is '预警事件：同一批工单引起的多个序列的告警、同一地点同类问题连续几天的告警合并为一起';
comment on column alert_incidents.head_series is '事件的主序列：解释了大部分超出量的最具体的序列';
comment on column alert_incidents.level is '主序列的层级：l1/l2/district/l1_district/l2_district/burst（集中突发）';
comment on column alert_incidents.place is '小区、村或街道地址（stg_tickets.place）';
comment on column alert_incidents.peak_count is '主序列最高一天的工单量（集中突发：数小时内）';
comment on column alert_incidents.peak_expected is '按历史规律的预期';
comment on column alert_incidents.p_value is '各告警中最小的、经多重检验校正的 p 值';
comment on column alert_incidents.status is 'open（未处理）/ acknowledged（已确认）/ closed（已关闭）';
comment on column alert_incidents.notified is '因此事件发出（或写入发件箱）的邮件数';
