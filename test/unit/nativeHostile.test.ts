// Hostile LF files against the native Python runtime (the user's own CPython under bubblewrap) and the crash
// accounting both runtimes share: memory outside the cap through /dev/shm or /dev, a flood of bytes on the
// reply descriptor (which an LF can always find: it lives in the same process), an LF that kills its worker
// (it fails on every row, not on one), and a file whose LFs all kill their worker (bounded restarts, the
// file's LF list kept). Needs Debian's bubblewrap and /usr/bin/python3 for the native part; `npm run build`
// first for the pyodide part.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { bubblewrap, DEV_SHM_BYTES } from '../../lf-runtime/src/sandbox/nativeRuntime.ts';
import { createPythonExecutor } from '../../lf-runtime/src/sandbox/pythonExecutor.ts';
import { replyCaps } from '../../lf-runtime/src/sandbox/sandboxProcess.ts';
import type { ExecutorEvent, FileRunResult, LfExecutor } from '../../lf-runtime/src/sandbox/types.ts';

const PYTHON = '/usr/bin/python3';
const skip = !bubblewrap() ? 'bubblewrap is not installed (apt-get install bubblewrap)' : !existsSync(PYTHON) ? `no ${PYTHON}` : false;

const TEXTS = ['Check out my channel', 'nice song', 'please subscribe http://spam', 'i love this song', 'my my my', 'subscribe to my channel please', 'Katy is the best', 'plz check this out'];
const ROWS = TEXTS.map((text, i) => ({ id: `r${i}`, fields: { text } }));
const CONTROL = TEXTS.map((t) => (t.toLowerCase().includes('my') ? 1 : 0));
const HEADER = 'import os\nfrom snorkel.labeling import labeling_function\n';
const control = (name = 'control'): string => `\n@labeling_function()\ndef ${name}(x):\n    return 1 if "my" in x.text.lower() else 0\n`;

/** The descriptor the worker replies on: a socket or pipe that is neither stdin nor what stdout/stderr now are. */
const FIND_PROTOCOL_FD = `
import stat
def _protocol_fd():
    taken = {(os.fstat(f).st_dev, os.fstat(f).st_ino) for f in (0, 1, 2)}
    for fd in range(3, 256):
        try:
            st = os.fstat(fd)
        except OSError:
            continue
        if (stat.S_ISSOCK(st.st_mode) or stat.S_ISFIFO(st.st_mode)) and (st.st_dev, st.st_ino) not in taken:
            return fd
    raise RuntimeError("no protocol descriptor")
`;

function byName(r: FileRunResult): Record<string, FileRunResult['lfs'][number]> {
  return Object.fromEntries(r.lfs.map((l) => [l.name, l]));
}

