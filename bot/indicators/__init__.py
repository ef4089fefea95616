"""Knowledge-transfer indicators: exchanges logged as metadata, KPIs, the report."""
