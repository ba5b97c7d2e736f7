-- A hot issue (热点话题) that surges on a day is an alarm of its own (level 'topic'): a concern
-- spread over several categories that no category series sees whole. It has no category filter;
-- what it is about is its description, and which tickets it counts are listed, not filtered.
alter table alert_incidents add column topic varchar;        -- the head's description when the head is a topic
alter table alert_incident_series add column topic varchar;  -- a topic member: its description ('翠苑华府整个小区都停水了')
-- a topic member's tickets: those of the day and the similar ones of the weeks before (its daily
-- counts on the chart, its samples in the mail)
alter table alert_days add column ticket_ids varchar[];
