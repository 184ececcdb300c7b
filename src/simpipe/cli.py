"""`simpipe` command line: the DVC stage commands plus `params`, `fetch`, `reference`, `variant`, `runs`,
`track`, `register` and `publish`."""

from __future__ import annotations

import argparse
import logging
import re
import resource
import signal
import sys
import threading
import time
from pathlib import Path

from simpipe.core.errors import SimpipeError
from simpipe.stages import PER_SET, STAGES, stage

log = logging.getLogger("simpipe")


def _params(args: argparse.Namespace) -> int:
    from omegaconf import OmegaConf

    from simpipe.core.config import compose, dump_params
    from simpipe.schema import check_pipeline

    cfg = compose("config", args.overrides)
    check_pipeline(cfg)
    path = Path(args.output)
    if args.check:
        current = path.read_text(encoding="utf-8") if path.is_file() else ""
        if current != OmegaConf.to_yaml(cfg):
            raise SimpipeError(f"{path} is out of sync with conf/; run `simpipe params` and commit it")
        log.info("%s is in sync with conf/", path)
        return 0
    dump_params(cfg, path)
    log.info("wrote %s", path)
    return 0


def _fetch(args: argparse.Namespace) -> int:
    from simpipe.core.config import load_params
    from simpipe.core.paths import Layout
    from simpipe.data.fetch import fetch
    from simpipe.schema import variant

    params = load_params(Path(args.params))
    names = [args.variant] if args.variant else list(params.variants)
    for name in names:
        cfg = variant(params, name)
        mirror = args.mirror or cfg.paths.mirror
        source = fetch(cfg.data, Layout.from_cfg(cfg).raw(cfg.data.raw_subdir), Path(mirror) if mirror else None)
        log.info("%s: data for %s %s", name, cfg.data.name, source)
    return 0


def _runs(args: argparse.Namespace) -> int:
    from simpipe.core.config import load_params
    from simpipe.documents.runs import find_runs, table, text_table, write_report
    from simpipe.tracking.tracker import tracking_uri

    params = load_params(Path(args.params))
    uri = args.uri or tracking_uri(params)
    experiment = args.experiment or params.tracking.experiment
    rows = find_runs(uri, experiment, parent=args.parent, variant=args.variant, max_runs=args.max_runs)
    if not rows:
        raise SimpipeError(f"no training runs in experiment {experiment!r} of {uri} match; drop --parent/--variant")
    sys.stdout.write(text_table(*table(rows)) + "\n")
    for path in write_report(rows, Path(args.output), f"Runs of {experiment}"):
        log.info("wrote %s", path)
    return 0


def _reference(args: argparse.Namespace) -> int:
    from simpipe.cards.sources import facts_yaml, reference_facts
    from simpipe.core.io import write_text

    facts = reference_facts(args.card)
    write_text(Path(args.output), facts_yaml(facts, Path(args.card).name, args.hub_id))
    log.info("wrote the facts of %s to %s", args.card, args.output)
    return 0


def _data_groups(given: list[str]) -> tuple[str | None, dict[str, str]]:
    """`--data GROUP` (the variant's own data set) and `--data SET=GROUP` (a further data set of a card) given
    to `simpipe variant`: the own group and the further sets' groups."""
    from simpipe.core.errors import ConfigError

    own = [item for item in given if "=" not in item]
    if len(own) > 1:
        raise ConfigError(f"--data {own[1]}: one --data GROUP for the variant's own data set (--data {own[0]} "
                          "given); a further data set's is --data SET=GROUP")  # fmt: skip
    return (own[0] if own else None), dict(item.split("=", 1) for item in given if "=" in item)


