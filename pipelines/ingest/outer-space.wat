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
;; 1 as soon as one pair is a space beside such a byte (either way round), else 0. Sixteen bytes at
;; a time are classified, four such to a block of 64 whose spaces and edge bytes become two 64-bit
;; masks: a pair is a space and an edge byte at neighbouring bits (the byte after the block taken
;; in at the top). A block without a space has only its last pair, with the byte after it, to see.
(module
  (memory (export "memory") 65)
  ;; the bytes a cell can start after or end before: , TAB ; | " LF CR. A byte is one when the
  ;; classes of its low and of its high half share a bit: 1 for 09 0A 0D, 2 for 22 2C, 4 for 3B,
  ;; 8 for 7C (a high half of 8 or more has no class)
  (func $edges (param $v v128) (result i32)
    (i8x16.bitmask
      (i8x16.ne
        (v128.and
          (i8x16.swizzle (v128.const i8x16 0 0 2 0 0 0 0 0 0 1 1 4 10 1 0 0) (v128.and (local.get $v) (i8x16.splat (i32.const 0x0f))))
          (i8x16.swizzle (v128.const i8x16 1 0 2 4 0 0 0 8 0 0 0 0 0 0 0 0) (i8x16.shr_u (local.get $v) (i32.const 4))))
        (v128.const i64x2 0 0))))
  (func $edge (param $x i32) (result i32)
    (i32.or
      (i32.or
        (i32.or (i32.eq (local.get $x) (i32.const 0x2c)) (i32.eq (local.get $x) (i32.const 0x09)))
        (i32.or (i32.eq (local.get $x) (i32.const 0x3b)) (i32.eq (local.get $x) (i32.const 0x7c))))
      (i32.or
        (i32.eq (local.get $x) (i32.const 0x22))
        (i32.or (i32.eq (local.get $x) (i32.const 0x0a)) (i32.eq (local.get $x) (i32.const 0x0d))))))
  ;; four 16-bit masks as one of 64 bits
  (func $join (param $a i32) (param $b i32) (param $c i32) (param $d i32) (result i64)
    (i64.or
      (i64.or (i64.extend_i32_u (local.get $a)) (i64.shl (i64.extend_i32_u (local.get $b)) (i64.const 16)))
      (i64.or (i64.shl (i64.extend_i32_u (local.get $c)) (i64.const 32)) (i64.shl (i64.extend_i32_u (local.get $d)) (i64.const 48)))))
  (func (export "touches") (param $at i32) (param $n i32) (result i32)
    (local $i i32) (local $end i32) (local $x i32) (local $y i32) (local $after i64) (local $spaces i64) (local $edgeBytes i64)
    (local $v0 v128) (local $v1 v128) (local $v2 v128) (local $v3 v128) (local $space v128)
    (local.set $space (i8x16.splat (i32.const 0x20)))
    (local.set $i (local.get $at))
    (local.set $end (i32.add (local.get $at) (local.get $n)))
    ;; blocks of 64 while the byte after the block is there too
    (block $tail
      (loop $block
        (br_if $tail (i32.gt_u (i32.add (local.get $i) (i32.const 65)) (local.get $end)))
        (local.set $v0 (v128.load align=1 (local.get $i)))
        (local.set $v1 (v128.load offset=16 align=1 (local.get $i)))
        (local.set $v2 (v128.load offset=32 align=1 (local.get $i)))
        (local.set $v3 (v128.load offset=48 align=1 (local.get $i)))
        (local.set $y (i32.load8_u offset=64 (local.get $i)))
        (if (v128.any_true
              (v128.or
                (v128.or (i8x16.eq (local.get $v0) (local.get $space)) (i8x16.eq (local.get $v1) (local.get $space)))
                (v128.or (i8x16.eq (local.get $v2) (local.get $space)) (i8x16.eq (local.get $v3) (local.get $space)))))
          (then
            (local.set $spaces
              (call $join
                (i8x16.bitmask (i8x16.eq (local.get $v0) (local.get $space))) (i8x16.bitmask (i8x16.eq (local.get $v1) (local.get $space)))
                (i8x16.bitmask (i8x16.eq (local.get $v2) (local.get $space))) (i8x16.bitmask (i8x16.eq (local.get $v3) (local.get $space)))))
            (local.set $edgeBytes
              (call $join (call $edges (local.get $v0)) (call $edges (local.get $v1)) (call $edges (local.get $v2)) (call $edges (local.get $v3))))
            ;; each byte's right-hand neighbour: the next bit, the byte after the block for the last
            (local.set $after
              (i64.or
                (i64.and
                  (local.get $spaces)
                  (i64.or (i64.shr_u (local.get $edgeBytes) (i64.const 1)) (i64.shl (i64.extend_i32_u (call $edge (local.get $y))) (i64.const 63))))
                (i64.and
                  (local.get $edgeBytes)
                  (i64.or (i64.shr_u (local.get $spaces) (i64.const 1)) (i64.shl (i64.extend_i32_u (i32.eq (local.get $y) (i32.const 0x20))) (i64.const 63))))))
            (if (i64.ne (local.get $after) (i64.const 0)) (then (return (i32.const 1)))))
          (else
            ;; no space in the block: only a space after it can pair, with its last byte
            (if (i32.and (i32.eq (local.get $y) (i32.const 0x20)) (call $edge (i32.load8_u offset=63 (local.get $i))))
              (then (return (i32.const 1))))))
        (local.set $i (i32.add (local.get $i) (i32.const 64)))
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
