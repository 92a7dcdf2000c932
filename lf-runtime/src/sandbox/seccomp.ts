/**
 * A seccomp filter (classic BPF, the form `bwrap --seccomp FD` loads) for the native Python runtime: the
 * process may start threads (numpy, spaCy and friends do) but no new processes. clone3 answers ENOSYS, so the
 * C library falls back to clone, whose flags a filter can read; fork, vfork and clone without CLONE_THREAD
 * answer EPERM, which Python raises as an OSError in the code that tried. A fork bomb therefore never forks.
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

interface ArchTable {
  audit: number;
  clone: number;
  clone3: number;
  /** Syscalls that always make a new process (none on aarch64, which has only clone). */
  forks: number[];
}

const ARCHES: Record<string, ArchTable> = {
  x64: { audit: 0xc000003e, clone: 56, clone3: 435, forks: [57, 58] },
  arm64: { audit: 0xc00000b7, clone: 220, clone3: 435, forks: [] },
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
  // Each check: if nr == X jump to its own return below, else fall through to the next check.
  const checks: { nr: number; k: number }[] = [{ nr: a.clone3, k: retErrno(ENOSYS) }, ...a.forks.map((nr) => ({ nr, k: retErrno(EPERM) }))];
  // Each check: if nr == X, the next instruction returns its answer; else that return is skipped.
  for (const c of checks) {
    prog.push([BPF_JEQ_K, 0, 1, c.nr]);
    ret(c.k);
  }
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
