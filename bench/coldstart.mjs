// bench/coldstart.mjs LOG URL CMD ARGS... - cold start: starts CMD (the
// server) detached with its output in LOG, polls URL (its /healthz) every
// millisecond or so, and prints "PID MS": the server's pid, left running,
// and the milliseconds from just before the exec to the first 200.
//
// In node rather than a shell loop: a `curl` per try costs 5-20 ms of
// process start on a loaded machine, which was most of what the shell
// loop measured.  Gives up (exit 1, the server killed) after 60 s or when
// the server exits.
import { spawn } from "node:child_process";
import { openSync } from "node:fs";
import { performance } from "node:perf_hooks";

const [log, url, cmd, ...args] = process.argv.slice(2);
if (!cmd) {
    console.error("usage: coldstart.mjs LOG URL CMD [ARGS...]");
    process.exit(2);
}
const out = openSync(log, "a");
const t0 = performance.now();
const child = spawn(cmd, args, { detached: true, stdio: ["ignore", out, out] });
let exited = false;
child.on("exit", () => { exited = true; });

const giveUp = t0 + 60000;
for (;;) {
    try {
        const r = await fetch(url, { signal: AbortSignal.timeout(2000) });
        await r.arrayBuffer();
        if (r.status === 200) break;
    } catch {
        // not listening yet
    }
    if (exited || performance.now() > giveUp) {
        console.error(exited ? "the server exited" : "no answer in 60 s");
        if (!exited) child.kill("SIGKILL");
        process.exit(1);
    }
    await new Promise((res) => setTimeout(res, 1));
}
const ms = Math.round(performance.now() - t0);
child.unref();
console.log(`${child.pid} ${ms}`);
process.exit(0);
