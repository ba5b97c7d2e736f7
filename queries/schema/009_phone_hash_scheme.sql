-- How this warehouse turns a phone number into its keyed hash (pipelines/privacy.ts). A warehouse
-- keeps the scheme it began with, so that a caller's hash never changes: one that already stores
-- hashes keeps hashing twice (its hashes cannot be recomputed without the numbers); a new one
-- hashes once.
create table warehouse_settings (
  name  varchar primary key,
  value varchar not null
);

insert into warehouse_settings (name, value)
select 'phone_hash', case when exists (select 1 from tickets where phone_hash is not null) then 'sha256-twice' else 'sha256-once' end;
