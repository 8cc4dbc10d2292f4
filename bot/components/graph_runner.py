"""Run Rasa's prediction graphs in plain Python instead of through dask.

Why: Rasa 3.6 runs the NLU graph and the policy graph of every message (three
graph runs per message: parse, then one prediction per action) through
``DaskGraphRunner``, which for each run cuts the schema down to the targets,
builds a dask task graph and hands it to dask's synchronous scheduler. With
our small graphs that bookkeeping cost about a tenth of Rasa's CPU per message
in profiles of ``make bench``, more than some of the nodes it ran.

``SequentialGraphRunner`` keeps the same nodes (instantiated the same way, with
the same hooks) and computes each target depth-first, every node once per run,
in the single thread dask's synchronous scheduler used too. The cut-down schema
is computed once per target list. Installed when the project's custom
components are loaded (before Rasa loads the model when serving; training keeps
dask).
"""

from __future__ import annotations

from typing import Any

import rasa.core.processor
from rasa.engine.exceptions import GraphRunError
from rasa.engine.graph import GraphSchema
from rasa.engine.runner.dask import DaskGraphRunner


class SequentialGraphRunner(DaskGraphRunner):
    """``DaskGraphRunner`` without dask: same nodes, same results, less overhead."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """Instantiate the nodes as ``DaskGraphRunner`` does."""
        super().__init__(*args, **kwargs)
        self._schemas: dict[tuple[str, ...], GraphSchema] = {}

    def run(self, inputs: dict[str, Any] | None = None,
            targets: list[str] | None = None) -> dict[str, Any]:
        """Runs the graph (see ``GraphRunner.run``); each node runs at most once."""
        run_targets = list(targets) if targets else self._graph_schema.target_names
        schema = self._schema_for(tuple(run_targets))
        results: dict[str, tuple[str, Any]] = {}
        for name, value in (inputs or {}).items():
            if isinstance(value, str) and value in schema.nodes:
                raise GraphRunError(
                    f"Input value '{value}' clashes with a node name. Make sure that none "
                    f"of the input names passed to the `run` method are the same as node "
                    f"names in the graph schema.")
            results[name] = (name, value)
        try:
            return dict(self._compute(target, schema, results) for target in run_targets)
        except RuntimeError as error:  # as DaskGraphRunner reports it
            raise GraphRunError("Error running runner.") from error

    def _schema_for(self, targets: tuple[str, ...]) -> GraphSchema:
        schema = self._schemas.get(targets)
        if schema is None:
            schema = self._schemas[targets] = self._graph_schema.minimal_graph_schema(
                list(targets))
        return schema

    def _compute(self, name: str, schema: GraphSchema,
                 results: dict[str, tuple[str, Any]]) -> tuple[str, Any]:
        """``(name, output)`` of one node, computing what it needs first."""
        if name not in results:
            needs = schema.nodes[name].needs.values()
            inputs = [self._compute(need, schema, results) for need in needs]
            results[name] = self._instantiated_nodes[name](*inputs)
        return results[name]


def install() -> None:
    """Make Rasa's message processor load models with this runner (idempotent)."""
    rasa.core.processor.DaskGraphRunner = SequentialGraphRunner
