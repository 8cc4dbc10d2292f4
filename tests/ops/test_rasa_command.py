"""The ``rasa run`` command line the launcher builds."""

import argparse
from pathlib import Path

from ops.processes import rasa_command


def _rasa_run_parser() -> argparse.ArgumentParser:
    # the options of `rasa run` the launcher passes, declared as Rasa 3.6 declares them
    parser = argparse.ArgumentParser(prog="rasa run")
    parser.add_argument("--enable-api", action="store_true")
    for short, long in (("-i", "--interface"), ("-p", "--port"), ("-m", "--model"),
                        ("-t", "--auth-token")):
        parser.add_argument(short, long)
    for long in ("--endpoints", "--credentials", "--logging-config-file"):
        parser.add_argument(long)
    return parser


def test_a_token_starting_with_a_dash_reaches_rasa_as_the_token() -> None:
    # secrets.token_urlsafe starts with "-" once in 64 launches
    for token in ("-Zk3x9_abc", "plain-token"):
        command = rasa_command("127.0.0.1", 5005, Path("models/tthc.tar.gz"), token)
        assert command[1] == "run"
        parsed = _rasa_run_parser().parse_args(command[2:])
        assert parsed.auth_token == token
        assert (parsed.interface, parsed.port) == ("127.0.0.1", "5005")
