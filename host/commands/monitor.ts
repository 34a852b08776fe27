// edgeprop monitor --port PATH: the board's text lines and decoded frames,
// live, for watching a session from a second terminal or debugging a board.
import { hexId } from "../text/number-format.js";
import { commandFlags, HELP_OPTION, type OptionSpec } from "../cli/args.js";
import { SerialLink } from "../transports/serial-link.js";
import { FrameSplitter } from "../protocol/frame-splitter.js";
import { Type, encodeFrame, typeName, type Frame } from "../protocol/frame.js";
import { decodeBatchReply, decodeError, decodeHelloReply, encodeHello } from "../protocol/codec.js";
import { MalformedMessageError } from "../protocol/message-error.js";
import { statusName } from "../protocol/status.js";
import { UsageError } from "../errors.js";
import { SERIAL_OPTIONS, serialLineOf } from "../cli/serial-flags.js";

const OPTIONS: OptionSpec[] = [
  ...SERIAL_OPTIONS,
  { name: "hello", kind: "flag", help: "send a HELLO on connect and show the board's answer" },
  HELP_OPTION,
];

/** A few decoded fields of the replies worth reading at a glance ("" for a payload that does not decode). */
function describe(f: Frame): string {
  try {
    if (f.type === (Type.HELLO | Type.REPLY)) {
      const h = decodeHelloReply(f.payload);
      return `  protocol ${h.protocol}, build ${hexId(h.buildId)}, boot ${hexId(h.bootId)}, ` +
        `memory limit ${h.memoryLimit}, ${h.configured ? `configured, chunk ${h.chunk}` : "not configured"}, ` +
        `${h.step} steps`;
    }
    if (f.type === (Type.BATCH | Type.REPLY)) {
      const r = decodeBatchReply(f.payload);
      return `  status ${r.status}, rows ${r.rows}, loss sum ${r.lossSum.toPrecision(6)}${r.stepped ? ", stepped" : ""}`;
    }
    if (f.type === Type.ERROR) {
      const e = decodeError(f.payload);
      return `  ${statusName(e.code)} (for 0x${e.forType.toString(16)}, detail ${e.detail})`;
    }
  } catch (err) {
    if (err instanceof MalformedMessageError) return "";
    throw err;
  }
  return "";
}

export async function monitorCommand(argv: string[]): Promise<number> {
  const a = commandFlags(argv, { command: "monitor", synopsis: "--port PATH [--baud N]", options: OPTIONS });
  if (!a) return 0;
  if (!a.port) throw new UsageError("--port PATH is required");
  const line = serialLineOf(a, String(a.port));
  const link = await SerialLink.open(line.port, line.baud);
  // Without --hello a board says nothing until something talks to it: say what this is waiting for.
  process.stdout.write(`monitor: watching ${line.port} at ${line.baud} baud (${line.baudFrom}) for the board's text lines and frames; ` +
    `${a.hello ? "sending a HELLO" : "nothing is sent (--hello asks the board to answer)"}; Ctrl-C to stop\n`);
  const stamp = () => new Date().toISOString().slice(11, 23);
  const splitter = new FrameSplitter({
    text: (line) => process.stdout.write(`${stamp()}  text   ${line}\n`),
    frame: (f) => process.stdout.write(`${stamp()}  frame  ${typeName(f.type).padEnd(18)} seq ${String(f.seq).padStart(5)}  ${f.payload.length} bytes${describe(f)}\n`),
    garbage: (n) => process.stdout.write(`${stamp()}  noise  ${n} bytes\n`),
  });
  link.onData((b) => splitter.push(b));
  if (a.hello) {
    link.write(encodeFrame({ type: Type.HELLO, seq: 0, payload: encodeHello() }));
  }
  await new Promise<void>((resolve) => {
    link.onClose(() => resolve());
    process.once("SIGINT", () => resolve());
  });
  await link.close();
  return 0;
}
