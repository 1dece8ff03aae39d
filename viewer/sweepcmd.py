"""``mediaboard sweep`` and ``mediaboard agent``: make a sweep, run its trials (docs/sweeps.md).

They are the writer's commands (``media.sweep``, ``media.agent``), on the one ``mediaboard``
command line; the viewer's own code does not use them.
"""

from __future__ import annotations

import argparse
import os

from viewer.errors import Command, UsageError


def _sweep_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("config", help="the sweep configuration (YAML or JSON, wandb's format)")
    p.add_argument("--project", help="the project (default: the config's project, $MEDIABOARD_PROJECT, "
                                     "$WANDB_PROJECT, uncategorized)")
    p.add_argument("--dir", help="the runs' root (default: $MEDIABOARD_DIR, else ./mediaboard)")
    p.add_argument("--storage", help="an Optuna RDB URL for the search state (postgresql://..., "
                                     "sqlite:///...); default: a journal file in the sweep folder")


def _sweep(args: argparse.Namespace) -> int:
    import media

    if not os.path.isfile(args.config):
        raise UsageError(f"config: no such file {args.config!r}")
    print(media.sweep(args.config, project=args.project, dir=args.dir, storage=args.storage))
    return 0


def _agent_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("sweep_id", help="the id `mediaboard sweep` printed (also project/id)")
    p.add_argument("--count", type=int, help="run at most this many trials (default: until the run cap or "
                                             "the grid is done)")
    p.add_argument("--project", help="the sweep's project (default: found by id under the root)")
    p.add_argument("--dir", help="the runs' root (default: $MEDIABOARD_DIR, else ./mediaboard)")
    p.add_argument("--storage", help="the sweep's RDB URL, with its password, when it keeps its state in a "
                                     "database (also $MEDIABOARD_SWEEP_STORAGE)")
    p.set_defaults(trial_command=[])
    p.epilog = ("mediaboard agent ID [options] -- COMMAND ...: run COMMAND per trial (the sweep's "
                "--name=value arguments are appended); default: the config's command, or its program "
                "under this Python")


def _agent(args: argparse.Namespace) -> int:
    import media

    command = list(args.trial_command)
    if args.count is not None and args.count < 0:
        raise UsageError(f"--count must be >= 0; got {args.count}")
    if command and not any(c.startswith("${args") for c in command):
        command.append("${args}")
    media.agent(args.sweep_id, project=args.project, count=args.count, dir=args.dir, storage=args.storage,
                command=command or None)
    return 0


SWEEP = Command("sweep", "make a sweep from a configuration; prints its id", __doc__.split("\n\n")[0],
                _sweep_arguments, _sweep)
AGENT = Command("agent", "run a sweep's trials", __doc__.split("\n\n")[0], _agent_arguments, _agent)


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    SWEEP.add_parser(subparsers)
    AGENT.add_parser(subparsers)
