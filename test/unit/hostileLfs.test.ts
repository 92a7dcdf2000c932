// The hostile-LF suite: each case is an LF file whose middle LF attacks the sandbox, between two control
// LFs. Every hostile LF is written to vote 1 on a row if its attack worked and 0 (or fail) otherwise, so
// containment means: no vote of 1, and the control LFs vote exactly as they do in a file of their own.
// Host-side effects (files, TCP connections) are checked from this process as well.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { describeIsolation } from '../../lf-runtime/src/sandbox/isolation.ts';
import { createPythonExecutor } from '../../lf-runtime/src/sandbox/pythonExecutor.ts';
import type { ExecutorEvent, FileRunResult, LfExecutor } from '../../lf-runtime/src/sandbox/types.ts';

const SECRET = 'sk-ant-hostile-suite-secret';
const HOST_FILE = join(tmpdir(), `lfstudio-hostile-${process.pid}.txt`);
const TEXTS = ['Check out my channel', 'nice song', 'please subscribe http://spam', 'i love this', 'CHECK THIS OUT NOW my friends plz'];

const HEADER = `import re, os, sys, builtins
from snorkel.labeling import labeling_function, ABSTAIN
HAM, SPAM = 0, 1
`;

// Uses re, builtins (len, any, sorted), str methods and the snorkel decorator: what attacks try to poison.
const CONTROL_BEFORE = `
@labeling_function()
def control_before(x):
    if re.search(r"check.*out", x.text, flags=re.I):
        return SPAM
    return HAM if len(x.text.split()) < 4 else ABSTAIN
`;
const CONTROL_AFTER = `
@labeling_function()
def control_after(x):
    words = sorted(x.text.lower().split())
    if any(w in ("my", "plz", "please") for w in words) or re.search("http", x["text"]):
        return SPAM
    return HAM if "song" in x.text else ABSTAIN
`;

interface HostileCase {
  name: string;
  /** Body of `def hostile(x):`, indented by four spaces. */
  body: string;
  /** Module-level code placed before the hostile LF. */
  prelude?: string;
  /** Expected fate of the hostile LF itself, when it must be stopped. */
  expect?: 'timeout' | 'crash' | 'stopped';
  /** What its error says when it crashed the worker rather than running out of time. */
  crashMessage?: RegExp;
}

