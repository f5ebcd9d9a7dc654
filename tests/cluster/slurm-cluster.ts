// A private one-node Slurm cluster for the tests: its own munged (own key, socket, pid and log), its own
// slurmctld and slurmd on free ports, every file in one temporary folder. Nothing of a system Slurm or munge
// on the machine is read or touched, so a second run, another test or a real cluster cannot collide with it.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, closeSync, constants, existsSync, openSync, readFileSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';

/** What the cluster needs on PATH (or in the sbin folders, which a non-login PATH may lack). */
const BINARIES = [
  'munged',
  'slurmctld',
  'slurmd',
  'slurmstepd',
  'sbatch',
  'squeue',
  'sinfo',
  'scontrol',
  'scancel',
];
const SBIN = ['/usr/sbin', '/sbin', '/usr/local/sbin'];

/** The longest path a Unix socket may have (sun_path is 108 bytes on Linux, with its NUL). */
const MAX_SOCKET_PATH = 107;

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface SlurmCluster {
  /** The temporary folder holding the key, the configuration, the state, the spool and the logs. */
  readonly dir: string;
  /** The node's name (this machine's short host name). */
  readonly node: string;
  /** The environment for Slurm's commands: the process's own, with SLURM_CONF naming this cluster's file. */
  readonly env: NodeJS.ProcessEnv;
  /** Runs a Slurm command (sbatch, squeue, ...) against this cluster, with `env` added to its environment. */
  slurm(
    command: string,
    args: readonly string[],
    options?: { cwd?: string; env?: NodeJS.ProcessEnv },
  ): Promise<CommandResult>;
  /** The last lines of every daemon's log, for a failure message. */
  logTails(lines?: number): string;
  /** Cancels this cluster's jobs, stops the daemons it started (only those) and removes the folder. */
  stop(): Promise<void>;
}

/** Where a binary is, or undefined. */
function which(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter).filter((d) => d !== ''), ...SBIN];
  for (const dir of dirs) {
    const file = path.join(dir, name);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not in this folder
    }
  }
  return undefined;
}

/**
 * Why a private cluster cannot start here, in words, or undefined where it can: slurmd must run as root (it
 * starts jobs as their users), and the Debian packages slurm-wlm and munge must be installed.
 */
export function slurmUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) {
    return `not running as root (uid ${process.getuid?.() ?? 'unknown'}): slurmd and munged of a private cluster need root`;
  }
  const missing = BINARIES.filter((b) => which(b) === undefined);
  if (missing.length > 0) {
    return `${missing.join(', ')} not found on PATH or in ${SBIN.join(', ')} (Debian: apt-get install slurm-wlm munge)`;
  }
  return undefined;
}

/** A TCP port free now on every address (the kernel's pick); the small race with another process is accepted. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, () => {
      const address = server.address();
      server.close(() => {
        if (address !== null && typeof address === 'object') resolve(address.port);
        else reject(new Error('no free port: the server had no address'));
      });
    });
  });
}

function runCommand(
  file: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  cwd?: string,
): Promise<CommandResult> {
  return new Promise((resolve) => {
    execFile(file, args, { env, cwd, timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
      resolve({ code, stdout, stderr: error !== null && stderr === '' ? error.message : stderr });
    });
  });
}

function tail(file: string, lines: number): string {
  if (!existsSync(file)) return `(${path.basename(file)}: not written)`;
  const text = readFileSync(file, 'utf8').trimEnd().split('\n');
  return text.slice(-lines).join('\n');
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Daemon {
  name: string;
  child: ChildProcess;
  /** The daemon's stdout and stderr: in the foreground each logs there too, from before its log file opens. */
  log: string;
  exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
}

