// OnDeviceLearning: the board learns from data it collects itself, with no
// PC attached. A simulated sensor (generated here on the board: a reading
// that sweeps -1..1 and a noisy second one) gives samples whose target the
// board learns to predict; it keeps the newest 128 in the module's sample store
// (a host that attaches sees them: STORE with 0 rows answers HELD), trains
// on them, saves the model (weights, optimizer state) to storage and
// predicts. After a reset it reloads the saved model instead and predicts
// the same values. Meanwhile the serial pump serves the protocol: a PC can
// attach at any time (`edgeprop monitor`, `edgeprop pull --port P --save m.json`).
//
// A model trained on a PC can be pushed to it (`edgeprop push model.json
// --port P`): the sketch takes it over, fine-tunes it on fresh readings of
// its own, saves it and predicts with it, as a device personalises a model
// where it is installed.
//
// Lines it prints (text between frames, 0x00 after each):
//   odl: collecting N samples | odl: training on N samples | odl: trained E epochs, loss L | odl: saved
//   odl: restored | odl: restore refused (EDGEPROP_E_OTHER_SHAPE): WHY; training afresh | odl: adopted the host's model |
//   odl: the host's model is not this sketch's (WHY): not fine-tuned | odl: predict x=(A, B) y=HEX (the float's bits) = V
//
// The simulated readings are exact binary fractions, so a PC can rebuild
// the same rows (tests/firmware/on-device-learning.test.ts does).
#include <string.h>
#include <stdio.h>
#include <EdgeProp.h>
#include "edgeprop_module.h"  // this board's module: `edgeprop flash --board NAME --header-only`

#define STORE_ROWS 128      // samples the store keeps (the newest)
#define SAMPLES 160         // samples collected before training (the first 32 fall out)
#define INPUTS 2
#define TARGETS 1
#define EPOCHS 30
#define BATCH 16
#define SAMPLES_PER_LOOP 8  // between two services of the serial link
#define MODEL_KEY "odl"
#define HOST_QUIET_MS 500    // a host's push is over once it left the model alone this long

static const edgeprop_board_module module_info = EDGEPROP_BOARD_MODULE;
static edgeprop ep;
static uint32_t collected;
static uint32_t sensor_state = 12345u;
static enum { COLLECTING, READY, FAILED } phase = COLLECTING;

// The simulated sensor: reading k sweeps x0 through -1..1 in steps of 1/32;
// x1 is noise in steps of 1/128 from a linear congruential generator; the
// quantity to learn is 0.5 x0^2 - 0.25 x1 (all exact in float).
static void read_sensor(uint32_t k, float *x, float *t) {
  sensor_state = sensor_state * 1664525u + 1013904223u;
  x[0] = (float)((int32_t)(k % 64u) - 32) / 32.0f;
  x[1] = (float)((int32_t)(sensor_state >> 24) - 128) / 128.0f;
  t[0] = 0.5f * x[0] * x[0] - 0.25f * x[1];
}

static void say(const char *what, int code) {
  char line[220];
  snprintf(line, sizeof line, "odl: %s failed (%d): %s", what, code, edgeprop_error(&ep));
  edgeprop_board_print(line);
  phase = FAILED;
}

static void predict_probes(void) {
  static const float probes[4][INPUTS] = {{-1.0f, 0.0f}, {-0.5f, 0.25f}, {0.25f, -0.5f}, {0.75f, 0.75f}};
  float y[4];
  int r = edgeprop_predict(&ep, &probes[0][0], 4, y);
  if (r) return say("predict", r);
  for (int i = 0; i < 4; i++) {
    uint32_t bits;
    char line[120];
    memcpy(&bits, &y[i], sizeof bits);
    snprintf(line, sizeof line, "odl: predict x=(%g, %g) y=%08lx = %.6f", probes[i][0], probes[i][1],
             (unsigned long)bits, y[i]);
    edgeprop_board_print(line);
  }
}

static void start_collecting(void) {
  char line[80];
  collected = 0;
  phase = COLLECTING;
  snprintf(line, sizeof line, "odl: collecting %d samples", SAMPLES);
  edgeprop_board_print(line);
}

