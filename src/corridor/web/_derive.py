"""Response models derived from the library's record dataclasses.

A response model is built from the fields of the dataclass whose ``to_dict()`` (or plain
``vars()``) the API sends, so that a field added to a library record appears in the OpenAPI
schema without a second edit. Where the JSON differs from the fields — a field renamed, left
out, or sent in another type — the difference is stated next to the model, and the API tests
validate real answers against the models (``extra="forbid"``, every field required): a record
whose JSON and model drift apart fails them.

JSON types follow from Python ones: a tuple of any length is a list, a mapping is an
object, a nested record is its own derived model.
"""

from __future__ import annotations

import dataclasses
import keyword
import types
from collections.abc import Mapping, Sequence
from typing import Any, Union, get_args, get_origin, get_type_hints

from pydantic import BaseModel, ConfigDict, Field, create_model
from pydantic.fields import FieldInfo


class Out(BaseModel):
    """Base of the response models: unknown fields are refused, ``from`` is spelt ``from``."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


_MODELS: dict[type, type[BaseModel]] = {}
"""Dataclass -> its derived model, so that nested records map to their models."""


def _hint(cls: type, name: str, annotation: Any) -> Any:
    """The evaluated type of one field (the others may name types imported for checking
    only, which ``get_type_hints`` on the whole class could not resolve)."""
    if not isinstance(annotation, str):
        return annotation
    holder = type("_Field", (), {"__annotations__": {name: annotation}})
    holder.__module__ = cls.__module__
    return get_type_hints(holder)[name]


def json_type(tp: Any) -> Any:
    """The type a value of Python type ``tp`` has once sent as JSON."""
    if isinstance(tp, type) and tp in _MODELS:
        return _MODELS[tp]
    origin, args = get_origin(tp), get_args(tp)
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return list[json_type(args[0])]  # type: ignore[misc]
        return tuple[tuple(json_type(a) for a in args)]  # type: ignore[misc]
    if origin in (list, Sequence):
        return list[json_type(args[0])]  # type: ignore[misc]
    if origin in (dict, Mapping):
        return dict[json_type(args[0]), json_type(args[1])]  # type: ignore[misc]
    if origin in (Union, types.UnionType):
        out = json_type(args[0])
        for a in args[1:]:
            out = out | json_type(a)
        return out
    return tp


def model_of(
    cls: type,
    name: str,
    *,
    rename: Mapping[str, str] | None = None,
    drop: Sequence[str] = (),
    keep: Sequence[str] | None = None,
    types: Mapping[str, Any] | None = None,
    extra: Mapping[str, Any] | None = None,
    optional: Sequence[str] = (),
    base: type[BaseModel] = Out,
    doc: str | None = None,
) -> type[BaseModel]:
    """A pydantic model of the JSON form of dataclass ``cls``.

    Parameters
    ----------
    cls : type
        The library's dataclass.
    name : str
        The model's name (its OpenAPI component).
    rename : mapping, optional
        Field -> its JSON key where they differ (a trailing ``_`` is dropped anyway:
        ``from_`` is ``from``).
    drop : sequence of str
        Fields the JSON leaves out.
    keep : sequence of str, optional
        Only these fields (for a model of part of a record).
    types : mapping, optional
        Field (or extra key) -> its JSON type where it is not the field's own (a type or
        ``(type, FieldInfo)``).
    extra : mapping, optional
        JSON key -> type of keys the JSON adds (computed properties).
    optional : sequence of str
        Fields or keys the JSON omits when empty (not required; default null).
    """
    rename, types, extra = rename or {}, types or {}, extra or {}
    fields: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        if f.name in drop or (keep is not None and f.name not in keep):
            continue
        key = rename.get(f.name, f.name.rstrip("_"))
        tp = types.get(f.name) or json_type(_hint(cls, f.name, f.type))
        attr = key if key.isidentifier() and not keyword.iskeyword(key) else f.name
        fields[attr] = _field(tp, key, attr, f.name in optional or key in optional)
    for key, tp in extra.items():
        fields[key] = _field(types.get(key, tp), key, key, key in optional)
    own = cls.__doc__ if not (cls.__doc__ or "").startswith(cls.__name__ + "(") else None
    model = create_model(name, __base__=base, __doc__=doc or own, **fields)
    if keep is None:
        _MODELS[cls] = model
    return model


def _field(tp: Any, key: str, attr: str, optional: bool) -> tuple[Any, FieldInfo]:
    info = FieldInfo()
    if isinstance(tp, tuple):
        tp, info = tp
    more: dict[str, Any] = {"alias": key} if key != attr else {}
    merged = FieldInfo.merge_field_infos(info, Field(None if optional else ..., **more))
    return (tp | None if optional else tp), merged
