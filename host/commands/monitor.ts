// edgeprop monitor --port PATH: the board's text lines and decoded frames,
// live, for watching a session from a second terminal or debugging a board.
import { parseArgs, helpText, type OptionSpec } from "../args.js";
import { SerialLink } from "../links/serial-link.js";
import { FrameSplitter } from "../protocol/frame-splitter.js";
import { typeName } from "../protocol/frame.js";
import { UsageError } from "../errors.js";

const OPTIONS: OptionSpec[] = [
  { name: "port", kind: "string", value: "PATH", help: "serial port to watch" },
  { name: "baud", kind: "int", min: 1, default: 115200, help: "serial line rate" },
  { name: "hello", kind: "flag", help: "send a HELLO on connect and show the board's answer" },
  { name: "help", kind: "flag", help: "show this help" },
];

export async function monitorCommand(argv: string[]): Promise<number> {
  const a = parseArgs(argv, OPTIONS, "monitor");
  if (a.help) { process.stdout.write(helpText("monitor", "--port PATH [--baud N]", OPTIONS)); return 0; }
  if (!a.port) throw new UsageError("--port PATH is required");
  const link = await SerialLink.open(String(a.port), Number(a.baud));
  const stamp = () => new Date().toISOString().slice(11, 23);
  const splitter = new FrameSplitter({
    text: (line) => process.stdout.write(`${stamp()}  text   ${line}\n`),
    frame: (f) => process.stdout.write(`${stamp()}  frame  ${typeName(f.type).padEnd(18)} seq ${String(f.seq).padStart(5)}  ${f.payload.length} bytes\n`),
    garbage: (n) => process.stdout.write(`${stamp()}  noise  ${n} bytes\n`),
  });
  link.onData((b) => splitter.push(b));
  if (a.hello) {
    const { encodeFrame, Type } = await import("../protocol/frame.js");
    link.write(encodeFrame({ type: Type.HELLO, seq: 0, payload: new Uint8Array(0) }));
  }
  await new Promise<void>((resolve) => {
    link.onClose(() => resolve());
    process.once("SIGINT", () => resolve());
  });
  await link.close();
  return 0;
}
