// pyodide's own routes from Python to JavaScript and native code, tried by hostile LFs: creating the FFI core
// or _ctypes with _imp.create_builtin, pyodide's import hooks, classes of JavaScript objects found through
// object.__subclasses__(), the heap, sys.modules, module globals and everything reachable from them.
// Each hostile LF sits between two control LFs and votes 1 as soon as it holds a JavaScript object or a bridge
// module/function; otherwise it re-raises the refusal it met (so the host sees the sandbox's message) or
// abstains. The second suite loads the guard into a fresh pyodide in this process and checks that its
// start-up self-check reports each route when it is opened again.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createPythonExecutor } from '../../lf-runtime/src/sandbox/pythonExecutor.ts';
import type { FileRunResult, LfExecutor } from '../../lf-runtime/src/sandbox/types.ts';

const TEXTS = ['Check out my channel', 'nice song', 'please subscribe http://spam', 'i love this', 'CHECK THIS OUT NOW my friends plz'];
const REFUSED = "LF Studio's sandbox";

// Helpers every hostile file shares. is_js recognises a JavaScript object by the FFI's C base class JsProxy
// (not a heap type) in its class's MRO; pyodide's pure-Python stand-ins (JsNull) do not have it.
const HEADER = `import re, sys, types, builtins, importlib, functools
from snorkel.labeling import labeling_function, ABSTAIN
HAM, SPAM = 0, 1
SANDBOX = "${REFUSED}"
BRIDGE_NAMES = ("js", "pyodide_js", "pyodide", "_pyodide", "_pyodide_core", "micropip", "ctypes", "_ctypes")


def refused(exc):
    return SANDBOX in str(exc)


def is_js(obj):
    try:
        mro = type.__getattribute__(type(obj), "__mro__")
    except Exception:
        return False
    return any(c.__name__ == "JsProxy" and not c.__flags__ & (1 << 9) for c in mro)


def is_bridge(obj):
    if is_js(obj):
        return True
    if type(obj) is types.ModuleType:
        return str(obj.__dict__.get("__name__")).split(".")[0] in BRIDGE_NAMES
    if type(obj) is types.BuiltinFunctionType:
        owner = obj.__self__
        return type(owner) is types.ModuleType and owner.__dict__.get("__name__") in ("_pyodide_core", "_ctypes")
    return False


def holds_bridge(obj):
    if isinstance(obj, (list, tuple, set, frozenset)):
        return any(is_bridge(o) for o in obj)
    if isinstance(obj, dict):
        return any(is_bridge(o) for o in obj.values())
    return is_bridge(obj)


def from_pyodide(obj):
    owner = obj if isinstance(obj, type) or type(obj) is types.FunctionType else type(obj)
    g = getattr(owner, "__globals__", None)
    name = g.get("__name__") if isinstance(g, dict) else getattr(owner, "__module__", None)
    return str(name).split(".")[0] in BRIDGE_NAMES


def all_classes():
    found, seen = [object], {id(object)}
    for cls in found:
        try:
            subs = type.__subclasses__(cls)
        except TypeError:
            continue
        for sub in subs:
            if id(sub) not in seen:
                seen.add(id(sub))
                found.append(sub)
    return found


def attempt_all(attempts, strict=True):
    """1 if an attempt obtained a bridge. Otherwise re-raises the last refusal; with strict, an error that is
    not a refusal is re-raised at once; 0 when nothing was refused at all."""
    refusal = None
    for attempt in attempts:
        try:
            got = attempt()
        except Exception as exc:
            if refused(exc):
                refusal = exc
            elif strict:
                raise
            continue
        if holds_bridge(got):
            return SPAM
    if refusal is None:
        return HAM
    raise refusal


_outcome = {}


def once(attack):
    """Runs the attack once per module execution; every row gets its outcome."""
    if "r" not in _outcome:
        try:
            _outcome["r"] = (True, attack())
        except Exception as exc:
            _outcome["r"] = (False, exc)
    ok, value = _outcome["r"]
    if not ok:
        raise value
    return value
`;

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

interface RouteCase {
  name: string;
  /** Body of `def attack():` (indented by four spaces when the file is built). */
  attack: string;
  /** 'refused': every row fails with the sandbox's refusal; 'abstain': the LF abstains everywhere. */
  expect: 'refused' | 'abstain';
  /** Text the refusal must contain, beyond the sandbox's name. */
  message?: RegExp;
  timeoutMs?: number;
}

