"""JSON as the editor parses it: JavaScript numbers (an integral float is an int; a bare NaN, as Python's
json.dumps writes it, is null; a bare Infinity, -Infinity or 1e400 an infinity), but integers exactly in
int64's range, and JavaScript's key order."""
import decimal
import json
import math


def _js_float(s):
    f = float(s)
    # A number too large for a double (1e400) is an infinity, as pandas and the editor read it.
    return f if math.isinf(f) else js_number(f)


def js_number(f):
    """A float as the editor's LFs see the JavaScript number: the editor sends rows as JSON, which writes an
    integral number below 1e21 in digits (an int here: 1.0 is 1; 1e20 is 100000000000000000000, its shortest
    digits, not the float's binary value) and has no infinity or NaN (null)."""
    if not math.isfinite(f):
        return None
    if f.is_integer() and abs(f) < 1e21:
        return int(f) if abs(f) < 2**53 else int(decimal.Decimal(repr(f)))
    return f


def _js_int(s):
    # Exact in int64's range, as the editor keeps it (exactIntegers.ts) and pandas reads it.
    i = int(s)
    return i if -(2**63) <= i < 2**63 else _js_float(s)


def _no_constant(name):
    # Python's json.dumps writes a float NaN as a bare NaN: null, as the editor reads it (jsonSyntax.ts); and
    # an infinity as a bare Infinity or -Infinity: the infinity, as pandas and the editor read it.
    if name == "NaN":
        return None
    if name in ("Infinity", "-Infinity"):
        return math.inf if name == "Infinity" else -math.inf
    raise ValueError(f"{name} is not valid JSON")


def _is_index_key(k):
    return k[:1].isdigit() and k.isdigit() and (k == "0" or k[0] != "0") and int(k) < 4294967295


def _js_object(pairs):
    d = dict(pairs)
    # JavaScript objects list integer-like keys first, in ascending order.
    if any(_is_index_key(k) for k in d):
        index = sorted((k for k in d if _is_index_key(k)), key=int)
        rest = [k for k in d if not _is_index_key(k)]
        d = {k: d[k] for k in index + rest}
    return d


_decoder = json.JSONDecoder(parse_float=_js_float, parse_int=_js_int, parse_constant=_no_constant, object_pairs_hook=_js_object)


def js_loads(text):
    try:
        return _decoder.decode(text)
    except RecursionError:
        # JSON nested past what Python's parser takes (some 1000 levels): the editor reads at most 100.
        raise ValueError(f"the JSON nests more than {MAX_JSON_DEPTH} levels deep, more than LF Studio reads; flatten the nested field, or leave it out of the file") from None


# Levels of JSON nesting the editor reads (MAX_JSON_DEPTH in jsonSyntax.ts).
MAX_JSON_DEPTH = 100


def nesting_depth(value, limit=MAX_JSON_DEPTH):
    """How deep a parsed JSON value nests (a scalar 0, [] or {} 1), counted without recursion; stops past `limit`."""
    depth, level = 0, [value]
    while depth <= limit:
        containers = [v for v in level if isinstance(v, (dict, list))]
        if not containers:
            break
        depth += 1
        level = [x for v in containers for x in (v.values() if isinstance(v, dict) else v)]
    return depth


def _js_string(v):
    """String(v) of a JavaScript value, for ids taken from a field."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        r = repr(v)
        if "e" in r:
            mant, exp = r.split("e")
            mant = mant[:-2] if mant.endswith(".0") else mant
            return f"{mant}e{'+' if not exp.startswith('-') else ''}{int(exp)}"
        return r
    return str(v)
