// A real Mosquitto for a test: started on a free loopback port with a config
// file the test writes (never the system service), stopped by its pid after.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { rmDir, tmpDir } from "../helpers/paths";

export const MOSQUITTO = "/usr/sbin/mosquitto";
export const mosquittoMissing = !existsSync(MOSQUITTO);

export interface Mosquitto {
  url: string;
  dir: string;
  /** Stops the broker (SIGTERM: its clients lose their connections, and it forgets its sessions and retained messages), and after `downMs` starts it again on the same port. */
  restart(downMs: number): Promise<void>;
  stop(): Promise<void>;
}

export interface MosquittoAuth {
  /** username -> password */
  users: Record<string, string>;
  /** The ACL file's text. */
  acl: string;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, "127.0.0.1");
    s.once("connect", () => { s.destroy(); resolve(true); });
    s.once("error", () => resolve(false));
  });
}

/** A TLS listener's certificate and key files (mosquitto-tls(7)). */
export interface MosquittoTls {
  certfile: string;
  keyfile: string;
}

/**
 * A self-signed certificate for 127.0.0.1 and localhost made by openssl in
 * `dir` (an EC key, valid one day): the broker's certificate, and the CA a
 * client is given with --ca.
 */
export function selfSignedCertificate(dir: string): MosquittoTls {
  const certfile = path.join(dir, "broker.crt"), keyfile = path.join(dir, "broker.key");
  const r = spawnSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
    "-keyout", keyfile, "-out", certfile, "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`openssl: ${r.stderr}`);
  return { certfile, keyfile };
}

export const opensslMissing = spawnSync("sh", ["-c", "command -v openssl"]).status !== 0;

export async function startMosquitto(auth?: MosquittoAuth, tls?: MosquittoTls): Promise<Mosquitto> {
  const dir = tmpDir("edgeprop-mosquitto-");
  const port = await freePort();
  const lines = [`listener ${port} 127.0.0.1`, "persistence false", "log_dest stderr", "log_type error", "log_type warning"];
  if (tls) lines.push(`certfile ${tls.certfile}`, `keyfile ${tls.keyfile}`);
  if (process.getuid?.() === 0) lines.push("user root"); // run as root, mosquitto would switch to a user that cannot read the temp folder
  if (auth) {
    const passwd = path.join(dir, "passwd");
    writeFileSync(passwd, "", { mode: 0o600 });
    for (const [user, password] of Object.entries(auth.users)) {
      const r = spawnSync("mosquitto_passwd", ["-b", passwd, user, password], { encoding: "utf8" });
      if (r.status !== 0) throw new Error(`mosquitto_passwd: ${r.stderr}`);
    }
    writeFileSync(path.join(dir, "acl"), auth.acl, { mode: 0o600 });
    lines.push("allow_anonymous false", `password_file ${passwd}`, `acl_file ${path.join(dir, "acl")}`);
  } else {
    lines.push("allow_anonymous true");
  }
  const conf = path.join(dir, "mosquitto.conf");
  writeFileSync(conf, lines.join("\n") + "\n");
  let running = await spawnMosquitto(conf, port);
  return {
    url: `${tls ? "mqtts" : "mqtt"}://127.0.0.1:${port}`, dir,
    restart: async (downMs) => {
      await running.stop();
      await new Promise((r) => setTimeout(r, downMs));
      running = await spawnMosquitto(conf, port);
    },
    stop: async () => {
      await running.stop();
      rmDir(dir);
    },
  };
}

/** Mosquitto on `conf`, once it listens on `port`; stop() ends it by its pid. */
async function spawnMosquitto(conf: string, port: number): Promise<{ stop(): Promise<void> }> {
  const child: ChildProcess = spawn(MOSQUITTO, ["-c", conf], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => { stderr += d.toString(); });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  for (let i = 0; i < 100 && !(await listening(port)); i++) {
    if (child.exitCode !== null) throw new Error(`mosquitto exited: ${stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    stop: async () => {
      if (child.exitCode === null && child.pid !== undefined) process.kill(child.pid, "SIGTERM");
      await exited;
    },
  };
}
