// Ctrl-C during a training command: the first stops the run at the next
// batch boundary (the command then saves what it has and says where), the
// second exits at once. SIGINT reaches the process between batches (the event
// loop runs there), which is where a run can stop cleanly.

export const INTERRUPT_EXIT_CODE = 130; // 128 + SIGINT, what a shell reports for Ctrl-C

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

  constructor(private readonly io: InterruptIo = processIo) {}

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
    this.io.write("\ninterrupted: stopping after this batch (Ctrl-C again to quit at once)\n");
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
export async function withInterrupt<T>(f: (i: Interrupt) => Promise<T>): Promise<T> {
  const i = new Interrupt().install();
  try {
    return await f(i);
  } finally {
    i.dispose();
  }
}
