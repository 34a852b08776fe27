// The ESP32 board (Arduino core) for the edgeprop library: the HAL over
// Serial and the board interface sketches use (boards/common/edgeprop_board.h):
// a FreeRTOS task with the C stack wasm3 needs runs the sketch's trainer
// (which runs the shared pump, boards/common, around the engine: wasm3 with
// the module the sketch passes from its edgeprop_module.h, or the module
// translated to C by wasm2c: EDGEPROP_ENGINE_WASM2C). Storage is LittleFS
// (storage_littlefs.cpp). Compiled into the library by src/edgeprop_esp32.cpp,
// only for ESP32 targets; nothing here has been compiled by the real
// toolchain (there is none where this was written): see docs/boards.md.
#include <Arduino.h>
#include <esp_heap_caps.h>
#include <esp_log.h>
#include <esp_system.h>
#if __has_include(<esp_random.h>)
#include <esp_random.h> // esp_random() lives here since ESP-IDF 5
#endif
#include <esp_task_wdt.h>
#if __has_include(<esp_memory_utils.h>)
#include <esp_memory_utils.h> // esp_ptr_external_ram, ESP-IDF 5
#else
#include <soc/soc_memory_layout.h> // esp_ptr_external_ram, ESP-IDF 4.4
#endif
#include <LittleFS.h>

#include "../common/edgeprop.h"
#include "../common/edgeprop_board.h"
#include "../common/engine.h"
#include "../common/engine_wasm3.h"
#include "../common/hal.h"
#include "../common/pump.h"

// The pump task's C stack, bytes (ESP-IDF's xTaskCreate takes bytes). wasm3's
// interpreter runs on the native stack: on Xtensa (ESP32, S3) its op handlers
// do not tail-call, so every op nests a C frame; a 32-bit PC build with tail
// calls off peaked at 37.0 KB (Adam), 36.2 KB (BCE), 26.7 KB (SGD). The C3
// (RISC-V) tail-calls and needs far less. platformio.ini sets it per env;
// these are the defaults for a build that does not.
#ifndef EDGEPROP_PUMP_TASK_STACK
#if defined(__XTENSA__)
#define EDGEPROP_PUMP_TASK_STACK 49152
#else
#define EDGEPROP_PUMP_TASK_STACK 32768
#endif
#endif
#ifndef EDGEPROP_SERIAL
#define EDGEPROP_SERIAL Serial
#endif

// The UART receive buffer must hold everything the host sends while the
// board computes: the host keeps EDGEPROP_HOST_WINDOW frames in flight
// (host/protocol/pipeline.ts), each at most one BATCH of the profile's max_chunk rows.
// Until the generated header gives the exact size (EDGEPROP_RX_BUFFER, from
// the plan), it is sized for rows of EDGEPROP_ROW_VALUES f32 values (16 inputs
// + 1 label, the P2 benchmark's shape); wider rows overflow it, and the host's
// retransmission then recovers the lost frames at the cost of time.
#define EDGEPROP_HOST_WINDOW 4
#define EDGEPROP_ROW_VALUES 17
#define EDGEPROP_FRAME_OVERHEAD 64 // frame header, BATCH header, CRC, COBS, delimiter
#define EDGEPROP_FRAME_BYTES(rows) \
  ((rows) * EDGEPROP_ROW_VALUES * 4 + EDGEPROP_FRAME_OVERHEAD + ((rows) * EDGEPROP_ROW_VALUES * 4) / 254)
#define EDGEPROP_RX_BUFFER_MIN 4096

static size_t rx_buffer_bytes(const edgeprop_board_module *m) {
#ifdef EDGEPROP_RX_BUFFER
  (void)m;
  return EDGEPROP_RX_BUFFER;
#else
  size_t want = EDGEPROP_HOST_WINDOW * EDGEPROP_FRAME_BYTES((size_t)m->max_chunk);
  return want > EDGEPROP_RX_BUFFER_MIN ? want : EDGEPROP_RX_BUFFER_MIN;
#endif
}

