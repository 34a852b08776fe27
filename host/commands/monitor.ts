// edgeprop monitor --port PATH: the board's text lines and decoded frames,
// live, for watching a session from a second terminal or debugging a board.
import { parseArgs, helpText, type OptionSpec } from "../args.js";
import { SerialLink } from "../transports/serial-link.js";
import { FrameSplitter } from "../protocol/frame-splitter.js";
import { Type, typeName, type Frame } from "../protocol/frame.js";
import { statusName } from "../protocol/status.js";
import { UsageError } from "../errors.js";

const OPTIONS: OptionSpec[] = [
  { name: "port", kind: "string", value: "PATH", help: "serial port to watch" },
  { name: "baud", kind: "int", min: 1, default: 115200, help: "serial line rate" },
  { name: "hello", kind: "flag", help: "send a HELLO on connect and show the board's answer" },
  { name: "help", kind: "flag", help: "show this help" },
];

/** A few decoded fields of the replies worth reading at a glance. */
function describe(f: Frame): string {
  const v = new DataView(f.payload.buffer, f.payload.byteOffset, f.payload.byteLength);
  const hex = (n: number) => n.toString(16).padStart(8, "0");
  if (f.type === (Type.HELLO | Type.REPLY) && f.payload.length >= 32) {
    return `  protocol ${v.getUint8(0)}, build ${hex(v.getUint32(4, true))}, boot ${hex(v.getUint32(8, true))}, ` +
      `memory limit ${v.getUint32(12, true)}, ${v.getUint8(1) ? `configured, chunk ${v.getUint16(2, true)}` : "not configured"}, ` +
      `${v.getUint32(28, true)} steps`;
  }
  if (f.type === (Type.BATCH | Type.REPLY) && f.payload.length >= 24) {
    return `  status ${v.getUint8(0)}, rows ${v.getUint16(2, true)}, loss sum ${v.getFloat64(8, true).toPrecision(6)}${v.getUint8(1) ? ", stepped" : ""}`;
  }
  if (f.type === Type.ERROR && f.payload.length >= 8) {
    return `  ${statusName(v.getUint8(0))} (for 0x${v.getUint8(1).toString(16)}, detail ${v.getInt16(2, true)})`;
  }
  return "";
}

export async function monitorCommand(argv: string[]): Promise<number> {
  const a = parseArgs(argv, OPTIONS, "monitor");
  if (a.help) { process.stdout.write(helpText("monitor", "--port PATH [--baud N]", OPTIONS)); return 0; }
  if (!a.port) throw new UsageError("--port PATH is required");
  const link = await SerialLink.open(String(a.port), Number(a.baud));
  const stamp = () => new Date().toISOString().slice(11, 23);
  const splitter = new FrameSplitter({
    text: (line) => process.stdout.write(`${stamp()}  text   ${line}\n`),
    frame: (f) => process.stdout.write(`${stamp()}  frame  ${typeName(f.type).padEnd(18)} seq ${String(f.seq).padStart(5)}  ${f.payload.length} bytes${describe(f)}\n`),
    garbage: (n) => process.stdout.write(`${stamp()}  noise  ${n} bytes\n`),
  });
  link.onData((b) => splitter.push(b));
  if (a.hello) {
    const { encodeFrame } = await import("../protocol/frame.js");
    link.write(encodeFrame({ type: Type.HELLO, seq: 0, payload: new Uint8Array(0) }));
  }
  await new Promise<void>((resolve) => {
    link.onClose(() => resolve());
    process.once("SIGINT", () => resolve());
  });
  await link.close();
  return 0;
}
