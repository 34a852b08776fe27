// edgeprop ports: the serial ports on this machine. serialport's listing
// spawns udevadm, which containers lack; then scan /dev by name instead.
import { readdirSync } from "node:fs";
import { SerialPort } from "serialport";
import { commandFlags, HELP_OPTION, type OptionSpec } from "../cli/args.js";

const OPTIONS: OptionSpec[] = [
  { name: "json", kind: "flag", help: "one JSON object per port" },
  HELP_OPTION,
];

interface PortInfo { path: string; manufacturer?: string; vendorId?: string; productId?: string; source: string }

export async function listPorts(): Promise<PortInfo[]> {
  try {
    const ports = await SerialPort.list();
    if (ports.length > 0) return ports.map((p) => ({ path: p.path, manufacturer: p.manufacturer, vendorId: p.vendorId, productId: p.productId, source: "serialport" }));
  } catch { /* fall back to /dev */ }
  let names: string[] = [];
  try { names = readdirSync("/dev"); } catch { return []; }
  return names.filter((n) => /^(ttyUSB|ttyACM|ttyS\d|cu\.|tty\.usb|ttyAMA|rfcomm)/.test(n))
    .filter((n) => !/^ttyS\d+$/.test(n) || Number(n.slice(4)) < 4)
    .map((n) => ({ path: `/dev/${n}`, source: "/dev scan" }));
}

export async function portsCommand(argv: string[]): Promise<number> {
  const a = commandFlags(argv, { command: "ports", synopsis: "[--json]", options: OPTIONS });
  if (!a) return 0;
  const ports = await listPorts();
  if (a.json) for (const p of ports) process.stdout.write(JSON.stringify(p) + "\n");
  else if (ports.length === 0) process.stdout.write("no serial ports found (a simulated board: edgeprop board --pty)\n");
  else for (const p of ports) process.stdout.write(`${p.path}${p.manufacturer ? `  ${p.manufacturer}` : ""}${p.vendorId ? `  ${p.vendorId}:${p.productId}` : ""}\n`);
  return 0;
}
