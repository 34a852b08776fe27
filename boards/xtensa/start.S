/* Reset entry and exception vectors of the edgeprop firmware on QEMU's XTFPGA
 * board with the LX106 core (the ESP8266's: call0 ABI, no FPU, no windowed
 * registers). QEMU's -kernel puts a jump to _start at the reset vector.
 *
 * _start: interrupts masked, exceptions taken normally (PS.EXCM clear),
 * .data and .rodata copied from FLASH to RAM, .bss cleared, the stack painted
 * (stack.h), ICOUNT started (icount.h), then main.
 *
 * The vectors sit at VECBASE (0x40000000, the LX106's) at its offsets:
 *   0x10 debug:   ICOUNT wrapped: count the wrap (icount.h) and go on;
 *                 anything else is a fault
 *   0x30 kernel, 0x50 user: a level-1 interrupt ends a WAITI (clock.c):
 *                 masked again and returned from; any other cause (an
 *                 illegal instruction, a bad address) is a fault: ep_fault()
 *   0x70 double:  a fault
 * ep_fault (fault.c) reports on the UART and powers off. */
#include "stack.h"

#define EXCCAUSE_LEVEL1_INTERRUPT 4
#define PS_UM 0x20 /* exceptions go to the user vector; INTLEVEL 0, EXCM 0 */
#define FAULT_DEBUG 0x100 /* ep_fault's cause for a debug exception: 0x100 | DEBUGCAUSE */
#define FAULT_DOUBLE 0x200 /* ... for a double exception: 0x200 | EXCCAUSE */
#define FAULT_NMI 0x300
/* Where ICOUNT starts: 0, or just below its wrap to exercise the debug
 * vector's 64-bit extension (a build with -DEP_ICOUNT_START=0xFFFFF000 must
 * report the same instruction counts). */
#ifndef EP_ICOUNT_START
#define EP_ICOUNT_START 0
#endif

  .section .vectors, "ax"
  .align 4
  .global ep_vectors
ep_vectors:
/* The vectors' literals (L32R reads only below itself). */
.Lstack_top: .word __stack_top
.Lfault: .word ep_fault
.Licount: .word ep_icount_state
.Lspare: .word 0

  .org 0x10
DebugExceptionVector:
  wsr a0, excsave2
  j debug_exception

  .org 0x20
NMIExceptionVector:
  movi a0, FAULT_NMI
  j fault_a0

  .org 0x30
KernelExceptionVector:
  wsr a0, excsave1
  j level1_exception

  .org 0x50
UserExceptionVector:
  wsr a0, excsave1
  j level1_exception

  .org 0x70
DoubleExceptionVector:
  rsr a0, exccause
  addmi a0, a0, FAULT_DOUBLE
  j fault_a0

  .org 0x80
level1_exception:
  rsr a0, exccause
  bnei a0, EXCCAUSE_LEVEL1_INTERRUPT, fault_exccause
  /* The wait is over: mask everything again (clock.c unmasks before the next WAITI). */
  movi a0, 0
  wsr a0, intenable
  rsync
  rsr a0, excsave1
  rfe

/* ICOUNT reached 0xFFFFFFFF: the instruction about to run is counted once
 * ICOUNT restarts at 0, so each wrap is 0xFFFFFFFF instructions (icount.h).
 * Runs at the debug level, where ICOUNT does not count. */
debug_exception:
  rsr a0, debugcause
  bbci a0, 0, debug_other
  l32r a0, .Licount
  s32i a2, a0, 0 /* ep_icount_state.scratch */
  l32i a2, a0, 4 /* ep_icount_state.wraps */
  addi a2, a2, 1
  s32i a2, a0, 4
  movi a2, 0
  wsr a2, icount
  l32i a2, a0, 0
  rsr a0, excsave2
  rfi 2
debug_other:
  rsr a0, debugcause
  addmi a0, a0, FAULT_DEBUG
  j fault_a0

fault_exccause:
fault_a0:
  l32r a1, .Lstack_top
  mov a2, a0
  rsr a3, epc1
  rsr a4, excvaddr
  l32r a0, .Lfault
  callx0 a0
1:j 1b

  .section .text.start, "ax"
  .literal_position
  .global _start
  .align 4
_start:
  movi a0, 0
  wsr a0, intenable
  movi a0, ep_vectors
  wsr a0, vecbase
  movi a0, PS_UM
  wsr a0, ps
  rsync
  movi a1, __stack_top

  movi a2, __data_load
  movi a3, __data_start
  movi a4, __data_end
2:bgeu a3, a4, 3f
  l32i a5, a2, 0
  s32i a5, a3, 0
  addi a2, a2, 4
  addi a3, a3, 4
  j 2b
3:
  movi a3, __bss_start
  movi a4, __bss_end
  movi a5, 0
4:bgeu a3, a4, 5f
  s32i a5, a3, 0
  addi a3, a3, 4
  j 4b
5:
  /* Paint from the bottom of the stack to just below where we are now. */
  movi a3, __stack_bottom
  addi a4, a1, -16
  movi a5, STACK_PAINT
6:bgeu a3, a4, 7f
  s32i a5, a3, 0
  addi a3, a3, 4
  j 6b
7:
  /* Count instructions run below interrupt level 1: all of the firmware's
   * own, none of the vectors'. */
  movi a2, EP_ICOUNT_START
  wsr a2, icount
  movi a2, 1
  wsr a2, icountlevel
  isync
  call0 main
  movi a2, 0
  call0 _exit
