"""The type stubs describe the module as it is, and every public name has a docstring."""

from __future__ import annotations

import ast
import importlib.util
import inspect
import os
import subprocess
import sys
from pathlib import Path

import pytest

import nuskha
import nuskha._nuskha as native

PACKAGE = Path(nuskha.__file__).parent
STUB = PACKAGE / "_nuskha.pyi"


def public(names):
    return sorted(n for n in names if not n.startswith("_"))


def stub_tree():
    return ast.parse(STUB.read_text(encoding="utf-8"))


def test_the_package_ships_its_stubs():
    assert STUB.is_file()
    assert (PACKAGE / "py.typed").is_file()


def test_every_public_name_has_a_docstring():
    assert nuskha.__doc__ and native.__doc__
    for name in nuskha.__all__:
        obj = getattr(nuskha, name)
        if not (inspect.isclass(obj) or callable(obj)):
            continue
        assert (obj.__doc__ or "").strip(), name
        if inspect.isclass(obj):
            for attr in public(vars(obj)):
                assert (getattr(obj, attr).__doc__ or "").strip(), f"{name}.{attr}"


def test_the_stubs_name_what_the_module_has():
    tree = stub_tree()
    classes = {n.name: n for n in tree.body if isinstance(n, ast.ClassDef)}
    functions = {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
    constants = {
        n.target.id for n in tree.body if isinstance(n, ast.AnnAssign) and isinstance(n.target, ast.Name)
    }
    runtime = {n for n in dir(native) if not n.startswith("_") or n == "__version__"}
    # Private names (`_Record`, …) are the stubs' own type aliases.
    stubbed = {n for n in set(classes) | functions | constants if not n.startswith("_") or n == "__version__"}
    assert stubbed == runtime
    assert set(nuskha.__all__) == runtime
    for name, node in classes.items():
        members = {n.name for n in node.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
        cls = getattr(native, name)
        assert public(members) == public(vars(cls)), name
        # Parameters, where the runtime tells them.
        for member in public(members):
            runtime_member = getattr(cls, member, None)
            try:
                signature = inspect.signature(runtime_member)
            except (TypeError, ValueError):
                continue
            stub_node = next(n for n in node.body if getattr(n, "name", None) == member)
            stub_params = [a.arg for a in stub_node.args.args + stub_node.args.kwonlyargs]
            runtime_params = [p for p in signature.parameters if p not in ("self", "args", "_args")]
            assert [p for p in stub_params if p != "self"] == runtime_params or isinstance(
                inspect.getattr_static(cls, member), property
            ), (name, member, stub_params, runtime_params)


def mypy_env(tmp_path):
    """mypy's cache in the test's own folder, not the repository."""
    return {**os.environ, "MYPY_CACHE_DIR": str(tmp_path / ".mypy_cache")}


@pytest.mark.skipif(importlib.util.find_spec("mypy") is None, reason="mypy is not installed")
def test_stubtest_agrees_with_the_module(tmp_path):
    out = subprocess.run(
        [sys.executable, "-m", "mypy.stubtest", "nuskha"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=mypy_env(tmp_path),
    )
    assert out.returncode == 0, out.stdout + out.stderr


@pytest.mark.skipif(importlib.util.find_spec("mypy") is None, reason="mypy is not installed")
def test_typed_code_checks_strictly(tmp_path):
    example = tmp_path / "example.py"
    example.write_text(
        '''
import datetime
import nuskha

dedup = nuskha.Deduplicator(threshold=0.6, containment=None, edited=True)
clusters: list[nuskha.Cluster] = dedup.cluster(["a", ("b", "c"), {"id": 1, "text": "d"}], threads=1)
for c in clusters:
    for m in c.members:
        score: float = m.score
        kind: str = m.kind
report: dict[str, object] = dedup.compare("a", "b", passages=2)
with nuskha.Index("feed.db", threshold=0.5) as index:
    added: nuskha.Added = index.add("x", "text", date=datetime.date(2015, 8, 3))
    found: list[nuskha.Found] = index.query("text")
    removed: list[str] = index.expire(keep_days=30)
mh = nuskha.MinHash(num_perm=64)
mh.update(b"w")
lsh = nuskha.MinHashLSH(threshold=0.5, num_perm=64)
lsh.insert("k", mh)
keys: list[str] = lsh.query(mh)
j: float = mh.jaccard(mh)
''',
        encoding="utf-8",
    )
    bad = tmp_path / "bad.py"
    bad.write_text('import nuskha\nnuskha.MinHash().update(3)\nn: int = nuskha.normalize("x")\n', encoding="utf-8")
    run = lambda p: subprocess.run(  # noqa: E731
        [sys.executable, "-m", "mypy", "--strict", str(p)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=mypy_env(tmp_path),
    )
    good = run(example)
    assert good.returncode == 0, good.stdout + good.stderr
    wrong = run(bad)
    assert wrong.returncode == 1 and "bad.py:2:" in wrong.stdout and "bad.py:3:" in wrong.stdout, wrong.stdout
