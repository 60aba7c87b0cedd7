"""Target markets: countries' indicators (World Bank WDI imports, the agency's own figures),
MOUs and FTA records, the manager-set weights and the ranked list they give (``services``,
``priority``, ``wdi``), and their doors: the /markets/ page, the API and the admin."""
