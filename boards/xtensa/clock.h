/* Time on the emulated LX106 board: CCOUNT (the core's cycle counter, at the
 * clock XTFPGA's FPGA register reports) extended to 64 bits in software: a
 * wrap is seen as long as it is read at least once per 2^32 ticks (107 s at
 * 40 MHz), which the UART polling does; and a sleep until a time or a
 * received byte (WAITI on CCOMPARE0 and the UART's interrupt). */
#ifndef EDGEPROP_XTENSA_CLOCK_H
#define EDGEPROP_XTENSA_CLOCK_H

#include <stdint.h>

uint64_t xt_ccount64(void);
uint32_t xt_ticks_per_us(void);
uint64_t xt_micros64(void);
/* Returns when the microsecond clock reaches until_us or a byte arrives. */
void xt_sleep_until_us(uint64_t until_us);

#endif
