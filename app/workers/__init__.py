"""Workers of a task queue on PostgreSQL (procrastinate): leads spread over processes and
machines, one job per lead, with the engage pass and the research refresh on a schedule."""
