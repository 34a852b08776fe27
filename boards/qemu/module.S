/* The module's bytes, for engines that load it at run time (wasm3): kept in
 * FLASH (.rodata) like the ESP32 firmware's embedded module. */
  .section .rodata.edgeprop_module, "a"
  .balign 4
  .globl ep_module_bytes
ep_module_bytes:
  .incbin EP_MODULE_PATH
  .globl ep_module_end
ep_module_end:
