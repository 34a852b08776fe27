// --report FILE.html of `fleet sim` and `fleet serve`: per round the global
// model's validation accuracy and loss (with fleet sim's centralized run
// beside them), the clients sampled, answered and dropped, and the bytes. The
// page is `train --report`'s (report/html.ts: the same self-contained shell,
// charts and log-scale toggle); only what is drawn is the fleet's.
import { esc, legend, lineChart, writeReport, type Series } from "../report/html.js";
import type { RoundMetrics, RoundReport } from "./coordinator.js";

export interface FleetReport {
  title: string;
  /** Plain text (escaped here). */
  intro: string;
  rounds: readonly RoundReport[];
  /** fleet sim: centralized training's figures after each round's worth of epochs. */
  centralized: readonly RoundMetrics[] | null;
}

const FLEET = "#1f77b4", CENTRALIZED = "#d62728", SAMPLED = "#7f7f7f", ANSWERED = "#2ca02c", DROPPED = "#ff7f0e";

/** The round of each figure as chart points, leaving out rounds without it. */
function points(rounds: readonly RoundReport[], value: (r: RoundReport, i: number) => number | undefined): [number, number][] {
  return rounds.flatMap((r, i): [number, number][] => { const v = value(r, i); return v === undefined ? [] : [[r.round, v]]; });
}

function figure(title: string, charts: string, series: Series[]): string {
  return `<h2>${esc(title)}</h2><figure>${charts}${legend(series)}</figure>`;
}

const pct = (v: number | undefined) => (v === undefined ? "-" : `${(100 * v).toFixed(1)}%`);
const fixed = (v: number | undefined) => (v === undefined ? "-" : v.toPrecision(4));
const count = (n: number) => n.toLocaleString("en-US");

export function fleetReportBody(r: FleetReport): string {
  const { rounds } = r;
  const cen = (i: number) => r.centralized?.[(rounds[i]?.round ?? 0) - 1];
  const parts: string[] = [];
  const accuracy: Series[] = [
    { label: "fleet (global model)", color: FLEET, cls: "acc", points: points(rounds, (x) => (x.val_accuracy === undefined ? undefined : 100 * x.val_accuracy)) },
    ...(r.centralized ? [{ label: "centralized (same rows, round x local epochs)", color: CENTRALIZED, cls: "acc", dash: "6 3",
      points: points(rounds, (_, i) => { const a = cen(i)?.val_accuracy; return a === undefined ? undefined : 100 * a; }) }] : []),
  ].filter((s) => s.points.length > 0);
  if (accuracy.length > 0) {
    parts.push(figure("Validation accuracy per round", lineChart(accuracy, { log: false, xLabel: "round", yLabel: "accuracy (%)", cls: "acc" }), accuracy));
  }
  const loss = (cls: string): Series[] => [
    { label: "fleet (global model)", color: FLEET, cls, points: points(rounds, (x) => x.val_loss) },
    ...(r.centralized ? [{ label: "centralized", color: CENTRALIZED, cls, dash: "6 3", points: points(rounds, (_, i) => cen(i)?.val_loss) }] : []),
  ].filter((s) => s.points.length > 0);
  if (loss("lin").length > 0) {
    const o = { xLabel: "round", yLabel: "validation loss" };
    parts.push(figure("Validation loss per round", lineChart(loss("lin"), { ...o, log: false, cls: "lin" }) + lineChart(loss("log"), { ...o, log: true, cls: "log" }), loss("lin")));
  }
  const clients: Series[] = [
    { label: "sampled", color: SAMPLED, cls: "clients", points: points(rounds, (x) => x.sampled) },
    { label: "answered (in the average)", color: ANSWERED, cls: "clients", points: points(rounds, (x) => x.answered) },
    { label: "dropped", color: DROPPED, cls: "clients", dash: "2 3", points: points(rounds, (x) => x.dropped) },
  ];
  parts.push(figure("Clients per round", lineChart(clients, { log: false, xLabel: "round", yLabel: "clients", cls: "clients", height: 240 }), clients));
  const head = ["round", "lr", "sampled", "answered", "dropped", "refused", "examples", "bytes sent", "bytes received",
    "val loss", "val accuracy", ...(r.centralized ? ["centralized val loss", "centralized val accuracy"] : []), "seconds"];
  const rows = rounds.map((x, i) => [String(x.round), String(x.lr), count(x.sampled), count(x.answered), count(x.dropped), count(x.refused), count(x.examples),
    count(x.bytes_sent), count(x.bytes_received), fixed(x.val_loss), pct(x.val_accuracy),
    ...(r.centralized ? [fixed(cen(i)?.val_loss), pct(cen(i)?.val_accuracy)] : []), x.seconds.toFixed(3)]);
  const sent = rounds.reduce((s, x) => s + x.bytes_sent, 0), received = rounds.reduce((s, x) => s + x.bytes_received, 0);
  parts.push(`<h2>Rounds</h2><p>${count(rounds.length)} rounds; ${count(sent)} bytes sent and ${count(received)} received (payloads: ROUND and UPDATE messages).</p>` +
    `<table class="runs"><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join("")}</tr></thead><tbody>` +
    rows.map((cells) => `<tr>${cells.map((c) => `<td>${esc(c)}</td>`).join("")}</tr>`).join("") + `</tbody></table>`);
  return parts.join("");
}

/** Writes the report (atomically); called after every round, so a stopped run keeps the rounds it closed. */
export function writeFleetReport(file: string, r: FleetReport): void {
  writeReport(file, { title: r.title, intro: esc(r.intro), body: fleetReportBody(r), sections: [] });
}