// After this long without input, following some traffic, the board writes a
// text line with its RAM high-water marks (then a 0x00, so a host that is
// listening drops it as one bad frame), and again every
// EDGEPROP_STATS_REPEAT_MS while it stays idle, for a monitor opened later.
#define EDGEPROP_STATS_IDLE_MS 2000
#define EDGEPROP_STATS_REPEAT_MS 10000
// The task watchdog's timeout is 5 s in Arduino-ESP32 2.x's sdkconfigs; feed
// it at most this often from inside long module calls.
#define EDGEPROP_FEED_INTERVAL_MS 100
#define EDGEPROP_PUMP_PRIORITY 1

#if EDGEPROP_ENGINE_WASM2C
#define EDGEPROP_ENGINE_LABEL "wasm2c"
#else
#define EDGEPROP_ENGINE_LABEL "wasm3"
#endif

// ---- HAL (hal.h) -------------------------------------------------------------

static uint32_t g_last_idle_ms;
static TickType_t g_last_feed;
static TaskHandle_t g_pump;
static uint32_t g_last_rx_ms, g_last_stats_ms;
static bool g_seen_traffic, g_stats_since_rx;
static bool g_began; // edgeprop_board_begin succeeded

static void write_line(const char *line) {
  // A banner the training API holds back goes first (pump.h: ep_pump_start_held).
  if (ep_pump_announce(NULL) < 0) return;
  EDGEPROP_SERIAL.print(line);
  EDGEPROP_SERIAL.print("\r\n");
}

// Feed the task watchdog, and every 100 ms block for one tick so that tasks
// of lower priority (IDLE, which also frees the deleted loop task) run. The
// idle task itself is not what the watchdog watches here: Arduino-ESP32 2.x
// checks only CPU0's idle task on the ESP32/S3 (the pump runs on core 1), and
// the C3's sdkconfig checks none; the pump task subscribes itself.
extern "C" void ep_hal_yield(void) {
  esp_task_wdt_reset();
  g_last_feed = xTaskGetTickCount();
  uint32_t now = millis();
  if (now - g_last_idle_ms >= 100) {
    g_last_idle_ms = now;
    vTaskDelay(1);
  }
}

// Called from m3_Yield (wasm3 calls it on every wasm function call; the
// engine passes on one in 32): reading the tick count is a load, so the
// watchdog is reset only every EDGEPROP_FEED_INTERVAL_MS. Never blocks.
extern "C" void ep_hal_feed_watchdog(void) {
  TickType_t now = xTaskGetTickCount();
  if ((TickType_t)(now - g_last_feed) >= pdMS_TO_TICKS(EDGEPROP_FEED_INTERVAL_MS)) {
    g_last_feed = now;
    esp_task_wdt_reset();
  }
}

static void report_stats(void) {
  char line[160];
  snprintf(line, sizeof line,
           "edgeprop: stats: pump stack used %u of %u B (high-water), heap free %u B, minimum ever %u B",
           (unsigned)(EDGEPROP_PUMP_TASK_STACK - uxTaskGetStackHighWaterMark(NULL)), (unsigned)EDGEPROP_PUMP_TASK_STACK,
           (unsigned)esp_get_free_heap_size(), (unsigned)esp_get_minimum_free_heap_size());
  write_line(line);
  EDGEPROP_SERIAL.write((uint8_t)0);
}

extern "C" int ep_hal_read(uint8_t *buf, size_t cap, uint32_t timeout_ms) {
  uint32_t t0 = millis();
  int avail;
  while ((avail = EDGEPROP_SERIAL.available()) <= 0) {
    uint32_t now = millis();
    if (g_seen_traffic && now - g_last_rx_ms >= EDGEPROP_STATS_IDLE_MS &&
        (!g_stats_since_rx || now - g_last_stats_ms >= EDGEPROP_STATS_REPEAT_MS)) {
      g_stats_since_rx = true;
      g_last_stats_ms = now;
      report_stats();
    }
    if (now - t0 >= timeout_ms) return 0;
    esp_task_wdt_reset();
    g_last_feed = xTaskGetTickCount();
    g_last_idle_ms = now;
    vTaskDelay(1);
  }
  size_t n = (size_t)avail < cap ? (size_t)avail : cap;
  g_last_rx_ms = millis();
  g_seen_traffic = true;
  g_stats_since_rx = false;
  return (int)EDGEPROP_SERIAL.readBytes(buf, n); // n <= available: returns at once
}

