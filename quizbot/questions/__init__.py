"""Question sources: the offline bank and its packs, LLM providers, and answer matching."""
