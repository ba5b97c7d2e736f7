-- The canonical warehouse. Every timestamp is Beijing wall-clock time (Asia/Shanghai) stored as a
-- plain TIMESTAMP: month boundaries are then simply date_trunc('month', ts), with no zone arithmetic.
-- Personal data never lands here in clear: phone numbers only as a keyed hash, names not at all,
-- phone and ID numbers inside free text masked before storage.

create table tickets (
  ticket_id       varchar   not null,  -- 工单编号
  received_at     timestamp not null,  -- 受理时间
  channel         varchar   not null,  -- 来源渠道: 电话/微信/网站/移动APP/小程序/短信/其他
  appeal_type     varchar   not null,  -- 诉求类型: 咨询/求助/投诉/举报/建议/表扬/其他
  category_l1     varchar   not null,  -- 一级分类
  category_l2     varchar,             -- 二级分类
  category_l3     varchar,             -- 三级分类
  content         varchar,             -- 诉求内容 (masked)
  address         varchar,             -- 诉求地址
  district        varchar,             -- 所属区县
  township        varchar,             -- 乡镇街道
  phone_hash      varchar,             -- keyed hash of 联系电话 (for repeat detection only)
  handling        varchar   not null,  -- 办理方式: 直接答复/转办
  unit            varchar,             -- 承办单位 (lead)
  co_units        varchar,             -- 协办单位, joined with '、'
  dispatched_at   timestamp,           -- 派单时间
  signed_at       timestamp,           -- 签收时间
  deadline_at     timestamp,           -- 办理时限
  completed_at    timestamp,           -- 办结时间
  status          varchar   not null,  -- 工单状态: 已办结/办理中/待签收/已退回/待回访/已撤销
  returned_count  integer,             -- 退单次数
  is_enterprise   boolean,             -- 是否涉企
  is_urgent       boolean,             -- 是否紧急
  callback_at     timestamp,           -- 回访时间
  satisfaction    varchar,             -- 回访结果: 满意/基本满意/不满意/未评价
  resolved        varchar,             -- 是否解决: 已解决/未解决
  source_profile  varchar   not null,  -- the profile that mapped the row
  first_run_id    bigint    not null,  -- ingest run that first loaded the ticket
  last_run_id     bigint    not null,  -- ingest run that last changed it
  activity_at     timestamp not null   -- latest timestamp in the row: decides which export is newer
);

-- Lead (主办) and assisting (协办) units of each dispatched ticket.
create table ticket_units (
  ticket_id varchar not null,
  unit      varchar not null,
  role      varchar not null  -- 主办 / 协办
);

create table calls (
  call_id      varchar   not null,  -- 呼叫编号
  call_at      timestamp not null,  -- 来电时间
  queue        varchar,             -- 呼入队列
  ivr_only     boolean   not null,  -- 是否自助服务
  answered_at  timestamp,           -- 应答时间
  ended_at     timestamp,           -- 挂机时间
  agent_id     varchar,             -- 话务员工号
  ticket_id    varchar,             -- 关联工单
  source_profile varchar not null,
  first_run_id bigint    not null,
  last_run_id  bigint    not null,
  activity_at  timestamp not null
);

create table units (
  unit       varchar not null,  -- 单位名称
  unit_kind  varchar,           -- 单位类别: 州直部门/县市部门/乡镇街道/企业/其他
  district   varchar,           -- 所属区县
  last_run_id bigint not null
);

-- An optional reference taxonomy (一级/二级/三级分类), e.g. a city's published category list.
create table categories (
  category_l1 varchar not null,
  category_l2 varchar,
  category_l3 varchar,
  last_run_id bigint not null
);

create sequence ingest_run_ids start 1;

create table ingest_runs (
  run_id        bigint    not null,
  file_name     varchar   not null,  -- base name as received
  file_path     varchar   not null,
  file_sha256   varchar   not null,  -- identical bytes are never loaded twice
  file_bytes    bigint    not null,
  format        varchar,             -- csv/xlsx/json/ndjson/parquet
  encoding      varchar,
  profile       varchar,
  kind          varchar,             -- tickets/calls/units/categories
  started_at    timestamp not null,
  finished_at   timestamp,
  status        varchar   not null,  -- loaded / unchanged / refused
  rows_read     bigint    not null default 0,
  loaded        bigint    not null default 0,  -- new records
  updated       bigint    not null default 0,  -- existing records that changed
  unchanged     bigint    not null default 0,  -- existing records identical after merge
  quarantined   bigint    not null default 0,
  message       varchar,
  duration_ms   bigint
);

-- Rows that could not be loaded, with the reason in words a person understands.
create table quarantine (
  run_id      bigint  not null,
  file_name   varchar not null,
  row_number  bigint,             -- line in the file (CSV: physical line where the record starts; XLSX: sheet row)
  reason      varchar not null,
  record      varchar             -- the raw record as JSON, personal data removed or masked
);

create sequence job_run_ids start 1;

create table job_runs (
  run_id      bigint    not null,
  job         varchar   not null,
  trigger     varchar   not null,  -- schedule / manual / startup
  started_at  timestamp not null,
  finished_at timestamp,
  status      varchar   not null,  -- running / ok / failed / skipped
  message     varchar
);