extern "C" int ep_hal_write(const uint8_t *buf, size_t n) {
  while (n > 0) {
    size_t w = EDGEPROP_SERIAL.write(buf, n); // blocks until queued
    if (w == 0) {
      esp_task_wdt_reset();
      vTaskDelay(1);
      continue;
    }
    buf += w;
    n -= w;
  }
  return 0;
}

extern "C" uint32_t ep_hal_millis(void) { return millis(); }
extern "C" uint32_t ep_hal_micros(void) { return micros(); }

// ---- where wasm3's allocations go (engine_wasm3.h) -----------------------------

// With PSRAM, Arduino-ESP32's sdkconfig lets malloc put anything above
// CONFIG_SPIRAM_MALLOC_ALWAYSINTERNAL (4096) bytes in PSRAM: the 16 KiB value
// stack and every 4 KiB+ code page would land there, and the interpreter
// would run from slow external RAM. Only the linear memory belongs there.
#if CONFIG_SPIRAM_USE_MALLOC
#define EDGEPROP_PLACE_ALL_INTERNAL ((size_t)-1) // below this, internal RAM first
#define EDGEPROP_PLACE_LINEAR_MEMORY 32768       // the memory (MiBs) above it
extern "C" void ep_wasm3_placement(int phase) {
  switch (phase) {
    case EP_WASM3_PLACE_INTERNAL: heap_caps_malloc_extmem_enable(EDGEPROP_PLACE_ALL_INTERNAL); break;
    case EP_WASM3_PLACE_LINEAR_MEMORY: heap_caps_malloc_extmem_enable(EDGEPROP_PLACE_LINEAR_MEMORY); break;
    default: heap_caps_malloc_extmem_enable(CONFIG_SPIRAM_MALLOC_ALWAYSINTERNAL); break;
  }
}
#endif

// ---- the trainer task (edgeprop_board.h) ------------------------------------

static const edgeprop_board_module *g_module;
static void (*g_trainer_setup)(void);
static void (*g_trainer_loop)(void);
static uint32_t g_boot_id;

static bool in_psram(const void *p) {
#if CONFIG_SPIRAM_USE_MALLOC
  return p && esp_ptr_external_ram(p);
#else
  (void)p;
  return false;
#endif
}

static void report_boot(void) {
  char line[200];
  uint32_t size = 0;
  uint8_t *mem = ep_engine_memory(&size);
  snprintf(line, sizeof line,
           "edgeprop: esp32 %s, pump stack %u B (free %u B), linear memory %u B in %s, heap free %u B, "
           "largest internal block %u B",
           EDGEPROP_ENGINE_LABEL, (unsigned)EDGEPROP_PUMP_TASK_STACK,
           (unsigned)uxTaskGetStackHighWaterMark(NULL), (unsigned)size,
           in_psram(mem) ? "PSRAM" : "internal RAM", (unsigned)esp_get_free_heap_size(),
           (unsigned)heap_caps_get_largest_free_block(MALLOC_CAP_INTERNAL | MALLOC_CAP_8BIT));
  write_line(line);
  EDGEPROP_SERIAL.write((uint8_t)0);
}