const CASES: RouteCase[] = [
  {
    name: 'creates _pyodide_core with _imp.create_builtin',
    attack: `import _imp
from importlib.machinery import ModuleSpec
core = _imp.create_builtin(ModuleSpec("_pyodide_core", None))
return SPAM if is_bridge(core) or is_js(core.to_js([1, 2])) else HAM`,
    expect: 'refused',
    message: /_pyodide_core/,
  },
  {
    name: 'creates _ctypes with _imp.create_builtin',
    attack: `import _imp
from importlib.machinery import ModuleSpec
ct = _imp.create_builtin(ModuleSpec("_ctypes", None))
return SPAM if is_bridge(ct) or ct.dlopen(None) else HAM`,
    expect: 'refused',
    message: /_ctypes/,
  },
  {
    name: 'creates the FFI core through the import machinery',
    attack: `import importlib.util, importlib._bootstrap as bootstrap
from importlib.machinery import BuiltinImporter, ModuleSpec
spec = lambda: ModuleSpec("_pyodide_core", BuiltinImporter, origin="built-in")
return attempt_all([
    lambda: BuiltinImporter.create_module(spec()),
    lambda: importlib.util.module_from_spec(spec()),
    lambda: bootstrap._builtin_from_name("_pyodide_core"),
    lambda: bootstrap._load(spec()),
    lambda: importlib.util.module_from_spec(BuiltinImporter.find_spec("_ctypes")),
])`,
    expect: 'refused',
  },
  {
    name: 'creates other dangerous built-in modules',
    attack: `import _imp
from importlib.machinery import ModuleSpec
names = ["_testcapi", "_testinternalcapi", "_testlimitedcapi", "_testbuffer", "_posixsubprocess", "_socket", "select", "mmap",
         "fcntl", "termios", "faulthandler", "_tracemalloc", "_lsprof", "_remote_debugging", "xxsubtype", "_xxtestfuzz"]
refusals = []
for name in names:
    try:
        module = _imp.create_builtin(ModuleSpec(name, None))
    except Exception as exc:
        if not refused(exc):
            raise
        refusals.append(exc)
        continue
    if module is not None:
        return SPAM
raise refusals[-1]`,
    expect: 'refused',
  },
  {
    name: 'recreates _imp to get the original create_builtin back',
    attack: `import _imp
from importlib.machinery import ModuleSpec
fresh = _imp.create_builtin(ModuleSpec("_imp", None))
_imp.exec_builtin(_imp)
try:
    importlib.reload(_imp)
except Exception:
    pass
return attempt_all([
    lambda: fresh.create_builtin(ModuleSpec("_pyodide_core", None)),
    lambda: _imp.create_builtin(ModuleSpec("_pyodide_core", None)),
    lambda: sys.modules["_imp"].create_builtin(ModuleSpec("_ctypes", None)),
])`,
    expect: 'refused',
  },
  {
    name: 'loads an extension module with _imp.create_dynamic',
    attack: `import _imp
from importlib.machinery import ExtensionFileLoader, ModuleSpec
spec = ModuleSpec("_ctypes", None, origin="/lib/python3.14/lib-dynload/_ctypes.so")
return attempt_all([
    lambda: _imp.create_dynamic(spec),
    lambda: ExtensionFileLoader("_ctypes", spec.origin).create_module(spec),
])`,
    expect: 'refused',
    message: /extension modules/,
  },
  {
    name: "imports a JavaScript module through pyodide's finders",
    attack: `hooks = list(sys.meta_path) + list(sys.path_hooks) + list(sys.path_importer_cache.values())
if any(h is not None and from_pyodide(h) for h in hooks):
    return SPAM
finder_classes = [c for c in all_classes() if c.__name__ == "JsFinder"]
attempts = []
for cls in finder_classes:
    finder = cls()
    sys.meta_path.insert(0, finder)
    attempts += [lambda f=finder: [f.find_spec(n, None) for n in ("js", "pyodide_js")], lambda f=finder: list(f.jsproxies.values())]
attempts += [lambda n=n: importlib.import_module(n) for n in ("js", "pyodide_js", "pyodide_js._api", "js.process")]
return attempt_all(attempts) if finder_classes else HAM`,
    expect: 'refused',
    message: /blocked/,
  },
  {
    name: 'constructs JavaScript objects from classes found through object.__subclasses__()',
    attack: `import io, pickle
jsish = [c for c in all_classes() if from_pyodide(c) or any(b.__name__ == "JsProxy" for b in c.__mro__)]
attempts = []
for cls in jsish:
    news = [b.__dict__["__new__"] for b in cls.__mro__ if "__new__" in b.__dict__]
    news = [getattr(n, "__func__", n) for n in news]
    for args in ((), ("Error",), ("Error", "boom")):
        attempts.append(lambda cls=cls, args=args: cls(*args))
        attempts += [lambda cls=cls, new=new, args=args: new(cls, *args) for new in news]
    attempts.append(lambda cls=cls: type(cls)("Evil", (cls,), {})("Error", "boom"))
    class Loader(pickle.Unpickler):
        def find_class(self, module, name, cls=cls):
            return cls
    # NEWOBJ: cls.__new__(cls, "Error", "boom") on whatever find_class returns.
    data = b"\\x80\\x02cx\\ny\\nX\\x05\\x00\\x00\\x00ErrorX\\x04\\x00\\x00\\x00boom\\x86\\x81."
    attempts.append(lambda Loader=Loader: Loader(io.BytesIO(data)).load())
if not any(c.__name__ == "JsException" for c in jsish):
    return HAM
return attempt_all(attempts, strict=False)`,
    expect: 'refused',
    message: /creating JavaScript objects is not allowed/,
  },
  {
    name: "calls pyodide's own functions reachable from its classes",
    attack: `funcs = {}
for cls in all_classes():
    if not from_pyodide(cls):
        continue
    for value in list(type.__getattribute__(cls, "__dict__").values()):
        fn = getattr(value, "__func__", value)
        g = getattr(fn, "__globals__", None) if type(fn) is types.FunctionType else None
        for v in list(g.values()) if isinstance(g, dict) else ():
            if callable(v) and not isinstance(v, type) and from_pyodide(v):
                funcs[id(v)] = v
if len(funcs) < 10:
    return HAM
for fn in funcs.values():
    for args in ((), ("1+1",), ("Error", "boom"), ({},), ([],)):
        try:
            got = fn(*args)
        except BaseException:
            continue
        if holds_bridge(got):
            return SPAM
return ABSTAIN`,
    expect: 'abstain',
  },
  {
    name: "schedules a callback on pyodide's event loop",
    attack: `refusal = None
for name in ("_asyncio", "asyncio"):
    try:
        importlib.import_module(name)
    except Exception as exc:
        if not refused(exc):
            raise
        refusal = refusal or exc
    else:
        return SPAM
# The loop accessors asyncio's modules took from _asyncio, reachable through the globals of their classes.
getters = []
for cls in all_classes():
    if not str(getattr(cls, "__module__", "")).startswith("asyncio"):
        continue
    for value in list(type.__getattribute__(cls, "__dict__").values()):
        fn = getattr(value, "__func__", value)
        if type(fn) is types.FunctionType:
            for name in ("get_running_loop", "_get_running_loop", "get_event_loop", "get_event_loop_policy"):
                if callable(fn.__globals__.get(name)):
                    getters.append(fn.__globals__[name])
if not getters:
    return HAM
for getter in getters:
    try:
        loop = getter()
        loop = loop.get_event_loop() if hasattr(loop, "get_event_loop") else loop
        loop.call_soon(lambda: None)
        return SPAM
    except Exception:
        continue
raise refusal`,
    expect: 'refused',
    message: /_asyncio/,
  },
  {
    name: 'walks the heap with gc',
    attack: `import gc
return attempt_all([gc.get_objects, lambda: gc.get_referrers(sys.modules), lambda: gc.get_referents(sys.modules), lambda: gc.get_objects(0)])`,
    expect: 'refused',
    message: /gc\.get_/,
  },
  {
    name: 'imports the FFI core and pyodide by name',
    attack: `import importlib.util
names = ("_pyodide_core", "_ctypes", "pyodide", "pyodide.ffi", "pyodide.code", "_pyodide", "_pyodide._core_docs", "pyodide_js", "js", "ctypes")
attempts = []
for n in names:
    attempts += [lambda n=n: importlib.import_module(n), lambda n=n: __import__(n), lambda n=n: importlib.util.find_spec(n), lambda n=n: builtins.__import__(n, fromlist=["x"])]
return attempt_all(attempts)`,
    expect: 'refused',
    message: /blocked/,
  },
  {
    name: 'finds bridges in sys.modules',
    attack: `bad = [k for k, v in list(sys.modules.items()) if k.split(".")[0] in BRIDGE_NAMES or is_bridge(v)]
return SPAM if bad or len(sys.modules) < 50 else ABSTAIN`,
    expect: 'abstain',
  },
  {
    name: 'finds JavaScript objects in module globals and in the globals of pyodide classes',
    attack: `import time, shutil
namespaces = [m.__dict__ for m in list(sys.modules.values()) + [builtins] if type(m) is types.ModuleType]
def cells(fn):
    contents = {}
    for i, cell in enumerate(fn.__closure__ or ()):
        try:
            contents[i] = cell.cell_contents
        except ValueError:
            pass
    return contents
pyodide_classes = [c for c in all_classes() if from_pyodide(c)]
for cls in pyodide_classes:
    namespaces.append(dict(type.__getattribute__(cls, "__dict__")))
    for value in list(type.__getattribute__(cls, "__dict__").values()):
        fn = getattr(value, "__func__", value)
        if type(fn) is types.FunctionType:
            namespaces.append(fn.__globals__)
            namespaces.append(cells(fn))
            namespaces.append(dict(enumerate(fn.__defaults__ or ())))
            namespaces.append(dict(fn.__kwdefaults__ or {}))
if len(pyodide_classes) < 10:
    return HAM
if any(holds_bridge(ns) for ns in namespaces):
    return SPAM
# pyodide's replacements of standard-library functions (time.sleep goes through its JavaScript event loop)
if from_pyodide(time.sleep) or any(f[0] == "whl" for f in shutil.get_unpack_formats()):
    return SPAM
return ABSTAIN`,
    expect: 'abstain',
  },
  {
    name: 'walks everything reachable from classes, modules and import hooks',
    timeoutMs: 30000,
    attack: `roots = [sys.modules, builtins, sys.meta_path, sys.path_hooks, sys.path_importer_cache, sys.__dict__] + all_classes()
seen, queue = set(), []
leaves = (int, float, str, bytes, bool, complex, type(None))
def push(o):
    if type(o) not in leaves and id(o) not in seen:
        seen.add(id(o))
        queue.append(o)
for r in roots:
    push(r)
i = 0
while i < len(queue) and i < 400000:
    o = queue[i]
    i += 1
    if is_bridge(o):
        return SPAM
    t = type(o)
    try:
        if t is dict or t is types.MappingProxyType:
            for k, v in list(o.items()):
                push(k)
                push(v)
        elif t in (list, tuple, set, frozenset):
            for v in list(o):
                push(v)
        if isinstance(o, type):
            push(type.__getattribute__(o, "__dict__"))
            push(o.__mro__)
        elif isinstance(o, types.ModuleType):
            push(o.__dict__)
        elif t not in (dict, list, tuple, set, frozenset):
            try:
                push(object.__getattribute__(o, "__dict__"))
            except Exception:
                pass
        if t is types.FunctionType:
            push(o.__globals__)
            push(o.__defaults__)
            push(o.__kwdefaults__)
            for c in o.__closure__ or ():
                try:
                    push(c.cell_contents)
                except ValueError:
                    pass
        elif t in (types.BuiltinFunctionType, types.MethodWrapperType, types.MethodType):
            push(o.__self__)
            if t is types.MethodType:
                push(o.__func__)
        elif t in (staticmethod, classmethod):
            push(o.__func__)
        elif t is property:
            push(o.fget)
            push(o.fset)
            push(o.fdel)
        elif t is functools.partial:
            push(o.func)
            push(o.args)
            push(o.keywords)
        wrapped = getattr(o, "__wrapped__", None) if t is types.FunctionType else None
        if wrapped is not None:
            push(wrapped)
    except Exception:
        pass
return ABSTAIN if i > 5000 else HAM`,
    expect: 'abstain',
  },
];

