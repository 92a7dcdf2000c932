/**
 * A seccomp filter (classic BPF, the form `bwrap --seccomp FD` loads) for the native Python runtime: the
 * process may start threads (numpy, spaCy and friends do) but no new processes. clone3 answers ENOSYS, so the
 * C library falls back to clone, whose flags a filter can read; fork, vfork and clone without CLONE_THREAD
 * answer EPERM, which Python raises as an OSError in the code that tried. A fork bomb therefore never forks.
 * It also refuses (EPERM) what would undo or get around the rest of the sandbox: mounts of any kind (a
 * remount could make a read-only bind writable), new namespaces, memfd_create and SysV shared memory (shmget:
 * their pages count against no memory limit of the worker), Unix-domain sockets (a socket file in the workspace reaches a host process
 * whatever the network namespace), and, on x86_64, the x32 system-call numbers (another table of the same calls).
 * Built for x86_64 and aarch64; elsewhere there is no filter (and the isolation report says so).
 */

const BPF_LD_W_ABS = 0x20;
const BPF_JEQ_K = 0x15;
const BPF_JSET_K = 0x45;
const BPF_RET_K = 0x06;

const RET_ALLOW = 0x7fff0000;
const RET_KILL_PROCESS = 0x80000000;
const retErrno = (errno: number): number => 0x00050000 | (errno & 0xffff);
const EPERM = 1;
const ENOSYS = 38;
const CLONE_THREAD = 0x00010000;
const AF_UNIX = 1;
const X32_SYSCALL_BIT = 0x40000000;

interface ArchTable {
  audit: number;
  clone: number;
  clone3: number;
  socket: number;
  /** Syscalls that always make a new process (none on aarch64, which has only clone). */
  forks: number[];
  /**
   * Refused outright: mount, umount2, pivot_root, the new mount API (open_tree, move_mount, fsopen, fsconfig,
   * fsmount, fspick, mount_setattr), unshare, setns, memfd_create, shmget.
   */
  refused: number[];
  /** Whether the architecture has a second system-call table selected by a bit of the number (x32). */
  x32: boolean;
}

const NEW_MOUNT_API = [428, 429, 430, 431, 432, 433, 442];

const ARCHES: Record<string, ArchTable> = {
  x64: { audit: 0xc000003e, clone: 56, clone3: 435, socket: 41, forks: [57, 58], refused: [165, 166, 155, ...NEW_MOUNT_API, 272, 308, 319, 29], x32: true },
  arm64: { audit: 0xc00000b7, clone: 220, clone3: 435, socket: 198, forks: [], refused: [40, 39, 41, ...NEW_MOUNT_API, 97, 268, 279, 194], x32: false },
};

type Insn = [code: number, jt: number, jf: number, k: number];

/** The filter for this machine's architecture, or null where none is built. */
export function noNewProcessesFilter(arch: string = process.arch): Buffer | null {
  const a = ARCHES[arch];
  if (!a) return null;
  // seccomp_data: int nr @0, u32 arch @4, u64 ip @8, u64 args[6] @16 (little endian: low word first).
  const prog: Insn[] = [];
  const ret = (k: number): number => prog.push([BPF_RET_K, 0, 0, k >>> 0]) - 1;
  prog.push([BPF_LD_W_ABS, 0, 0, 4]);
  prog.push([BPF_JEQ_K, 1, 0, a.audit]);
  ret(RET_KILL_PROCESS);
  prog.push([BPF_LD_W_ABS, 0, 0, 0]);
  if (a.x32) {
    // x32 numbers (the bit set) name the same calls through another table: refused, so no check is bypassed.
    prog.push([BPF_JSET_K, 0, 1, X32_SYSCALL_BIT]);
    ret(retErrno(EPERM));
  }
  const checks: { nr: number; k: number }[] = [
    { nr: a.clone3, k: retErrno(ENOSYS) },
    ...[...a.forks, ...a.refused].map((nr) => ({ nr, k: retErrno(EPERM) })),
  ];
  // Each check: if nr == X, the next instruction returns its answer; else that return is skipped.
  for (const c of checks) {
    prog.push([BPF_JEQ_K, 0, 1, c.nr]);
    ret(c.k);
  }
  // socket: refused for AF_UNIX (args[0], the domain); other domains see only the empty network namespace.
  prog.push([BPF_JEQ_K, 0, 4, a.socket]);
  prog.push([BPF_LD_W_ABS, 0, 0, 16]);
  prog.push([BPF_JEQ_K, 0, 1, AF_UNIX]);
  ret(retErrno(EPERM));
  ret(RET_ALLOW);
  // clone: allowed only with CLONE_THREAD in its flags (args[0]); anything else but clone is allowed.
  prog.push([BPF_JEQ_K, 0, 3, a.clone]);
  prog.push([BPF_LD_W_ABS, 0, 0, 16]);
  prog.push([BPF_JSET_K, 1, 0, CLONE_THREAD]);
  ret(retErrno(EPERM));
  ret(RET_ALLOW);
  const buf = Buffer.alloc(prog.length * 8);
  prog.forEach(([code, jt, jf, k], i) => {
    buf.writeUInt16LE(code, i * 8);
    buf.writeUInt8(jt, i * 8 + 2);
    buf.writeUInt8(jf, i * 8 + 3);
    buf.writeUInt32LE(k >>> 0, i * 8 + 4);
  });
  return buf;
}
