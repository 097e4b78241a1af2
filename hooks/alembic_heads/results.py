"""What checking one graph found: the record every command that checks a graph
shares (:func:`~alembic_heads.core.check_environments` makes it, the reports
in :mod:`.report`, :mod:`.machine_output` and :mod:`.summary` show it).

Not in :mod:`.findings`, which nearly every module imports (for
:class:`~alembic_heads.findings.Finding` and
:class:`~alembic_heads.findings.UsageError`): a record there that names an
environment, a graph and surplus heads would make it import their modules,
which import it, a cycle.
"""

from __future__ import annotations

from .record import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .config import Environment
    from .findings import Finding
    from .graph import Graph
    from .heads import TooManyHeads


class GraphCheck(Record):
    """What checking one environment found."""

    __slots__ = ("env", "graph", "findings", "too_many_heads", "against", "own")
    __hash__ = None  # type: ignore[assignment]  # it holds lists

    def __init__(
        self,
        env: Environment,
        graph: Graph | None,
        findings: list[Finding] | None = None,
        too_many_heads: list[TooManyHeads] | None = None,
        against: str | None = None,
        own: frozenset[str] | None = None,  # with ``against``: the ids only this branch has
    ) -> None:
        self.env = env
        self.graph = graph
        self.findings = [] if findings is None else findings
        self.too_many_heads = [] if too_many_heads is None else too_many_heads
        self.against = against
        self.own = own

    @property
    def ok(self) -> bool:
        return not self.findings and not self.too_many_heads
