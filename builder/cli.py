"""The `dam` command: a thin click group over the build stages."""
import click


@click.group()
def cli() -> None:
    """dam: build a brand asset portal from a Git-managed catalogue."""


def main() -> None:
    cli()