const CASES: HostileCase[] = [
  { name: 'reads a host file', body: `try:\n    return 1 if "root:" in open("/etc/passwd").read() else 0\nexcept Exception:\n    return 0` },
  { name: 'reads a host file through os.open', body: `try:\n    fd = os.open("/etc/hostname", os.O_RDONLY)\n    return 1 if os.read(fd, 100) else 0\nexcept Exception:\n    return 0` },
  { name: 'lists the host filesystem', body: `try:\n    return 1 if "work" in os.listdir("/") or "root" in os.listdir("/") else 0\nexcept Exception:\n    return 0` },
  { name: 'reads environment variables', body: `return 1 if "${SECRET}" in repr(dict(os.environ)) or len(os.environ) > 0 else 0` },
  { name: 'reads /proc/self/environ', body: `try:\n    return 1 if b"${SECRET}" in open("/proc/self/environ", "rb").read() else 0\nexcept Exception:\n    return 0` },
  { name: 'uses the js module', body: `try:\n    from js import process\n    return 1 if process.env else 0\nexcept Exception:\n    return 0` },
  { name: 'uses pyodide_js', body: `try:\n    import pyodide_js\n    return 1 if pyodide_js.version else 0\nexcept Exception:\n    return 0` },
  { name: 'uses pyodide.code.run_js', body: `try:\n    from pyodide.code import run_js\n    return 1 if run_js("typeof process") == "object" else 0\nexcept Exception:\n    return 0` },
  { name: 'builds a JS function from an FFI proxy', body: `try:\n    from pyodide.ffi import create_proxy\n    fn = create_proxy(lambda: 0).constructor("return process")\n    return 1 if fn() else 0\nexcept Exception:\n    return 0` },
  {
    name: 'reaches the FFI core and _ctypes without the import statement',
    // _imp.create_builtin cannot be taken away from Python; what it yields must still be harmless.
    body: `import _imp\nfrom importlib.machinery import ModuleSpec\ntry:\n    core = _imp.create_builtin(ModuleSpec("_pyodide_core", None))\n    proxy = core.create_proxy(lambda: 0)\n    for ctor in (proxy.constructor.constructor, proxy.__proto__.constructor, proxy.bind.constructor):\n        if ctor is not None:\n            return 1\nexcept Exception:\n    pass\ntry:\n    ct = _imp.create_builtin(ModuleSpec("_ctypes", None))\n    ct.dlopen(None)\n    return 1\nexcept Exception:\n    return 0`,
  },
  { name: 'calls host JavaScript through ctypes', body: `try:\n    import ctypes\n    ctypes.CDLL(None).emscripten_run_script_string(b"1")\n    return 1\nexcept Exception:\n    return 0` },
  { name: 'opens a TCP socket to the host', body: `try:\n    import socket\n    socket.create_connection(("127.0.0.1", PORT), timeout=0.2).close()\n    return 1\nexcept Exception:\n    return 0` },
  { name: 'fetches a URL', body: `try:\n    import urllib.request\n    urllib.request.urlopen("http://127.0.0.1:PORT/", timeout=0.2)\n    return 1\nexcept Exception:\n    return 0` },
  { name: 'spawns a process with subprocess', body: `try:\n    import subprocess\n    subprocess.run(["touch", "${HOST_FILE}"])\n    return 1\nexcept Exception:\n    return 0` },
  { name: 'spawns a process with os.system', body: `try:\n    return 1 if os.system("touch ${HOST_FILE}") == 0 else 0\nexcept Exception:\n    return 0` },
  { name: 'writes a file', body: `try:\n    with open("${HOST_FILE}", "w") as f:\n        f.write("pwned")\n    return 1\nexcept Exception:\n    return 0` },
  { name: 'leaves a file for the next LF', body: `try:\n    with open("/tmp/shared_state", "w") as f:\n        f.write("x")\n    return 1\nexcept Exception:\n    return 0` },
  { name: 'patches builtins.len', body: `builtins.len = lambda s: 0\nbuiltins.any = lambda it: True\nreturn 0` },
  { name: 'patches re.search', body: `re.search = lambda *a, **k: None\nre.compile = None\nreturn 0` },
  { name: 'replaces modules in sys.modules', body: `import types\nfake = types.ModuleType("re")\nfake.search = lambda *a, **k: True\nsys.modules["re"] = fake\nsys.modules["snorkel.labeling"] = fake\nreturn 0` },
  { name: 'patches the snorkel module', body: `import snorkel._compat as c\ntry:\n    c.LabelingFunction.__call__ = lambda self, x: 1\nexcept Exception:\n    pass\nc.ABSTAIN = 1\nreturn 0` },
  { name: 'patches stdlib classes', body: `import collections\ntry:\n    collections.Counter.most_common = lambda self, n=None: [("x", 1)]\n    str.lower = lambda s: "my"\n    return 1\nexcept Exception:\n    return 0` },
  { name: 'mutates the row it is given', body: `try:\n    object.__setattr__(x, "text", "my")\nexcept Exception:\n    pass\ntry:\n    x.__class__ = type("Evil", (type(x),), {})\nexcept Exception:\n    pass\nreturn 0` },
  {
    name: 'installs trace, profile and audit hooks',
    body: `seen = []\nfor install in (lambda: sys.settrace(lambda *a: seen.append(1)), lambda: sys.setprofile(lambda *a: seen.append(1)), lambda: sys.addaudithook(lambda *a: seen.append(1))):\n    try:\n        install()\n    except Exception:\n        pass\ncompile("1", "x", "eval")\n(lambda: 0)()\nreturn 1 if seen else 0`,
  },
  {
    name: 'swaps the class of a row for a same-layout subclass',
    body: `Evil = type("Evil", (type(x),), {"__slots__": (), "text": property(lambda s: "check my http please out")})\ntry:\n    x.__class__ = Evil\nexcept Exception:\n    pass\nreturn 0`,
  },
  {
    name: 'swaps the class of the re and snorkel.labeling modules',
    // A module's __class__ may be set to a ModuleType subclass, whose __getattribute__ then answers every lookup
    // on it: control_after's re.search, and the decorator the file imports when it runs again for control_after.
    body: `import types\nclass M(types.ModuleType):\n    def __getattribute__(self, n):\n        if n == "search":\n            return lambda *a, **k: True\n        if n == "labeling_function":\n            real = types.ModuleType.__getattribute__(self, n)\n            return lambda *a, **k: (lambda f: real(*a, **dict(k, name=f.__name__))(lambda y: 1))\n        return types.ModuleType.__getattribute__(self, n)\nfor m in (re, sys.modules["snorkel.labeling"]):\n    try:\n        m.__class__ = M\n    except Exception:\n        pass\nreturn 0`,
  },
  { name: 'walks the heap with gc', body: `import gc\ntry:\n    return 1 if gc.get_objects() else 0\nexcept Exception:\n    return 0` },
  { name: 'rewrites the runner through frames', body: `f = sys._getframe(1)\ntry:\n    f.f_globals["_restore"] = lambda *a: None\n    f.f_globals["json"] = None\nexcept Exception:\n    pass\ntry:\n    f.f_code.co_consts\n    f.f_back and f.f_back.f_globals.clear()\nexcept Exception:\n    pass\nreturn 0` },
  {
    name: 'swaps the code of runtime functions',
    body: `import snorkel._compat as c\ntry:\n    c.preprocessor.__code__ = (lambda *a, **k: None).__code__\n    return 1\nexcept Exception:\n    pass\nfor name in ("lf_runner", "lf_errors", "lf_structure", "lf_ast", "lf_cache_markers", "lf_rows", "lf_restore", "lf_guard", "lf_bridges"):\n    try:\n        __import__(name)\n        return 1\n    except Exception:\n        pass\nreturn 0`,
  },
  {
    name: "patches snorkel's decorator and LabelingFunction classes",
    // Assigning class attributes raises no audit event: control_after, decorated and called through these classes
    // in a fresh execution of the file, must not see the change.
    body: `import snorkel._compat as c\nfor cls in (c.labeling_function, c.LabelingFunction):\n    try:\n        cls.__call__ = lambda self, *a, **k: (lambda y: 1) if cls is c.labeling_function else 1\n    except Exception:\n        pass\nreturn 0`,
  },
  {
    name: 'patches the row classes or imports the module that makes them',
    // Whether or not the assignments are refused, control_after (which reads x.text and x["text"]) must not see them.
    body: `for target, attr, value in ((type(x).__mro__[1], "__getitem__", lambda self, k: "my"), (type(x), "text", property(lambda s: "my"))):\n    try:\n        setattr(target, attr, value)\n    except Exception:\n        pass\ntry:\n    import lf_rows\n    return 1\nexcept Exception:\n    return 0`,
  },
  {
    name: "rewrites the replies of the file's later LFs through json's classes and shared encoder",
    // A valid reply for control_after (LF 2) with SPAM on every row, through either route json.dumps takes.
    prelude: `import json, base64\n_json_encode = json.JSONEncoder.encode\ndef _forge(self, o):\n    if isinstance(o, dict) and o.get("index") == 2 and "votes" in o:\n        o = dict(o, votes=base64.b64encode(bytes([1] * len(base64.b64decode(o["votes"])))).decode())\n    return _json_encode(self, o)\n`,
    body: `for target, value in ((json.JSONEncoder, _forge), (json._default_encoder, lambda o: _forge(json._default_encoder, o))):\n    try:\n        setattr(target, "encode", value)\n    except Exception:\n        pass\nreturn 0`,
  },
  {
    name: "swaps a later LF's code through the runner's frames",
    // Every list the runner's frame reaches gets a forged first execution (control_after voting SPAM), and every
    // three-item list a forged compiled file; the runner must hold nothing of the kind where an LF can reach it.
    prelude: `import types\n_evil = compile("from snorkel.labeling import labeling_function\\n@labeling_function()\\ndef control_after(x):\\n    return 1\\n", "/p/hostile.py", "exec")\n`,
    body: `f = sys._getframe(1)\nfake = types.SimpleNamespace(name="control_after", _pre=None, _resources=None, _f=lambda r: 1, _lf_line=1)\nforged = (f.f_locals.get("file"), f.f_locals.get("source"), f.f_locals.get("siblings_json"), types.ModuleType("m"), [fake] * 3, frozenset())\nfor ns in (f.f_locals, f.f_globals):\n    for value in list(ns.values()):\n        if isinstance(value, list):\n            try:\n                value.append(forged)\n                if len(value) == 4:\n                    value[2] = ((1, _evil),)\n            except Exception:\n                pass\nreturn 0`,
  },
  { name: 'forges worker protocol output', body: `os.write(1, b'{"type":"lfDone","id":1,"durationMs":1,"result":{"index":2,"votes":"AQEBAQE=","errors":0,"errorRows":[],"firstError":null,"noneCount":0,"timedOut":false}}\\n')\nprint('{"type":"runDone","id":1}')\nreturn 0` },
  { name: 'looks for gold labels', body: `return 1 if x.get("label") is not None or "label" in x or any("label" in str(k) for k in x.keys()) else 0` },
  { name: 'schedules work on the event loop', body: `try:\n    import asyncio\n    asyncio.get_event_loop().call_soon(lambda: setattr(builtins, "len", lambda s: 0))\n    return 1\nexcept Exception:\n    return 0` },
  { name: 'leaves a finalizer behind', prelude: `class Bomb:\n    def __del__(self):\n        builtins.len = lambda s: 0\n_bombs = [Bomb()]\n`, body: `_bombs.append(Bomb())\nreturn 0` },
  {
    name: "sets a row-class attribute whose finalizer swaps a later LF's code when the attribute is put back",
    // Putting the row class back frees the attribute inside the next LF's runner frame, whose locals a
    // finalizer can rebind (frame.f_locals writes through): the file's compiled code, with control_after
    // voting SPAM.
    prelude: `_EVIL = compile("from snorkel.labeling import labeling_function\\n" + "".join("@labeling_function()\\ndef %s(x):\\n    return 1\\n" % n for n in ("control_before", "hostile", "control_after")), "/p/hostile.py", "exec")\nclass _Swap:\n    def __del__(self):\n        f = sys._getframe(0)\n        while f is not None:\n            try:\n                if f.f_locals.get("name") == "control_after" and "codes" in f.f_locals:\n                    f.f_locals["codes"] = ((1, _EVIL),)\n                    f.f_locals["first"] = None\n            except Exception:\n                pass\n            f = f.f_back\n`,
    body: `try:\n    type(x).swap = _Swap()\nexcept Exception:\n    pass\nreturn 0`,
  },
  { name: 'exits the interpreter with sys.exit', body: `sys.exit(3)` },
  { name: 'floods stdout', body: `for _ in range(20000):\n    print("flood " * 50)\nreturn 0` },
  { name: 'loops forever', body: `while True:\n    pass`, expect: 'timeout' },
  { name: 'swallows KeyboardInterrupt in a loop', body: `while True:\n    try:\n        while True:\n            pass\n    except BaseException:\n        pass`, expect: 'timeout' },
  { name: 'runs a catastrophic regex', body: `return 1 if re.match(r"(a+)+$", "a" * 64 + "b") else 0`, expect: 'timeout' },
  { name: 'sleeps', body: `import time\ntime.sleep(3600)\nreturn 0`, expect: 'timeout' },
  {
    name: 'recursion bomb',
    body: `sys.setrecursionlimit(10 ** 7)\ndef r(n):\n    return r(n + 1) + 1\nreturn r(0)`,
    expect: 'stopped',
    // Which limit the frames reach first, the interpreter's stack or the memory cap, depends on the machine
    // (the stack on some, the 700 MB cap on others); either way the worker is stopped and says why.
    crashMessage: /hostile recursed too deeply and overflowed the interpreter's stack|hostile used more than \d+ MB of memory; it was stopped/,
  },
  { name: 'kills the process with os._exit', body: `os._exit(1)`, expect: 'crash' },
  { name: 'memory bomb', body: `hog = []\nwhile True:\n    hog.append(bytearray(50 * 1024 * 1024))`, expect: 'stopped' },
];