describe('native runtime against hostile LF files', { skip }, () => {
  let ws: string;
  let executor: LfExecutor;
  const events: ExecutorEvent[] = [];
  const run = (name: string, source: string, timeoutMs = 20_000): Promise<FileRunResult> =>
    executor.runFile({ file: join(ws, name), source, datasetKey: 'rows', cardinality: 2, timeoutMs });

  before(async () => {
    ws = mkdtempSync(join(tmpdir(), 'lf-native-hostile-'));
    executor = createPythonExecutor({ python: { interpreter: PYTHON, workspace: ws }, memoryCapMb: 1024 });
    executor.onEvent?.((e) => events.push(e));
    await executor.loadRows('rows', ROWS);
    await executor.loadRows('more', ROWS.slice(0, 5));
  });

  after(async () => {
    await executor?.dispose();
    rmSync(ws, { recursive: true, force: true });
  });

  it('gives /dev/shm a small tmpfs and a read-only /dev, so tmpfs pages outside the memory cap stay small', async () => {
    const source = `${HEADER}
@labeling_function()
def fill_shm(x):
    written = 0
    try:
        for i in range(8):  # 256 MB in files of 32 MB (RLIMIT_FSIZE is per file)
            with open(f"/dev/shm/f{i}", "wb") as f:
                for _ in range(32):
                    f.write(b"\\0" * (1 << 20))
                    written += 1
    finally:
        for i in range(8):
            if os.path.exists(f"/dev/shm/f{i}"):
                os.unlink(f"/dev/shm/f{i}")
    raise RuntimeError(f"wrote {written} MB into /dev/shm")

@labeling_function()
def fill_dev(x):
    with open("/dev/filler", "wb") as f:
        f.write(b"\\0" * (1 << 20))
    raise RuntimeError("wrote into /dev")

@labeling_function()
def shm_size(x):
    st = os.statvfs("/dev/shm")
    return 1 if st.f_blocks * st.f_frsize <= ${DEV_SHM_BYTES} else 0

@labeling_function()
def small_shared_memory(x):
    # What a normal file may do there: a POSIX semaphore (a file in /dev/shm) and a small mapped block.
    import mmap, multiprocessing
    with multiprocessing.Lock():
        with open("/dev/shm/block", "w+b") as f:
            f.truncate(1 << 20)
            with mmap.mmap(f.fileno(), 1 << 20) as block:
                block[0] = 1
                ok = block[0] == 1
        os.unlink("/dev/shm/block")
    return 1 if ok else 0
${control()}`;
    const r = await run('shm.py', source);
    assert.equal(r.fileError, null, JSON.stringify(r.fileError));
    const lfs = byName(r);
    assert.equal(lfs.fill_shm!.firstError?.kind, 'exception');
    assert.match(lfs.fill_shm!.firstError!.message, /No space left on device/, lfs.fill_shm!.firstError!.message);
    assert.match(lfs.fill_dev!.firstError?.message ?? '', /Read-only file system|Permission denied/, lfs.fill_dev!.firstError?.message);
    assert.deepEqual([...lfs.shm_size!.votes], TEXTS.map(() => 1));
    assert.deepEqual([...lfs.small_shared_memory!.votes], TEXTS.map(() => 1), lfs.small_shared_memory!.firstError?.message);
    assert.deepEqual([...lfs.control!.votes], CONTROL);
  });

  it('keeps no capabilities and refuses remounts, namespaces, memfd, SysV shared memory and Unix sockets, also when run as root', async () => {
    // As root, bwrap used to leave every capability: one remount made the read-only workspace writable (and the
    // interpreter's prefix, where a planted sitecustomize.py runs in the user's next python3 outside the sandbox).
    const sock = join(ws, 'agent.sock');
    let connections = 0;
    const server = createNetServer((c) => {
      connections++;
      c.destroy();
    });
    await new Promise<void>((r) => server.listen(sock, r));
    try {
      const source = `${HEADER}import ctypes, socket, sys
libc = ctypes.CDLL(None, use_errno=True)

@labeling_function()
def capabilities(x):
    eff = [l for l in open("/proc/self/status") if l.startswith("CapEff")][0].split()[1]
    return 1 if int(eff, 16) == 0 else 0

@labeling_function()
def remount_workspace(x):
    here = os.path.dirname(os.path.abspath(__file__))
    for path in (here, sys.prefix, "/usr"):
        if libc.mount(None, path.encode(), None, 32 | 4096, None) == 0 or not os.statvfs(path).f_flag & os.ST_RDONLY:
            raise RuntimeError(f"remounted {path} read-write")
        if ctypes.get_errno() != 1:
            raise RuntimeError(f"mount failed with errno {ctypes.get_errno()}, not EPERM")
    return 1

@labeling_function()
def new_namespace(x):
    return 1 if libc.unshare(0x00020000) == -1 and ctypes.get_errno() == 1 else 0

@labeling_function()
def memfd(x):
    try:
        os.memfd_create("hoard")
    except PermissionError:
        return 1
    return 0

@labeling_function()
def sysv_shm(x):
    # SysV shared memory, like memfd, would hold pages no limit of the worker counts.
    libc.shmget.restype = ctypes.c_int
    return 1 if libc.shmget(0, 64 << 20, 0o1600) == -1 and ctypes.get_errno() == 1 else 0

@labeling_function()
def unix_socket(x):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(${JSON.stringify(sock)})
    return 0
${control()}`;
      const r = await run('caps.py', source);
      assert.equal(r.fileError, null, JSON.stringify(r.fileError));
      const lfs = byName(r);
      for (const name of ['capabilities', 'remount_workspace', 'new_namespace', 'memfd', 'sysv_shm']) {
        assert.deepEqual([...lfs[name]!.votes], TEXTS.map(() => 1), `${name}: ${lfs[name]!.firstError?.message ?? 'voted 0'}`);
      }
      assert.match(lfs.unix_socket!.firstError?.message ?? '', /PermissionError|Operation not permitted/, lfs.unix_socket!.firstError?.message);
      assert.equal(connections, 0, 'a Unix-socket connection reached the host');
      assert.deepEqual([...lfs.control!.votes], CONTROL);
    } finally {
      server.close();
    }
  });

  it('keeps /proc read-only, so a worker run as root cannot change kernel settings (kernel.core_pattern runs a program as root)', async () => {
    // Writes the value already there: on a sandbox that let it through, nothing changes on the host.
    const source = `${HEADER}
@labeling_function()
def write_sysctl(x):
    path = "/proc/sys/vm/stat_interval"
    current = open(path).read()
    try:
        with open(path, "w") as f:
            f.write(current)
    except OSError:
        return 1
    return 0

@labeling_function()
def sysrq(x):
    try:
        open("/proc/sysrq-trigger", "w").close()
    except OSError:
        return 1
    return 0
${control()}`;
    const r = await run('sysctl.py', source);
    assert.equal(r.fileError, null, JSON.stringify(r.fileError));
    const lfs = byName(r);
    for (const name of ['write_sysctl', 'sysrq']) assert.deepEqual([...lfs[name]!.votes], TEXTS.map(() => 1), `${name}: ${lfs[name]!.firstError?.message ?? 'written'}`);
    assert.deepEqual([...lfs.control!.votes], CONTROL);
  });

  it("imports Debian's matplotlib, whose defaults live in /etc/matplotlibrc", async (t) => {
    if (spawnSync(PYTHON, ['-c', 'import matplotlib.pyplot']).status !== 0) return t.skip('no python3-matplotlib');
    const r = await run('plots.py', `import matplotlib.pyplot as plt\n${HEADER}${control()}`);
    assert.equal(r.fileError, null, JSON.stringify(r.fileError));
    assert.deepEqual(r.problems ?? [], [], JSON.stringify(r.problems));
    assert.deepEqual([...byName(r).control!.votes], CONTROL);
  });

  it('says a refused subprocess is the sandbox refusing new processes, not a bare PermissionError', async () => {
    const r = await run('download.py', `import subprocess\nsubprocess.run(["true"], check=True)\n${HEADER}${control()}`);
    assert.equal(r.fileError, null, JSON.stringify(r.fileError));
    assert.equal(r.problems?.[0]?.line, 2);
    assert.match(r.problems?.[0]?.message ?? '', /^PermissionError: .*Operation not permitted \(LF Studio's Python runtime starts no new processes: .*read its files from the workspace\)$/);
    assert.deepEqual([...byName(r).control!.votes], CONTROL);
  });

  it('reads a returned value by its real type, not a __class__ that claims int', async () => {
    // `v.__class__ is int` held for this object; comparing it then raised outside the LF and killed the worker.
    const source = `${HEADER}
class FakeInt:
    __class__ = property(lambda self: int)
    def __index__(self):
        return 0

@labeling_function()
def fake_int(x):
    return FakeInt()
${control()}`;
    const r = await run('fake_int.py', source);
    assert.equal(r.fileError, null, JSON.stringify(r.fileError));
    const lfs = byName(r);
    assert.equal(lfs.fake_int!.firstError, null, lfs.fake_int!.firstError?.message);
    assert.deepEqual([...lfs.fake_int!.votes], TEXTS.map(() => 0));
    assert.deepEqual([...lfs.control!.votes], CONTROL);
  });

  it('kills a worker that floods its reply descriptor before the parent parses the line, and reports that LF as crashed', async () => {
    // 24M characters of empty JSON objects on one line: parsed, that was ~0.8 GB on the parent's heap (the
    // review's 127M-character line: 4.2 GB and ~100 s per file).
    const source = `${HEADER}${FIND_PROTOCOL_FD}
@labeling_function()
def flood(x):
    n = 8 * 1024 * 1024
    payload = b'{"type":"lfDone","a":[' + b"{}," * (n - 1) + b"{}]}\\n"
    fd = _protocol_fd()
    view = memoryview(payload)
    while view:
        view = view[os.write(fd, view):]
    return 1
${control()}`;
    const heapBefore = process.memoryUsage().heapUsed;
    const t0 = performance.now();
    const r = await run('flood.py', source);
    const ms = performance.now() - t0;
    assert.equal(r.fileError, null, JSON.stringify(r.fileError));
    const lfs = byName(r);
    assert.equal(lfs.flood!.firstError?.kind, 'crash');
    assert.match(lfs.flood!.firstError!.message, /breaking the protocol/);
    assert.equal(lfs.flood!.errors, TEXTS.length);
    assert.deepEqual([...lfs.control!.votes], CONTROL, 'the file goes on in a fresh worker');
    assert.ok(ms < 10_000, `the run took ${Math.round(ms)} ms`);
    assert.ok(process.memoryUsage().heapUsed - heapBefore < 200 * 1024 * 1024, 'the parent did not parse the flood');
  });

  it('refuses reply lines no request asked for, however small', async () => {
    const source = `${HEADER}${FIND_PROTOCOL_FD}
@labeling_function()
def chatter(x):
    fd = _protocol_fd()
    os.write(fd, b'{"type":"prepared","id":1,"fileError":null,"lfs":[]}\\n' * 1000)
    return 1
${control()}`;
    const r = await run('chatter.py', source);
    assert.equal(r.fileError, null, JSON.stringify(r.fileError));
    const lfs = byName(r);
    assert.equal(lfs.chatter!.firstError?.kind, 'crash');
    assert.match(lfs.chatter!.firstError!.message, /breaking the protocol: it sent a "prepared" line that no request asked for/);
    assert.deepEqual([...lfs.control!.votes], CONTROL);
  });

  it('counts an LF that kills its worker as failing on every row', async () => {
    const source = `${HEADER}
@labeling_function()
def exits(x):
    os._exit(3)
${control()}
@labeling_function()
def killed(x):
    import signal
    os.kill(os.getpid(), signal.SIGKILL)
`;
    const r = await run('crash.py', source);
    assert.equal(r.fileError, null, JSON.stringify(r.fileError));
    const lfs = byName(r);
    for (const name of ['exits', 'killed']) {
      assert.equal(lfs[name]!.firstError?.kind, 'crash', name);
      assert.equal(lfs[name]!.errors, TEXTS.length, `${name}: errors`);
      assert.deepEqual(lfs[name]!.errorRowIds, ROWS.map((row) => row.id));
      assert.ok(lfs[name]!.votes.every((v) => v === -1));
    }
    assert.deepEqual([...lfs.control!.votes], CONTROL);
  });

  it('bounds the workers a file of crashing LFs costs, and keeps its LF list on every dataset', async () => {
    const crashers = Array.from({ length: 12 }, (_, i) => `\n@labeling_function()\ndef crash_${i}(x):\n    os._exit(1)\n`).join('');
    // A slow top level: every replacement worker runs it again.
    const source = `${HEADER}import time\ntime.sleep(0.4)\n${control('first')}${crashers}${control('last')}`;
    events.length = 0;
    const t0 = performance.now();
    const results = await executor.runUnit!({ file: join(ws, 'amplify.py'), source, datasetKeys: ['rows', 'more'], cardinality: 2, timeoutMs: 1000 });
    const ms = performance.now() - t0;
    for (const [d, r] of results.entries()) {
      assert.equal(r.fileError, null, `dataset ${d}: ${JSON.stringify(r.fileError)}`);
      assert.equal(r.lfs.length, 14, `dataset ${d}: the file's LFs are all listed`);
      const rows = d === 0 ? TEXTS.length : 5;
      assert.deepEqual([...byName(r).first!.votes], CONTROL.slice(0, rows));
      for (const lf of r.lfs.slice(1)) {
        assert.equal(lf.firstError?.kind, 'crash', lf.name);
        assert.equal(lf.errors, rows, `${lf.name}: fails on every row`);
      }
      // The last LF was never reached on the first dataset; on the second, one more worker ran the LF that had
      // results on the first, and the crashers were not run again.
      assert.match(byName(r).last!.firstError!.message, /was not run: earlier LFs of .* stopped their sandbox worker \d+ times/);
    }
    const restarts = events.filter((e) => e.type === 'restarted').length;
    // The top level may take 2 budgets in replacements in all: ~5 of 0.4 s, and one more crash that stops it.
    assert.ok(restarts <= 7, `${restarts} workers stopped`);
    assert.ok(ms < 15_000, `the unit took ${Math.round(ms)} ms`);
  });
});

describe('pyodide sandbox: crash accounting', () => {
  let executor: LfExecutor;
  before(async () => {
    executor = createPythonExecutor({ spareWorkers: 1 });
    await executor.loadRows('rows', ROWS);
  });
  after(async () => {
    await executor?.dispose();
  });

  it('counts an LF that kills its worker as failing on every row', async () => {
    const r = await executor.runFile({ file: '/p/crash.py', source: `${HEADER}\n@labeling_function()\ndef exits(x):\n    os._exit(1)\n${control()}`, datasetKey: 'rows', cardinality: 2, timeoutMs: 10_000 });
    assert.equal(r.fileError, null, JSON.stringify(r.fileError));
    const lfs = byName(r);
    assert.equal(lfs.exits!.firstError?.kind, 'crash');
    assert.equal(lfs.exits!.errors, TEXTS.length);
    assert.deepEqual([...lfs.control!.votes], CONTROL);
  });
});

describe('reply line caps', () => {
  it('follow the shard size for votes and stay far below the old 128M-character line', () => {
    const small = replyCaps(1_000);
    const large = replyCaps(250_000);
    // Measured: an lfDone of 250 000 rows with a 2000-character non-ASCII first error is 360 462 characters.
    assert.ok(large.lfDone! >= 360_462 + 64 * 1024);
    assert.ok(small.lfDone! < 140 * 1024);
    // Measured: a prepared reply for 1991 LFs is 154 098 characters.
    assert.ok(large.prepared! >= 20 * 154_098 && large.prepared! <= 4 * 1024 * 1024);
    assert.ok(Object.values(large).every((cap) => cap <= 4 * 1024 * 1024));
  });
});