function slurmConf(o: {
  dir: string;
  cluster: string;
  node: string;
  socket: string;
  ctldPort: number;
  slurmdPort: number;
  cpus: number;
}): string {
  const f = (name: string) => path.join(o.dir, name);
  return [
    `ClusterName=${o.cluster}`,
    // The address is given, so the test needs no DNS entry for the host name.
    `SlurmctldHost=${o.node}(127.0.0.1)`,
    `SlurmctldPort=${o.ctldPort}`,
    `SlurmdPort=${o.slurmdPort}`,
    'SlurmUser=root',
    'SlurmdUser=root',
    'AuthType=auth/munge',
    'CredType=cred/munge',
    // Our munged, not the system's socket.
    `AuthInfo=socket=${o.socket}`,
    `StateSaveLocation=${f('state')}`,
    `SlurmdSpoolDir=${f('spool')}`,
    `SlurmctldPidFile=${f('slurmctld.pid')}`,
    `SlurmdPidFile=${f('slurmd.pid')}`,
    `SlurmctldLogFile=${f('slurmctld.log')}`,
    `SlurmdLogFile=${f('slurmd.log')}`,
    'SlurmctldDebug=info',
    'SlurmdDebug=info',
    // No mail: the default (/bin/mail) is rarely installed, and slurmctld logs an error without it.
    'MailProg=/bin/true',
    // No cgroups: the test machine (often a container) may not delegate them.
    'ProctrackType=proctrack/linuxproc',
    'TaskPlugin=task/none',
    'JobAcctGatherType=jobacct_gather/none',
    'AccountingStorageType=accounting_storage/none',
    'JobCompType=jobcomp/none',
    'MpiDefault=none',
    'SelectType=select/cons_tres',
    'SelectTypeParameters=CR_CPU',
    'SchedulerType=sched/backfill',
    // Pending jobs (a merge whose dependency just ended) are looked at every second, not every minute.
    'SchedulerParameters=sched_interval=1,bf_interval=1',
    // Finished jobs stay visible to scontrol for the test's life.
    'MinJobAge=3600',
    'ReturnToService=2',
    // The node has the CPUs written here whatever the machine has, so the test schedules the same everywhere.
    'SlurmdParameters=config_overrides',
    `NodeName=${o.node} NodeAddr=127.0.0.1 CPUs=${o.cpus} State=UNKNOWN`,
    `PartitionName=${o.cluster} Nodes=${o.node} Default=YES MaxTime=INFINITE State=UP`,
    '',
  ].join('\n');
}

/** Every daemon started by a live cluster, killed if the process exits without stop() (a crashed test). */
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

/**
 * Starts a one-node cluster (CPUs=`cpus`) and resolves once sinfo shows its node idle. It refuses, in words,
 * where it cannot (see slurmUnavailable), and where a daemon exits or the node does not come up in
 * `timeoutMs`, with the daemons' log tails; everything started is stopped and removed before it throws.
 */
