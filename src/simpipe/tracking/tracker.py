"""One MLflow run per trained model: `Tracker`, a fault-tolerant handle on it, and what a run logs.

Tracking never costs the user their results: when the MLflow store fails, the pipeline goes on,
writes its local outputs, and logs a warning that says what was lost.
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from simpipe.core.config import model_params
from simpipe.core.errors import ConfigError
from simpipe.core.paths import Layout
from simpipe.core.versions import pinned_requirements

log = logging.getLogger(__name__)

# MLflow's UI lists an experiment as training runs only with this tag.
EXPERIMENT_TAGS = {"mlflow.experimentKind": "custom_model_development"}
MAX_PARAM_LENGTH = 6000
# failures after which a Tracker stops calling the store for the rest of its run
MAX_FAILURES = 3
# name of the model each training run logs (mlflow.sentence_transformers)
MODEL_NAME = "model"


# where an MLflow server's basic-auth credentials come from: the environment only, never config files
CREDENTIALS = ("MLFLOW_TRACKING_USERNAME", "MLFLOW_TRACKING_PASSWORD")
# MLflow's error codes of a refused request (HTTP 401 / 403)
REFUSED = ("UNAUTHENTICATED", "PERMISSION_DENIED")


def tracking_uri(cfg) -> str:
    """`tracking.uri`, else $MLFLOW_TRACKING_URI (e.g. for `dvc queue` workers), else SQLite under paths.root."""
    uri = cfg.tracking.uri or os.environ.get("MLFLOW_TRACKING_URI")
    if not uri:
        return Layout.from_cfg(cfg).mlflow_uri()
    check_no_password(uri, "tracking.uri" if cfg.tracking.uri else "$MLFLOW_TRACKING_URI")
    return uri


def check_no_password(uri: str, key: str) -> None:
    """Refuse a URI that carries a password (`http://user:pw@host`): credentials come from the environment."""
    from urllib.parse import urlsplit

    if urlsplit(uri).password is not None:
        raise ConfigError(
            f"{key} carries a password ({urlsplit(uri).hostname}); remove it and set "
            f"{CREDENTIALS[0]} and {CREDENTIALS[1]} in the environment instead"
        )


def refusal(uri: str, exc: Exception) -> str | None:
    """One line on a request the server refused (401/403): the URI and the missing or refused credentials
    (the user name, never the password); None for any other failure."""
    code = getattr(exc, "error_code", None)
    if code not in REFUSED:
        return None
    user = os.environ.get(CREDENTIALS[0])
    if not user or not os.environ.get(CREDENTIALS[1]):
        why = f"no credentials: set {CREDENTIALS[0]} and {CREDENTIALS[1]} in the environment"
    elif code == "UNAUTHENTICATED":
        why = f"the credentials of {CREDENTIALS[0]}={user!r} were refused: check {CREDENTIALS[1]}"
    else:
        why = f"user {user!r} may not write here: ask the server's admin for EDIT permission on the experiment"
    return f"MLflow ({uri}) refused access ({code}): {why}"


def open_store(uri: str) -> None:
    """Make sure the tracking store exists. A new SQLite store is created under a file lock:
    MLflow's schema migration breaks the database when two processes create it at once."""
    from mlflow import MlflowClient

    prefix = "sqlite:///"
    if not uri.startswith(prefix):
        return
    from filelock import FileLock

    db = Path(uri[len(prefix) :])
    db.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(f"{db}.lock", timeout=300):
        MlflowClient(uri).search_experiments(max_results=1)


def run_params(cfg) -> dict[str, object]:
    """The MLflow params of a training run: what shapes the trained model (`simpipe.core.config.MODEL_PARAMS`)."""
    return model_params(cfg)


def run_tags(device: str, precision: str, processes: int, versions: dict[str, str]) -> dict[str, str]:
    """Tags of a training run: where and how it ran, and the library versions."""
    return {
        "device": device,
        "precision": precision,
        "processes": str(processes),
        **{f"version.{k}": v for k, v in versions.items()},
    }


@contextlib.contextmanager
def fluent_mlflow(uri: str, experiment_id: str | None = None) -> Iterator[None]:
    """MLflow's fluent API pointed at `uri` (and `experiment_id`) for the block only. `set_tracking_uri` and
    `set_experiment` also export MLFLOW_TRACKING_URI / MLFLOW_EXPERIMENT_ID, which would send every later
    Tracker of the process (and its subprocesses) to this store: both are put back afterwards."""
    import mlflow
    from mlflow.tracking import fluent

    saved = {key: os.environ.get(key) for key in ("MLFLOW_TRACKING_URI", "MLFLOW_EXPERIMENT_ID")}
    mlflow.set_tracking_uri(uri)
    try:
        if experiment_id is not None:
            mlflow.set_experiment(experiment_id=experiment_id)
        yield
    finally:
        mlflow.set_tracking_uri(saved["MLFLOW_TRACKING_URI"])
        fluent._active_experiment_id = None
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def metric_name(name: str) -> str:
    """`name` as MLflow accepts it: `@k` (sentence-transformers' retrieval metrics) becomes `_at_k`."""
    return name.replace("@", "_at_")


