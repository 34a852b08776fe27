/* The LX106's configuration (the ESP8266's core, QEMU's -cpu lx106) as GCC's
 * libgcc/config/xtensa/*.S read it: which instructions the core has, so the
 * soft-float, division and wide-multiply routines built from Debian's
 * gcc-12-source (Makefile: LIBGCC_EXTRA) use mull and nsau, and no div, mul32
 * high, loops, min/max or sign-extend. Checked against what this GCC emits
 * for -mcpu's defaults (call0 ABI, soft-float). */
#ifndef XTENSA_CONFIG_H
#define XTENSA_CONFIG_H

#define XCHAL_HAVE_BE 0
#define XCHAL_HAVE_DENSITY 1
#define XCHAL_HAVE_CONST16 0
#define XCHAL_HAVE_ABS 1
#define XCHAL_HAVE_ADDX 1
#define XCHAL_HAVE_L32R 1
#define XCHAL_HAVE_MAC16 0
#define XCHAL_HAVE_MUL16 1
#define XCHAL_HAVE_MUL32 1
#define XCHAL_HAVE_MUL32_HIGH 0
#define XCHAL_HAVE_DIV32 0
#define XCHAL_HAVE_NSA 1
#define XCHAL_HAVE_MINMAX 0
#define XCHAL_HAVE_SEXT 0
#define XCHAL_HAVE_LOOPS 0
#define XCHAL_HAVE_THREADPTR 0
#define XCHAL_HAVE_RELEASE_SYNC 0
#define XCHAL_HAVE_S32C1I 0
#define XCHAL_HAVE_BOOLEANS 0
#define XCHAL_HAVE_FP 0
#define XCHAL_HAVE_FP_DIV 0
#define XCHAL_HAVE_FP_RECIP 0
#define XCHAL_HAVE_FP_SQRT 0
#define XCHAL_HAVE_FP_RSQRT 0
#define XCHAL_HAVE_DFP_DIV 0
#define XCHAL_HAVE_DFP_RECIP 0
#define XCHAL_HAVE_DFP_SQRT 0
#define XCHAL_HAVE_DFP_RSQRT 0
#define XCHAL_HAVE_DFP_accel 0
#define XCHAL_HAVE_WINDOWED 0
#define XCHAL_NUM_AREGS 16
#define XCHAL_HAVE_DEBUG 1
#define XCHAL_DEBUGLEVEL 2

#endif
