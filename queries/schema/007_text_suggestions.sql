-- What the text models suggest for a ticket, kept apart from what the operator entered: a
-- suggestion never overwrites tickets.category_* or tickets.unit, and every screen that shows one
-- marks it as suggested (建议分类 / 建议承办单位).
create table ticket_suggestions (
  ticket_id           varchar   not null,
  ticket_run_id       bigint    not null,  -- tickets.last_run_id when suggested: a later change of the ticket re-suggests it
  model_version       varchar   not null,  -- the text model's version (its training time)
  category_l1         varchar   not null,  -- 建议一级分类
  category_l2         varchar,             -- 建议二级分类
  confidence          double    not null,  -- calibrated probability of the suggested 一级 × 二级
  l1_confidence       double    not null,  -- … of the suggested 一级 alone
  operator_confidence double,              -- the model's probability of the operator's own category (null without one)
  mismatch            varchar,             -- 'l1' / 'l2': the text strongly disagrees with the operator's 一级 / 二级; else null
  unit                varchar,             -- 建议承办单位
  unit_confidence     double,              -- share of the deciding routing history that went to that unit
  unit_basis          varchar,             -- place / township / district / category / category_l1: which history decided
  suggested_at        timestamp not null
);
