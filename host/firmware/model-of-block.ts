// The board's model line (boards/common/edgeprop.h, EDGEPROP_MODEL_LINE_PREFIX):
//   edgeprop: model cfg=<320 hex digits>
// the 160-byte configuration block the module holds, written by a firmware
// running the training API when it goes idle after traffic (the protocol
// itself cannot read a configuration back). One schema for that line: a line
// that starts like one but breaks it is refused whole, never half used.
import type { ModelConfig } from "../config.js";
import { ACTIVATIONS } from "../config.js";
import { CONFIG_BYTES, ConfigOffset, decodeShape } from "../protocol/config-block.js";
import { MalformedMessageError } from "../protocol/message-error.js";
import { FrameSplitter } from "../protocol/frame-splitter.js";
import type { ByteLink } from "../transports/byte-link.js";

export const MODEL_LINE_PREFIX = "edgeprop: model cfg=";

export class BadModelLine extends Error {}

export function isModelLine(line: string): boolean {
  return line.startsWith(MODEL_LINE_PREFIX);
}

/** The configuration block a model line carries; throws BadModelLine saying what is wrong. */
export function parseModelLine(line: string): Uint8Array {
  if (!isModelLine(line)) throw new BadModelLine("not a model line");
  const hex = line.slice(MODEL_LINE_PREFIX.length).trimEnd();
  if (hex.length !== 2 * CONFIG_BYTES || !/^[0-9a-f]+$/.test(hex)) {
    throw new BadModelLine(`expected ${2 * CONFIG_BYTES} lowercase hex digits after '${MODEL_LINE_PREFIX}', got ${hex.length} characters`);
  }
  const block = Uint8Array.from(Buffer.from(hex, "hex"));
  try {
    decodeShape(block);
  } catch (err) {
    if (err instanceof MalformedMessageError) throw new BadModelLine(err.message);
    throw err;
  }
  return block;
}

/** The model (shape, activations, loss) a configuration block describes, checked. */
export function modelOfBlock(block: Uint8Array): ModelConfig {
  const { sizes, loss } = decodeShape(block);
  const activations = sizes.slice(1).map((_, l) => {
    const code = block[ConfigOffset.ACTIVATIONS + l];
    const name = ACTIVATIONS[code];
    if (name === undefined) throw new BadModelLine(`configuration block: unknown activation ${code} for layer ${l + 1}`);
    return name;
  });
  return { sizes, activations, loss };
}

/** Listens beside the protocol's reader for model lines; keeps the latest valid one. */
export class ModelLineWatcher {
  private latest: Uint8Array | null = null;
  private waiters: Array<(b: Uint8Array) => void> = [];
  /** Why the last model line that broke the schema was refused ("" = none was). */
  refused = "";

  constructor(link: ByteLink) {
    const splitter = new FrameSplitter({ frame: () => {}, text: (line) => this.onText(line) });
    link.onData((b) => splitter.push(b));
  }

  private onText(line: string): void {
    if (!isModelLine(line)) return;
    let block: Uint8Array;
    try {
      block = parseModelLine(line);
    } catch (err) {
      if (!(err instanceof BadModelLine)) throw err;
      this.refused = `${err.message}: ${line.slice(0, 80)}`;
      return;
    }
    this.latest = block;
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w(block);
  }

  /** Forgets what was seen, so next() waits for a line the board writes from now on. */
  forget(): void {
    this.latest = null;
  }

  /** The next (or an unforgotten) model line's block, or null after `timeoutMs`. */
  next(timeoutMs: number): Promise<Uint8Array | null> {
    if (this.latest) return Promise.resolve(this.latest);
    return new Promise((resolve) => {
      const done = (b: Uint8Array) => { clearTimeout(timer); resolve(b); };
      const timer = setTimeout(() => { this.waiters = this.waiters.filter((w) => w !== done); resolve(null); }, timeoutMs);
      this.waiters.push(done);
    });
  }
}
