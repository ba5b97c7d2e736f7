-- Readers' reactions on a message-board post (点赞数 / 反对数): how many people share a concern,
-- used to rank hot issues. Empty for exports that do not carry them (a phone hotline's tickets).
alter table tickets add column likes integer;     -- 点赞数
alter table tickets add column dislikes integer;  -- 反对数
