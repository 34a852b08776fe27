// --report FILE.html: the run's loss curve, gradient norms and table row.
import { writeReport } from "../report/html.js";
import { describeRun } from "./describe.js";
import type { RunFinish, RunObserver } from "./observer.js";

export class ReportWriter implements RunObserver {
  constructor(private readonly file: string) {}

  finished(f: RunFinish): void {
    const { settings, data } = f.run;
    writeReport(this.file, {
      title: `edgeprop: ${describeRun(settings)}`,
      intro: `${data.rows} rows of ${data.name}${f.run.validation ? `, ${f.run.validation.rows} held out for validation` : ""}, ` +
        `${settings.epochs} epochs on ${f.record.board}${f.record.bestEpoch !== undefined ? `; the model kept is epoch ${f.record.bestEpoch}'s (--early-stop)` : ""}.`,
      sections: [{ title: f.run.validation ? "Training and validation loss" : "Training loss", runs: [f.record] }],
    });
  }
}
