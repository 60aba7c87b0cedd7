"""The application reminders: which are due (``due``), what each says (``compose``), and the
reads behind the officers' digest (``selectors``). The sent-log, the sweeps and delivery are
``notifications``'; ``ApplicationsConfig.ready`` registers these with it."""