function fileFor(c: RouteCase): string {
  const attack = c.attack.split('\n').map((l) => `    ${l}`).join('\n');
  return `${HEADER}${CONTROL_BEFORE}\n\ndef attack():\n${attack}\n\n\n@labeling_function()\ndef hostile(x):\n    return once(attack)\n${CONTROL_AFTER}`;
}

describe('pyodide routes to JavaScript and native code are closed', () => {
  let executor: LfExecutor;
  let baseline: FileRunResult;

  before(async () => {
    executor = createPythonExecutor({ resultCache: false });
    await executor.loadRows('texts', TEXTS.map((text, i) => ({ id: `t${i}`, fields: { text } })));
    baseline = await executor.runFile({ file: '/p/control.py', source: HEADER + CONTROL_BEFORE + CONTROL_AFTER, datasetKey: 'texts', cardinality: 2, timeoutMs: 5000 });
    assert.equal(baseline.fileError, null);
    assert.deepEqual([...baseline.lfs[0].votes], [1, 0, 0, 0, 1]);
    assert.deepEqual([...baseline.lfs[1].votes], [1, 0, 1, -1, 1]);
  });

  after(() => executor.dispose());

  it('reports the bridges as removed', async () => {
    assert.equal((await executor.isolation()).pyodideBridgesRemoved, true);
  });

  for (const c of CASES) {
    it(c.name, async () => {
      const r = await executor.runFile({ file: '/p/hostile.py', source: fileFor(c), datasetKey: 'texts', cardinality: 2, timeoutMs: c.timeoutMs ?? 10000 });
      assert.equal(r.fileError, null, `file error: ${r.fileError?.message}`);
      assert.deepEqual(r.lfs.map((l) => l.name), ['control_before', 'hostile', 'control_after']);
      const [beforeLf, hostile, afterLf] = r.lfs;
      assert.deepEqual([...beforeLf.votes], [...baseline.lfs[0].votes], 'control_before changed');
      assert.deepEqual([...afterLf.votes], [...baseline.lfs[1].votes], 'control_after changed');
      assert.equal(beforeLf.errors + afterLf.errors, 0);
      assert.equal(hostile.timedOut, false, 'the attack did not finish within its budget');
      assert.ok(!hostile.votes.includes(1), `a JavaScript object or bridge was obtained: votes ${[...hostile.votes]}`);
      assert.deepEqual([...hostile.votes], TEXTS.map(() => -1), `votes ${[...hostile.votes]}; error: ${hostile.firstError?.message}`);
      if (c.expect === 'refused') {
        assert.equal(hostile.errors, TEXTS.length, 'every row meets the refusal');
        const message = hostile.firstError?.message ?? '';
        assert.ok(message.includes(REFUSED), `not a refusal: ${message}`);
        if (c.message) assert.match(message, c.message);
      } else {
        assert.equal(hostile.errors, 0, `unexpected error: ${hostile.firstError?.message}`);
      }
    });
  }
});

