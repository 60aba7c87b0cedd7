"""Program statistics: grouped counts, rates, capacity and outcome totals, each computed by the
database in one aggregate query over what the asking user may see (``aggregates``)."""
