/* Polled driver for a 16550 UART (QEMU virt's serial port, behind -serial). */
#ifndef EDGEPROP_QEMU_UART16550_H
#define EDGEPROP_QEMU_UART16550_H

#include <stdint.h>

void uart_init(void);
/* 1 if a received byte is waiting. */
int uart_rx_ready(void);
/* The waiting byte (call only after uart_rx_ready()). */
uint8_t uart_rx(void);
/* Waits for room in the transmitter, then sends one byte. */
void uart_tx(uint8_t b);

/* After a WFI: acknowledges the UART's interrupt at the PLIC so that the next
 * received data can wake the core again. */
void uart_ack_wakeup(void);

#endif
