"""The pure game core: questions, scoring, progression and the session state machine; no I/O."""
