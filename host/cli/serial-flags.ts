// The flags that reach a real board over a serial port (train, monitor) and
// their resolution, once, into a SerialLine: the baud comes from --baud, else
// from the --board profile (the rate its firmware runs at), else 115200.
import type { OptionSpec, Parsed } from "./args.js";
import { LinkError } from "../errors.js";
import type { PipelineOptions } from "../protocol/pipeline.js";
import { loadProfile } from "../firmware/profiles.js";

/** What a board without a profile is assumed to run at (the Arduino/ESP-IDF console default). */
export const DEFAULT_SERIAL_BAUD = 115200;

export const SERIAL_OPTIONS: OptionSpec[] = [
  { name: "port", kind: "string", value: "PATH", help: "the board's serial port (e.g. /dev/ttyUSB0; see 'edgeprop ports')" },
  { name: "baud", kind: "int", min: 1, help: `serial line rate (default: the --board profile's, else ${DEFAULT_SERIAL_BAUD})` },
  { name: "board", kind: "string", value: "PROFILE", help: "the board's profile (boards/profiles: esp32, esp32-s3, esp32-c3): the baud its firmware runs at, the chunk its memory fits" },
];

export interface SerialLine {
  port: string;
  baud: number;
  /** Where the baud came from, for messages: "--baud", "the esp32 profile's", "the default". */
  baudFrom: string;
}

export function serialLineOf(a: Parsed, port: string): SerialLine {
  if (a.baud !== undefined) return { port, baud: Number(a.baud), baudFrom: "--baud" };
  if (a.board !== undefined) {
    const profile = loadProfile(String(a.board));
    return { port, baud: profile.baud, baudFrom: `the ${a.board} profile's` };
  }
  return { port, baud: DEFAULT_SERIAL_BAUD, baudFrom: "the default; give --board PROFILE or --baud" };
}

/** Why a board on a serial port may not answer its first request, as a sentence to add to the error. */
export function noAnswerHint(line: SerialLine): string {
  return ` Nothing answers on ${line.port} at ${line.baud} baud (${line.baudFrom}). Likely causes: ` +
    "the baud does not match the firmware's (the esp32 and esp32-s3 profiles run at 921600, esp32-c3 at 460800); " +
    "the edgeprop firmware is not flashed (edgeprop flash --board PROFILE); " +
    "another program (a serial monitor, edgeprop monitor) has the port open; " +
    "or the board is held in reset or its bootloader (press EN/RST).";
}

/** How a command that talks to a board waits for its replies (train, push). */
export const REPLY_OPTIONS: OptionSpec[] = [
  { name: "timeout", kind: "int", min: 10, default: 500, help: "ms to wait for a reply before sending again (transfer time is added)" },
  { name: "retries", kind: "int", min: 1, default: 8, help: "attempts per request before giving up on the board (timeouts and error replies count; no request waits longer than the no-progress deadline, docs/protocol.md §3.3)" },
];

export function replyOptionsOf(a: Parsed): PipelineOptions {
  return { timeoutMs: Number(a.timeout), retries: Number(a.retries) };
}

/** For a promise's catch: a board that did not answer gets the likely causes added (noAnswerHint); other errors pass. */
export function explainNoAnswer(line: SerialLine): (err: unknown) => never {
  return (err) => {
    if (err instanceof LinkError && /no reply|timed out|did not answer/i.test(err.message)) throw new LinkError(err.message + noAnswerHint(line));
    throw err;
  };
}
