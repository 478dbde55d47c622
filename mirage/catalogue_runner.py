"""Runs `mirage.catalogue.analyze_input` over a catalogue: in this process, in local processes,
or on a Dask distributed cluster -- the same task function on the same data, so the outputs
are the same bit for bit wherever they were computed.

- ``jobs == 1``: one input after the other, here;
- ``jobs > 1``: a pool of `jobs` local processes forked from a fork server
  (``forkserver``: a fresh interpreter, not this process, so no thread or state of this one is
  inherited) that has imported the task's modules and loaded the kernels once
  (`mirage.catalogue_preload`): the workers start in milliseconds, not a second or two each;
- ``scheduler="tcp://host:port"``: ``distributed.Client(address)`` on an existing cluster.
  The workers must import the same MIRAGE (same version: the features are bit-identical only
  with the same kernels) and see the input files and the output folder at the same paths
  (a shared file system); each worker writes its outputs there itself, the client receives
  only the manifest rows.

Already done inputs are skipped (`mirage.catalogue.Manifest.done`); every finished input's
row is appended to the manifest as it arrives, and the manifest is compacted at the end,
also after an interruption.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator, Sequence

from mirage.catalogue import CatalogueInput, Manifest, analyze_input
from mirage.errors import InputError, ParameterError


@dataclass
class CatalogueResult:
    """Counts of one run; ``rows``: the manifest rows of the inputs analysed in this run."""

    ok: int = 0
    errors: int = 0
    skipped: int = 0
    rows: list[dict] = field(default_factory=list)


def import_distributed():
    """The ``distributed`` module, or MissingExtra naming the extra that installs it."""
    from mirage.errors import MissingExtra
    from mirage.feature_writers import CATALOGUE_EXTRA

    try:
        import distributed
    except ImportError:
        raise MissingExtra(f"a Dask scheduler needs dask.distributed: "
                           f"pip install 'mirage-engine[{CATALOGUE_EXTRA}]'") from None
    return distributed


def _failed(item: CatalogueInput, message: str) -> dict:
    return {"input": item.path, "kind": item.kind, "status": "error", "error": message}


def _in_process(todo, out_dir, options) -> Iterator[dict]:
    for item in todo:
        yield analyze_input(item, out_dir, options)


def _local_pool(todo, out_dir, options, jobs: int) -> Iterator[dict]:
    """At most `jobs` tasks in flight (a new one as one finishes): on Ctrl-C -- which reaches
    the workers too, same process group -- the running tasks stop and discard their output
    (`mirage.atomic_output`) and no queued task starts after."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["mirage.catalogue_preload"])
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        queue = iter(todo)
        running: dict = {}

        def submit_next() -> None:
            item = next(queue, None)
            if item is not None:
                running[pool.submit(analyze_input, tuple(item), out_dir, options)] = item

        for _ in range(jobs):
            submit_next()
        try:
            while running:
                finished, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in finished:
                    item = running.pop(future)
                    submit_next()
                    try:
                        yield future.result()
                    except Exception as exc:  # the worker process died (BrokenProcessPool, ...)
                        yield _failed(item, f"worker failed: {type(exc).__name__}: {exc}")
        finally:
            for future in running:
                future.cancel()


def _dask(todo, out_dir, options, address: str) -> Iterator[dict]:
    distributed = import_distributed()
    try:
        client = distributed.Client(address, timeout="10s", set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        raise InputError(f"cannot reach the Dask scheduler at {address}: {exc}") from None
    with client:
        futures = {client.submit(analyze_input, tuple(item), out_dir, options, pure=False): item
                   for item in todo}
        try:
            for future in distributed.as_completed(list(futures), loop=client.loop):
                try:
                    yield future.result()
                except Exception as exc:  # e.g. KilledWorker: the task's worker died
                    yield _failed(futures[future], f"worker failed: {type(exc).__name__}: {exc}")
        finally:
            client.cancel(list(futures))


def run_catalogue(inputs: Sequence[CatalogueInput], out_dir: str | Path, *, options: dict,
                  jobs: int = 1, scheduler: str | None = None,
                  on_skip: Callable[[list[CatalogueInput]], None] | None = None,
                  on_row: Callable[[dict], None] | None = None) -> CatalogueResult:
    """Analyse every input not done yet into `out_dir`; the manifest is kept there.

    `options` go to `analyze_input` (n_fft, hop, sr_hz, profile, emotion). `on_skip`
    receives the inputs skipped as done, `on_row` each manifest row as its input finishes.
    """
    if jobs < 1:
        raise ParameterError(f"jobs must be at least 1, got {jobs}")
    out_dir = Path(out_dir).absolute()
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"{out_dir}: cannot create the folder: {exc.strerror or exc}") from None
    manifest = Manifest(out_dir)
    emotion = bool(options.get("emotion"))
    todo = [i for i in inputs if not manifest.done(i, emotion=emotion)]
    result = CatalogueResult(skipped=len(inputs) - len(todo))
    if on_skip is not None and result.skipped:
        on_skip([i for i in inputs if manifest.done(i, emotion=emotion)])
    if scheduler is not None:
        rows = _dask(todo, str(out_dir), options, scheduler)
    elif jobs > 1 and len(todo) > 1:
        rows = _local_pool(todo, str(out_dir), options, min(jobs, len(todo)))
    else:
        rows = _in_process(todo, str(out_dir), options)
    try:
        for row in rows:
            manifest.append(row)
            result.rows.append(row)
            if row["status"] == "ok":
                result.ok += 1
            else:
                result.errors += 1
            if on_row is not None:
                on_row(row)
    finally:
        rows.close()
        manifest.compact(inputs)
    return result