export async function startSlurmCluster(
  options: { cpus?: number; timeoutMs?: number } = {},
): Promise<SlurmCluster> {
  const unavailable = slurmUnavailable();
  if (unavailable !== undefined) throw new Error(`cannot start a Slurm cluster: ${unavailable}`);
  const bin = (name: string) => which(name) as string;
  const cpus = options.cpus ?? 2;
  const timeoutMs = options.timeoutMs ?? 30_000;

  const dir = await mkdtemp(path.join(tmpdir(), 'dc-slurm-'));
  // munged requires execute permission for all on its socket's folder (and refuses one writable by others).
  await chmod(dir, 0o711);
  const socket = path.join(dir, 'munge.socket');
  if (socket.length > MAX_SOCKET_PATH) {
    await rm(dir, { recursive: true, force: true });
    throw new Error(
      `cannot start a Slurm cluster: the munge socket's path ${socket} is longer than ${MAX_SOCKET_PATH} bytes; set TMPDIR to a shorter folder`,
    );
  }
  const node = hostname().split('.')[0] ?? 'localhost';
  const cluster = `dc${randomBytes(3).toString('hex')}`;
  const conf = path.join(dir, 'slurm.conf');
  const env: NodeJS.ProcessEnv = { ...process.env, SLURM_CONF: conf };
  const daemons: Daemon[] = [];

  const start = (name: string, args: string[]) => {
    const out = path.join(dir, `${name}.out`);
    const fd = openSync(out, 'a');
    // A process group of its own, so stop() can end the daemon with whatever it forked, and nothing else.
    const child = spawn(bin(name), args, { env, stdio: ['ignore', fd, fd], detached: true });
    closeSync(fd);
    live.add(child);
    const daemon: Daemon = { name, child, log: out, exited: undefined };
    child.on('exit', (code, signal) => {
      daemon.exited = { code, signal };
      live.delete(child);
    });
    child.on('error', (error) => {
      daemon.exited = { code: null, signal: null };
      void writeFile(out, `spawn failed: ${error.message}\n`, { flag: 'a' });
    });
    daemons.push(daemon);
  };

  const logTails = (lines = 20) =>
    daemons.map((d) => `--- ${d.name} (${d.log})\n${tail(d.log, lines)}`).join('\n');

  const slurm = (
    command: string,
    args: readonly string[],
    o: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
  ) => runCommand(bin(command), args, { ...env, ...o.env }, o.cwd);

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    // Jobs first, so no slurmstepd of ours outlives slurmd; only this cluster's (SLURM_CONF is ours).
    if (daemons.some((d) => d.name === 'slurmctld' && d.exited === undefined)) {
      await slurm('scancel', [`--partition=${cluster}`]);
      for (let i = 0; i < 20; i++) {
        const q = await slurm('squeue', ['-h', '-o', '%i']);
        if (q.code !== 0 || q.stdout.trim() === '') break;
        await sleep(250);
      }
    }
    for (const d of [...daemons].reverse()) {
      if (d.exited !== undefined || d.child.pid === undefined) continue;
      const gone = new Promise<void>((resolve) => d.child.once('exit', () => resolve()));
      try {
        process.kill(-d.child.pid, 'SIGTERM');
      } catch {
        continue;
      }
      const timer = setTimeout(() => {
        try {
          if (d.child.pid !== undefined) process.kill(-d.child.pid, 'SIGKILL');
        } catch {
          // gone between the check and the kill
        }
      }, 5_000);
      await gone;
      clearTimeout(timer);
    }
    await rm(dir, { recursive: true, force: true });
  };

  const fail = async (why: string): Promise<never> => {
    const tails = logTails();
    await stop();
    throw new Error(`cannot start a Slurm cluster: ${why}\n${tails}`);
  };

  try {
    await mkdir(path.join(dir, 'state'));
    await mkdir(path.join(dir, 'spool'));
    // munged refuses a key readable by others; root owns it, and munged runs as root here.
    const key = path.join(dir, 'munge.key');
    await writeFile(key, randomBytes(128), { mode: 0o400 });
    const [ctldPort, slurmdPort] = [await freePort(), await freePort()];
    await writeFile(conf, slurmConf({ dir, cluster, node, socket, ctldPort, slurmdPort, cpus }));

    start('munged', [
      '--foreground',
      `--socket=${socket}`,
      `--key-file=${key}`,
      `--pid-file=${path.join(dir, 'munged.pid')}`,
      `--log-file=${path.join(dir, 'munged.log')}`,
      `--seed-file=${path.join(dir, 'munged.seed')}`,
    ]);
    const deadline = Date.now() + timeoutMs;
    const alive = async () => {
      const dead = daemons.find((d) => d.exited !== undefined);
      if (dead !== undefined) {
        await fail(`${dead.name} exited (code ${dead.exited?.code}, signal ${dead.exited?.signal})`);
      }
      if (Date.now() > deadline) await fail(`the node did not come up idle in ${timeoutMs / 1000} s`);
    };
    while (!existsSync(socket)) {
      await alive();
      await sleep(100);
    }
    start('slurmctld', ['-D', '-f', conf]);
    start('slurmd', ['-D', '-f', conf]);
    for (;;) {
      await alive();
      const info = await slurm('sinfo', ['-h', '-N', '-o', '%N %t']);
      if (info.code === 0 && info.stdout.trim() === `${node} idle`) break;
      await sleep(250);
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { dir, node, env, slurm, logTails, stop };
}
