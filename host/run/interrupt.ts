// Ctrl-C during a training command: the first stops the run at the next
// batch boundary (the command then saves what it has and says where), the
// second exits at once. SIGINT reaches the process only when the event loop
// runs: between batches on a board behind real I/O (a pty, a serial port, a
// board process, a throttled line), but only between epochs on a board
// simulated in this process, which answers a whole epoch in one go; the
// message says which of the two the run will do.

export const INTERRUPT_EXIT_CODE = 130; // 128 + SIGINT, what a shell reports for Ctrl-C

/** Where a run can stop: after the current batch, or (a board that answers an epoch at once) before the next epoch. */
export type StopBoundary = "batch" | "epoch";

const WHAT_IT_DOES: Record<StopBoundary, string> = {
  batch: "stopping after this batch",
  epoch: "stopping before the next epoch (the board in this process trains a whole epoch at once)",
};

export interface InterruptIo {
  write(text: string): void;
  exit(code: number): void;
}

const processIo: InterruptIo = {
  write: (t) => process.stderr.write(t),
  exit: (c) => process.exit(c),
};

export class Interrupt {
  private requested = false;
  private readonly onSignal = () => this.request();

  constructor(private readonly io: InterruptIo = processIo, private readonly boundary: StopBoundary = "batch") {}

  /** Whether the run should stop at the next batch boundary. */
  get stopRequested(): boolean {
    return this.requested;
  }

  /** A Ctrl-C: the first asks the run to stop, the second quits now. */
  request(): void {
    if (this.requested) {
      this.io.write("\ninterrupted again: quitting now, nothing more is saved\n");
      this.io.exit(INTERRUPT_EXIT_CODE);
      return;
    }
    this.requested = true;
    this.io.write(`\ninterrupted: ${WHAT_IT_DOES[this.boundary]} (Ctrl-C again to quit at once)\n`);
  }

  /** Catches SIGINT until `dispose`. */
  install(): this {
    process.on("SIGINT", this.onSignal);
    return this;
  }

  dispose(): void {
    process.off("SIGINT", this.onSignal);
  }
}

/** Runs `f` with Ctrl-C caught by an Interrupt, restoring the default afterwards. */
export async function withInterrupt<T>(f: (i: Interrupt) => Promise<T>, boundary: StopBoundary = "batch"): Promise<T> {
  const i = new Interrupt(processIo, boundary).install();
  try {
    return await f(i);
  } finally {
    i.dispose();
  }
}