def _variant(args: argparse.Namespace) -> int:
    """`simpipe variant --from-card CARD --name NAME` or `--new NAME --data GROUP`: the variant's file, its
    lines in conf/config.yaml (the variant and its optional profile), its model in dvc.yaml's artifacts,
    params.yaml regenerated; what cannot be reproduced or is still to set is listed."""
    from simpipe.cards.sources import card_facts
    from simpipe.cards.variant import new_variant, variant_from_card
    from simpipe.cards.variant_files import variant_text, with_artifact, with_variant
    from simpipe.core.config import CONF_DIR, REPO_ROOT, compose, dump_params
    from simpipe.core.errors import ConfigError
    from simpipe.core.io import write_text
    from simpipe.schema import check_pipeline

    name = args.new or args.name
    if name is None:
        raise ConfigError("--from-card needs --name NAME (the variant's name)")
    target = CONF_DIR / "variant" / f"{name}.yaml"
    if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
        raise ConfigError(f"--name {name!r}: use lower-case letters, digits and _ (a DVC stage name)")
    if target.exists() and not args.force:
        raise ConfigError(f"{target}: exists; choose another --name or pass --force to overwrite it")
    data, set_data = _data_groups(args.data or [])
    if args.new:
        if data is None or set_data:
            raise ConfigError("--new needs one --data GROUP (a file in conf/data/)")
        mapped = new_variant(name, data, args.model or "minilm")
        source, desc = f"--new {name} --data {data}", f"a variant on {data}"
    else:
        if args.model is not None:
            raise ConfigError("--model is for --new; a card's model comes from the card")
        facts = card_facts(args.from_card, key="--from-card")
        mapped = variant_from_card(facts, name, str(Path("references") / f"{name}.yaml"), data, set_data)
        write_reference(facts, args.from_card, name)
        source, desc = f"--from-card {args.from_card}", f"{facts.base_model or 'a model'} reproduced from the card"
        desc += f" {args.from_card}"
    write_text(target, variant_text(mapped, source))
    config = CONF_DIR / "config.yaml"
    write_text(config, with_variant(config.read_text(encoding="utf-8"), name, mapped.sets))
    pipeline = REPO_ROOT / "dvc.yaml"
    write_text(pipeline, with_artifact(pipeline.read_text(encoding="utf-8"), name, desc))
    cfg = compose("config")
    dump_params(cfg, REPO_ROOT / "params.yaml")
    log.info("wrote %s; added %s to %s and dvc.yaml's artifacts; regenerated params.yaml", target, name, config)
    listed = "to set" if args.new else "not reproducible as the card states"
    for line in mapped.missing:
        log.warning("%s: %s: %s", name, listed, line)
    for line in mapped.from_data:
        log.info("%s: %s", name, line)
    try:
        check_pipeline(cfg, [name])
    except ConfigError as exc:  # written anyway: the stage that needs the missing piece stops with this line
        log.warning("%s: `dvc repro` will stop here until it is set: %s", name, exc)
    return 0


def write_reference(facts, card: str, name: str) -> None:
    """The facts of `card` (a file, facts file or hub id) to references/<name>.yaml."""
    from simpipe.cards.sources import facts_yaml
    from simpipe.core.config import REPO_ROOT
    from simpipe.core.hub import is_hub_id
    from simpipe.core.io import write_text

    hub_id = card if is_hub_id(card) and not Path(card).exists() else None
    reference = REPO_ROOT / "references" / f"{name}.yaml"
    write_text(reference, facts_yaml(facts, None if hub_id else card, hub_id))
    log.info("wrote %s", reference)


def _track(args: argparse.Namespace) -> int:
    from omegaconf import open_dict

    from simpipe.core.config import load_params
    from simpipe.schema import variant
    from simpipe.shipping.mlflow_run import track

    cfg = variant(load_params(Path(args.params)), args.variant)
    if args.uri:
        with open_dict(cfg):
            cfg.tracking.uri = args.uri
    track(cfg)
    return 0


