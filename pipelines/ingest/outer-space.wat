;; Whether a CSV text may hold a cell that starts or ends with a space: the loop of
;; pipelines/ingest/outer-space.ts.
;;
;; The source of outer-space.wasm beside it; test/ingest/outer-space.test.ts checks that the two
;; agree (UPDATE_WASM=1 npx vitest run test/ingest/outer-space.test.ts writes the binary again).
;;
;; A cell's first byte follows a delimiter, a quote, a line break or the start of the file, and its
;; last byte comes before one of them or the end of the file, however the file is parsed. So when
;; no space (0x20) stands next to a quote, CR, LF or any delimiter an export may use (comma, tab,
;; semicolon, bar), no cell of the file can start or end with a space, and its cells need no
;; trimming. (None of these bytes is ever part of a multi-byte UTF-8 character, nor of a GB18030
;; one but the bar, which can be a trail byte there: the look then errs only towards trimming.)
;;
;; touches(at, n) looks at the n − 1 pairs of neighbouring bytes at `at` … `at + n − 1` and returns
;; 1 as soon as one pair is a space beside such a byte (either way round), else 0. Sixteen pairs at
;; a time: the block at `i` against the block at `i + 1`.
(module
  (memory (export "memory") 65)
  ;; the bytes a cell can start after or end before: , TAB ; | " LF CR
  (func $edges (param $v v128) (result v128)
    (v128.or
      (v128.or
        (v128.or (i8x16.eq (local.get $v) (i8x16.splat (i32.const 0x2c))) (i8x16.eq (local.get $v) (i8x16.splat (i32.const 0x09))))
        (v128.or (i8x16.eq (local.get $v) (i8x16.splat (i32.const 0x3b))) (i8x16.eq (local.get $v) (i8x16.splat (i32.const 0x7c)))))
      (v128.or
        (i8x16.eq (local.get $v) (i8x16.splat (i32.const 0x22)))
        (v128.or (i8x16.eq (local.get $v) (i8x16.splat (i32.const 0x0a))) (i8x16.eq (local.get $v) (i8x16.splat (i32.const 0x0d)))))))
  (func $edge (param $x i32) (result i32)
    (i32.or
      (i32.or
        (i32.or (i32.eq (local.get $x) (i32.const 0x2c)) (i32.eq (local.get $x) (i32.const 0x09)))
        (i32.or (i32.eq (local.get $x) (i32.const 0x3b)) (i32.eq (local.get $x) (i32.const 0x7c))))
      (i32.or
        (i32.eq (local.get $x) (i32.const 0x22))
        (i32.or (i32.eq (local.get $x) (i32.const 0x0a)) (i32.eq (local.get $x) (i32.const 0x0d))))))
  (func (export "touches") (param $at i32) (param $n i32) (result i32)
    (local $i i32) (local $end i32) (local $a v128) (local $b v128) (local $space v128) (local $x i32) (local $y i32)
    (local.set $space (i8x16.splat (i32.const 0x20)))
    (local.set $i (local.get $at))
    (local.set $end (i32.add (local.get $at) (local.get $n)))
    ;; blocks while 17 bytes are left
    (block $tail
      (loop $block
        (br_if $tail (i32.gt_u (i32.add (local.get $i) (i32.const 17)) (local.get $end)))
        (local.set $a (v128.load align=1 (local.get $i)))
        (local.set $b (v128.load align=1 (i32.add (local.get $i) (i32.const 1))))
        (if (v128.any_true
              (v128.or
                (v128.and (i8x16.eq (local.get $a) (local.get $space)) (call $edges (local.get $b)))
                (v128.and (i8x16.eq (local.get $b) (local.get $space)) (call $edges (local.get $a)))))
          (then (return (i32.const 1))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $block)))
    ;; the last pairs one at a time
    (block $done
      (loop $pair
        (br_if $done (i32.ge_u (i32.add (local.get $i) (i32.const 1)) (local.get $end)))
        (local.set $x (i32.load8_u (local.get $i)))
        (local.set $y (i32.load8_u (i32.add (local.get $i) (i32.const 1))))
        (if (i32.or
              (i32.and (i32.eq (local.get $x) (i32.const 0x20)) (call $edge (local.get $y)))
              (i32.and (i32.eq (local.get $y) (i32.const 0x20)) (call $edge (local.get $x))))
          (then (return (i32.const 1))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $pair)))
    (i32.const 0)))
