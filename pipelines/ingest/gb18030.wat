;; GB18030 (GBK, its two-byte part) to UTF-8, the loop of pipelines/ingest/gb18030.ts.
;;
;; The source of gb18030.wasm beside it; test/ingest/gb18030.test.ts checks that the two agree
;; (UPDATE_WASM=1 npx vitest run test/ingest/gb18030.test.ts writes the binary again).
;;
;; Memory: bytes 0 … 262143 hold the pair table, one 32-bit entry per (lead << 8 | trail): the
;; character's UTF-8 bytes in the low three bytes, first byte lowest, and their count (2 or 3) in
;; the top byte; 0 for a pair that is not a character. The caller puts the input and room for the
;; output (three bytes out per byte in, and 16 more) after it.
;;
;; transcode(in, n, out) reads n bytes at `in` and writes UTF-8 at `out` until it has read them
;; all or meets something it leaves to the caller; `read` and `written` then say how far it got,
;; and the result says why it stopped:
;;   0  every byte read
;;   1  the last byte is a lead byte whose trail is in the next chunk
;;   2  the byte at `read` is 0xFF, never part of a character
;;   3  a four-byte sequence starts at `read` (characters beyond GBK: the caller decodes them)
;;   4  the pair at `read` is not a character (its trail byte is the bad one)
;; A run of ASCII is copied 16 bytes at a time; the bytes after the run's end are written too and
;; overwritten by what follows, which is why the output needs its 16 bytes of room. A character is
;; written as one 32-bit store of its table entry, its count byte overwritten the same way.
(module
  (memory (export "memory") 4)
  (global $read (export "read") (mut i32) (i32.const 0))
  (global $written (export "written") (mut i32) (i32.const 0))
  (func (export "transcode") (param $in i32) (param $n i32) (param $out i32) (result i32)
    (local $i i32) (local $o i32) (local $b i32) (local $t i32) (local $v i32) (local $ascii i32)
    (local $block v128) (local $status i32)
    (block $stop
      (loop $next
        (if (i32.ge_u (local.get $i) (local.get $n))
          (then (local.set $status (i32.const 0)) (br $stop)))
        (local.set $b (i32.load8_u (i32.add (local.get $in) (local.get $i))))
        ;; ASCII: 16 bytes at a time while 16 are left, up to the first byte that is not ASCII
        (if (i32.lt_u (local.get $b) (i32.const 0x80))
          (then
            (if (i32.le_u (i32.add (local.get $i) (i32.const 16)) (local.get $n))
              (then
                (local.set $block (v128.load align=1 (i32.add (local.get $in) (local.get $i))))
                (v128.store align=1 (i32.add (local.get $out) (local.get $o)) (local.get $block))
                (local.set $ascii (i8x16.bitmask (local.get $block)))
                (local.set $ascii (select (i32.ctz (local.get $ascii)) (i32.const 16) (local.get $ascii)))
                (local.set $i (i32.add (local.get $i) (local.get $ascii)))
                (local.set $o (i32.add (local.get $o) (local.get $ascii))))
              (else
                (i32.store8 (i32.add (local.get $out) (local.get $o)) (local.get $b))
                (local.set $i (i32.add (local.get $i) (i32.const 1)))
                (local.set $o (i32.add (local.get $o) (i32.const 1)))))
            (br $next)))
        ;; a lone 0x80 is the euro sign (WHATWG), E2 82 AC
        (if (i32.eq (local.get $b) (i32.const 0x80))
          (then
            (i32.store (i32.add (local.get $out) (local.get $o)) (i32.const 0xac82e2))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (local.set $o (i32.add (local.get $o) (i32.const 3)))
            (br $next)))
        (if (i32.eq (local.get $b) (i32.const 0xff))
          (then (local.set $status (i32.const 2)) (br $stop)))
        (if (i32.ge_u (i32.add (local.get $i) (i32.const 1)) (local.get $n))
          (then (local.set $status (i32.const 1)) (br $stop)))
        (local.set $t (i32.load8_u (i32.add (i32.add (local.get $in) (local.get $i)) (i32.const 1))))
        ;; a trail byte 0x30–0x39 starts a four-byte sequence
        (if (i32.lt_u (i32.sub (local.get $t) (i32.const 0x30)) (i32.const 10))
          (then (local.set $status (i32.const 3)) (br $stop)))
        (local.set $v (i32.load (i32.shl (i32.or (i32.shl (local.get $b) (i32.const 8)) (local.get $t)) (i32.const 2))))
        (if (i32.eqz (local.get $v))
          (then (local.set $status (i32.const 4)) (br $stop)))
        (i32.store (i32.add (local.get $out) (local.get $o)) (local.get $v))
        (local.set $o (i32.add (local.get $o) (i32.shr_u (local.get $v) (i32.const 24))))
        (local.set $i (i32.add (local.get $i) (i32.const 2)))
        (br $next)))
    (global.set $read (local.get $i))
    (global.set $written (local.get $o))
    (local.get $status)))
