"""The validated bundled network, kept between runs in the user's cache folder.

Reading and validating the ~20 bundled tables costs a command more than the rest of its start-up;
the result only changes when the tables or the code that reads them change. So the loaded
:class:`Network` is pickled to ``<user cache dir>/corridor/`` under a key hashing the bytes of
every file of the data folder and every module of the package (and the Python version):
editing any table, or any code, makes a new key and the next run loads and validates afresh.

The cache is only ever a shortcut: a file that is missing, unreadable, corrupt or written by
another version is ignored (the tables are loaded as usual), and a folder that cannot be
written is not an error. ``CORRIDOR_NO_CACHE=1`` turns it off; ``CORRIDOR_CACHE_DIR`` names
another folder (the tests use their own).
"""

from __future__ import annotations

import copyreg
import hashlib
import io
import os
import pickle
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

from corridor.i18n import Joined, Message, Named
from corridor.network.model import DATA_ENV, Network
from corridor.network.schema import bundled_data_dir

NO_CACHE_ENV = "CORRIDOR_NO_CACHE"
CACHE_DIR_ENV = "CORRIDOR_CACHE_DIR"
_FORMAT = b"corridor-network-cache 1\n"


def load_network_cached(data_dir: Path | None = None) -> Network:
    """:func:`load_network` of ``data_dir`` (default: the bundled tables), from the cache when
    it holds that folder's tables as they are now."""
    if os.environ.get(NO_CACHE_ENV, "") not in ("", "0"):
        return _load(data_dir)
    given = data_dir or os.environ.get(DATA_ENV) or None  # as load_network picks it
    try:
        folder = Path(given or bundled_data_dir()).resolve()
        path = cache_dir() / f"network-{_key(folder, given)}.pickle"
    except OSError:
        return _load(data_dir)
    net = _read(path)
    if net is None:
        net = _load(data_dir)
        _write(path, net)
    return net


def _load(data_dir: Path | None) -> Network:
    from corridor.network.load import load_network  # imported only when the cache cannot serve

    return load_network(data_dir)


def cache_dir() -> Path:
    """Folder of the cache: ``$CORRIDOR_CACHE_DIR``, else the user's cache folder."""
    given = os.environ.get(CACHE_DIR_ENV)
    if given:
        return Path(given)
    import platformdirs

    return Path(platformdirs.user_cache_dir("corridor"))


def _key(data_dir: Path, given: str | Path | None) -> str:
    """SHA-256 of the data folder's files and the package's modules (names and bytes), and of
    the folder as given (the network's ``origin`` names it)."""
    digest = hashlib.sha256(_FORMAT + f"{sys.version}\n{given!r}".encode())
    package = Path(__file__).resolve().parent.parent
    files = [*sorted(package.rglob("*.py")), *sorted(p for p in data_dir.rglob("*") if p.is_file())]
    for path in files:
        digest.update(f"\n{path.as_posix()}\n".encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _read(path: Path) -> Network | None:
    try:
        with path.open("rb") as f:
            if f.read(len(_FORMAT)) != _FORMAT:
                return None
            net = pickle.load(f)
    except Exception:  # any unreadable or stale file: load the tables instead
        return None
    return net if isinstance(net, Network) else None


def _write(path: Path, net: Network) -> None:
    """Write atomically (a temporary file renamed into place); any failure leaves no file."""
    buffer = io.BytesIO()
    try:
        buffer.write(_FORMAT)
        _Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(net)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".network-", suffix=".tmp")
    except Exception:  # a network that cannot be pickled, a folder that cannot be made
        return
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(buffer.getvalue())
        os.replace(tmp, path)
    except OSError:
        Path(tmp).unlink(missing_ok=True)


def _proxy(items: dict[Any, Any]) -> Mapping[Any, Any]:
    return MappingProxyType(items)


def _text(cls: type[str], text: str, state: dict[str, Any]) -> str:
    obj = str.__new__(cls, text)
    obj.__dict__.update(state)
    return obj


def _reduce_text(obj: str) -> tuple[Any, tuple[Any, ...]]:
    return (_text, (type(obj), str(obj), obj.__dict__))


class _Pickler(pickle.Pickler):
    """Pickles the read-only mappings of the records (``MappingProxyType``) as their items,
    read back as read-only mappings, and the messages as themselves (their own pickles are
    the English text: the Japanese would be lost); nothing is registered process-wide."""

    dispatch_table = {  # noqa: RUF012 (pickle.Pickler reads it from the class)
        **copyreg.dispatch_table,
        MappingProxyType: lambda m: (_proxy, (dict(m),)),
        Message: _reduce_text,
        Named: _reduce_text,
        Joined: _reduce_text,
    }