extern "C" int edgeprop_board_begin(edgeprop *ep) {
  ep_engine_config ec = {};
  ep_pump_config pc = {};
#if !EDGEPROP_ENGINE_WASM2C
  ec.module = g_module->bytes;
  ec.module_len = g_module->len;
#endif
  ec.stack_bytes = g_module->wasm3_stack;
  ec.memory_limit = g_module->memory_limit;
  pc.boot_id = g_boot_id;
  pc.memory_limit = (int32_t)g_module->memory_limit;
  pc.read_timeout_ms = 20;
  // Storage first: a sketch restores right after this returns.
  if (!LittleFS.begin(true)) write_line("edgeprop: LittleFS did not mount (no spiffs/littlefs partition?): saving will fail");
  int r = edgeprop_begin(ep, &ec, &pc);
  if (r == EDGEPROP_E_TRAP) {
    // Nothing to run: say why, again every 5 s for a host that connects later.
    for (;;) {
      ep_pump_report_load_failure(g_boot_id, ep_engine_error());
      for (int i = 0; i < 50; i++) {
        esp_task_wdt_reset();
        vTaskDelay(pdMS_TO_TICKS(100));
      }
    }
  }
  // The boot report waits for the sketch's setup (trainer_task): the banner
  // must go out first, and a setup that restores a model adds that to it.
  g_began = r == EDGEPROP_OK;
  return r;
}

extern "C" void edgeprop_board_print(const char *line) {
  write_line(line);
  EDGEPROP_SERIAL.write((uint8_t)0);
}

extern "C" uint32_t edgeprop_board_millis(void) { return millis(); }

static void trainer_task(void *) {
  esp_task_wdt_add(NULL); // fails harmlessly if the task watchdog is off
  g_last_feed = xTaskGetTickCount();
  g_boot_id = esp_random();
  g_trainer_setup();
  if (g_began) report_boot();
  for (;;) {
    g_trainer_loop();
    ep_hal_yield();
  }
}

static BaseType_t g_pump_created = pdFAIL;

extern "C" void edgeprop_board_start(const edgeprop_board_module *module, void (*trainer_setup)(void),
                                     void (*trainer_loop)(void)) {
  g_module = module;
  g_trainer_setup = trainer_setup;
  g_trainer_loop = trainer_loop;
  // Keep ESP-IDF's own log lines off the protocol's UART.
  esp_log_level_set("*", ESP_LOG_NONE);
  EDGEPROP_SERIAL.setRxBufferSize(rx_buffer_bytes(module)); // before begin(), or it is ignored
  EDGEPROP_SERIAL.begin(module->baud);
  // A frame delimiter before anything else, as the QEMU firmware does: a reset
  // can cut a reply off mid-frame, and the host's splitter must not glue those
  // bytes to the banner that follows (it would miss the reboot line and find
  // out only from NO_SESSION).
  {
    static const uint8_t delimiter = 0x00; // docs/protocol.md: frames end at 0x00
    EDGEPROP_SERIAL.write(&delimiter, 1);
  }
#ifdef BOARD_HAS_PSRAM
  if (!psramFound()) {
    write_line("edgeprop: this firmware expects PSRAM and none was found");
  }
#endif
#if CONFIG_FREERTOS_UNICORE
  const BaseType_t core = 0;
#else
  const BaseType_t core = 1; // the Arduino core; Wi-Fi/BT stay on core 0
#endif
  g_pump_created = xTaskCreatePinnedToCore(trainer_task, "edgeprop", EDGEPROP_PUMP_TASK_STACK, NULL,
                                           EDGEPROP_PUMP_PRIORITY, &g_pump, core);
}

extern "C" void edgeprop_board_idle(void) {
  if (g_pump_created == pdPASS) vTaskDelete(NULL); // the trainer task does the work
  // No trainer: say so every 5 s (a host that connects later sees it too).
  char line[160];
  snprintf(line, sizeof line,
           "edgeprop: cannot start the pump task: %u B of stack not available (heap free %u B, largest block %u B)",
           (unsigned)EDGEPROP_PUMP_TASK_STACK, (unsigned)esp_get_free_heap_size(),
           (unsigned)heap_caps_get_largest_free_block(MALLOC_CAP_INTERNAL | MALLOC_CAP_8BIT));
  write_line(line);
  delay(5000);
}
