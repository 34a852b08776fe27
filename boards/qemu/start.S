/* Reset entry for the edgeprop firmware on QEMU `virt` (machine mode, hart 0).
 * Sets up the stack and global pointer, turns on the FPU when the ISA has
 * one, copies .data from FLASH to RAM, clears .bss, paints the stack (for the
 * stack high-water, see stats.c), installs the trap handler and calls main. */
#include "stack.h"

  .section .text.start, "ax"
  .globl _start
_start:
  .option push
  .option norelax
  la gp, __global_pointer$
  .option pop
  la sp, __stack_top
  la tp, __tls_base           /* thread-local data (errno): link.ld */
  csrr t0, mhartid
1:bnez t0, 1b                 /* only hart 0 runs (the machine has one) */

#ifdef __riscv_flen
  li t0, (1 << 13)            /* mstatus.FS = initial: FP instructions allowed */
  csrs mstatus, t0
  csrw fcsr, zero
#endif

  la t0, __data_load
  la t1, __data_start
  la t2, __data_end
2:bgeu t1, t2, 3f
  lw t3, 0(t0)
  sw t3, 0(t1)
  addi t0, t0, 4
  addi t1, t1, 4
  j 2b
3:
  la t1, __bss_start
  la t2, __bss_end
4:bgeu t1, t2, 5f
  sw zero, 0(t1)
  addi t1, t1, 4
  j 4b
5:
  /* Paint from the bottom of the stack to just below where we are now. */
  la t1, __stack_bottom
  addi t2, sp, -16
  li t3, STACK_PAINT
6:bgeu t1, t2, 7f
  sw t3, 0(t1)
  addi t1, t1, 4
  j 6b
7:
  la t0, ep_trap_entry
  csrw mtvec, t0
  call main
  call _exit

/* Any exception (illegal instruction, misaligned or bad access) lands here:
 * report it on the UART and stop (fault.c). mtvec needs 4-byte alignment. */
  .balign 4
  .globl ep_trap_entry
ep_trap_entry:
  la sp, __stack_top
  csrr a0, mcause
  csrr a1, mepc
  csrr a2, mtval
  call ep_fault
8:j 8b