function fileFor(c: HostileCase, port: number): string {
  const body = c.body.replaceAll('PORT', String(port)).split('\n').map((l) => `    ${l}`).join('\n');
  return `${HEADER}${CONTROL_BEFORE}\n${c.prelude ?? ''}\n@labeling_function()\ndef hostile(x):\n${body}\n${CONTROL_AFTER}`;
}

describe('hostile LFs are contained', () => {
  let executor: LfExecutor & { onEvent(l: (e: ExecutorEvent) => void): () => void };
  let server: Server;
  let port = 0;
  let connections = 0;
  let baseline: FileRunResult;
  const events: ExecutorEvent[] = [];

  before(async () => {
    process.env.ANTHROPIC_API_KEY = SECRET;
    rmSync(HOST_FILE, { force: true });
    server = createServer((s) => {
      connections++;
      s.destroy();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as { port: number }).port;
    // A low memory cap so the memory bomb is stopped quickly; enough for the runtime itself.
    executor = createPythonExecutor({ memoryCapMb: 700 });
    executor.onEvent((e) => events.push(e));
    await executor.loadRows('texts', TEXTS.map((text, i) => ({ id: `t${i}`, fields: { text } })));
    baseline = await executor.runFile({ file: '/p/control.py', source: HEADER + CONTROL_BEFORE + CONTROL_AFTER, datasetKey: 'texts', cardinality: 2, timeoutMs: 5000 });
    assert.equal(baseline.fileError, null);
    assert.deepEqual([...baseline.lfs[0].votes], [1, 0, 0, 0, 1]);
    assert.deepEqual([...baseline.lfs[1].votes], [1, 0, 1, -1, 1]);
  });

  after(async () => {
    await executor.dispose();
    server.close();
    delete process.env.ANTHROPIC_API_KEY;
    rmSync(HOST_FILE, { force: true });
  });

  it('has at least 25 hostile cases', () => assert.ok(CASES.length >= 25));

  for (const c of CASES) {
    it(c.name, async () => {
      events.length = 0;
      const r = await executor.runFile({ file: '/p/hostile.py', source: fileFor(c, port), datasetKey: 'texts', cardinality: 2, timeoutMs: 1500 });
      assert.equal(r.fileError, null, `file error: ${r.fileError?.message}`);
      assert.deepEqual(r.lfs.map((l) => l.name), ['control_before', 'hostile', 'control_after']);
      const [before, hostile, after] = r.lfs;
      assert.deepEqual([...before.votes], [...baseline.lfs[0].votes], 'control_before changed');
      assert.deepEqual([...after.votes], [...baseline.lfs[1].votes], 'control_after changed');
      assert.equal(before.errors + after.errors, 0);
      assert.ok(!hostile.votes.includes(1), `the attack worked: votes ${[...hostile.votes]}`);
      if (c.expect === 'timeout') assert.equal(hostile.timedOut, true);
      if (c.expect === 'crash') {
        assert.equal(hostile.firstError?.kind, 'crash');
        assert.ok(events.some((e) => e.type === 'restarted' && e.lf === 'hostile'), 'restart reported');
      }
      if (c.expect === 'stopped') assert.ok(hostile.timedOut || hostile.firstError !== null, 'the LF was not stopped');
      if (c.crashMessage && hostile.firstError?.kind === 'crash') assert.match(hostile.firstError.message, c.crashMessage);
      assert.equal(existsSync(HOST_FILE), false, 'a file appeared on the host');
      assert.equal(connections, 0, 'a TCP connection reached the host');
    });
  }

  it("leaves cyclic garbage whose finalizer rewrites a later LF's votes when the collector next runs", async () => {
    // The collector runs when allocations pass its threshold, here during control_after's loop over the sms
    // texts (it keeps a list per row): the finalizer finds control_after's vote buffer in a frame's locals.
    const texts = Object.values(JSON.parse(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'wrench', 'sms', 'train.json'), 'utf8')) as Record<string, { data: { text: string } }>).map((r) => r.data.text);
    await executor.loadRows('sms', texts.map((text, i) => ({ id: `s${i}`, fields: { text } })));
    const control = `\n_seen = []\n\n@labeling_function()\ndef control_after(x):\n    _seen.append([x.text])\n    return HAM if "song" in x.text.lower() else ABSTAIN\n`;
    const bomb = `import gc\nclass _Bomb:\n    def __del__(self):\n        f = sys._getframe(0)\n        while f is not None:\n            try:\n                if f.f_locals.get("name") == "control_after":\n                    for v in list(f.f_locals.values()):\n                        if isinstance(v, bytearray):\n                            v[:] = b"\\x01" * len(v)\n            except Exception:\n                pass\n            f = f.f_back\n\n@labeling_function()\ndef hostile(x):\n    gc.set_threshold(THRESHOLD, 2, 2)\n    b = _Bomb()\n    b.cycle = [b]\n    return ABSTAIN\n`;
    const alone = await executor.runFile({ file: '/p/control.py', source: HEADER + control, datasetKey: 'sms', cardinality: 2, timeoutMs: 30_000 });
    const expected = [...alone.lfs[0].votes];
    assert.ok(expected.includes(0) && expected.includes(-1));
    for (const threshold of [4000, 6000]) {
      const r = await executor.runFile({ file: '/p/hostile.py', source: HEADER + bomb.replace('THRESHOLD', String(threshold)) + control, datasetKey: 'sms', cardinality: 2, timeoutMs: 30_000 });
      assert.deepEqual(r.lfs.map((l) => l.name), ['hostile', 'control_after']);
      assert.deepEqual([...r.lfs[1].votes], expected, `threshold ${threshold}: control_after's votes were rewritten`);
    }
  });

  it('reports which layers are active', async () => {
    const iso = await executor.isolation();
    assert.equal(iso.separateProcess, true);
    assert.equal(iso.environmentScrubbed, true);
    assert.equal(iso.pyodideBridgesRemoved, true);
    assert.equal(iso.memoryCapMb, 700);
    if (process.platform === 'linux') assert.equal(typeof iso.networkNamespace, 'boolean');
    const labels = describeIsolation(iso);
    assert.ok(labels.includes('separate process per file and candidate') && labels.includes('no environment variables'));
    assert.equal(labels.includes('no network (network namespace)'), iso.networkNamespace);
    assert.ok(labels.includes('memory cap 700 MB'));
  });
});