interface PyodideLike {
  runPython(code: string): unknown;
  unregisterJsModule(name: string): void;
  FS: { writeFile(path: string, text: string): void };
}

// The guard's self-check, run against a fresh pyodide in this process: clean after install(), and each route
// reported again when it is reopened (with objects kept from before install()).
describe("the guard's start-up check reports reopened routes", () => {
  type Report = Record<string, string[] | string>;
  let report: Report;

  before(async () => {
    const { loadPyodide } = (await import('pyodide')) as { loadPyodide: (o: Record<string, unknown>) => Promise<PyodideLike> };
    const py = await loadPyodide({ jsglobals: Object.create(null), env: {}, stdout: () => undefined, stderr: () => undefined });
    const site = py.runPython('import sys; f"/lib/python{sys.version_info[0]}.{sys.version_info[1]}/site-packages"') as string;
    // The guard, the module that closes and checks pyodide's bridges, and the one it records and restores the
    // state baseline with.
    for (const name of ['lf_guard.py', 'lf_bridges.py', 'lf_restore.py']) {
      py.FS.writeFile(`${site}/${name}`, readFileSync(join(import.meta.dirname, '../../lf-runtime/src/sandbox/python', name), 'utf8'));
    }
    for (const name of ['js', 'pyodide_js']) py.unregisterJsModule(name);
    report = JSON.parse(
      py.runPython(`
import json, shutil, sys, time, types, _imp
import lf_guard
# The snorkel package the worker installs is not part of this check.
for name in lf_guard.SNORKEL_MODULES:
    sys.modules.setdefault(name, types.ModuleType(name))
# Kept in a dict, read at the moment of use: install() clears bridges from module globals (these would go),
# not from containers the caller holds.
kept = {"core": sys.modules["_pyodide_core"], "js_object": sys.modules["pyodide_js"], "create_builtin": _imp.create_builtin,
        "sleep": time.sleep, "finder": next(f for f in sys.meta_path if type(f).__name__ == "JsFinder")}
before = {"sleepFromPyodide": str(kept["sleep"].__globals__.get("__name__")), "coreFunction": type(kept["core"].to_js([1])).__name__}
lf_guard.install()
report = {"before": before, "clean": lf_guard.open_routes(), "closed": str(lf_guard.bridges_closed())}

def reopened(name, open_route, close_route):
    open_route()
    try:
        report[name] = lf_guard.open_routes()
        try:
            lf_guard.bridges_closed()
            report[name + ".raises"] = "no"
        except RuntimeError as exc:
            report[name + ".raises"] = str(exc)
    finally:
        close_route()

guarded_create_builtin = _imp.create_builtin
def restore_create_builtin():
    _imp.create_builtin = guarded_create_builtin
    for name in lf_guard.BLOCKED_BUILTINS:
        sys.modules.pop(name, None)

reopened("sysModules", lambda: sys.modules.__setitem__("_pyodide_core", kept["core"]), lambda: sys.modules.pop("_pyodide_core"))
reopened("createBuiltin", lambda: setattr(_imp, "create_builtin", kept["create_builtin"]), restore_create_builtin)
reopened("metaPath", lambda: sys.meta_path.append(kept["finder"]), lambda: sys.meta_path.remove(kept["finder"]))
reopened("moduleGlobals", lambda: setattr(json, "leak", kept["js_object"]), lambda: delattr(json, "leak"))
reopened("coreFunctionInGlobals", lambda: setattr(json, "leak", kept["core"].to_js), lambda: delattr(json, "leak"))
reopened("timeSleep", lambda: setattr(time, "sleep", kept["sleep"]), lambda: setattr(time, "sleep", kept["sleep"].__wrapped__))
reopened("whlFormat", lambda: shutil.register_unpack_format("whl", [".whl"], shutil._unpack_zipfile), lambda: shutil.unregister_unpack_format("whl"))
report["cleanAgain"] = lf_guard.open_routes()
json.dumps(report)
`) as string,
    ) as Report;
  });

  it('found the routes open before install()', () => {
    const before = report.before as unknown as Record<string, string>;
    assert.match(before.sleepFromPyodide, /^pyodide/, 'time.sleep is pyodide’s before install()');
    assert.match(before.coreFunction, /JsProxy|JsArray/, 'the core made a JavaScript object before install()');
  });

  it('reports nothing open after install(), before and after the routes were reopened and closed again', () => {
    assert.deepEqual(report.clean, []);
    assert.equal(report.closed, 'True');
    assert.deepEqual(report.cleanAgain, []);
  });

  const expected: [string, RegExp][] = [
    ['sysModules', /sys\.modules\['_pyodide_core'\]/],
    ['createBuiltin', /_imp\.create_builtin creates _pyodide_core/],
    ['metaPath', /sys\.meta_path holds .*JsFinder/],
    ['moduleGlobals', /json\['leak'\] leads to JavaScript/],
    ['coreFunctionInGlobals', /json\['leak'\] leads to JavaScript/],
    ['timeSleep', /time\['sleep'\] is pyodide's/],
    ['whlFormat', /shutil's whl format/],
  ];
  for (const [route, pattern] of expected) {
    it(`reports ${route} when it is reopened, and start-up fails`, () => {
      const found = report[route] as string[];
      assert.ok(found.some((line) => pattern.test(line)), `not reported: ${JSON.stringify(found)}`);
      const raised = report[`${route}.raises`] as string;
      assert.match(raised, /routes to JavaScript or native code are open/);
    });
  }
});
