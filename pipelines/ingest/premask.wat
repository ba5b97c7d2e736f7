;; The pass of pipelines/ingest/premask.ts: a UTF-8 CSV's free-text cells masked before DuckDB
;; reads the text (what "plain" means and why it is enough: the comment at the top of premask.ts).
;;
;; The source of premask.wasm beside it; test/ingest/premask.test.ts checks that the two agree
;; (UPDATE_WASM=1 npx vitest run test/ingest/premask.test.ts writes the binary again).
;;
;; work(in, n, out, delimiter, columns) reads the rows at in … in + n − 1, each starting at a
;; row's first byte (the header is not given), and writes each whole row to `out` as it is, but for
;; the free-text cells: a plain one has its mobile numbers' middle four digits made `****` (in the
;; input too), any other gets the byte 0x01 in front of its text. It returns how many input bytes
;; it worked out (the rest is a row cut by the chunk's end: given again with the next bytes), the
;; output's length in `written`; or −1 when the text is not CSV as DuckDB reads it in place, the
;; byte at `problem`. On the way it does the look of outer-space.wat for the bytes it is given,
;; with the file's one delimiter: `spaced` becomes 1 once a space stands beside a cell's edge.
;;
;; A phone cell that is a mobile number becomes 0x02, its hash's 16 hex digits and its first 3 and
;; last 4 digits (premask.ts says why); `hashed` counts them.
;;
;; Memory: bytes 0–255 tell which columns are free text (1), the caller's name (2), the phone to
;; hash (3) or neither (0); from 1024 four words per free-text or hashed phone cell of the row (its
;; text's first byte; its mobile numbers, −1 when not plain or −2 for a phone; where its numbers'
;; places start; the byte after its text); from 5120 the hash's message schedule (64 × 16 bytes),
;; from 6144 its constants K, from 6400 the key's 8 words (premask.ts writes them), from 6432 the
;; waiting numbers' digits and from 6448 where their hashes go, from 6464 the hashes' first two
;; words; from 8192 the places of the row's mobile numbers; rows from 65536.
(module
  (memory (export "memory") 2)
  (global $written (export "written") (mut i32) (i32.const 0))
  (global $problem (export "problem") (mut i32) (i32.const 0))
  (global $marked (export "marked") (mut i32) (i32.const 0))
  (global $numbers (export "numbers") (mut i32) (i32.const 0))
  ;; 1 once a space has stood beside a byte a cell can start after or end before (outer-space.ts)
  (global $spaced (export "spaced") (mut i32) (i32.const 0))
  ;; mobile numbers hashed; those of them waiting for their hash (at most 4)
  (global $hashed (export "hashed") (mut i32) (i32.const 0))
  (global $waiting (mut i32) (i32.const 0))

  ;; a digit 0–9
  (func $digit (param $c i32) (result i32)
    (i32.lt_u (i32.sub (local.get $c) (i32.const 0x30)) (i32.const 10)))

  ;; Whether the cell text start … end − 1 is plain: −1 when not, else its mobile numbers, whose
  ;; first digits' places are stored from slot `slot` on.
  (func $plain (param $s i32) (param $e i32) (param $slot i32) (result i32)
    (local $i i32) (local $c i32) (local $run i32) (local $length i32) (local $found i32) (local $d i32) (local $k i32) (local $v v128) (local $mask i32)
    (if (i32.ge_u (local.get $s) (local.get $e)) (then (return (i32.const 0))))
    (local.set $c (i32.load8_u (local.get $s)))
    (if (i32.or (i32.or (i32.eq (local.get $c) (i32.const 0x20)) (i32.eq (local.get $c) (i32.const 0x01)))
                (i32.eq (i32.load8_u (i32.sub (local.get $e) (i32.const 1))) (i32.const 0x20)))
      (then (return (i32.const -1))))
    (local.set $i (local.get $s))
    (block $done
      (loop $next
        ;; sixteen bytes at a time up to the next byte that matters: a digit, a space or control
        ;; byte, or E3 (the lead byte of U+3000)
        (block $near
          (loop $skip
            (br_if $near (i32.gt_u (i32.add (local.get $i) (i32.const 16)) (local.get $e)))
            (local.set $v (v128.load align=1 (local.get $i)))
            (local.set $mask
              (i8x16.bitmask
                (v128.or
                  (v128.or
                    (i8x16.lt_u (i8x16.sub (local.get $v) (i8x16.splat (i32.const 0x30))) (i8x16.splat (i32.const 10)))
                    (i8x16.le_u (local.get $v) (i8x16.splat (i32.const 0x20))))
                  (i8x16.eq (local.get $v) (i8x16.splat (i32.const 0xe3))))))
            (if (local.get $mask)
              (then
                (local.set $i (i32.add (local.get $i) (i32.ctz (local.get $mask))))
                (br $near)))
            (local.set $i (i32.add (local.get $i) (i32.const 16)))
            (br $skip)))
        (br_if $done (i32.ge_u (local.get $i) (local.get $e)))
        (local.set $c (i32.load8_u (local.get $i)))
        (if (call $digit (local.get $c))
          (then
            ;; a run of digits: at most 6, or a mobile number of exactly 11
            (local.set $run (local.get $i))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (block $ended
              (loop $more
                (br_if $ended (i32.ge_u (local.get $i) (local.get $e)))
                (br_if $ended (i32.eqz (call $digit (i32.load8_u (local.get $i)))))
                (local.set $i (i32.add (local.get $i) (i32.const 1)))
                (br $more)))
            (local.set $length (i32.sub (local.get $i) (local.get $run)))
            (if (i32.ge_u (local.get $length) (i32.const 7))
              (then
                (if (i32.or (i32.or (i32.ne (local.get $length) (i32.const 11)) (i32.ne (local.get $c) (i32.const 0x31)))
                            (i32.lt_u (i32.load8_u (i32.add (local.get $run) (i32.const 1))) (i32.const 0x33)))
                  (then (return (i32.const -1))))
                (if (i32.ge_u (i32.add (local.get $slot) (local.get $found)) (i32.const 14336))
                  (then (return (i32.const -1))))
                (i32.store (i32.add (i32.const 8192) (i32.shl (i32.add (local.get $slot) (local.get $found)) (i32.const 2))) (local.get $run))
                (local.set $found (i32.add (local.get $found) (i32.const 1)))))
            ;; a run of 3 or more, then - or a space, then 4 digits
            (if (i32.and (i32.ge_u (local.get $length) (i32.const 3)) (i32.lt_u (i32.add (local.get $i) (i32.const 4)) (local.get $e)))
              (then
                (local.set $d (i32.load8_u (local.get $i)))
                (if (i32.or (i32.eq (local.get $d) (i32.const 0x2d)) (i32.eq (local.get $d) (i32.const 0x20)))
                  (then
                    (local.set $k (i32.const 0))
                    (block $short
                      (loop $count
                        (br_if $short (i32.ge_u (local.get $k) (i32.const 4)))
                        (br_if $short (i32.eqz (call $digit (i32.load8_u (i32.add (i32.add (local.get $i) (i32.const 1)) (local.get $k))))))
                        (local.set $k (i32.add (local.get $k) (i32.const 1)))
                        (br $count)))
                    (if (i32.eq (local.get $k) (i32.const 4)) (then (return (i32.const -1))))))))
            (br $next)))
        (if (i32.le_u (local.get $c) (i32.const 0x20))
          (then
            (if (i32.or (i32.or (i32.eq (local.get $c) (i32.const 0x09)) (i32.eq (local.get $c) (i32.const 0x0a)))
                        (i32.or (i32.eq (local.get $c) (i32.const 0x0d)) (i32.eq (local.get $c) (i32.const 0x0c))))
              (then (return (i32.const -1))))
            (if (i32.and (i32.eq (local.get $c) (i32.const 0x20))
                         (i32.lt_u (i32.add (local.get $i) (i32.const 1)) (local.get $e)))
              (then
                (if (i32.eq (i32.load8_u (i32.add (local.get $i) (i32.const 1))) (i32.const 0x20))
                  (then (return (i32.const -1)))))))
          (else
            ;; U+3000, the ideographic space: E3 80 80
            (if (i32.and (i32.eq (local.get $c) (i32.const 0xe3))
                         (i32.lt_u (i32.add (local.get $i) (i32.const 2)) (local.get $e)))
              (then
                (if (i32.and (i32.eq (i32.load8_u (i32.add (local.get $i) (i32.const 1))) (i32.const 0x80))
                             (i32.eq (i32.load8_u (i32.add (local.get $i) (i32.const 2))) (i32.const 0x80)))
                  (then (return (i32.const -1))))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (local.get $found))

;; Whether a name cell is one the SQL must take out itself: it holds a digit or `*` (the masking
  ;; of numbers could change where it stands) or a space at either end (a trimming load takes it out
  ;; without that space). (A quote is no reason: the name's bytes hold it doubled, as do a quoted
  ;; text's, so the bytes match where the texts do.)
  (func $nameNeedsSql (param $s i32) (param $e i32) (result i32)
    (local $c i32)
    (if (i32.lt_u (local.get $s) (local.get $e))
      (then
        (if (i32.or (i32.eq (i32.load8_u (local.get $s)) (i32.const 0x20)) (i32.eq (i32.load8_u (i32.sub (local.get $e) (i32.const 1))) (i32.const 0x20)))
          (then (return (i32.const 1))))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $s) (local.get $e)))
        (local.set $c (i32.load8_u (local.get $s)))
        (if (i32.or (call $digit (local.get $c)) (i32.eq (local.get $c) (i32.const 0x2a))) (then (return (i32.const 1))))
        (local.set $s (i32.add (local.get $s) (i32.const 1)))
        (br $next)))
    (i32.const 0))

  ;; Whether the text s … e − 1 holds the name ns … ne − 1 (never an empty one): sixteen places at
  ;; a time where the name's first byte stands and its last byte as far on as the name ends, each
  ;; then compared. The bytes after the text may be loaded (the input is followed by 64 zeros),
  ;; never taken as a place.
  (func $holds (param $s i32) (param $e i32) (param $ns i32) (param $ne i32) (result i32)
    (local $length i32) (local $last i32) (local $first v128) (local $final v128) (local $mask i32) (local $p i32) (local $k i32)
    (local.set $length (i32.sub (local.get $ne) (local.get $ns)))
    (if (i32.or (i32.eqz (local.get $length)) (i32.gt_u (local.get $length) (i32.sub (local.get $e) (local.get $s))))
      (then (return (i32.const 0))))
    (local.set $last (i32.sub (local.get $e) (local.get $length)))
    (local.set $first (i8x16.splat (i32.load8_u (local.get $ns))))
    (local.set $final (i8x16.splat (i32.load8_u (i32.sub (local.get $ne) (i32.const 1)))))
    (block $none
      (loop $block
        (br_if $none (i32.gt_u (local.get $s) (local.get $last)))
        (local.set $mask
          (i8x16.bitmask
            (v128.and
              (i8x16.eq (v128.load align=1 (local.get $s)) (local.get $first))
              (i8x16.eq (v128.load align=1 (i32.sub (i32.add (local.get $s) (local.get $length)) (i32.const 1))) (local.get $final)))))
        (block $places
          (loop $place
            (br_if $places (i32.eqz (local.get $mask)))
            (local.set $p (i32.add (local.get $s) (i32.ctz (local.get $mask))))
            (br_if $none (i32.gt_u (local.get $p) (local.get $last)))
            (local.set $mask (i32.and (local.get $mask) (i32.sub (local.get $mask) (i32.const 1))))
            (local.set $k (i32.const 1))
            (block $differs
              (loop $byte
                (if (i32.ge_u (local.get $k) (local.get $length)) (then (return (i32.const 1))))
                (br_if $differs (i32.ne (i32.load8_u (i32.add (local.get $p) (local.get $k))) (i32.load8_u (i32.add (local.get $ns) (local.get $k)))))
                (local.set $k (i32.add (local.get $k) (i32.const 1)))
                (br $byte)))
            (br $place)))
        (local.set $s (i32.add (local.get $s) (i32.const 16)))
        (br $block)))
    (i32.const 0))

    ;; The mobile numbers' hashes: SHA-256 of the key's 32 bytes and the number's 11 digits (one
  ;; block), for four numbers at once, a lane each. The constants K from 6144, the key's words
  ;; from 6400, the lanes' digits' places from 6432, the message schedule from 5120.
  (data (i32.const 6144) "\98\2f\8a\42\91\44\37\71\cf\fb\c0\b5\a5\db\b5\e9\5b\c2\56\39\f1\11\f1\59\a4\82\3f\92\d5\5e\1c\ab\98\aa\07\d8\01\5b\83\12\be\85\31\24\c3\7d\0c\55\74\5d\be\72\fe\b1\de\80\a7\06\dc\9b\74\f1\9b\c1\c1\69\9b\e4\86\47\be\ef\c6\9d\c1\0f\cc\a1\0c\24\6f\2c\e9\2d\aa\84\74\4a\dc\a9\b0\5c\da\88\f9\76\52\51\3e\98\6d\c6\31\a8\c8\27\03\b0\c7\7f\59\bf\f3\0b\e0\c6\47\91\a7\d5\51\63\ca\06\67\29\29\14\85\0a\b7\27\38\21\1b\2e\fc\6d\2c\4d\13\0d\38\53\54\73\0a\65\bb\0a\6a\76\2e\c9\c2\81\85\2c\72\92\a1\e8\bf\a2\4b\66\1a\a8\70\8b\4b\c2\a3\51\6c\c7\19\e8\92\d1\24\06\99\d6\85\35\0e\f4\70\a0\6a\10\16\c1\a4\19\08\6c\37\1e\4c\77\48\27\b5\bc\b0\34\b3\0c\1c\39\4a\aa\d8\4e\4f\ca\9c\5b\f3\6f\2e\68\ee\82\8f\74\6f\63\a5\78\14\78\c8\84\08\02\c7\8c\fa\ff\be\90\eb\6c\50\a4\f7\a3\f9\be\f2\78\71\c6")
  (func $hash4
    (local $w i32) (local $t i32) (local $x v128) (local $t1 v128) (local $a v128) (local $b v128) (local $c v128) (local $d v128) (local $e v128) (local $f v128) (local $g v128) (local $h v128) (local $d0 i32) (local $d1 i32) (local $d2 i32) (local $d3 i32)
    (local.set $d0 (i32.load (i32.const 6432))) (local.set $d1 (i32.load (i32.const 6436))) (local.set $d2 (i32.load (i32.const 6440))) (local.set $d3 (i32.load (i32.const 6444)))
    (v128.store offset=5120 (i32.const 0) (i32x4.splat (i32.load (i32.const 6400))))
    (v128.store offset=5136 (i32.const 0) (i32x4.splat (i32.load (i32.const 6404))))
    (v128.store offset=5152 (i32.const 0) (i32x4.splat (i32.load (i32.const 6408))))
    (v128.store offset=5168 (i32.const 0) (i32x4.splat (i32.load (i32.const 6412))))
    (v128.store offset=5184 (i32.const 0) (i32x4.splat (i32.load (i32.const 6416))))
    (v128.store offset=5200 (i32.const 0) (i32x4.splat (i32.load (i32.const 6420))))
    (v128.store offset=5216 (i32.const 0) (i32x4.splat (i32.load (i32.const 6424))))
    (v128.store offset=5232 (i32.const 0) (i32x4.splat (i32.load (i32.const 6428))))
    (v128.store offset=5248 (i32.const 0) (i8x16.swizzle (i32x4.replace_lane 3 (i32x4.replace_lane 2 (i32x4.replace_lane 1 (i32x4.splat (i32.load offset=0 (local.get $d0))) (i32.load offset=0 (local.get $d1))) (i32.load offset=0 (local.get $d2))) (i32.load offset=0 (local.get $d3))) (v128.const i8x16 3 2 1 0 7 6 5 4 11 10 9 8 15 14 13 12)))
    (v128.store offset=5264 (i32.const 0) (i8x16.swizzle (i32x4.replace_lane 3 (i32x4.replace_lane 2 (i32x4.replace_lane 1 (i32x4.splat (i32.load offset=4 (local.get $d0))) (i32.load offset=4 (local.get $d1))) (i32.load offset=4 (local.get $d2))) (i32.load offset=4 (local.get $d3))) (v128.const i8x16 3 2 1 0 7 6 5 4 11 10 9 8 15 14 13 12)))
    (v128.store offset=5280 (i32.const 0) (v128.or (v128.and (i8x16.swizzle (i32x4.replace_lane 3 (i32x4.replace_lane 2 (i32x4.replace_lane 1 (i32x4.splat (i32.load offset=8 (local.get $d0))) (i32.load offset=8 (local.get $d1))) (i32.load offset=8 (local.get $d2))) (i32.load offset=8 (local.get $d3))) (v128.const i8x16 3 2 1 0 7 6 5 4 11 10 9 8 15 14 13 12)) (i32x4.splat (i32.const -256))) (i32x4.splat (i32.const 0x80))))
    (v128.store offset=5296 (i32.const 0) (v128.const i64x2 0 0))
    (v128.store offset=5312 (i32.const 0) (v128.const i64x2 0 0))
    (v128.store offset=5328 (i32.const 0) (v128.const i64x2 0 0))
    (v128.store offset=5344 (i32.const 0) (v128.const i64x2 0 0))
    (v128.store offset=5360 (i32.const 0) (i32x4.splat (i32.const 344)))
    (local.set $w (i32.const 5120))
    (block $scheduled
      (loop $schedule
        (br_if $scheduled (i32.ge_u (local.get $w) (i32.const 5888)))
        (v128.store offset=256 (local.get $w)
          (i32x4.add
            (i32x4.add (v128.xor (v128.xor (v128.or (i32x4.shr_u (v128.load offset=224 (local.get $w)) (i32.const 17)) (i32x4.shl (v128.load offset=224 (local.get $w)) (i32.const 15))) (v128.or (i32x4.shr_u (v128.load offset=224 (local.get $w)) (i32.const 19)) (i32x4.shl (v128.load offset=224 (local.get $w)) (i32.const 13)))) (i32x4.shr_u (v128.load offset=224 (local.get $w)) (i32.const 10))) (v128.load offset=144 (local.get $w)))
            (i32x4.add (v128.xor (v128.xor (v128.or (i32x4.shr_u (v128.load offset=16 (local.get $w)) (i32.const 7)) (i32x4.shl (v128.load offset=16 (local.get $w)) (i32.const 25))) (v128.or (i32x4.shr_u (v128.load offset=16 (local.get $w)) (i32.const 18)) (i32x4.shl (v128.load offset=16 (local.get $w)) (i32.const 14)))) (i32x4.shr_u (v128.load offset=16 (local.get $w)) (i32.const 3))) (v128.load offset=0 (local.get $w)))))
        (local.set $w (i32.add (local.get $w) (i32.const 16)))
        (br $schedule)))
    (local.set $a (i32x4.splat (i32.const 1779033703)))
    (local.set $b (i32x4.splat (i32.const -1150833019)))
    (local.set $c (i32x4.splat (i32.const 1013904242)))
    (local.set $d (i32x4.splat (i32.const -1521486534)))
    (local.set $e (i32x4.splat (i32.const 1359893119)))
    (local.set $f (i32x4.splat (i32.const -1694144372)))
    (local.set $g (i32x4.splat (i32.const 528734635)))
    (local.set $h (i32x4.splat (i32.const 1541459225)))
    (local.set $t (i32.const 0))
    (block $rounds
      (loop $round
        (br_if $rounds (i32.ge_u (local.get $t) (i32.const 64)))
        (local.set $t1
          (i32x4.add
            (i32x4.add (local.get $h) (v128.xor (v128.xor (v128.or (i32x4.shr_u (local.get $e) (i32.const 6)) (i32x4.shl (local.get $e) (i32.const 26))) (v128.or (i32x4.shr_u (local.get $e) (i32.const 11)) (i32x4.shl (local.get $e) (i32.const 21)))) (v128.or (i32x4.shr_u (local.get $e) (i32.const 25)) (i32x4.shl (local.get $e) (i32.const 7)))))
            (i32x4.add
              (v128.bitselect (local.get $f) (local.get $g) (local.get $e))
              (i32x4.add (i32x4.splat (i32.load offset=6144 (i32.shl (local.get $t) (i32.const 2)))) (v128.load offset=5120 (i32.shl (local.get $t) (i32.const 4)))))))
        (local.set $x (i32x4.add (v128.xor (v128.xor (v128.or (i32x4.shr_u (local.get $a) (i32.const 2)) (i32x4.shl (local.get $a) (i32.const 30))) (v128.or (i32x4.shr_u (local.get $a) (i32.const 13)) (i32x4.shl (local.get $a) (i32.const 19)))) (v128.or (i32x4.shr_u (local.get $a) (i32.const 22)) (i32x4.shl (local.get $a) (i32.const 10)))) (v128.bitselect (local.get $c) (local.get $b) (v128.xor (local.get $a) (local.get $b)))))
        (local.set $h (local.get $g))
        (local.set $g (local.get $f))
        (local.set $f (local.get $e))
        (local.set $e (i32x4.add (local.get $d) (local.get $t1)))
        (local.set $d (local.get $c))
        (local.set $c (local.get $b))
        (local.set $b (local.get $a))
        (local.set $a (i32x4.add (local.get $t1) (local.get $x)))
        (local.set $t (i32.add (local.get $t) (i32.const 1)))
        (br $round)))
    ;; the first eight bytes of each digest (H0 and H1, the 16 hex digits kept)
    (v128.store (i32.const 6464) (i32x4.add (local.get $a) (i32x4.splat (i32.const 1779033703))))
    (v128.store (i32.const 6480) (i32x4.add (local.get $b) (i32x4.splat (i32.const -1150833019)))))

  ;; Writes lane j's 16 hex digits (H0 then H1, big-endian, lower case) at `to`.
  (func $hexOut (param $j i32) (param $to i32)
    (local $v v128)
    (local.set $v
      (if (result v128) (i32.lt_u (local.get $j) (i32.const 2))
        (then (if (result v128) (i32.eqz (local.get $j)) (then (i8x16.shuffle 3 2 1 0 19 18 17 16 0 0 0 0 0 0 0 0 (v128.load (i32.const 6464)) (v128.load (i32.const 6480)))) (else (i8x16.shuffle 7 6 5 4 23 22 21 20 0 0 0 0 0 0 0 0 (v128.load (i32.const 6464)) (v128.load (i32.const 6480))))))
        (else (if (result v128) (i32.eq (local.get $j) (i32.const 2)) (then (i8x16.shuffle 11 10 9 8 27 26 25 24 0 0 0 0 0 0 0 0 (v128.load (i32.const 6464)) (v128.load (i32.const 6480)))) (else (i8x16.shuffle 15 14 13 12 31 30 29 28 0 0 0 0 0 0 0 0 (v128.load (i32.const 6464)) (v128.load (i32.const 6480))))))))
    ;; each byte's high and low half, in turn, through the digits' table
    (v128.store align=1 (local.get $to)
      (i8x16.swizzle
        (v128.const i8x16 0x30 0x31 0x32 0x33 0x34 0x35 0x36 0x37 0x38 0x39 0x61 0x62 0x63 0x64 0x65 0x66)
        (i8x16.shuffle 0 16 1 17 2 18 3 19 4 20 5 21 6 22 7 23
          (i8x16.shr_u (local.get $v) (i32.const 4))
          (v128.and (local.get $v) (i8x16.splat (i32.const 0x0f)))))))

  ;; Whether the text s … e − 1 is a mobile number and nothing else: 1[3-9] and nine digits.
  (func $mobile (param $s i32) (param $e i32) (result i32)
    (local $i i32)
    (if (i32.ne (i32.sub (local.get $e) (local.get $s)) (i32.const 11)) (then (return (i32.const 0))))
    (if (i32.or (i32.ne (i32.load8_u (local.get $s)) (i32.const 0x31))
                (i32.gt_u (i32.sub (i32.load8_u offset=1 (local.get $s)) (i32.const 0x33)) (i32.const 6)))
      (then (return (i32.const 0))))
    (local.set $i (i32.const 2))
    (block $no
      (loop $next
        (br_if $no (i32.eqz (call $digit (i32.load8_u (i32.add (local.get $s) (local.get $i))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $next (i32.lt_u (local.get $i) (i32.const 11)))
        (return (i32.const 1))))
    (i32.const 0))

  ;; Hashes the waiting numbers (a lane not taken hashes the first one again) and writes each hash.
  (func $hashWaiting
    (local $j i32)
    (local.set $j (global.get $waiting))
    (block $filled
      (loop $fill
        (br_if $filled (i32.ge_u (local.get $j) (i32.const 4)))
        (i32.store (i32.add (i32.const 6432) (i32.shl (local.get $j) (i32.const 2))) (i32.load (i32.const 6432)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $fill)))
    (call $hash4)
    (local.set $j (i32.const 0))
    (block $written
      (loop $write
        (br_if $written (i32.ge_u (local.get $j) (global.get $waiting)))
        (call $hexOut (local.get $j) (i32.load (i32.add (i32.const 6448) (i32.shl (local.get $j) (i32.const 2)))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $write)))
    (global.set $waiting (i32.const 0)))

;; The bytes of the 64 at hand (a b c d, 16 each) equal to the byte of `v`, as 64 bits.
  (func $bits (param $a v128) (param $b v128) (param $c v128) (param $d v128) (param $v v128) (result i64)
    (i64.or
      (i64.or
        (i64.extend_i32_u (i8x16.bitmask (i8x16.eq (local.get $a) (local.get $v))))
        (i64.shl (i64.extend_i32_u (i8x16.bitmask (i8x16.eq (local.get $b) (local.get $v)))) (i64.const 16)))
      (i64.or
        (i64.shl (i64.extend_i32_u (i8x16.bitmask (i8x16.eq (local.get $c) (local.get $v)))) (i64.const 32))
        (i64.shl (i64.extend_i32_u (i8x16.bitmask (i8x16.eq (local.get $d) (local.get $v)))) (i64.const 48)))))

  ;; Each bit the exclusive-or of itself and every bit below it: 1 inside a quoted cell (its
  ;; opening quote included, its closing quote not).
  (func $prefixXor (param $x i64) (result i64)
    (local.set $x (i64.xor (local.get $x) (i64.shl (local.get $x) (i64.const 1))))
    (local.set $x (i64.xor (local.get $x) (i64.shl (local.get $x) (i64.const 2))))
    (local.set $x (i64.xor (local.get $x) (i64.shl (local.get $x) (i64.const 4))))
    (local.set $x (i64.xor (local.get $x) (i64.shl (local.get $x) (i64.const 8))))
    (local.set $x (i64.xor (local.get $x) (i64.shl (local.get $x) (i64.const 16))))
    (i64.xor (local.get $x) (i64.shl (local.get $x) (i64.const 32))))

  (func $fail (param $at i32) (param $in i32) (result i32)
    (global.set $problem (i32.sub (local.get $at) (local.get $in)))
    (i32.const -1))

  ;; The rows 64 bytes at a time: where the quotes, delimiters and line feeds are, which of them
  ;; lie inside quoted cells (by the quotes' parity), and whether every quote stands where CSV
  ;; allows one (an opening quote after a delimiter, a line feed or another quote; a closing quote
  ;; before one of them, a CR or another quote). Then each delimiter and line feed outside quotes
  ;; ends a cell, in order. The input must be followed by 64 bytes of zeros.
  (func (export "work") (param $in i32) (param $n i32) (param $out i32) (param $delimiter i32) (param $columns i32) (result i32)
    (local $end i32) (local $b i32) (local $row i32) (local $fieldStart i32) (local $pos i32) (local $e i32) (local $s i32) (local $t i32)
    (local $column i32) (local $cells i32) (local $slots i32) (local $nameDigits i32) (local $found i32) (local $nameS i32) (local $nameT i32) (local $plainCell i32)
    (local $quotes v128) (local $delimiters v128) (local $feeds v128) (local $returns v128) (local $spaces v128)
    (local $v0 v128) (local $v1 v128) (local $v2 v128) (local $v3 v128)
    (local $q i64) (local $d i64) (local $l i64) (local $r i64) (local $inside i64) (local $carry i64) (local $stops i64)
    (local $before i64) (local $after i64) (local $bad i64) (local $valid i64) (local $lastTop i64) (local $next i32)
    (local $w i32) (local $from i32) (local $k i32) (local $cell i32) (local $at i32) (local $m i32) (local $last i32)
    (local.set $quotes (i8x16.splat (i32.const 0x22)))
    (local.set $delimiters (i8x16.splat (local.get $delimiter)))
    (local.set $feeds (i8x16.splat (i32.const 0x0a)))
    (local.set $returns (i8x16.splat (i32.const 0x0d)))
    (local.set $spaces (i8x16.splat (i32.const 0x20)))
    (global.set $waiting (i32.const 0))
    (local.set $end (i32.add (local.get $in) (local.get $n)))
    (local.set $w (local.get $out))
    (local.set $row (local.get $in))
    (local.set $fieldStart (local.get $in))
    ;; the byte before the input ends a row: an opening quote may follow it
    (local.set $lastTop (i64.const 1))
    (local.set $b (local.get $in))
    (block $stop
      (loop $blocks
        (br_if $stop (i32.ge_u (local.get $b) (local.get $end)))
        (local.set $valid
          (if (result i64) (i32.ge_u (i32.sub (local.get $end) (local.get $b)) (i32.const 64))
            (then (i64.const -1))
            (else (i64.sub (i64.shl (i64.const 1) (i64.extend_i32_u (i32.sub (local.get $end) (local.get $b)))) (i64.const 1)))))
        (local.set $v0 (v128.load align=1 (local.get $b)))
        (local.set $v1 (v128.load offset=16 align=1 (local.get $b)))
        (local.set $v2 (v128.load offset=32 align=1 (local.get $b)))
        (local.set $v3 (v128.load offset=48 align=1 (local.get $b)))
        (local.set $q (call $bits (local.get $v0) (local.get $v1) (local.get $v2) (local.get $v3) (local.get $quotes)))
        (local.set $d (call $bits (local.get $v0) (local.get $v1) (local.get $v2) (local.get $v3) (local.get $delimiters)))
        (local.set $l (call $bits (local.get $v0) (local.get $v1) (local.get $v2) (local.get $v3) (local.get $feeds)))
        (local.set $r (call $bits (local.get $v0) (local.get $v1) (local.get $v2) (local.get $v3) (local.get $returns)))
        (local.set $inside (i64.xor (call $prefixXor (local.get $q)) (local.get $carry)))
        (local.set $carry (i64.shr_s (local.get $inside) (i64.const 63)))
        ;; quotes where CSV allows none: an opening one not after a delimiter, line feed or quote;
        ;; a closing one not before a delimiter, line feed, CR or quote (the byte after the
        ;; block: its first bit below)
        (local.set $before (i64.or (i64.shl (i64.or (i64.or (local.get $d) (local.get $l)) (local.get $q)) (i64.const 1)) (local.get $lastTop)))
        (local.set $lastTop (i64.shr_u (i64.or (i64.or (local.get $d) (local.get $l)) (local.get $q)) (i64.const 63)))
        (local.set $next (i32.load8_u offset=64 (local.get $b)))
        (local.set $after
          (i64.or
            (i64.shr_u (i64.or (i64.or (local.get $d) (local.get $l)) (i64.or (local.get $r) (local.get $q))) (i64.const 1))
            (i64.shl
              (i64.extend_i32_u
                (i32.or (i32.or (i32.eq (local.get $next) (local.get $delimiter)) (i32.eq (local.get $next) (i32.const 0x0a)))
                        (i32.or (i32.eq (local.get $next) (i32.const 0x0d)) (i32.eq (local.get $next) (i32.const 0x22)))))
              (i64.const 63))))
        ;; a space after a delimiter, line feed or quote, or before one of them or a CR: a cell
        ;; may start or end with a space (inside a quoted cell too: the look errs towards trimming)
        (if (i32.eqz (global.get $spaced))
          (then
            (if (i64.ne
                  (i64.and
                    (i64.and (call $bits (local.get $v0) (local.get $v1) (local.get $v2) (local.get $v3) (local.get $spaces))
                             (i64.or (local.get $before) (local.get $after)))
                    (local.get $valid))
                  (i64.const 0))
              (then (global.set $spaced (i32.const 1))))))
        (local.set $bad
          (i64.and
            (i64.or
              (i64.and (i64.and (local.get $q) (local.get $inside)) (i64.xor (local.get $before) (i64.const -1)))
              (i64.and (i64.and (local.get $q) (i64.xor (local.get $inside) (i64.const -1))) (i64.xor (local.get $after) (i64.const -1))))
            (local.get $valid)))
        (if (i64.ne (local.get $bad) (i64.const 0))
          (then
            (local.set $pos (i32.add (local.get $b) (i32.wrap_i64 (i64.ctz (local.get $bad)))))
            ;; (a closing quote that is the input's last byte: its row waits for the next bytes)
            (br_if $stop (i32.ge_u (i32.add (local.get $pos) (i32.const 1)) (local.get $end)))
            (return (call $fail (local.get $pos) (local.get $in)))))
        (local.set $stops
          (i64.and (i64.and (i64.or (local.get $d) (local.get $l)) (i64.xor (local.get $inside) (i64.const -1))) (local.get $valid)))
        (block $cellsDone
          (loop $eachStop
            (br_if $cellsDone (i64.eqz (local.get $stops)))
            (local.set $pos (i32.add (local.get $b) (i32.wrap_i64 (i64.ctz (local.get $stops)))))
            (local.set $stops (i64.and (local.get $stops) (i64.sub (local.get $stops) (i64.const 1))))
            ;; a delimiter after a cell the pass does not look at (most): only counted
            (if (i32.eqz (i32.or (i32.eq (i32.load8_u (local.get $pos)) (i32.const 0x0a)) (i32.load8_u (local.get $column))))
              (then
                (local.set $column (i32.add (local.get $column) (i32.const 1)))
                (if (i32.ge_u (local.get $column) (local.get $columns)) (then (return (call $fail (local.get $pos) (local.get $in)))))
                (local.set $fieldStart (i32.add (local.get $pos) (i32.const 1)))
                (br $eachStop)))
            ;; the cell fieldStart … pos − 1 (a CR before the line feed not in it); its text
            (local.set $e (local.get $pos))
            (if (i32.eq (i32.load8_u (local.get $pos)) (i32.const 0x0a))
              (then
                (if (i32.gt_u (local.get $e) (local.get $fieldStart))
                  (then
                    (if (i32.eq (i32.load8_u (i32.sub (local.get $e) (i32.const 1))) (i32.const 0x0d))
                      (then (local.set $e (i32.sub (local.get $e) (i32.const 1)))))))))
            (local.set $s (local.get $fieldStart))
            (local.set $t (local.get $e))
            (if (i32.and (i32.lt_u (local.get $s) (local.get $t)) (i32.eq (i32.load8_u (local.get $s)) (i32.const 0x22)))
              (then
                (local.set $s (i32.add (local.get $s) (i32.const 1)))
                (local.set $t (i32.sub (local.get $t) (i32.const 1)))))
            (if (i32.ge_u (local.get $column) (local.get $columns)) (then (return (call $fail (local.get $fieldStart) (local.get $in)))))
            (if (i32.and (i32.eq (i32.load8_u (local.get $column)) (i32.const 1)) (i32.gt_u (local.get $t) (local.get $s)))
              (then
                (local.set $found (call $plain (local.get $s) (local.get $t) (local.get $slots)))
                (local.set $cell (i32.add (i32.const 1024) (i32.shl (local.get $cells) (i32.const 4))))
                (i32.store (local.get $cell) (local.get $s))
                (i32.store offset=4 (local.get $cell) (local.get $found))
                (i32.store offset=8 (local.get $cell) (local.get $slots))
                (i32.store offset=12 (local.get $cell) (local.get $t))
                (local.set $cells (i32.add (local.get $cells) (i32.const 1)))
                (if (i32.gt_s (local.get $found) (i32.const 0))
                  (then (local.set $slots (i32.add (local.get $slots) (local.get $found))))))
              (else
                (if (i32.eq (i32.load8_u (local.get $column)) (i32.const 2))
                  (then
                    (local.set $nameDigits (call $nameNeedsSql (local.get $s) (local.get $t)))
                    (local.set $nameS (local.get $s))
                    (local.set $nameT (local.get $t))))
                ;; a phone cell that is a mobile number and nothing else: hashed here (−2)
                (if (i32.and (i32.eq (i32.load8_u (local.get $column)) (i32.const 3)) (call $mobile (local.get $s) (local.get $t)))
                  (then
                    (local.set $cell (i32.add (i32.const 1024) (i32.shl (local.get $cells) (i32.const 4))))
                    (i32.store (local.get $cell) (local.get $s))
                    (i32.store offset=4 (local.get $cell) (i32.const -2))
                    (local.set $cells (i32.add (local.get $cells) (i32.const 1)))))))
            (local.set $fieldStart (i32.add (local.get $pos) (i32.const 1)))
            (if (i32.ne (i32.load8_u (local.get $pos)) (i32.const 0x0a))
              (then
                (local.set $column (i32.add (local.get $column) (i32.const 1)))
                (if (i32.ge_u (local.get $column) (local.get $columns)) (then (return (call $fail (local.get $pos) (local.get $in)))))
                (br $eachStop)))
            ;; a line feed: the row is whole
            (if (i32.ne (i32.add (local.get $column) (i32.const 1)) (local.get $columns))
              (then (return (call $fail (local.get $row) (local.get $in)))))
            ;; mask its plain cells in place, and copy it out with the markers
            (local.set $from (local.get $row))
            (local.set $k (i32.const 0))
            (block $emitted
              (loop $each
                (br_if $emitted (i32.ge_u (local.get $k) (local.get $cells)))
                (local.set $cell (i32.add (i32.const 1024) (i32.shl (local.get $k) (i32.const 4))))
                (local.set $at (i32.load (local.get $cell)))
                (local.set $found (i32.load offset=4 (local.get $cell)))
                ;; a mobile number: 0x02, its hash's 16 hex digits (written once four are hashed), its
                ;; first 3 and last 4 digits (what a quarantined row shows)
                (if (i32.eq (local.get $found) (i32.const -2))
                  (then
                    (memory.copy (local.get $w) (local.get $from) (i32.sub (local.get $at) (local.get $from)))
                    (local.set $w (i32.add (local.get $w) (i32.sub (local.get $at) (local.get $from))))
                    (i32.store8 (local.get $w) (i32.const 0x02))
                    (i32.store (i32.add (i32.const 6432) (i32.shl (global.get $waiting) (i32.const 2))) (local.get $at))
                    (i32.store (i32.add (i32.const 6448) (i32.shl (global.get $waiting) (i32.const 2))) (i32.add (local.get $w) (i32.const 1)))
                    (global.set $waiting (i32.add (global.get $waiting) (i32.const 1)))
                    (memory.copy (i32.add (local.get $w) (i32.const 17)) (local.get $at) (i32.const 3))
                    (i32.store align=1 (i32.add (local.get $w) (i32.const 20)) (i32.load align=1 (i32.add (local.get $at) (i32.const 7))))
                    (local.set $w (i32.add (local.get $w) (i32.const 24)))
                    (local.set $from (i32.add (local.get $at) (i32.const 11)))
                    (global.set $hashed (i32.add (global.get $hashed) (i32.const 1)))
                    (if (i32.eq (global.get $waiting) (i32.const 4)) (then (call $hashWaiting)))
                    (local.set $k (i32.add (local.get $k) (i32.const 1)))
                    (br $each)))
                (local.set $plainCell (i32.and (i32.ge_s (local.get $found) (i32.const 0)) (i32.eqz (local.get $nameDigits))))
                (if (local.get $plainCell)
                  (then (local.set $plainCell (i32.eqz (call $holds (local.get $at) (i32.load offset=12 (local.get $cell)) (local.get $nameS) (local.get $nameT))))))
                (if (local.get $plainCell)
                  (then
                    (local.set $m (i32.load offset=8 (local.get $cell)))
                    (local.set $last (i32.add (local.get $m) (local.get $found)))
                    (block $masked
                      (loop $number
                        (br_if $masked (i32.ge_u (local.get $m) (local.get $last)))
                        (i32.store align=1 (i32.add (i32.load (i32.add (i32.const 8192) (i32.shl (local.get $m) (i32.const 2)))) (i32.const 3)) (i32.const 0x2a2a2a2a))
                        (global.set $numbers (i32.add (global.get $numbers) (i32.const 1)))
                        (local.set $m (i32.add (local.get $m) (i32.const 1)))
                        (br $number))))
                  (else
                    (memory.copy (local.get $w) (local.get $from) (i32.sub (local.get $at) (local.get $from)))
                    (local.set $w (i32.add (local.get $w) (i32.sub (local.get $at) (local.get $from))))
                    (i32.store8 (local.get $w) (i32.const 0x01))
                    (local.set $w (i32.add (local.get $w) (i32.const 1)))
                    (local.set $from (local.get $at))
                    (global.set $marked (i32.add (global.get $marked) (i32.const 1)))))
                (local.set $k (i32.add (local.get $k) (i32.const 1)))
                (br $each)))
            (memory.copy (local.get $w) (local.get $from) (i32.sub (local.get $fieldStart) (local.get $from)))
            (local.set $w (i32.add (local.get $w) (i32.sub (local.get $fieldStart) (local.get $from))))
            (local.set $row (local.get $fieldStart))
            (local.set $column (i32.const 0))
            (local.set $cells (i32.const 0))
            (local.set $slots (i32.const 0))
            (local.set $nameDigits (i32.const 0))
            (local.set $nameS (i32.const 0))
            (local.set $nameT (i32.const 0))
            (br $eachStop)))
        (local.set $b (i32.add (local.get $b) (i32.const 64)))
        (br $blocks)))
    (if (global.get $waiting) (then (call $hashWaiting)))
    (global.set $written (i32.sub (local.get $w) (local.get $out)))
    (i32.sub (local.get $row) (local.get $in))))
