"""What the commands do, as plain functions over a store: no Typer, no Rich."""
