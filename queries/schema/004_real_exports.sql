-- Ingest of real exports (migration 004).

-- Readers' reactions on a message-board post (点赞数 / 反对数): how many people share a concern,
-- used to rank hot issues. Empty for exports that do not carry them (a phone hotline's tickets).
alter table tickets add column likes integer;     -- 点赞数
alter table tickets add column dislikes integer;  -- 反对数

-- A profile may leave any field but the record's id and date unknown (its `optional` list): an
-- export without a channel or a status loads with NULL there, and the KPIs that need it show "—".
alter table tickets alter column channel drop not null;
alter table tickets alter column appeal_type drop not null;
alter table tickets alter column category_l1 drop not null;
alter table tickets alter column handling drop not null;
alter table tickets alter column status drop not null;
alter table calls alter column ivr_only drop not null;

-- "Already loaded" means the same bytes read with the same mapping: a file loaded with a profile
-- that has since been fixed loads again.
alter table ingest_runs add column mapping_sha256 varchar;
-- Headers of the file that the profile does not read, '、'-joined (the run summary lists them).
alter table ingest_runs add column unmapped_columns varchar;