class Tracker:
    """A thin, fault-tolerant handle on one MLflow run.

    The train stage creates the run (`run()`); later stages `attach()` to it by id and log through
    the client, which leaves the run's status and duration as training left them.
    """

    def __init__(self, cfg) -> None:
        self.cfg = cfg
        self.enabled = bool(cfg.tracking.enabled)
        self.uri = tracking_uri(cfg)
        self.run_id: str | None = None
        self.failures: list[str] = []
        self.gone = False  # the store failed MAX_FAILURES times or refused the credentials: no more calls
        self.skipped = 0  # tracking calls not even tried since
        if self.uri.startswith(("http://", "https://")):
            os.environ.setdefault("MLFLOW_HTTP_REQUEST_MAX_RETRIES", str(cfg.tracking.get("http_max_retries", 2)))
            os.environ.setdefault("MLFLOW_HTTP_REQUEST_TIMEOUT", str(cfg.tracking.get("http_timeout_s", 30)))

    def attempt(self, what: str, fn, *args, **kwargs) -> Any:
        """Call `fn`; on failure warn what was not tracked and go on (None).

        After `MAX_FAILURES` failures the store counts as gone and later calls are skipped at once
        (an unreachable server would otherwise cost its retry back-off on every logged step); a server
        that refuses the credentials (401/403) counts as gone at once, with one warning line."""
        if not self.enabled:
            return None
        if self.gone:
            self.skipped += 1
            return None
        try:
            return fn(*args, **kwargs)
        except Exception as exc:  # a tracking fault must not end training; say what was not tracked
            refused = refusal(self.uri, exc)
            if refused:
                self.failures.append(refused)
                self.gone = True
                log.warning("%s; nothing more is tracked, results are still written locally", refused)
                return None
            msg = f"MLflow ({self.uri}): could not {what}: {type(exc).__name__}: {str(exc).splitlines()[0]}"
            self.failures.append(msg)
            self.gone = len(self.failures) >= MAX_FAILURES
            log.warning(
                "%s; results are still written locally%s", msg, "; no more tracking for this run" if self.gone else ""
            )
            return None

    @contextlib.contextmanager
    def run(self, run_name: str | None = None, tags: dict | None = None, resume_run_id: str | None = None) -> Iterator:
        """A run for the block (or `resume_run_id` reopened); ends FINISHED, FAILED when the block raises,
        KILLED when it is interrupted (Ctrl-C, SIGTERM)."""
        self.start(run_name, tags, resume_run_id)
        status = "FAILED"
        try:
            yield self
            status = "FINISHED"
        except (KeyboardInterrupt, SystemExit):
            status = "KILLED"
            raise
        finally:
            self.end(status)

    def start(self, run_name: str | None = None, tags: dict | None = None, resume_run_id: str | None = None) -> None:
        """Create a run (nested under `tracking.parent_run_id` when set), or reopen `resume_run_id`."""
        if resume_run_id:
            self.attempt(f"resume run {resume_run_id}", self._resume, resume_run_id)
        if self.run_id is None:
            self.attempt("start the run", self._start, run_name, tags or {})

    def _resume(self, run_id: str) -> None:
        self._client().update_run(run_id, status="RUNNING")
        self.run_id = run_id

    def end(self, status: str = "FINISHED") -> None:
        if self.run_id is not None:
            self.attempt("end the run", self._call, "set_terminated", self.run_id, status)

    def _client(self):
        from mlflow import MlflowClient

        return MlflowClient(self.uri)

    def _call(self, method: str, *args, **kwargs) -> Any:
        """`MlflowClient(uri).<method>(...)`; inside `attempt`, so a failing connection is caught too."""
        return getattr(self._client(), method)(*args, **kwargs)

    def _start(self, run_name: str | None, tags: dict) -> None:
        from mlflow.tracking.context.registry import resolve_tags
        from mlflow.utils.mlflow_tags import MLFLOW_PARENT_RUN_ID

        open_store(self.uri)
        client = self._client()
        experiment = client.get_experiment_by_name(self.cfg.tracking.experiment)
        experiment_id = (
            experiment.experiment_id
            if experiment is not None
            else client.create_experiment(self.cfg.tracking.experiment, tags=EXPERIMENT_TAGS)
        )
        # values as strings: a SQLite store takes `sweep.job: 3`, an HTTP server's protobuf does not
        tags = {key: str(value) for key, value in {**dict(self.cfg.tracking.get("tags") or {}), **tags}.items()}
        parent = self.cfg.tracking.get("parent_run_id")
        if parent:
            tags[MLFLOW_PARENT_RUN_ID] = parent
        run = client.create_run(experiment_id, run_name=run_name, tags=resolve_tags(tags))
        self.run_id = run.info.run_id

    def attach(self, run_id: str | None) -> None:
        """Log to the existing run `run_id` (None: log nothing) without reopening it."""
        self.run_id = run_id

    def _log_batch(self, what: str, **entities) -> None:
        if self.run_id is not None:
            self.attempt(what, self._call, "log_batch", self.run_id, **entities)

    def log_model(self, model, queries: list[str], documents: list[str] | None = None) -> str | None:
        """Log `model` to this run, leaving the run's status and end time as they are (`tracking.log_model`):
        a SentenceTransformer with MLflow's sentence-transformers flavor (signature and input example from
        `queries`), a CrossEncoder as a pyfunc model scoring (query, document) rows (`reranker_model`; its
        example: `queries` beside `documents`). The logged model's URI (`models:/<model id>`), or None when
        not logged."""
        if self.run_id is None or not self.cfg.tracking.get("log_model", True):
            return None
        info = self.attempt("log the model", self._log_model, model, queries, documents)
        if info is not None:
            log.info("logged the model to run %s: %s", self.run_id, info.model_uri)
        return info.model_uri if info is not None else None

    def _log_model(self, model, examples: list[str], documents: list[str] | None):
        import mlflow
        from mlflow.models import infer_signature
        from sentence_transformers import CrossEncoder

        # the model belongs to the run's experiment (MLflow would put it in the active, default one)
        experiment_id = self._client().get_run(self.run_id).info.experiment_id
        with fluent_mlflow(self.uri, experiment_id):
            if isinstance(model, CrossEncoder):
                return self._log_reranker(model, examples, documents or examples)
            return mlflow.sentence_transformers.log_model(
                model,
                name=MODEL_NAME,
                run_id=self.run_id,
                signature=infer_signature(examples, model.encode(examples)),
                input_example=examples,
                pip_requirements=pinned_requirements(),
            )

    def _log_reranker(self, model, queries: list[str], documents: list[str]):
        import tempfile

        import mlflow
        import pandas as pd
        from mlflow.models import infer_signature

        from simpipe.tracking import reranker_model

        rows = pd.DataFrame({reranker_model.QUERY: list(queries), reranker_model.DOCUMENT: list(documents)})
        scores = [float(s) for s in model.predict(rows.values.tolist(), convert_to_numpy=True)]
        with tempfile.TemporaryDirectory() as tmp:
            model.save(tmp)
            # pyfunc.log_model logs to the active run only: Model.log (which it calls) takes the run
            return mlflow.models.Model.log(
                artifact_path=None,
                flavor=mlflow.pyfunc,
                name=MODEL_NAME,
                run_id=self.run_id,
                python_model=reranker_model.__file__,
                artifacts={"model": tmp},
                signature=infer_signature(rows, scores),
                input_example=rows,
                pip_requirements=pinned_requirements(),
            )

    def log_inputs(self, name: str, files: dict[str, Path]) -> None:
        """Log the data set `name` as the run's inputs, one per context -> parquet file (train, dev, test):
        MLflow's Dataset column and filter. Source: the file's path; digest: its md5 (as DVC hashes it)."""
        if self.run_id is not None and files:
            self.attempt("log the data sets", self._log_inputs, name, files)

    def _log_inputs(self, name: str, files: dict[str, Path]) -> None:
        import hashlib
        import warnings

        import mlflow.data
        import pandas as pd
        from mlflow.entities import DatasetInput, InputTag
        from mlflow.utils.mlflow_tags import MLFLOW_DATASET_CONTEXT

        inputs = []
        for context, path in files.items():
            digest = hashlib.md5(Path(path).read_bytes()).hexdigest()
            with warnings.catch_warnings():  # MLflow registers its local-file source twice, then warns of it
                warnings.filterwarnings("ignore", message="The specified dataset source can be interpreted")
                dataset = mlflow.data.from_pandas(pd.read_parquet(path), source=str(path), name=name, digest=digest)
            tags = [InputTag(MLFLOW_DATASET_CONTEXT, context)]
            inputs.append(DatasetInput(dataset._to_mlflow_entity(), tags))
        self._client().log_inputs(self.run_id, datasets=inputs)

    def log_params(self, params: dict[str, object]) -> None:
        from mlflow.entities import Param

        items = [Param(k, str(v)[:MAX_PARAM_LENGTH]) for k, v in params.items()]
        for i in range(0, len(items), 100):  # MLflow's per-request limit
            self._log_batch("log params", params=items[i : i + 100])

    def log_metrics(self, metrics: dict[str, float], step: int | None = None) -> None:
        """Log `metrics`; names MLflow refuses (`val/cosine_mrr@10`) are logged as `val/cosine_mrr_at_10`."""
        from mlflow.entities import Metric

        now = int(time.time() * 1000)
        items = [Metric(metric_name(k), float(v), now, step or 0) for k, v in metrics.items()]
        if items:
            self._log_batch("log metrics", metrics=items)

    def set_tags(self, tags: dict[str, object]) -> None:
        from mlflow.entities import RunTag

        self._log_batch("set tags", tags=[RunTag(k, str(v)) for k, v in tags.items()])

    def log_artifact(self, path: Path, artifact_path: str | None = None) -> None:
        if self.run_id is not None:
            self.attempt(f"log artifact {path}", self._call, "log_artifact", self.run_id, str(path), artifact_path)
