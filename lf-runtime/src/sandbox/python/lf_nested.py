"""Nested JSON values as LFs see them, shared by the editor's runtimes (lf_rows.py) and the exported job (served
there as lfstudio_runtime/nested.py): an array is a FrozenList, a list subclass, and an object a FrozenMapping,
a dict subclass, so isinstance, ==, +, json.dumps, "%s" %, numpy and pandas treat them as a pandas row's list
and dict. Their changing methods refuse, so no LF changes what the next one reads by accident; the changes
list.__setitem__ and dict.__setitem__ can still make are undone before each LF in the editor (record, restore).
Imports nothing but the standard library.
"""
import itertools
import operator

_chain = itertools.chain


def _read_only(kind, copy):
    def refuse(self, *args, **kwargs):
        raise TypeError(f"a row's {kind} is read-only, so one LF cannot change what the next reads: take a copy ({copy}) to change it")

    return refuse


class FrozenList(list):
    """A JSON array as LFs see it: a list, read-only. Copies (x.tags[1:], x.tags + [...], list(x.tags),
    x.tags.copy(), copy.copy, copy.deepcopy, pickle) are plain lists the LF may change."""

    __slots__ = ()
    __class__ = property(lambda self: list)
    __init__ = append = extend = insert = remove = pop = clear = sort = reverse = __setitem__ = __delitem__ = __iadd__ = __imul__ = _read_only("list", "list(x.field)")
    # Unhashable, as a pandas row's list is.
    __hash__ = None

    def __copy__(self):
        return list(self)

    def __reduce__(self):
        return (list, (list(self),))

    def __deepcopy__(self, memo):
        return [_thawed(v, memo) for v in self]


FrozenList.__name__ = FrozenList.__qualname__ = "list"


class FrozenMapping(dict):
    """A JSON object as LFs see it: a dict, read-only. Copies (dict(x.meta), x.meta.copy(), x.meta | {...},
    copy.copy, copy.deepcopy, pickle) are plain dicts the LF may change."""

    __slots__ = ()
    __class__ = property(lambda self: dict)
    __init__ = __setitem__ = __delitem__ = update = pop = popitem = setdefault = clear = __ior__ = _read_only("dict", "dict(x.field)")
    __hash__ = None

    def __copy__(self):
        return dict(self)

    def __reduce__(self):
        return (dict, (dict(self),))

    def __deepcopy__(self, memo):
        return {k: _thawed(v, memo) for k, v in self.items()}


# So messages read as Python's: "'dict' object has no attribute 'negated'".
FrozenMapping.__name__ = FrozenMapping.__qualname__ = "dict"


def _thawed(value, memo):
    """A deep copy of a nested value, frozen containers as a plain list and dict."""
    import copy

    return copy.deepcopy(value, memo)


def freeze(value, made=None):
    """JSON containers made read-only, so an LF cannot edit a field another LF reads by accident: lists become
    FrozenList, objects FrozenMapping. Each one made is added to `made` (a list) for record()."""
    # type(), not isinstance(): a frozen container is a list or dict subclass, and is left as it is.
    kind = type(value)
    if kind is list:
        out = list.__new__(FrozenList)
        list.extend(out, [freeze(v, made) for v in value])
    elif kind is dict:
        out = dict.__new__(FrozenMapping)
        dict.update(out, [(k, freeze(v, made)) for k, v in value.items()])
    else:
        return value
    if made is not None:
        made.append(out)
    return out


def record(made):
    """What restore() puts back: each container made, with its class and contents (the very objects) now, and
    the same flattened, for restore()'s check of them all at once."""
    lists = tuple(v for v in made if type(v) is FrozenList)
    mappings = tuple(v for v in made if type(v) is FrozenMapping)
    list_items = tuple(tuple(v) for v in lists)
    mapping_items = tuple((tuple(v), tuple(v.values())) for v in mappings)
    flat = (
        tuple(map(len, list_items)),
        tuple(_chain.from_iterable(list_items)),
        tuple(len(k) for k, _ in mapping_items),
        tuple(_chain.from_iterable(k for k, _ in mapping_items)),
        tuple(_chain.from_iterable(v for _, v in mapping_items)),
    )
    return (lists, list_items, mappings, mapping_items, flat)


# What restore() takes out of nested values, kept for the worker's life: freeing it would run an LF's __del__
# in the middle of a restore, where it could change a value already put back (as lf_restore._GRAVE).
_GRAVE = []


def restore(recorded, _grave=_GRAVE, _type=type, _set_class=object.__dict__["__class__"].__set__, _is=operator.is_, _all=all, _map=map, _len=len, _list_len=list.__len__, _list_iter=list.__iter__, _set_slice=list.__setitem__, _dict_len=dict.__len__, _keys=dict.keys, _values=dict.values, _dict_clear=dict.clear, _dict_update=dict.update, _zip=zip, _slice=slice(None), _list=FrozenList, _mapping=FrozenMapping, _set=set, _tuple=tuple, _flat=_chain.from_iterable):
    """Puts back each container record() saw: its class (an LF may swap it for a subclass of its own, whose
    __contains__ says yes to everything) and its contents (list.__setitem__ and dict.__setitem__ change it in
    place). Compares by identity, so no object an LF put there runs any code here, and keeps what it takes out
    (_GRAVE), so no finalizer runs here either; all at once first (in C, a few milliseconds for 40 000
    containers), container by container only when something changed."""
    lists, list_items, mappings, mapping_items, (list_lens, list_flat, mapping_lens, key_flat, value_flat) = recorded
    if (
        _set(_map(_type, lists)) <= {_list}
        and _set(_map(_type, mappings)) <= {_mapping}
        and _tuple(_map(_list_len, lists)) == list_lens
        and _tuple(_map(_dict_len, mappings)) == mapping_lens
        and _all(_map(_is, _flat(_map(_list_iter, lists)), list_flat))
        and _all(_map(_is, _flat(_map(_keys, mappings)), key_flat))
        and _all(_map(_is, _flat(_map(_values, mappings)), value_flat))
    ):
        return
    for v, items in _zip(lists, list_items):
        if _type(v) is not _list:
            _set_class(v, _list)
        if _list_len(v) != _len(items) or not _all(_map(_is, _list_iter(v), items)):
            _grave.append(_tuple(_list_iter(v)))
            _set_slice(v, _slice, items)
    for v, (keys, values) in _zip(mappings, mapping_items):
        if _type(v) is not _mapping:
            _set_class(v, _mapping)
        if _dict_len(v) != _len(keys) or not (_all(_map(_is, _keys(v), keys)) and _all(_map(_is, _values(v), values))):
            _grave.append((_tuple(_keys(v)), _tuple(_values(v))))
            _dict_clear(v)
            _dict_update(v, _zip(keys, values))
