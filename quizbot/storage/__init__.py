"""PostgreSQL storage: the pool, the schema and one repository module per table group. All SQL lives here."""