// The sketch's model: what it configures afresh, and the shape a saved model
// must have to be restored (one saved by a firmware with other INPUTS is not).
static void sketch_model(edgeprop_model *m) {
  edgeprop_model_defaults(m, EDGEPROP_OPT_ADAM);
  m->layers = 2;
  m->sizes[0] = INPUTS;
  m->sizes[1] = 16;
  m->sizes[2] = TARGETS;
  m->activations[0] = EDGEPROP_ACT_TANH;
  m->activations[1] = EDGEPROP_ACT_IDENTITY;
  m->loss = EDGEPROP_LOSS_MSE;
  m->lr = 0.01;
  m->seed = 7;
  m->chunk = BATCH;
  m->store_rows = STORE_ROWS;
}

static void configure_fresh(const edgeprop_model *m) {
  int r = edgeprop_configure(&ep, m);
  if (r) return say("configure", r);
  start_collecting();
}

static void trainer_setup(void) {
  edgeprop_model m;
  int r = edgeprop_board_begin(&ep);
  if (r) return say("begin", r);
  sketch_model(&m);
  r = edgeprop_restore(&ep, MODEL_KEY, &m);  // 1: the model saved before the reset is back
  if (r == 1) {
    edgeprop_board_print("odl: restored");
    phase = READY;
    predict_probes();
    return;
  }
  // A damaged save (EDGEPROP_E_BAD_BLOB) or one of another shape, saved before
  // a firmware update changed the model (EDGEPROP_E_OTHER_SHAPE): start afresh.
  if (r == EDGEPROP_E_OTHER_SHAPE) {
    char line[220];
    snprintf(line, sizeof line, "odl: restore refused (EDGEPROP_E_OTHER_SHAPE): %s; training afresh", edgeprop_error(&ep));
    edgeprop_board_print(line);
  } else if (r) {
    say("restore", r);
  }
  configure_fresh(&m);
}

static void collect_and_train(void) {
  float x[INPUTS], t[TARGETS];
  for (int i = 0; i < SAMPLES_PER_LOOP && collected < SAMPLES; i++) {
    read_sensor(collected++, x, t);
    int r = edgeprop_add_sample(&ep, x, t);
    if (r) return say("add_sample", r);
  }
  if (collected < SAMPLES) return;
  char line[80];
  snprintf(line, sizeof line, "odl: training on %lu samples", (unsigned long)edgeprop_samples_held(&ep));
  edgeprop_board_print(line);
  double loss = 0;
  int r = edgeprop_train(&ep, EPOCHS, BATCH, 1, &loss);
  if (r) return say("train", r);
  snprintf(line, sizeof line, "odl: trained %d epochs, loss %.6f", EPOCHS, loss);
  edgeprop_board_print(line);
  r = edgeprop_save(&ep, MODEL_KEY);
  if (r) return say("save", r);
  edgeprop_board_print("odl: saved");
  phase = READY;
  predict_probes();
}

// A host pushed a model (or trained this one): take it over and fine-tune it
// on readings collected from here on (its hyper-parameters, weights and
// sample store are the host's; its shape must be this sketch's).
static void adopt_hosts_model(void) {
  int r = edgeprop_adopt(&ep);
  if (r) return say("adopt", r);
  // Fine-tuned and saved only if it has this sketch's shape: its inputs and
  // targets are this sensor's, and a save of it is restored after a reboot.
  edgeprop_model m;
  sketch_model(&m);
  if (edgeprop_check_shape(&ep, &m) != EDGEPROP_OK) {
    char line[220];
    snprintf(line, sizeof line, "odl: the host's model is not this sketch's (%s): not fine-tuned", edgeprop_error(&ep));
    edgeprop_board_print(line);
    phase = READY;
    return;
  }
  edgeprop_board_print("odl: adopted the host's model");
  start_collecting();
}

static void trainer_loop(void) {
  edgeprop_poll(&ep);  // the host's protocol, whenever one is attached
  if (edgeprop_host_changed(&ep, HOST_QUIET_MS) == 1) adopt_hosts_model();
  if (phase == COLLECTING) collect_and_train();
}

void setup() { edgeprop_board_start(&module_info, trainer_setup, trainer_loop); }

void loop() { edgeprop_board_idle(); }
