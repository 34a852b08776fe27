;; A stand-in for build/edgeprop.wasm with the same byte-pump exports, to test
;; the pump itself (tests/boards.test.ts builds a board around it):
;;   boot        -> banner "probe boot=<8 hex digits of bootId> mem=<hex limit>\r\n"
;;   rx(n), first byte:
;;     'T'  -> unreachable (a trap)
;;     'O'  -> load far out of bounds (a trap)
;;     'M'  -> replies "M", then "m" to each of the next two rx(0) calls
;;     else -> echoes the n bytes
;; Memory: rx buffer at 1024 (capacity 64), tx buffer at 2048.
(module
  (memory (export "memory") 1 1)
  (global $pending (mut i32) (i32.const 0))
  (func (export "rx_buffer") (result i32) (i32.const 1024))
  (func (export "rx_capacity") (result i32) (i32.const 64))
  (func (export "tx_buffer") (result i32) (i32.const 2048))
  (func $hex (param $at i32) (param $v i32)
    (local $i i32) (local $d i32)
    (loop $l
      (local.set $d (i32.and (i32.shr_u (local.get $v) (i32.sub (i32.const 28) (i32.shl (local.get $i) (i32.const 2)))) (i32.const 15)))
      (i32.store8 (i32.add (local.get $at) (local.get $i))
        (select (i32.add (local.get $d) (i32.const 48)) (i32.add (local.get $d) (i32.const 87)) (i32.lt_u (local.get $d) (i32.const 10))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 8)))))
  (data (i32.const 4096) "probe boot=xxxxxxxx mem=xxxxxxxx\r\n")
  (func (export "boot") (param $id i32) (param $limit i32) (result i32)
    (local $i i32)
    (loop $c
      (i32.store8 (i32.add (i32.const 2048) (local.get $i)) (i32.load8_u (i32.add (i32.const 4096) (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $c (i32.lt_u (local.get $i) (i32.const 34))))
    (call $hex (i32.const 2059) (local.get $id))
    (call $hex (i32.const 2072) (local.get $limit))
    (i32.const 34))
  (func (export "rx") (param $n i32) (result i32)
    (local $b i32) (local $i i32)
    (if (i32.eqz (local.get $n))
      (then
        (if (i32.eqz (global.get $pending)) (then (return (i32.const 0))))
        (global.set $pending (i32.sub (global.get $pending) (i32.const 1)))
        (i32.store8 (i32.const 2048) (i32.const 109))
        (return (i32.const 1))))
    (local.set $b (i32.load8_u (i32.const 1024)))
    (if (i32.eq (local.get $b) (i32.const 84)) (then unreachable))
    (if (i32.eq (local.get $b) (i32.const 79)) (then (return (i32.load (i32.const 0x7ffffff0)))))
    (if (i32.eq (local.get $b) (i32.const 77))
      (then
        (global.set $pending (i32.const 2))
        (i32.store8 (i32.const 2048) (i32.const 77))
        (return (i32.const 1))))
    (loop $c
      (i32.store8 (i32.add (i32.const 2048) (local.get $i)) (i32.load8_u (i32.add (i32.const 1024) (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $c (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $n)))
