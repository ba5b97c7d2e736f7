-- Macros the ingest staging SQL calls. Created per connection as temporary macros, so nothing of
-- them (and no key) is ever stored in the warehouse file.

-- Any of the accepted date-time spellings → Beijing wall-clock timestamp:
-- the profile's formats, ISO 8601 with a zone (converted to Asia/Shanghai), Excel serial numbers.
create or replace temp macro hp_parse_ts(x, formats) as (
  coalesce(
    try_strptime(x, formats),
    case
      when x is null then null
      when regexp_full_match(x, '[0-9]{5}(\.[0-9]+)?') and x::double between 20000 and 80000
        then timestamp '1899-12-30' + to_microseconds(round(x::double * 86400) ::bigint * 1000000)
      -- a zone as Z, +08:00, +0800 or +08 (the last is how DuckDB and PostgreSQL print one),
      -- after a time with or without its seconds
      when regexp_matches(x, '([Zz]|[+-][0-9]{2}(:?[0-9]{2})?)$') and regexp_matches(x, '^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]')
        then timezone('Asia/Shanghai', try_strptime(regexp_replace(regexp_replace(x, '[Zz]$', '+00:00'), '([+-][0-9]{2})$', '\1:00'),
          ['%Y-%m-%dT%H:%M:%S%z', '%Y-%m-%dT%H:%M:%S.%f%z', '%Y-%m-%d %H:%M:%S%z', '%Y-%m-%d %H:%M:%S.%f%z', '%Y-%m-%dT%H:%M%z', '%Y-%m-%d %H:%M%z']))
      else try_strptime(regexp_replace(x, '\s+', ' ', 'g'), formats)
    end)
);

-- Mobile numbers (with or without +86, written straight or as 139-1234-5678 / 139 1234 5678),
-- landlines with an area code and 18-digit ID numbers inside free text are masked before storage:
-- 138****5678, 0994-***4567, 652301********1234. A local landline without its area code (7–8
-- digits, "该店电话68601516") looks like any other number, so it is masked only right after a word
-- that announces a phone (电话/固话/座机/手机/联系方式, then 号码/是/为/：): ****1516. Amounts,
-- dates and house numbers stay as they are.
create or replace temp macro hp_mask_all(x) as (
  -- (the ID first: an ID number starts with digits that look like a mobile number)
  regexp_replace(
    regexp_replace(
      regexp_replace(
        regexp_replace(x,
          '(^|[^0-9])([1-9][0-9]{5})(?:19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])([0-9]{3}[0-9Xx])', '\1\2********\3', 'g'),
        '(^|[^0-9])((?:\+?86[- ]?)?1[3-9][0-9])[- ]?[0-9]{4}[- ]?([0-9]{4})', '\1\2****\3', 'g'),
      '(^|[^0-9])(0[0-9]{2,3}[- ]?)[0-9]{3,4}([0-9]{4})', '\1\2***\3', 'g'),
    '(电话|固话|座机|手机|联系方式)((?:号码|号|是|为|[:：\s])*)[0-9]{3,4}-?([0-9]{4})([^0-9]|$)', '\1\2****\3\4', 'g')
);

-- What a text holds when it needs more than its plain mobile numbers masked: an ID number or any
-- run of 17 digits, a landline with its area code, a number after 电话…, a mobile number written
-- with a separator, or a mobile-like run of digits right after another digit.
create or replace temp macro hp_mask_pattern() as (
  '[0-9]{17}|0[0-9]{2,3}[- ]?[0-9]{7}|1[3-9][0-9][- ][0-9]{4}|1[3-9][0-9]{5}[- ][0-9]{4}|[0-9]1[3-9][0-9]{9}|(电话|固话|座机|手机|联系方式)(号码|号|是|为|[:：\s])*[0-9]{3,4}-?[0-9]{4}([^0-9]|$)'
);

-- Plain mobile numbers (each at the start of its run of digits) masked by one replacement.
-- (a pattern with a literal first character: RE2 skips from one "1" to the next)
create or replace temp macro hp_mask_mobiles(x) as (
  regexp_replace(x, '(1[3-9][0-9])[0-9]{4}([0-9]{4})', '\1****\2', 'g')
);

-- hp_mask_all's result, faster: most texts that hold a number hold a plain mobile number and
-- nothing else to mask. One test (hp_mask_pattern) finds every text that needs more than that,
-- and masks it by all four rules. What is left can hold only plain mobile numbers, each at the start of its run of digits
-- (the test saw no digit before one), so one replacement without a boundary group masks them.
-- On 2 M texts that each hold a mobile number: 1.5 CPU s instead of 2.3 for the three tests and
-- replacement before. test/ingest/privacy.test.ts checks that both give the same text, on
-- generated texts full of near misses.
create or replace temp macro hp_mask_text(x) as (
  case
    when regexp_matches(x, hp_mask_pattern())
      then hp_mask_all(x)
    when regexp_matches(x, '1[3-9][0-9]{9}') then hp_mask_mobiles(x)
    else x
  end
);

