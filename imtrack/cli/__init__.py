"""The Typer layer: parse arguments, make one core call, render."""
