// Emulated boards in a fleet beside simulated ones (issue 24): `fleet sim
// --emulate esp32-c3 --emulated-clients 2` runs two clients on the real
// firmware under QEMU (the esp32-c3's RISC-V build over its emulated UART)
// and two on the simulated board; the global model equals the all-simulated
// fleet's bit for bit. Kept to one round of iris: QEMU is slow.
import { describe, expect, it } from "vitest";
import { parseArgs } from "../../host/cli/args";
import { FLEET_SIM_OPTIONS, fleetSimSpecOf } from "../../host/cli/fleet-options";
import { runFleetSim } from "../../host/fleet/simulation";
import { PROFILE, unavailable } from "../emulated/emulated-board";
import { runCli } from "../helpers/cli";

const skip = unavailable();
const bits = (w: Float32Array) => Buffer.from(w.buffer, w.byteOffset, w.byteLength).toString("hex");
const RUN = ["--dataset", "iris", "--opt", "adam", "--lr", "0.01", "--batch", "16", "--clients", "4", "--rounds", "1", "--no-centralized", "--round-timeout", "120"];

describe.skipIf(!!skip)(`fleet sim with ${PROFILE} emulated clients`, () => {
  it("two emulated and two simulated clients give the all-simulated fleet's model bit for bit", async () => {
    const spec = (extra: string[]) => fleetSimSpecOf(parseArgs([...RUN, ...extra, "--fleet", `emu${process.pid}${extra.length}`], FLEET_SIM_OPTIONS, "fleet sim"), () => {});
    const simulated = await runFleetSim(spec([]));
    const mixed = await runFleetSim(spec(["--emulate", PROFILE, "--emulated-clients", "2"]));
    expect(mixed.history.map((h) => [h.sampled, h.answered])).toEqual([[4, 4]]);
    expect(bits(mixed.weights)).toBe(bits(simulated.weights));
  }, 300_000);
});

describe("--emulated-clients", () => {
  it("goes with --emulate: exit 2", () => {
    const r = runCli(["fleet", "sim", "--dataset", "iris", "--emulated-clients", "2"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--emulated-clients 2 says how many clients run on the emulated board: it goes with --emulate PROFILE/);
  });
});