-- The caller's own name inside the text of the same row (我是张三，…) is replaced, as the name
-- itself is never stored. One-character values (姓 only) are left alone.
create or replace temp macro hp_mask_name(x, name) as (
  case when x is null or name is null or length(name) < 2 or not contains(x, name) then x else replace(x, name, '***') end
);

-- A whole phone field, for quarantine previews: keep the first 3 and last 4 digits.
create or replace temp macro hp_mask_phone(x) as (
  case when x is null then null
       when length(regexp_replace(x, '[^0-9]', '', 'g')) >= 7
         then left(regexp_replace(x, '[^0-9]', '', 'g'), 3) || '****' || right(regexp_replace(x, '[^0-9]', '', 'g'), 4)
       else '****' end
);

-- The digits of a phone number that identify the caller: separators dropped, a +86 before a
-- mobile number too, so that 139 1234 5678 and +86-139-1234-5678 are the same caller. The keyed
-- hash of these digits is computed in the mapping, by the warehouse's scheme (pipelines/privacy.ts);
-- the key lives outside the database, so the number cannot be recovered from the hash.
create or replace temp macro hp_phone_digits(x) as (
  case
    when x is null then null
    -- the common case, a plain mobile number, needs no rewriting
    when regexp_full_match(x, '1[3-9][0-9]{9}') then x
    else nullif(regexp_replace(regexp_replace(x, '[^0-9]', '', 'g'), '^86(1[3-9][0-9]{9})$', '\1'), '')
  end
);

-- Text that a spreadsheet would run as a formula (=, +, -, @, tab, CR at the start) gets a leading
-- apostrophe, so an export opened in Excel shows it instead of executing it. Plain numbers stay.
create or replace temp macro hp_safe_text(x) as (
  -- (the first character's code: = + - @ tab CR; a code test is far cheaper than prefix tests, and
  -- x < 'A' — its first byte below 0x41, which every one of them has — cheaper still: it compares
  -- the string's stored prefix, so a text starting with a Chinese character is passed at once)
  case when x < 'A' and list_contains([61, 43, 45, 64, 9, 13], ascii(x)) and not regexp_full_match(x, '[-+]?[0-9][0-9.,]*%?')
       then '''' || x else x end
);

-- Runs of white space (tabs, newlines, full-width spaces pasted from web forms) become one space.
-- Most texts have none: they are recognised by one cheap match and left as they are.
create or replace temp macro hp_squash(x) as (
  case when x = '' or contains(x, '  ') or contains(x, chr(9)) or contains(x, chr(10)) or contains(x, chr(13)) or contains(x, chr(12))
         or contains(x, '　') or starts_with(x, ' ') or ends_with(x, ' ')
       then nullif(trim(regexp_replace(x, '[\s\x{3000}]+', ' ', 'g')), '')
       else x end
);

-- A free-text cell as it is stored: white space squashed, the caller's name and the numbers masked,
-- the same as hp_mask_text(hp_mask_name(hp_squash(x), name)) but cheaper for the common text. One
-- test finds every text that has white space to squash (the cases hp_squash looks for) or needs
-- more than plain mobile numbers masked, and sends it the whole way. What is left has nothing to
-- squash; taking the name out (it becomes ***) cannot make a number to mask, so the text needs at
-- most the plain mobile replacement, and only when it held a mobile number before. The white
-- space rides on the masking test's scan instead of eight scans of its own (0.3 CPU s on 2 M
-- texts of two columns). test/ingest/privacy.test.ts checks both give the same text.
create or replace temp macro hp_clean_text(x, name) as (
  case
    when regexp_matches(x, hp_mask_pattern() || '|[\t\n\r\f]|  |\x{3000}|^ | $|^$') then hp_mask_text(hp_mask_name(hp_squash(x), name))
    when regexp_matches(x, '1[3-9][0-9]{9}') then hp_mask_mobiles(hp_mask_name(x, name))
    else hp_mask_name(x, name)
  end
);

-- A free-text cell of a copy that pipelines/ingest/premask.ts masked: the marker 0x01 in front of
-- a text the pass left to the SQL taken off again.
create or replace temp macro hp_unmark(x) as (
  case when starts_with(x, chr(1)) then substr(x, 2) else x end
);