def _register(args: argparse.Namespace) -> int:
    from simpipe.artifacts.trained import read_run
    from simpipe.core.config import load_params
    from simpipe.core.paths import Layout
    from simpipe.schema import variant
    from simpipe.shipping.registry import register
    from simpipe.tracking.tracker import tracking_uri

    params = load_params(Path(args.params))
    if args.run_id:
        uri, run_id = args.uri or tracking_uri(params), args.run_id
    elif args.variant:
        cfg = variant(params, args.variant)
        run = read_run(Layout.from_cfg(cfg).trained(args.variant))
        uri, run_id = args.uri or run.mlflow_uri, run.mlflow_run_id
        if run_id is None:
            raise SimpipeError(
                f"{args.variant} was trained without an MLflow run; `simpipe track --variant {args.variant}` first"
            )
    else:
        raise SimpipeError("say which run to register: --variant <name> or --run-id <MLflow run id>")
    version = register(uri, run_id, args.name or args.variant or "simpipe")
    sys.stdout.write(f"models:/{version.name}/{version.version}\n")
    return 0


def _publish(args: argparse.Namespace) -> int:
    from simpipe.core.config import load_params
    from simpipe.core.paths import Layout
    from simpipe.schema import variant
    from simpipe.shipping.hub import publish

    cfg = variant(load_params(Path(args.params)), args.variant)
    url = publish(cfg.model, Layout.from_cfg(cfg).model(args.variant), args.repo_id, args.variant, args.private)
    sys.stdout.write(f"{url}\n")
    return 0


def _stage(args: argparse.Namespace) -> int:
    from simpipe.core.config import load_params
    from simpipe.schema import variant
    from simpipe.training.sets import set_config

    cfg = set_config(variant(load_params(Path(args.params)), args.variant), getattr(args, "set", None))
    started = time.perf_counter()
    stage(args.command)(cfg)
    which = args.variant + (f".{args.set}" if getattr(args, "set", None) else "")
    log.info("stage %s@%s done in %.1f s, peak RSS %.2f GiB%s", args.command, which,
             time.perf_counter() - started, peak_rss_gib(), peak_gpu_memory())  # fmt: skip
    return 0


