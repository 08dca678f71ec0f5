from imtrack.cli import main

main()
