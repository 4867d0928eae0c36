"""The story, and nothing about speed: files, YAML with positions, the model, its schema,
Markdown, references and the sourcing rules. Each stage is a function from input to output
plus diagnostics."""
