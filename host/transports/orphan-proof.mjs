// Child processes that die with this process, even on kill -9 (which no
// handler sees): Linux's parent-death signal through util-linux's setpriv
// where it exists, else a shell that polls this pid and kills the child.
// Plain JavaScript so boards/qemu/launch.mjs (imported without a TypeScript
// step by the tests and the benchmark) and the host share this one copy.
import { spawn, spawnSync } from "node:child_process";

let setprivWorks;
function haveSetpriv() {
  setprivWorks ??= spawnSync("setpriv", ["--pdeathsig", "KILL", "--", "true"], { stdio: "ignore" }).status === 0;
  return setprivWorks;
}

/** spawn(cmd, args, { stdio, cwd }) whose child is killed when this process dies. The child's pid is cmd's own (setpriv execs it). */
export function spawnOrphanProof(cmd, args, stdio = ["ignore", "pipe", "pipe"], cwd = undefined) {
  if (haveSetpriv()) return spawn("setpriv", ["--pdeathsig", "KILL", "--", cmd, ...args], { stdio, cwd });
  // sh runs cmd in the background, watches the parent, and exits with cmd.
  // A background command's stdin is /dev/null (dash even with <&0), so cmd
  // gets the given stdin through fd 3; the watcher then lets go of cmd's
  // stdin and stdout, so their other ends see cmd's end alone.
  const watch = `exec 3<&0; "$@" <&3 3<&- & c=$!; exec 3<&- </dev/null >/dev/null; trap 'kill $c 2>/dev/null' TERM INT; ` +
    `while kill -0 ${process.pid} 2>/dev/null && kill -0 $c 2>/dev/null; do sleep 0.2; done; kill $c 2>/dev/null; wait $c`;
  return spawn("sh", ["-c", watch, "sh", cmd, ...args], { stdio, cwd });
}
