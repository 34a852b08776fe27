// --resident on a CSV file: a data set the simulated board cannot hold is
// refused before the file is read (a large file would take seconds and its
// size in memory only to be refused at CONFIGURE). The rows are estimated
// from the file's size and its first rows (data/row-estimate.ts); the exact
// check stays where it was, at CONFIGURE, for every board.
import type { Parsed } from "./args.js";
import { UsageError } from "../errors.js";
import { estimateRows } from "../data/row-estimate.js";
import { computePlan } from "../model/plan.js";
import { loadProfile } from "../firmware/profiles.js";
import { moduleMemoryBytes, moduleStaticBytes } from "../boards/engine.js";
import type { RunSettings } from "../run/run-spec.js";
import { cut } from "../text/quote.js";

/**
 * Refuses (exit 2) `--resident` on `file` when the store of its estimated
 * training rows cannot fit the simulated board's memory (the --board
 * profile's limit, else the module's); `settingsFor(rows)` is the run's
 * settings for that many training rows. Silent when it cannot know: a board
 * of its own (--port, --engine, --emulate), a file it cannot estimate, or
 * settings that need the data (--hidden). (The caller skips it when --missing
 * may leave rows out.)
 */
export function refuseResidentEarly(a: Parsed, file: string, settingsFor: (rows: number) => RunSettings): void {
  if (!a.resident || a.port !== undefined || a.engine !== undefined || a.emulate !== undefined) return;
  const estimate = estimateRows(file);
  if (!estimate) return;
  const fraction = a["val-split"] !== undefined ? Number(a["val-split"]) : 0;
  const rows = estimate.rows - Math.round(estimate.rows * fraction);
  if (rows < 1) return;
  let settings: RunSettings;
  try {
    settings = settingsFor(rows);
  } catch {
    return; // said once the data is read, as before
  }
  const plan = computePlan({ ...settings.run, storeRows: rows }, moduleStaticBytes());
  const profileLimit = a.board !== undefined ? loadProfile(String(a.board)).memory_limit : 0;
  const limit = profileLimit > 0 ? profileLimit : moduleMemoryBytes();
  if (plan.total_bytes <= limit) return;
  const mb = (estimate.size / 1e6).toFixed(1);
  throw new UsageError(`--resident: ${cut(file)} holds about ${rows} training rows or more (estimated from its ${mb} MB and its first ${estimate.sampled} rows, ` +
    `before reading it): the model does not fit the board's memory: needs ${plan.total_bytes} bytes, the board allows ${limit} ` +
    `(the sample store of ${rows} rows takes ${plan.store_bytes} of them); train without --resident (the rows are streamed)`);
}
