// Runs one part of the local stack in a process group of its own and takes that whole group down with it:
// on SIGTERM/SIGINT/SIGHUP (stop, then SIGKILL after PMM_STOP_GRACE_MS), when pmm start goes away (the IPC
// channel closes, even after a SIGKILL), and when the part exits (whatever it left behind, e.g. workerd).
// Plain JavaScript so it starts in milliseconds and needs no loader. Usage: node watchdog.js <command> [args…]
import { spawn } from 'node:child_process';

const [command, ...args] = process.argv.slice(2);
if (!command) {
  process.stderr.write('watchdog: no command given\n');
  process.exit(2);
}
const graceMs = Number(process.env.PMM_STOP_GRACE_MS) || 4_000;
const child = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit'], detached: true });

/** Signals the part's whole process group (the part and everything it spawned). */
const signalGroup = (signal) => {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // the group is gone already
  }
};

let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  signalGroup('SIGTERM');
  setTimeout(() => signalGroup('SIGKILL'), graceMs);
};
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(signal, stop);
// pmm start went away (exited, crashed or was killed): the channel closes, so stop the part.
process.on('disconnect', stop);
if (process.send && child.pid !== undefined) process.send({ pid: child.pid });
else if (!process.send) process.stderr.write('watchdog: no IPC channel to the parent; not watching it\n');

child.on('error', (error) => {
  process.stderr.write(`${command}: ${error.message}\n`);
  process.exit(127);
});
child.on('exit', (code, signal) => {
  signalGroup('SIGKILL');
  if (signal) {
    // End the same way the part ended, so the parent sees the real signal.
    for (const s of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.removeAllListeners(s);
    process.kill(process.pid, signal);
  }
  process.exit(code ?? 1);
});
