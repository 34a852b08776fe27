;; A stand-in module for the pump's restart (tests/hostile/pump-restart.test.ts):
;;   boot        -> banner "probe boot=<8 hex digits of bootId>\r\n"
;;   rx(n), first byte:
;;     'C' -> rx_capacity() from now on says 67,108,757: past the 64 KiB memory,
;;            as the real module's did after the trap of issue 14 (the livelock)
;;     'T' -> unreachable (a trap)
;;     else -> echoes the n bytes
;; A restarted instance has fresh globals: its rx_capacity is 64 again.
(module
  (memory (export "memory") 1 1)
  (global $cap (mut i32) (i32.const 64))
  (func (export "rx_buffer") (result i32) (i32.const 1024))
  (func (export "rx_capacity") (result i32) (global.get $cap))
  (func (export "tx_buffer") (result i32) (i32.const 2048))
  (func $hex (param $at i32) (param $v i32)
    (local $i i32) (local $d i32)
    (loop $l
      (local.set $d (i32.and (i32.shr_u (local.get $v) (i32.sub (i32.const 28) (i32.shl (local.get $i) (i32.const 2)))) (i32.const 15)))
      (i32.store8 (i32.add (local.get $at) (local.get $i))
        (select (i32.add (local.get $d) (i32.const 48)) (i32.add (local.get $d) (i32.const 87)) (i32.lt_u (local.get $d) (i32.const 10))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 8)))))
  (data (i32.const 4096) "probe boot=xxxxxxxx\r\n")
  (func (export "boot") (param $id i32) (param $limit i32) (result i32)
    (local $i i32)
    (loop $c
      (i32.store8 (i32.add (i32.const 2048) (local.get $i)) (i32.load8_u (i32.add (i32.const 4096) (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $c (i32.lt_u (local.get $i) (i32.const 21))))
    (call $hex (i32.const 2059) (local.get $id))
    (i32.const 21))
  (func (export "rx") (param $n i32) (result i32)
    (local $b i32) (local $i i32)
    (if (i32.eqz (local.get $n)) (then (return (i32.const 0))))
    (local.set $b (i32.load8_u (i32.const 1024)))
    (if (i32.eq (local.get $b) (i32.const 67))
      (then (global.set $cap (i32.const 67108757)) (return (i32.const 0))))
    (if (i32.eq (local.get $b) (i32.const 84)) (then unreachable))
    (loop $c
      (i32.store8 (i32.add (i32.const 2048) (local.get $i)) (i32.load8_u (i32.add (i32.const 1024) (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $c (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $n)))
