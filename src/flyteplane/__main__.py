from flyteplane.cli.main import main

main()