def peak_rss_gib() -> float:
    """This process's peak resident memory: VmHWM on Linux (ru_maxrss elsewhere, which on Linux
    would also count the pages of the parent that forked this process, e.g. dvc's)."""
    status = Path("/proc/self/status")
    if status.is_file():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 2**20  # kB
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def peak_gpu_memory() -> str:
    """`, peak GPU memory … GiB` when this process used CUDA, else ``."""
    torch = sys.modules.get("torch")
    if torch is None or not torch.cuda.is_available() or not torch.cuda.is_initialized():
        return ""
    return f", peak GPU memory {torch.cuda.max_memory_allocated() / 2**30:.2f} GiB"


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="simpipe", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)
    sp = sub.add_parser("params", help="compose conf/config.yaml into params.yaml (what `dvc exp run` does)")
    sp.add_argument("overrides", nargs="*", help="Hydra overrides, e.g. profile@variants.glove_bilstm_sts=quick")
    sp.add_argument("--output", default="params.yaml")
    sp.add_argument("--check", action="store_true", help="fail if the file differs from the composed config")
    sp.set_defaults(func=_params)
    sp = sub.add_parser("fetch", help="put raw data in data/raw/ (local mirror, else the hub)")
    sp.add_argument("--variant", help="only this variant's data (default: all)")
    sp.add_argument("--params", default="params.yaml")
    sp.add_argument("--mirror", help="directory holding the raw data sets (default: paths.mirror)")
    sp.set_defaults(func=_fetch)
    sp = sub.add_parser("runs", help="table and Spearman-curve chart of tracked runs (MLflow)")
    sp.add_argument("--params", default="params.yaml", help="where the tracking settings come from")
    sp.add_argument("--uri", help="MLflow tracking URI (default: tracking.uri, else sqlite:///<paths.root>/mlflow.db)")
    sp.add_argument("--experiment", help="MLflow experiment (default: tracking.experiment)")
    sp.add_argument("--parent", help="only the jobs of this sweep (its parent run id)")
    sp.add_argument("--variant", help="only runs of this variant")
    sp.add_argument("--max-runs", type=int, default=20, help="newest runs first (default: 20)")
    sp.add_argument("--output", default="reports/runs", help="directory for runs.md/.html/.png")
    sp.set_defaults(func=_runs)
    sp = sub.add_parser("track", help="copy a variant's local results (trained/, metrics/, card) into MLflow")
    sp.add_argument("--variant", required=True)
    sp.add_argument("--params", default="params.yaml")
    sp.add_argument("--uri", help="MLflow tracking URI (default: tracking.uri of the params)")
    sp.set_defaults(func=_track)
    sp = sub.add_parser("register", help="register a training run's logged model in the MLflow Model Registry")
    sp.add_argument("--variant", help="the run that trained this variant (trained/<variant>/run.json)")
    sp.add_argument("--run-id", help="or any training run, by its MLflow run id")
    sp.add_argument("--name", help="registered model name (default: the variant's name)")
    sp.add_argument("--params", default="params.yaml")
    sp.add_argument("--uri", help="MLflow tracking URI (default: the run's, else tracking.uri)")
    sp.set_defaults(func=_register)
    sp = sub.add_parser("publish", help="push a variant's model with its card to the Hugging Face hub")
    sp.add_argument("--variant", required=True)
    sp.add_argument("--repo-id", required=True, help="ORG/NAME on the hub")
    sp.add_argument("--private", action="store_true", help="create the repository private")
    sp.add_argument("--params", default="params.yaml")
    sp.set_defaults(func=_publish)
    sp = sub.add_parser("reference", help="write the facts of a model card to references/ (what the report compares)")
    sp.add_argument("card", help="a sentence-transformers model card (README.md) or a hub model id")
    sp.add_argument("--output", required=True, help="e.g. references/<variant>.yaml")
    sp.add_argument("--hub-id", help="the card's model id on the Hugging Face hub, recorded as its source")
    sp.set_defaults(func=_reference)
    sp = sub.add_parser(
        "variant", help="write a variant (from a model card, or new on a data group): conf/variant/, config, params"
    )
    how = sp.add_mutually_exclusive_group(required=True)
    how.add_argument("--from-card", help="a model card (README.md), facts file or hub model id (with --name)")
    how.add_argument("--new", metavar="NAME", help="a new variant NAME on --data GROUP [--model GROUP]")
    sp.add_argument("--name", help="the variant's name with --from-card (conf/variant/NAME.yaml)")
    sp.add_argument(
        "--data", action="append", metavar="[SET=]GROUP",
        help="the conf/data group of the variant's data (--from-card: default the card's hub data set); "
        "SET=GROUP: of the card's further data set SET (train.datasets.SET); repeatable",
    )  # fmt: skip
    sp.add_argument("--model", help="the conf/model group of --new (default: minilm)")
    sp.add_argument("--force", action="store_true", help="overwrite conf/variant/NAME.yaml")
    sp.set_defaults(func=_variant)
    for name in STAGES:
        sp = sub.add_parser(name, help=f"run the DVC stage `{name}` for one variant")
        sp.add_argument("--variant", required=True)
        sp.add_argument("--params", default="params.yaml")
        if name in PER_SET:
            sp.add_argument("--set", help="one of the variant's train.datasets (default: its own data)")
        sp.set_defaults(func=_stage)
    return p


def exit_on_sigterm() -> None:
    """Turn SIGTERM (`kill`, `dvc queue kill`, a scheduler's timeout) into SystemExit, so that open MLflow
    runs end KILLED and temporary output directories are removed instead of left behind."""

    def handler(signum, frame):
        raise SystemExit(128 + signum)

    if threading.current_thread() is threading.main_thread():  # signals go to the main thread only
        signal.signal(signal.SIGTERM, handler)


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    exit_on_sigterm()
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except SimpipeError as exc:
        print(f"simpipe {args.command}: error: {exc}", file=sys.stderr)
        return 2
