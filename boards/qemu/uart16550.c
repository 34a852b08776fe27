/* Polled 16550 UART. QEMU's model moves bytes to and from its chardev (a pty)
 * at whatever rate the host side takes them; the divisor only matters on real
 * hardware, so it is left at reset. FIFOs on: 16 bytes each way.
 *
 * Another board's 16550 (boards/xtensa: XTFPGA's, registers 4 bytes apart,
 * no PLIC) builds this file with UART16550_BASE, UART16550_REG_SHIFT and
 * UART16550_NO_PLIC; the defaults are QEMU virt's. */
#include "uart16550.h"

#ifndef UART16550_BASE
#include "virt.h"
#define UART16550_BASE VIRT_UART0_BASE
#endif
/* log2 of the distance between two registers in bytes. */
#ifndef UART16550_REG_SHIFT
#define UART16550_REG_SHIFT 0
#endif

#define UART_RBR (0 << UART16550_REG_SHIFT) /* receive buffer (read) */
#define UART_THR (0 << UART16550_REG_SHIFT) /* transmit holding (write) */
#define UART_IER (1 << UART16550_REG_SHIFT)
#define UART_FCR (2 << UART16550_REG_SHIFT)
#define UART_LCR (3 << UART16550_REG_SHIFT)
#define UART_LSR (5 << UART16550_REG_SHIFT)
#define UART_LCR_8N1 0x03u
/* FIFOs on and cleared, receive trigger at 14 bytes. QEMU's model takes only
 * up to the trigger level from its chardev at a time: at the reset level (1
 * byte) every byte costs a trip through QEMU's main loop. */
#define UART_FCR_ENABLE_TRIGGER_14 0xC7u
#define UART_IER_RX_DATA 0x01u
#define UART_LSR_DATA_READY 0x01u
#define UART_LSR_THR_EMPTY 0x20u

static volatile uint8_t *const uart = (volatile uint8_t *)UART16550_BASE;

void uart_init(void) {
  uart[UART_LCR] = UART_LCR_8N1;
  uart[UART_FCR] = UART_FCR_ENABLE_TRIGGER_14;
  /* Received data raises the interrupt line (here through the PLIC), which
   * only wakes the core from its wait for an interrupt (hal_qemu.c); the
   * driver polls. */
  uart[UART_IER] = UART_IER_RX_DATA;
#ifndef UART16550_NO_PLIC
  *(volatile uint32_t *)VIRT_PLIC_PRIORITY(VIRT_UART0_IRQ) = 1;
  *(volatile uint32_t *)VIRT_PLIC_THRESHOLD_CTX0 = 0;
  {
    volatile uint32_t *plic_enable = (volatile uint32_t *)VIRT_PLIC_ENABLE_CTX0;
    plic_enable[VIRT_UART0_IRQ / 32u] |= 1u << (VIRT_UART0_IRQ % 32u);
  }
#endif
}

#ifndef UART16550_NO_PLIC
void uart_ack_wakeup(void) {
  volatile uint32_t *claim = (volatile uint32_t *)VIRT_PLIC_CLAIM_CTX0;
  uint32_t id = *claim;
  if (id) *claim = id; /* complete: the line can pend again */
}
#endif

int uart_rx_ready(void) { return (uart[UART_LSR] & UART_LSR_DATA_READY) != 0; }

uint8_t uart_rx(void) { return uart[UART_RBR]; }

void uart_tx(uint8_t b) {
  while (!(uart[UART_LSR] & UART_LSR_THR_EMPTY)) {
  }
  uart[UART_THR] = b;
}
