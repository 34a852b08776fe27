/* The devices of QEMU's XTFPGA board (`-M lx60-nommu`, hw/xtensa/xtfpga.c)
 * that the firmware uses, with the LX106 core (`-cpu lx106`): the 16550 UART
 * (registers 4 bytes apart) and the FPGA register that says the core's clock,
 * which CCOUNT counts. */
#ifndef EDGEPROP_XTENSA_XTFPGA_H
#define EDGEPROP_XTENSA_XTFPGA_H

#define XTFPGA_IO_BASE 0x90000000u
#define XTFPGA_UART_BASE (XTFPGA_IO_BASE + 0x0D050020u)
#define XTFPGA_UART_REG_SHIFT 2
/* The board's clock in Hz (read-only). */
#define XTFPGA_CLOCK_HZ_REG (XTFPGA_IO_BASE + 0x0D020004u)

/* LX106's interrupts (its core configuration): CCOMPARE0's timer and the
 * first external line, which XTFPGA wires to the UART. */
#define XT_TIMER0_INTERRUPT 6u
#define XT_UART_INTERRUPT 0u

#endif
