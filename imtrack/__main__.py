"""The `imtrack` script (pyproject: imtrack.__main__:main) and `python -m imtrack`."""


def main() -> None:
    import imtrack

    # Import only the module of the command being run, not every command module (imtrack.cli.app).
    imtrack.commands_on_demand = True
    from imtrack.cli.app import main as run

    run()


if __name__ == "__main__":
    main()
