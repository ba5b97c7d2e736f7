-- Whether a ticket's 办理方式 came from the export. An export without that column (a US 311 or a
-- message-board export) gets it from its profile's constant (every request 转办): its 直接答复率
-- printed 0.00 % for a figure the export never had. Such rows store false; the KPI then reads
-- 直接答复率 as missing, with a note, as for any other missing input.
alter table tickets add column handling_given boolean default true;

-- Rows loaded before this column existed: the two shipped profiles that set 办理方式 by a constant
-- (their exports have no such column) are corrected here; any other row keeps true until its
-- export is loaded again.
update tickets set handling_given = false where source_profile in ('us-311', 'message-board');
