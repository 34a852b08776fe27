;; A module that traps in boot, every time: the pump must not reload it
;; forever (tests/hostile/pump-restart.test.ts).
(module
  (memory (export "memory") 1 1)
  (func (export "rx_buffer") (result i32) (i32.const 1024))
  (func (export "rx_capacity") (result i32) (i32.const 64))
  (func (export "tx_buffer") (result i32) (i32.const 2048))
  (func (export "boot") (param $id i32) (param $limit i32) (result i32) unreachable)
  (func (export "rx") (param $n i32) (result i32) (i32.const 0)))
